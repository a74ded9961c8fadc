/**
 * From the model to pages: every block becomes items of known height (a paragraph line, a table
 * row, the totals), then items are placed on pages. Page count is therefore known before anything is
 * drawn, which is how "Page X of Y" is written directly on each page.
 */
import type { KeyValueBlock, ParagraphBlock, PdfBlock, PdfHeader, TableBlock, TotalsBlock } from './model';
import { heightOf, wrapText, type Line } from './text';

/** What items draw with; render.ts implements it over pdfkit. */
export interface Canvas {
  /** Draws lines from top y; x is the left edge of a box of the given width the lines align in. */
  lines(lines: Line[], x: number, y: number, width: number, size: number, align: 'left' | 'right' | 'center', color?: string): void;
  fill(x: number, y: number, width: number, height: number, color: string): void;
  rule(x: number, y: number, width: number, thickness: number, color: string): void;
  image(image: PlacedImage, x: number, y: number): void;
}

export interface PlacedImage {
  /** pdfkit's opened image. */
  source: unknown;
  width: number;
  height: number;
}

export interface Item {
  height: number;
  /** Space above the item, dropped at the top of a page. */
  spaceBefore: number;
  /** Must stay on the same page as the next item (when the two fit on one page at all). */
  keepWithNext: boolean;
  /** For table rows: the header row, drawn again at the top of each page the table continues on. */
  repeat?: Item;
  draw(canvas: Canvas, x: number, y: number): void;
}

export interface Frame {
  /** Content width, and the body text size. */
  width: number;
  size: number;
}

const BLOCK_SPACING = 12;
const CELL_X = 5;
const CELL_Y = 3.5;
const TEXT = '#111111';
const MUTED = '#555555';
const LINE = '#cccccc';
const HEADER_FILL = '#eeeeee';
const ZEBRA_FILL = '#f5f5f5';

export function headerItems(header: PdfHeader, frame: Frame, logo: PlacedImage | undefined): Item[] {
  const items: Item[] = [];
  const titleSize = frame.size * 1.8;
  const title = header.title ? wrapText(header.title, frame.width - (logo?.width ?? 0) - 12, { size: titleSize, bold: true }) : [];
  if (logo || title.length > 0) {
    items.push(item(Math.max(logo?.height ?? 0, heightOf(title)), 0, (canvas, x, y) => {
      if (logo) canvas.image(logo, x, y);
      canvas.lines(title, x, y, frame.width, titleSize, 'right');
    }));
  }
  const half = (frame.width - 24) / 2;
  const left = header.left ? wrapText(header.left, half, { size: frame.size }) : [];
  const right = header.right ? wrapText(header.right, half, { size: frame.size }) : [];
  if (left.length + right.length > 0) {
    const { offsets, height } = sideBySide([left, right]);
    items.push(item(height, items.length ? BLOCK_SPACING : 0, (canvas, x, y) => {
      canvas.lines(left, x, y + offsets[0]!, half, frame.size, 'left');
      canvas.lines(right, x + frame.width - half, y + offsets[1]!, half, frame.size, 'right');
    }));
  }
  return items;
}

export function blockItems(blocks: PdfBlock[], frame: Frame, first: boolean): Item[] {
  const items: Item[] = [];
  let spacing = first ? 0 : BLOCK_SPACING;
  let previousTable: Item[] | undefined;
  for (const block of blocks) {
    let made: Item[];
    switch (block.type) {
      case 'paragraph':
        made = paragraphItems(block, frame);
        break;
      case 'keyValue':
        made = keyValueItems(block, frame);
        break;
      case 'table':
        made = tableItems(block, frame);
        break;
      case 'totals':
        made = [totalsItem(block, frame)];
        // Totals are never alone at the top of a page: the table's last two rows go with them.
        for (const row of previousTable?.slice(-2) ?? []) if (row.repeat) row.keepWithNext = true;
        break;
      case 'spacer':
        made = [item(block.height, 0, () => {})];
        break;
    }
    if (made.length > 0) {
      made[0]!.spaceBefore += spacing;
      spacing = BLOCK_SPACING;
    }
    previousTable = block.type === 'table' ? made : undefined;
    items.push(...made);
  }
  return items;
}

/**
 * Cells side by side (a table row, a label and its value): offsets that put their first baselines
 * on one line (a line holding Khmer sits lower than a Latin one), and the height they take.
 */
export function sideBySide(cells: Line[][]): { offsets: number[]; height: number } {
  const baseline = Math.max(0, ...cells.map((lines) => lines[0]?.baseline ?? 0));
  const offsets = cells.map((lines) => baseline - (lines[0]?.baseline ?? baseline));
  return { offsets, height: Math.max(0, ...cells.map((lines, index) => offsets[index]! + heightOf(lines))) };
}

function item(height: number, spaceBefore: number, draw: Item['draw']): Item {
  return { height, spaceBefore, keepWithNext: false, draw };
}

function paragraphItems(block: ParagraphBlock, frame: Frame): Item[] {
  const size = block.size ?? frame.size;
  return wrapText(block.text, frame.width, { size, bold: block.bold }).map((line) =>
    item(line.height, 0, (canvas, x, y) => canvas.lines([line], x, y, frame.width, size, block.align ?? 'left')),
  );
}

function keyValueItems(block: KeyValueBlock, frame: Frame): Item[] {
  const labelWidth = block.labelWidth ?? frame.width / 3;
  const valueWidth = frame.width - labelWidth - 8;
  return block.rows.map(({ label, value }) => {
    const labels = wrapText(label, labelWidth, { size: frame.size });
    const values = wrapText(value, valueWidth, { size: frame.size, bold: true });
    const { offsets, height } = sideBySide([labels, values]);
    return item(height + 2, 0, (canvas, x, y) => {
      canvas.lines(labels, x, y + offsets[0]!, labelWidth, frame.size, 'left', MUTED);
      canvas.lines(values, x + labelWidth + 8, y + offsets[1]!, valueWidth, frame.size, 'left');
    });
  });
}

/** Column widths in points: fixed ones as given, the others share the rest. */
export function columnWidths(block: TableBlock, width: number): number[] {
  const fixed = block.columns.reduce((sum, column) => sum + (column.width ?? 0), 0);
  const flexible = block.columns.filter((column) => column.width === undefined).length;
  const share = flexible > 0 ? (width - fixed) / flexible : 0;
  return block.columns.map((column) => column.width ?? share);
}

function tableItems(block: TableBlock, frame: Frame): Item[] {
  const widths = columnWidths(block, frame.width);
  const offsets = widths.map((_, index) => widths.slice(0, index).reduce((sum, w) => sum + w, 0));
  const row = (cells: string[], bold: boolean, decorate: (canvas: Canvas, x: number, y: number, height: number) => void): Item => {
    const laidOut = cells.map((cell, index) => {
      const column = block.columns[index]!;
      return wrapText(cell, Math.max(widths[index]! - 2 * CELL_X, 1), { size: frame.size, bold }, column.wrap ?? true);
    });
    const aligned = sideBySide(laidOut);
    const height = aligned.height + 2 * CELL_Y;
    return item(height, 0, (canvas, x, y) => {
      decorate(canvas, x, y, height);
      laidOut.forEach((lines, index) => {
        const top = y + CELL_Y + aligned.offsets[index]!;
        canvas.lines(lines, x + offsets[index]! + CELL_X, top, widths[index]! - 2 * CELL_X, frame.size, block.columns[index]!.align ?? 'left', TEXT);
      });
    });
  };
  const header = row(
    block.columns.map((column) => column.header),
    true,
    (canvas, x, y, height) => {
      canvas.fill(x, y, frame.width, height, HEADER_FILL);
      canvas.rule(x, y + height, frame.width, 0.8, MUTED);
    },
  );
  header.keepWithNext = true;
  const rows = block.rows.map((cells, index) => {
    const made = row(cells, false, (canvas, x, y, height) => {
      if (block.style === 'zebra') {
        if (index % 2 === 1) canvas.fill(x, y, frame.width, height, ZEBRA_FILL);
      } else canvas.rule(x, y + height, frame.width, 0.4, LINE);
    });
    made.repeat = header;
    return made;
  });
  return [header, ...rows];
}

function totalsItem(block: TotalsBlock, frame: Frame): Item {
  const width = Math.min(frame.width, block.width ?? Math.max(200, frame.width * 0.45));
  const labelWidth = width * 0.6 - CELL_X;
  const amountWidth = width * 0.4 - CELL_X;
  const rows = block.rows.map(({ label, amount }) => ({ bold: false, label, amount }));
  if (block.grandTotal) rows.push({ bold: true, ...block.grandTotal });
  const laidOut = rows.map(({ bold, label, amount }) => {
    const labels = wrapText(label, labelWidth, { size: frame.size, bold });
    const amounts = wrapText(amount, amountWidth, { size: frame.size, bold });
    const { offsets, height } = sideBySide([labels, amounts]);
    return { bold, labels, amounts, offsets, height: height + 2 * CELL_Y };
  });
  const height = laidOut.reduce((sum, row) => sum + row.height, 0);
  return item(height, 0, (canvas, x, y) => {
    const left = x + frame.width - width;
    let top = y;
    for (const row of laidOut) {
      if (row.bold) canvas.rule(left, top, width, 0.8, TEXT);
      canvas.lines(row.labels, left, top + CELL_Y + row.offsets[0]!, labelWidth, frame.size, 'right', row.bold ? TEXT : MUTED);
      canvas.lines(row.amounts, left + width - amountWidth - CELL_X, top + CELL_Y + row.offsets[1]!, amountWidth, frame.size, 'right', TEXT);
      top += row.height;
    }
  });
}

export interface Placement {
  item: Item;
  y: number;
}

/**
 * Places items on pages whose content area is `pageHeight` high. An item that does not fit starts a new page; a chain of items kept together (keepWithNext)
 * moves as a whole when it fits on one page; a table row on a new page comes after its header again.
 */
export function paginate(items: Item[], pageHeight: number): Placement[][] {
  const pages: Placement[][] = [[]];
  let y = 0;
  let used = false; // anything but a repeated header on this page
  const newPage = () => {
    pages.push([]);
    y = 0;
    used = false;
  };
  const place = (item: Item, spaceBefore: number) => {
    y += spaceBefore;
    pages.at(-1)!.push({ item, y });
    y += item.height;
  };
  for (let index = 0; index < items.length; index++) {
    const current = items[index]!;
    let chain = current.height;
    for (let next = index; items[next]!.keepWithNext && next + 1 < items.length; next++) {
      const following = items[next + 1]!;
      chain += following.spaceBefore + following.height;
    }
    const repeat = current.repeat ? current.repeat.height : 0;
    const spaceBefore = used ? current.spaceBefore : 0;
    const fits = (height: number) => y + spaceBefore + height <= pageHeight + 0.01;
    if (used && (!fits(chain) && chain + repeat <= pageHeight || !fits(current.height))) newPage();
    if (!used && current.repeat && pages.length > 1 && pages.at(-1)!.length === 0) place(current.repeat, 0);
    place(current, used ? current.spaceBefore : 0);
    used = true;
  }
  return pages;
}
