/**
 * renderPdf(model) → { buffer, pages }: validates the model, lays it out into pages, then draws them
 * with pdfkit. Drawing yields to the event loop between pages once it has run for a few
 * milliseconds, so a long document does not hold up other requests for its whole duration.
 */
import type { Readable } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import { boundLayoutCaches, loadFonts, registerFonts, selectFace } from './fonts';
import { blockItems, headerItems, paginate, sideBySide, type Canvas, type Frame, type PlacedImage } from './layout';
import { PdfModelError, type PdfDocumentModel, type RenderedPdf } from './model';
import { wrapText, type Line } from './text';
import { validateModel } from './validate';

export interface RenderOptions {
  /** The clock that dates the document (CreationDate, ModDate); the same clock and model give the same bytes. */
  now?: () => Date;
}

export interface RenderedPdfStream {
  /** The PDF bytes as they are produced. */
  stream: Readable;
  pages: number;
}

const DEFAULT_PAGE_LABEL = 'Page {page} of {pages}';
const FOOTER_GAP = 8;
/** Drawing yields to the event loop between pages once a slice has run this long. */
const SLICE_MS = 8;

/** Renders a document to a Buffer; rejects with PdfModelError on a bad model. */
export async function renderPdf(model: PdfDocumentModel, options: RenderOptions = {}): Promise<RenderedPdf> {
  const { stream, pages } = renderPdfStream(model, options);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('error', reject);
    stream.once('end', () => resolve({ buffer: Buffer.concat(chunks), pages }));
  });
}

/** Renders a document as a stream; the page count is known before the first byte. Throws PdfModelError on a bad model. */
export function renderPdfStream(model: PdfDocumentModel, options: RenderOptions = {}): RenderedPdfStream {
  const { size, margins } = validateModel(model);
  loadFonts();
  boundLayoutCaches();
  const now = (options.now ?? (() => new Date()))();
  const meta = model.metadata ?? {};
  const doc = new PDFDocument({
    autoFirstPage: false,
    compress: true,
    font: null as unknown as string, // no Helvetica: its metrics would be parsed for every document
    displayTitle: meta.title !== undefined,
    lang: meta.language,
    info: {
      ...(meta.title !== undefined && { Title: meta.title }),
      ...(meta.author !== undefined && { Author: meta.author }),
      ...(meta.subject !== undefined && { Subject: meta.subject }),
      ...(meta.keywords && { Keywords: meta.keywords.join(', ') }),
      Creator: 'Deskbase',
      Producer: 'Deskbase (PDFKit)',
      CreationDate: now,
      ModDate: now,
    },
  } as PDFKit.PDFDocumentOptions);
  registerFonts(doc);

  const frame: Frame = { width: size[0] - margins.left - margins.right, size: model.fontSize ?? 10 };
  const footer = footerLayout(model, frame);
  const contentHeight = size[1] - margins.top - margins.bottom - (footer ? footer.height + FOOTER_GAP : 0);
  const logo = model.header?.logo ? openLogo(doc, model.header.logo) : undefined;
  const header = model.header ? headerItems(model.header, frame, logo) : [];
  const pages = paginate([...header, ...blockItems(model.blocks, frame, header.length === 0)], contentHeight);

  const canvas = pdfCanvas(doc);
  const draw = async () => {
    let slice = performance.now();
    for (const [index, placements] of pages.entries()) {
      if (performance.now() - slice > SLICE_MS) {
        await yieldToLoop();
        slice = performance.now();
      }
      doc.addPage({ size: [size[0], size[1]], margin: 0 });
      for (const { item, y } of placements) item.draw(canvas, margins.left, margins.top + y);
      footer?.draw(canvas, margins.left, size[1] - margins.bottom - footer.height, index + 1, pages.length);
    }
    doc.end();
  };
  draw().catch((error: unknown) => doc.destroy(error instanceof Error ? error : new Error(String(error))));
  return { stream: doc, pages: pages.length };
}

function openLogo(doc: PDFKit.PDFDocument, logo: NonNullable<PdfDocumentModel['header']>['logo'] & object): PlacedImage {
  let image: { width: number; height: number };
  try {
    const opener = doc as unknown as { openImage(data: Buffer): { width: number; height: number } };
    image = opener.openImage(Buffer.from(logo.data.buffer, logo.data.byteOffset, logo.data.byteLength));
  } catch (error) {
    throw new PdfModelError(`PDF model: header.logo could not be read: ${error instanceof Error ? error.message : error}`);
  }
  const scale = Math.min((logo.maxWidth ?? 160) / image.width, (logo.maxHeight ?? 48) / image.height);
  return { source: image, width: image.width * scale, height: image.height * scale };
}

function footerLayout(model: PdfDocumentModel, frame: Frame) {
  const label = model.footer?.pageLabel === undefined ? DEFAULT_PAGE_LABEL : model.footer.pageLabel;
  const text = model.footer?.text;
  if (label === null && !text) return undefined;
  const size = frame.size * 0.8;
  const half = frame.width / 2 - 6;
  const left = text ? wrapText(text, half, { size }, false) : [];
  const labelFor = (page: string, pages: string) => (label ? wrapText(label.replaceAll('{page}', page).replaceAll('{pages}', pages), half, { size }, false) : []);
  const { height } = sideBySide([left, labelFor('999', '999')]);
  return {
    height,
    draw(canvas: Canvas, x: number, y: number, page: number, pages: number) {
      const right = labelFor(String(page), String(pages));
      const { offsets } = sideBySide([left, right]);
      canvas.rule(x, y - FOOTER_GAP / 2, frame.width, 0.4, '#cccccc');
      canvas.lines(left, x, y + offsets[0]!, half, size, 'left', '#555555');
      canvas.lines(right, x + frame.width - half, y + offsets[1]!, half, size, 'right', '#555555');
    },
  };
}

function pdfCanvas(doc: PDFKit.PDFDocument): Canvas {
  const fonts = loadFonts();
  return {
    lines(lines: Line[], x, y, width, size, align, color = '#111111') {
      doc.fillColor(color);
      let top = y;
      for (const line of lines) {
        const left = align === 'right' ? x + width - line.width : align === 'center' ? x + (width - line.width) / 2 : x;
        for (const run of line.runs) {
          selectFace(doc, run.face);
          const { font } = fonts[run.face];
          // Khmer, Devanagari and Tamil draw some vowel signs before the consonant they follow in
          // the text: the run's text in reading order goes with it as ActualText, which copy and
          // search in Acrobat and poppler read instead of the glyphs' drawing order (pdf.js ignores it).
          const reordered = !run.face.startsWith('latin');
          if (reordered) doc.markContent('Span', { actual: run.text });
          // pdfkit puts the baseline at y + ascent; runs of different fonts share the line's baseline.
          doc.fontSize(size).text(run.text, left + run.x, top + line.baseline - (font.ascent / font.unitsPerEm) * size, { lineBreak: false });
          if (reordered) doc.endMarkedContent();
        }
        top += line.height;
      }
    },
    fill(x, y, width, height, color) {
      doc.rect(x, y, width, height).fill(color);
    },
    rule(x, y, width, thickness, color) {
      doc.moveTo(x, y).lineTo(x + width, y).lineWidth(thickness).stroke(color);
    },
    image(image, x, y) {
      doc.image(image.source as Buffer, x, y, { width: image.width, height: image.height });
    },
  };
}
