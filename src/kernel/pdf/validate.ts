/**
 * Checks a document model before anything is laid out. A bad model is a programming error of the
 * calling module: it throws PdfModelError with a message that names the place (blocks[2].rows[7]...).
 */
import { PdfModelError, type ImageInput, type Margins, type PdfDocumentModel, type TableBlock } from './model';

export const PAGE_SIZES = { A4: [595.28, 841.89], Letter: [612, 792] } as const satisfies Record<string, readonly [number, number]>;

const fail = (message: string): never => {
  throw new PdfModelError(`PDF model: ${message}`);
};

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `"${value}"` : typeof value);

function string(value: unknown, where: string, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string') fail(`${where} must be a string, got ${describe(value)}`);
}

function number(value: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) fail(`${where} must be a number from ${min} to ${max}, got ${describe(value)}`);
}

export function imageKind(data: Uint8Array): 'png' | 'jpeg' | undefined {
  if (data.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, index) => data[index] === byte)) return 'png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  return undefined;
}

function image(value: ImageInput | undefined, where: string): void {
  if (value === undefined) return;
  if (!(value?.data instanceof Uint8Array)) fail(`${where}.data must be the image bytes (a Buffer or Uint8Array), got ${describe(value?.data)}`);
  if (!imageKind(value.data)) fail(`${where} is not a PNG or JPEG image (its first bytes are ${Buffer.from(value.data.subarray(0, 4)).toString('hex') || 'missing'})`);
  if (value.maxWidth !== undefined) number(value.maxWidth, `${where}.maxWidth`, 1);
  if (value.maxHeight !== undefined) number(value.maxHeight, `${where}.maxHeight`, 1);
}

export function margins(model: PdfDocumentModel): Margins {
  const given = model.margins ?? 50;
  const all = typeof given === 'number' ? { top: given, right: given, bottom: given, left: given } : { top: 50, right: 50, bottom: 50, left: 50, ...given };
  for (const side of ['top', 'right', 'bottom', 'left'] as const) number(all[side], `margins.${side}`, 0, 300);
  return all;
}

function table(block: TableBlock, where: string, contentWidth: number): void {
  if (!Array.isArray(block.columns) || block.columns.length === 0) fail(`${where}.columns must be a non-empty array`);
  let fixed = 0;
  block.columns.forEach((column, index) => {
    string(column?.header, `${where}.columns[${index}].header`);
    if (column.width !== undefined) {
      number(column.width, `${where}.columns[${index}].width`, 10);
      fixed += column.width;
    }
    if (column.align !== undefined && column.align !== 'left' && column.align !== 'right') fail(`${where}.columns[${index}].align must be "left" or "right", got ${describe(column.align)}`);
  });
  const flexible = block.columns.filter((column) => column.width === undefined).length;
  if (fixed + flexible * 10 > contentWidth + 0.01) fail(`${where}: the columns need ${Math.ceil(fixed + flexible * 10)} pt, the page has ${Math.floor(contentWidth)} pt between its margins`);
  if (block.style !== undefined && block.style !== 'rules' && block.style !== 'zebra') fail(`${where}.style must be "rules" or "zebra", got ${describe(block.style)}`);
  if (!Array.isArray(block.rows)) fail(`${where}.rows must be an array`);
  block.rows.forEach((row, index) => {
    if (!Array.isArray(row)) fail(`${where}.rows[${index}] must be an array of cells, got ${describe(row)}`);
    if (row.length !== block.columns.length) fail(`${where}.rows[${index}] has ${row.length} cells, the table has ${block.columns.length} columns`);
    row.forEach((cell, column) => string(cell, `${where}.rows[${index}][${column}]`));
  });
}

/** Throws PdfModelError on the first problem found. */
export function validateModel(model: PdfDocumentModel): { size: readonly [number, number]; margins: Margins } {
  if (typeof model !== 'object' || model === null) fail(`the document must be an object, got ${describe(model)}`);
  const pageSize = model.pageSize ?? 'A4';
  if (!Object.hasOwn(PAGE_SIZES, pageSize)) fail(`unknown page size ${describe(pageSize)} (expected "A4" or "Letter")`);
  const size = PAGE_SIZES[pageSize];
  const sides = margins(model);
  const contentWidth = size[0] - sides.left - sides.right;
  if (contentWidth < 100 || size[1] - sides.top - sides.bottom < 100) fail('the margins leave less than 100 pt for the content');
  if (model.fontSize !== undefined) number(model.fontSize, 'fontSize', 4, 72);
  for (const key of ['title', 'author', 'subject', 'language'] as const) string(model.metadata?.[key], `metadata.${key}`, true);
  model.metadata?.keywords?.forEach((keyword, index) => string(keyword, `metadata.keywords[${index}]`));
  if (model.header) {
    for (const key of ['title', 'left', 'right'] as const) string(model.header[key], `header.${key}`, true);
    image(model.header.logo, 'header.logo');
  }
  if (model.footer) {
    if (model.footer.pageLabel !== null) string(model.footer.pageLabel, 'footer.pageLabel', true);
    string(model.footer.text, 'footer.text', true);
  }
  if (!Array.isArray(model.blocks)) fail(`blocks must be an array, got ${describe(model.blocks)}`);
  model.blocks.forEach((block, index) => {
    const where = `blocks[${index}]`;
    switch (block?.type) {
      case 'paragraph':
        string(block.text, `${where}.text`);
        if (block.size !== undefined) number(block.size, `${where}.size`, 4, 72);
        if (block.align !== undefined && !['left', 'right', 'center'].includes(block.align)) fail(`${where}.align must be "left", "right" or "center", got ${describe(block.align)}`);
        break;
      case 'keyValue':
        if (!Array.isArray(block.rows)) fail(`${where}.rows must be an array`);
        block.rows.forEach((row, n) => {
          string(row?.label, `${where}.rows[${n}].label`);
          string(row.value, `${where}.rows[${n}].value`);
        });
        if (block.labelWidth !== undefined) number(block.labelWidth, `${where}.labelWidth`, 10, contentWidth - 10);
        break;
      case 'table':
        table(block, where, contentWidth);
        break;
      case 'totals':
        if (!Array.isArray(block.rows)) fail(`${where}.rows must be an array`);
        [...block.rows, ...(block.grandTotal ? [block.grandTotal] : [])].forEach((row, n) => {
          const at = n < block.rows.length ? `${where}.rows[${n}]` : `${where}.grandTotal`;
          string(row?.label, `${at}.label`);
          string(row.amount, `${at}.amount`);
        });
        if (block.width !== undefined) number(block.width, `${where}.width`, 50, contentWidth);
        break;
      case 'spacer':
        number(block.height, `${where}.height`, 0, 2000);
        break;
      default:
        fail(`${where} has an unknown type ${describe((block as { type?: unknown } | undefined)?.type)}`);
    }
  });
  return { size, margins: sides };
}
