/**
 * The declarative document the PDF service renders. It knows pages, text, tables and totals,
 * nothing about invoices or report cards: a module builds one of these from its own data.
 * Every number shown is a string the caller formatted (the service does no money formatting).
 * Lengths are PDF points (1/72 inch).
 */

export type PageSize = 'A4' | 'Letter';
export type Align = 'left' | 'right';

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Encoded image bytes: PNG or JPEG, checked by signature. */
export interface ImageInput {
  data: Uint8Array;
  /** Box the image is fitted into, keeping its proportions (default: 48 pt high, at most 160 pt wide). */
  maxWidth?: number;
  maxHeight?: number;
}

export interface PdfHeader {
  logo?: ImageInput;
  /** Large bold text, right-aligned on the logo's row. */
  title?: string;
  /** Text under the logo, left half (an address: lines separated by \n). */
  left?: string;
  /** Text under the title, right half, right-aligned. */
  right?: string;
}

export interface ParagraphBlock {
  type: 'paragraph';
  text: string;
  bold?: boolean;
  /** Font size in points (default: the document's fontSize). */
  size?: number;
  align?: Align | 'center';
}

export interface KeyValueBlock {
  type: 'keyValue';
  rows: { label: string; value: string }[];
  /** Width of the label column (default: a third of the content width). */
  labelWidth?: number;
}

export interface TableColumn {
  header: string;
  /** Points; columns without a width share what is left equally. */
  width?: number;
  /** Default left; amounts are usually right. */
  align?: Align;
  /** Default true: long text wraps onto more lines. False: one line, cut with an ellipsis. */
  wrap?: boolean;
}

export interface TableBlock {
  type: 'table';
  columns: TableColumn[];
  /** One string per column in every row. */
  rows: string[][];
  /** 'rules' (default): a thin line under each row; 'zebra': every other row shaded. */
  style?: 'rules' | 'zebra';
}

export interface TotalsBlock {
  type: 'totals';
  /** Right-aligned label / amount rows (subtotal, tax...). */
  rows: { label: string; amount: string }[];
  /** The bold last row, under a rule. */
  grandTotal?: { label: string; amount: string };
  /** Width of the block, placed against the right margin (default: 45% of the content width, at least 200 pt). */
  width?: number;
}

export interface SpacerBlock {
  type: 'spacer';
  height: number;
}

export type PdfBlock = ParagraphBlock | KeyValueBlock | TableBlock | TotalsBlock | SpacerBlock;

export interface PdfFooter {
  /**
   * The page label, localizable: `{page}` and `{pages}` are replaced (default "Page {page} of {pages}";
   * null for none).
   */
  pageLabel?: string | null;
  /** Text on the left of every page's footer. */
  text?: string;
}

export interface PdfMetadata {
  title?: string;
  author?: string;
  subject?: string;
  keywords?: string[];
  /** BCP 47 language of the content (the PDF's /Lang), e.g. "en" or "km". */
  language?: string;
}

export interface PdfDocumentModel {
  /** Default A4. */
  pageSize?: PageSize;
  /** One number for all four sides, or per side (default 50 pt). */
  margins?: number | Partial<Margins>;
  /** Body text size in points (default 10). */
  fontSize?: number;
  metadata?: PdfMetadata;
  /** Drawn at the top of the first page. */
  header?: PdfHeader;
  blocks: PdfBlock[];
  /** Drawn on every page; present by default with "Page {page} of {pages}". */
  footer?: PdfFooter;
}

export interface RenderedPdf {
  buffer: Buffer;
  pages: number;
}

/** A programming error in the model handed to the service (not an HTTP error). */
export class PdfModelError extends Error {
  override name = 'PdfModelError';
}
