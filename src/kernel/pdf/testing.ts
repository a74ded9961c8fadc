/**
 * Test and bench fixtures for the PDF service (never imported by the server): small images and an
 * invoice-like document of any length, as a billing module would build one.
 */
import zlib from 'node:zlib';
import { loadFonts, type Face } from './fonts';
import type { PdfDocumentModel } from './model';

/** A 48×24 PNG (blue and orange squares). */
export const PNG_LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAYCAIAAAAzn+mLAAAAPElEQVR42mOQ96vEij6tZMCKaK2eYdRBow4addCIc9BAWYxL/aiDRh006qCR56DRknrUQaMOGnXQADsIAA/Qoox4gbOAAAAAAElFTkSuQmCC',
  'base64',
);

/** A 12×16 JPEG. */
export const JPEG_LOGO = Buffer.from('/9j/4AAQSkZJRgABAQEAAgACAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAQAAwDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD3l1naX5ZAsf05qaiigD//2Q==', 'base64');

/** The fixed clock of the fixtures. */
export const FIXED_NOW = new Date('2026-03-14T09:26:53.000Z');

/** "1,234.56"-style amounts, formatted by the caller as the service expects. */
export const amount = (cents: number) => (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function lineItem(index: number): string[] {
  const quantity = (index % 7) + 1;
  const unit = 12_345 + index * 1_111;
  return [String(index + 1), `Consulting services, item ${index + 1}`, String(quantity), amount(unit), amount(unit * quantity)];
}

/** An invoice-like document with `rows` table rows (about 30 fit on the first A4 page). */
export function sampleDocument(rows: number, overrides: Partial<PdfDocumentModel> = {}): PdfDocumentModel {
  const items = Array.from({ length: rows }, (_, index) => lineItem(index));
  return {
    pageSize: 'A4',
    metadata: { title: 'Invoice INV-2026-0042', author: 'Acme Training Ltd', subject: 'Invoice', keywords: ['invoice', 'INV-2026-0042'], language: 'en' },
    header: {
      logo: { data: PNG_LOGO },
      title: 'INVOICE',
      left: 'Acme Training Ltd\n12 Harbour Street\nPhnom Penh 12000\nCambodia',
      right: 'Invoice INV-2026-0042\nIssued 14 March 2026\nDue 13 April 2026',
    },
    blocks: [
      { type: 'keyValue', rows: [{ label: 'Bill to', value: 'Invoice for សុខ ដារ៉ា' }, { label: 'Reference', value: 'PO-7781' }] },
      {
        type: 'table',
        columns: [
          { header: '#', width: 28, align: 'right' },
          { header: 'Description' },
          { header: 'Qty', width: 40, align: 'right' },
          { header: 'Unit price', width: 80, align: 'right' },
          { header: 'Amount', width: 90, align: 'right' },
        ],
        rows: items,
      },
      { type: 'totals', rows: [{ label: 'Subtotal', amount: '1,234.56' }, { label: 'VAT 10%', amount: '123.46' }], grandTotal: { label: 'Total due (USD)', amount: '1,358.02' } },
      { type: 'paragraph', text: 'Payment by bank transfer within 30 days. Thank you for your business.' },
    ],
    footer: { text: 'Acme Training Ltd · VAT KH-123456789' },
    ...overrides,
  };
}

export interface ExtractedPdf {
  pages: string[];
  /** MediaBox of each page: [x0, y0, x1, y1] in points. */
  boxes: number[][];
  info: Record<string, unknown>;
}

/** Text (unpdf, i.e. pdf.js), page boxes and the Info dictionary of a PDF. */
export async function extractPdf(buffer: Uint8Array): Promise<ExtractedPdf> {
  const { extractText, getDocumentProxy, getMeta } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(buffer));
  const { text } = await extractText(pdf, { mergePages: false });
  const boxes: number[][] = [];
  for (let page = 1; page <= pdf.numPages; page++) boxes.push((await pdf.getPage(page)).view);
  const { info } = await getMeta(pdf);
  await pdf.destroy();
  return { pages: text, boxes, info: info as Record<string, unknown> };
}

export interface PdfObject {
  id: number;
  /** The dictionary source, e.g. "<< /Type /Font ... >>". */
  dict: string;
  /** The stream's bytes, inflated when FlateDecode. */
  stream?: Buffer;
}

/** The indirect objects of a PDF written by pdfkit (plain objects, no object streams). */
export function pdfObjects(buffer: Buffer): Map<number, PdfObject> {
  const { inflateSync } = zlib;
  const objects = new Map<number, PdfObject>();
  const source = buffer.toString('latin1');
  const pattern = /(\d+) 0 obj\s*([\s\S]*?)\s*(?:stream\r?\n([\s\S]*?)\r?\nendstream\s*)?endobj/g;
  for (const match of source.matchAll(pattern)) {
    const [, id, dict, raw] = match;
    let stream = raw === undefined ? undefined : Buffer.from(raw, 'latin1');
    if (stream && /\/Filter\s*\/FlateDecode/.test(dict!)) stream = inflateSync(stream);
    objects.set(Number(id), { id: Number(id), dict: dict!, stream });
  }
  return objects;
}

/** Follows "/Key N 0 R" in a dictionary. */
export function ref(objects: Map<number, PdfObject>, dict: string, key: string): PdfObject | undefined {
  const match = new RegExp(`/${key}\\s*\\[?\\s*(\\d+) 0 R`).exec(dict);
  return match ? objects.get(Number(match[1])) : undefined;
}

/** fontkit's layout of `text` in a face, in hb-shape's notation (`hb-shape --no-clusters`): glyph name, @x,y offset, +advance, in font units. */
export function shapeLikeHarfBuzz(face: Face, text: string): string {
  const run = loadFonts()[face].font.layout(text) as {
    glyphs: { name: string }[];
    positions: { xAdvance: number; xOffset: number; yOffset: number }[];
  };
  const glyphs = run.glyphs.map((glyph, index) => {
    const { xAdvance, xOffset, yOffset } = run.positions[index]!;
    return `${glyph.name}${xOffset || yOffset ? `@${xOffset},${yOffset}` : ''}+${xAdvance}`;
  });
  return `[${glyphs.join('|')}]`;
}

/** The embedded fonts of a PDF: base name → the text content of its ToUnicode map, and whether a font file is embedded. */
export function embeddedFonts(buffer: Buffer) {
  const objects = pdfObjects(buffer);
  const fonts = new Map<string, { toUnicode: string; embedded: boolean }>();
  for (const object of objects.values()) {
    const name = /\/Subtype\s*\/Type0[\s\S]*?\/BaseFont\s*\/([^\s/>]+)/.exec(object.dict)?.[1];
    if (!name) continue;
    const descendant = ref(objects, object.dict, 'DescendantFonts')!;
    const descriptor = ref(objects, descendant.dict, 'FontDescriptor')!;
    const file = ref(objects, descriptor.dict, 'FontFile2');
    fonts.set(name, {
      toUnicode: ref(objects, object.dict, 'ToUnicode')?.stream?.toString('latin1') ?? '',
      // A TrueType font program: sfnt version 1.0 or 'true' (what fontkit's subsetter writes).
      embedded: [0x00010000, 0x74727565].includes(file?.stream?.readUInt32BE(0) ?? 0),
    });
  }
  return fonts;
}

const ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c };

/** The `/ActualText (…)` strings of a PDF's content streams, decoded (UTF-16BE with a byte order mark, else PDFDocEncoding as Latin-1). */
export function actualTexts(buffer: Buffer): string[] {
  const texts: string[] = [];
  for (const { stream } of pdfObjects(buffer).values()) {
    const source = stream?.toString('latin1') ?? '';
    for (let at = source.indexOf('/ActualText ('); at >= 0; at = source.indexOf('/ActualText (', at + 1)) {
      const bytes: number[] = [];
      let depth = 0;
      for (let i = at + '/ActualText ('.length; i < source.length; i++) {
        const char = source[i]!;
        if (char === '\\') {
          const next = source[++i]!;
          const octal = /^[0-7]{1,3}/.exec(source.slice(i, i + 3))?.[0];
          if (octal) {
            bytes.push(parseInt(octal, 8));
            i += octal.length - 1;
          } else bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
          continue;
        }
        if (char === '(') depth++;
        if (char === ')' && depth-- === 0) break;
        bytes.push(char.charCodeAt(0));
      }
      const data = Buffer.from(bytes);
      texts.push(data[0] === 0xfe && data[1] === 0xff ? data.subarray(2).swap16().toString('utf16le') : data.toString('latin1'));
    }
  }
  return texts;
}
