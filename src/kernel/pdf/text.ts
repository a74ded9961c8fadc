/**
 * Text in any script the fonts cover: split into runs by script (Khmer, Devanagari and Tamil code
 * points go to their Noto Sans family, everything else to Noto Sans), measured, and wrapped into
 * lines. Line breaks fall after spaces, hyphens and slashes, and between Khmer words, which ICU finds
 * with its Khmer dictionary (Khmer writes no spaces between words).
 */
import { faceOf, loadFonts, SCRIPTS, widthOf, type Face, type Script } from './fonts';

export interface Run {
  face: Face;
  text: string;
  /** Offset from the line's start, and width, in points. */
  x: number;
  width: number;
}

export interface Line {
  runs: Run[];
  width: number;
  /** Distance from the line's top to its baseline, and the line's height, in points. */
  baseline: number;
  height: number;
}

export interface TextStyle {
  size: number;
  bold?: boolean;
}

/** The Unicode blocks of the scripts other than Latin (Latin's font takes every other code point it has). */
const BLOCKS: [Script, number, number][] = [
  ['khmer', 0x1780, 0x17ff], // Khmer
  ['khmer', 0x19e0, 0x19ff], // Khmer Symbols
  ['devanagari', 0x0900, 0x097f], // Devanagari
  ['devanagari', 0xa8e0, 0xa8ff], // Devanagari Extended
  ['tamil', 0x0b80, 0x0bff], // Tamil
];
const scriptOf = (cp: number): Script | undefined => (cp < 0x0900 ? undefined : BLOCKS.find(([, first, last]) => cp >= first && cp <= last)?.[0]);
const isKhmer = (cp: number) => scriptOf(cp) === 'khmer';
/** Spaces and zero-width joiners/separators belong to the run they are in rather than to a script. */
const isNeutral = (cp: number) => cp === 0x20 || cp === 0xa0 || cp === 0x09 || (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060;
/** The dandas (U+0964, U+0965) end sentences in Devanagari, Tamil and other Indic text: they stay in an Indic run. */
const isDanda = (cp: number) => cp === 0x0964 || cp === 0x0965;

/** Splits text into runs of one face each (x and width still 0). */
export function splitRuns(text: string, bold = false): Run[] {
  const fonts = loadFonts();
  const latin = faceOf('latin', bold);
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    const script = scriptOf(cp);
    let face: Face;
    if (current && (isNeutral(cp) || (isDanda(cp) && current.face !== latin && fonts[current.face].font.hasGlyphForCodePoint(cp)))) face = current.face;
    else if (script) face = faceOf(script, bold);
    else if (fonts[latin].font.hasGlyphForCodePoint(cp)) face = latin;
    else {
      // A code point outside the blocks above that only another family has (Vedic signs…).
      const other = SCRIPTS.find((s) => fonts[faceOf(s, bold)].font.hasGlyphForCodePoint(cp));
      face = other ? faceOf(other, bold) : latin;
    }
    if (current?.face === face) current.text += char;
    else runs.push((current = { face, text: char, x: 0, width: 0 }));
  }
  return runs;
}

const words = new Intl.Segmenter('km', { granularity: 'word' });
const graphemes = new Intl.Segmenter('km', { granularity: 'grapheme' });
const endsKhmer = (s: string) => isKhmer(s.codePointAt(s.length - 1) ?? 0);
const startsKhmer = (s: string) => isKhmer(s.codePointAt(0) ?? 0);

const KHMER_TEXT = /[\u1780-\u17ff\u19e0-\u19ff]/u;
/** Where a line may break in text without Khmer: after whitespace, a hyphen or a slash, before a non-space. */
const BREAK_AFTER = /(?<=[\s\u200b\-/])(?=[^\s])/u;

/** The unbreakable pieces of one line of text; each keeps its trailing spaces. */
function pieces(text: string): string[] {
  // ICU's word segmentation costs ~3 µs a word; only Khmer needs it.
  if (!KHMER_TEXT.test(text)) return text.split(BREAK_AFTER);
  const out: string[] = [];
  let piece = '';
  for (const { segment } of words.segment(text)) {
    const breakBefore = piece !== '' && (/[\s\u200b\-/]$/.test(piece) ? !/^\s/.test(segment) : endsKhmer(piece) && startsKhmer(segment));
    if (breakBefore) {
      out.push(piece);
      piece = '';
    }
    piece += segment;
  }
  if (piece) out.push(piece);
  return out;
}

function measure(text: string, style: TextStyle): number {
  let width = 0;
  for (const run of splitRuns(text, style.bold)) width += widthOf(run.face, run.text, style.size);
  return width;
}

/** Builds a line: runs merged by face and positioned, trailing spaces dropped. */
function makeLine(text: string, style: TextStyle): Line {
  const fonts = loadFonts();
  const runs = splitRuns(text.trimEnd(), style.bold);
  let x = 0;
  let above = fonts.latin.above;
  let below = fonts.latin.below;
  for (const run of runs) {
    run.x = x;
    run.width = widthOf(run.face, run.text, style.size);
    x += run.width;
    above = Math.max(above, fonts[run.face].above);
    below = Math.max(below, fonts[run.face].below);
  }
  return { runs, width: x, baseline: above * style.size, height: (above + below) * style.size };
}

/**
 * A consonant ending in a Khmer COENG (U+17D2) or a Devanagari virama (U+094D) joins the next one into
 * a conjunct: no cut there (ICU 74+ keeps such conjuncts in one grapheme cluster already, older ICU does not).
 */
const JOINS_NEXT = /[\u17d2\u094d]$/u;

/** Cuts a piece wider than the line into grapheme clusters, never inside a conjunct. */
function splitLong(piece: string, width: number, style: TextStyle): string[] {
  const out: string[] = [];
  let current = '';
  for (const { segment } of graphemes.segment(piece)) {
    if (current && !JOINS_NEXT.test(current) && measure(current + segment, style) > width) {
      out.push(current);
      current = '';
    }
    current += segment;
  }
  if (current) out.push(current);
  return out;
}

/** Wraps text (\n starts a new line) to a width; with wrap false, each line is cut to fit with an ellipsis. */
export function wrapText(text: string, width: number, style: TextStyle, wrap = true): Line[] {
  const lines: Line[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    if (!wrap) {
      lines.push(makeLine(truncate(paragraph, width, style), style));
      continue;
    }
    let line = '';
    let lineWidth = 0; // with its trailing spaces
    for (const piece of pieces(paragraph)) {
      if (lineWidth + measure(piece.trimEnd(), style) <= width) {
        line += piece;
        lineWidth += measure(piece, style);
        continue;
      }
      if (line) lines.push(makeLine(line, style));
      const start = piece.trimStart();
      const parts = measure(start.trimEnd(), style) <= width ? [start] : splitLong(start, width, style);
      for (const part of parts.slice(0, -1)) lines.push(makeLine(part, style));
      line = parts.at(-1) ?? '';
      lineWidth = measure(line, style);
    }
    lines.push(makeLine(line, style));
  }
  return lines;
}

function truncate(text: string, width: number, style: TextStyle): string {
  if (measure(text, style) <= width) return text;
  let kept = '';
  let whole = ''; // kept, less a consonant waiting for the rest of its conjunct
  for (const { segment } of graphemes.segment(text)) {
    if (measure(`${kept}${segment}…`, style) > width) break;
    kept += segment;
    if (!JOINS_NEXT.test(kept)) whole = kept;
  }
  return `${whole.trimEnd()}…`;
}

/** The height of a stack of lines. */
export const heightOf = (lines: Line[]) => lines.reduce((sum, line) => sum + line.height, 0);
