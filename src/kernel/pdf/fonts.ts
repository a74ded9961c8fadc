/**
 * The fonts of every PDF, one Noto Sans family per script, regular and bold, full TTF files from npm
 * packages (SIL OFL 1.1), never from the OS: Noto Sans (Latin, Greek, Cyrillic, Vietnamese, and the
 * digits, punctuation and currency signs of every script, ₹ included), Noto Sans Khmer, Noto Sans
 * Devanagari (Hindi, Marathi, Nepali, Sanskrit…) and Noto Sans Tamil. They are parsed once per process
 * and shared by every document: pdfkit (0.20) accepts a parsed fontkit font, subsets it per document
 * (a document embeds only the faces it used), and each word is shaped once per process instead of once
 * per document (see shareLayouts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/** The scripts with a font of their own; `latin` is the default face, for every code point no other script claims. */
export const SCRIPTS = ['latin', 'khmer', 'devanagari', 'tamil'] as const;
export type Script = (typeof SCRIPTS)[number];
export type Face = Script | `${Script}-bold`;

const FILES: Record<Face, string> = {
  latin: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  'latin-bold': '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  khmer: '@expo-google-fonts/noto-sans-khmer/400Regular/NotoSansKhmer_400Regular.ttf',
  'khmer-bold': '@expo-google-fonts/noto-sans-khmer/700Bold/NotoSansKhmer_700Bold.ttf',
  devanagari: '@expo-google-fonts/noto-sans-devanagari/400Regular/NotoSansDevanagari_400Regular.ttf',
  'devanagari-bold': '@expo-google-fonts/noto-sans-devanagari/700Bold/NotoSansDevanagari_700Bold.ttf',
  tamil: '@expo-google-fonts/noto-sans-tamil/400Regular/NotoSansTamil_400Regular.ttf',
  'tamil-bold': '@expo-google-fonts/noto-sans-tamil/700Bold/NotoSansTamil_700Bold.ttf',
};

/** The face of a script in a weight. */
export const faceOf = (script: Script, bold = false): Face => (bold ? `${script}-bold` : script);

/** The parts of a fontkit font this service reads (fontkit ships no types). */
export interface FontkitFont {
  postscriptName: string;
  unitsPerEm: number;
  ascent: number;
  descent: number;
  'OS/2': { winAscent: number; winDescent: number };
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): unknown;
}

/** The parts of pdfkit's EmbeddedFont (one per font per document) this service touches. */
interface EmbeddedFont {
  font: FontkitFont;
  layoutCache?: Record<string, unknown>;
  widthOfString(text: string, size: number): number;
}

export interface LoadedFace {
  face: Face;
  font: FontkitFont;
  /** Shaped words (pdfkit's per-font layout cache), shared by every document. */
  layouts: Record<string, unknown>;
  /** Measures with the shared cache, outside any document. */
  measurer: EmbeddedFont;
  /** Above and below the baseline, in em, of a line set in this face. */
  above: number;
  below: number;
}

type Faces = Record<Face, LoadedFace>;

let faces: Faces | undefined;
/** Documents rendered: every 200th checks the size of the shared word caches. */
let renders = 0;
const LAYOUT_CACHE_CAP = 50_000;

/** Loads and parses the fonts (0.1-0.6 s depending on load, once per process; the first render does it). */
export function loadFonts(): Faces {
  if (faces) return faces;
  const require = createRequire(import.meta.url);
  // A scratch document that is never ended: it turns the files into fontkit fonts with pdfkit's own
  // copy of fontkit (the one that will shape and subset them) and lends its fonts for measuring.
  const scratch = new PDFDocument({ autoFirstPage: false, font: null as unknown as string });
  const internals = scratch as unknown as { _font: EmbeddedFont };
  const loaded = {} as Faces;
  for (const face of Object.keys(FILES) as Face[]) {
    scratch.font(readFileSync(require.resolve(FILES[face])));
    const measurer = internals._font;
    const { font } = measurer;
    const khmer = face.startsWith('khmer');
    loaded[face] = {
      face,
      font,
      layouts: Object.create(null) as Record<string, unknown>,
      measurer,
      // Khmer stacks vowels above and subscript consonants below: its lines get the font's full
      // (Windows) extents. The other scripts get their typographic ascent and descent, which hold
      // their marks (Devanagari's matras and reph stay within 896 above and 408 below, measured).
      above: (khmer ? font['OS/2'].winAscent : font.ascent) / font.unitsPerEm,
      below: (khmer ? font['OS/2'].winDescent : -font.descent) / font.unitsPerEm,
    };
    measurer.layoutCache = loaded[face].layouts;
    fixNullAnchors(font);
  }
  faces = loaded;
  return loaded;
}

/** Called once per document: empties the shared word caches when they have grown past the cap. */
export function boundLayoutCaches(): void {
  if (!faces || ++renders % 200 !== 0) return;
  const words = Object.values(faces).reduce((sum, f) => sum + Object.keys(f.layouts).length, 0);
  if (words <= LAYOUT_CACHE_CAP) return;
  for (const f of Object.values(faces)) {
    f.layouts = Object.create(null) as Record<string, unknown>;
    f.measurer.layoutCache = f.layouts;
  }
}

/** Registers the faces on a document; pdfkit embeds (a subset of) only those it used. */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const f of Object.values(loadFonts())) doc.registerFont(f.face, f.font as unknown as string);
}

/** Selects a face on a document, sharing the process-wide word cache with its EmbeddedFont. */
export function selectFace(doc: PDFKit.PDFDocument, face: Face): void {
  doc.font(face);
  const embedded = (doc as unknown as { _font: EmbeddedFont })._font;
  const shared = loadFonts()[face].layouts;
  if (embedded.layoutCache !== shared) embedded.layoutCache = shared;
}

export function widthOf(face: Face, text: string, size: number): number {
  return loadFonts()[face].measurer.widthOfString(text, size);
}

const NULL_ANCHOR = Symbol('null GPOS anchor');

/**
 * fontkit 2.0.4 throws "Cannot read properties of null (reading 'xCoordinate')" on a NULL anchor in a
 * GPOS mark attachment subtable (legal OpenType, foliojs/fontkit#367, fix pending in #374). Noto Sans
 * Khmer has some: every consonant + U+17BB + U+17C6 ("កុំ", "ខ្ញុំ") crashed. HarfBuzz treats such a
 * subtable as not applying, so the next subtable gets its chance; the patch does exactly that:
 * applyAnchor (the subtable's last step, after reads only) signals the null anchor and applyLookup
 * reports "did not apply". Results match hb-shape glyph for glyph (see khmer.test.ts).
 * It patches the GPOS processor class shared by all fonts of this fontkit copy, once.
 */
function fixNullAnchors(font: FontkitFont): void {
  font.layout('a');
  const engine = (font as unknown as { _layoutEngine?: { engine?: { GPOSProcessor?: object } } })._layoutEngine?.engine;
  if (!engine?.GPOSProcessor) return;
  const proto = Object.getPrototypeOf(engine.GPOSProcessor) as {
    applyAnchor(markRecord: { markAnchor: unknown }, baseAnchor: unknown, baseGlyphIndex: number): void;
    applyLookup(lookupType: number, table: unknown): boolean;
    [NULL_ANCHOR]?: true;
  };
  if (proto[NULL_ANCHOR]) return;
  proto[NULL_ANCHOR] = true;
  const { applyAnchor, applyLookup } = proto;
  proto.applyAnchor = function (markRecord, baseAnchor, baseGlyphIndex) {
    if (baseAnchor == null || markRecord.markAnchor == null) throw NULL_ANCHOR;
    applyAnchor.call(this, markRecord, baseAnchor, baseGlyphIndex);
  };
  proto.applyLookup = function (lookupType, table) {
    try {
      return applyLookup.call(this, lookupType, table);
    } catch (error) {
      if (error === NULL_ANCHOR) return false;
      throw error;
    }
  };
}
