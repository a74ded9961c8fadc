import { describe, expect, it } from 'vitest';
import { loadFonts } from './fonts';
import { renderPdf } from './render';
import { actualTexts, embeddedFonts, extractPdf, FIXED_NOW, sampleDocument, shapeLikeHarfBuzz as shape } from './testing';
import { splitRuns, wrapText } from './text';

const now = () => FIXED_NOW;

/**
 * hb-shape (HarfBuzz 6.0.0) output for Noto Sans Devanagari 400 and 700 from
 * @expo-google-fonts/noto-sans-devanagari 0.4.1: `hb-shape --no-clusters NotoSansDevanagari_400Regular.ttf 'हिन्दी'`.
 * Conjuncts (न्द, क्ष, त्र, ज्ञ, ष्ट्र), the i-matra drawn before its consonant, reph (र्म), eyelash ra
 * (र्‍य, with ZWJ), nukta (ज़), candrabindu (हूँ) and Marathi ळ. Positions in font units.
 */
const DEVANAGARI: [text: string, regular: string, bold: string][] = [
  ['हिन्दी', '[uni093F.03+259|uni0939+531|uni0928094D+309|uni0926+531|uni0940+259]', '[uni093F.03+294|uni0939+566|uni0928094D+328|uni0926+562|uni0940+294]'],
  ['मराठी', '[uni092E+598|uni0930+409|uni093E+259|uni0920+581|uni0940.02+259]', '[uni092E+652|uni0930+441|uni093E+294|uni0920+612|uni0940.02+294]'],
  ['क्षत्रिय', '[uni0915094D0937+717|uni093F.04+259|uni0924094D0930+552|uni092F+580]', '[uni0915094D0937+796|uni093F.04+294|uni0924094D0930+604|uni092F+635]'],
  ['श्री', '[uni0936094D0930+708|uni0940+259]', '[uni0936094D0930+787|uni0940+294]'],
  ['प्रधान', '[uni092A094D0930+569|uni0927+615|uni093E+259|uni0928+555]', '[uni092A094D0930+615|uni0927+689|uni093E+294|uni0928+615]'],
  ['कृष्ण', '[uni0915+768|uni0943@-221,0+0|uni0937094D+322|uni0923+723]', '[uni0915+830|uni0943@-234,0+0|uni0937094D+343|uni0923+804]'],
  ['द्वारा', '[uni0926094D0935+575|uni093E+259|uni0930+409|uni093E+259]', '[uni0926094D0935+612|uni093E+294|uni0930+441|uni093E+294]'],
  ['रुपये', '[uni09300941+598|uni092A+568|uni092F+580|uni0947+0]', '[uni09300941+646|uni092A+615|uni092F+635|uni0947+0]'],
  ['कर्म', '[uni0915+768|uni092E+598|uni0930094D+0]', '[uni0915+830|uni092E+652|uni0930094D+0]'],
  ['महाराष्ट्र', '[uni092E+598|uni0939+531|uni093E+259|uni0930+409|uni093E+259|uni0937094D091F+584|uni094D0930@-74,0+0]', '[uni092E+652|uni0939+566|uni093E+294|uni0930+441|uni093E+294|uni0937094D091F+622|uni094D0930@-80,0+0]'],
  ['र्‍य', '[eyelashRephdeva+309|uni092F+580]', '[eyelashRephdeva+320|uni092F+635]'],
  ['ज़रूरी', '[uni095B+742|uni09300942+777|uni0930+409|uni0940+259]', '[uni095B+786|uni09300942+841|uni0930+441|uni0940+294]'],
  ['हूँ', '[uni09390942+531|uni0901@13,0+0]', '[uni09390942+566|uni0901@20,0+0]'],
  ['ज्ञान', '[uni091C094D091E+641|uni093E+259|uni0928+555]', '[uni091C094D091E+713|uni093E+294|uni0928+615]'],
  ['त्र्यंबक', '[uni0924094D094D0930+302|uni092F+580|uni0902+0|uni092C+571|uni0915+768]', '[uni0924094D094D0930+309|uni092F+635|uni0902+0|uni092C+619|uni0915+830]'],
  ['ळ', '[uni0933+760]', '[uni0933+810]'],
];

/** The same for Noto Sans Tamil 400 and 700 from @expo-google-fonts/noto-sans-tamil 0.4.3: vowel signs before the consonant (கொ, சென்னை), ஸ்ரீ, க்ஷ. */
const TAMIL: [text: string, regular: string, bold: string][] = [
  ['தமிழ்', '[tatamil+825|matamil+858|ivowelsigntamil+262|lllaprehalftamil+858]', '[tatamil+912|matamil+936|ivowelsigntamil+308|lllaprehalftamil+936]'],
  ['சென்னை', '[evowelsigntamil+901|catamil+723|nnnaprehalftamil+1203|aivowelsigntamil+1160|nnnatamil+1234]', '[evowelsigntamil+986|catamil+808|nnnaprehalftamil+1328|aivowelsigntamil+1287|nnnatamil+1359]'],
  ['கொ', '[evowelsigntamil+901|katamil+825|aavowelsigntamil+640]', '[evowelsigntamil+986|katamil+915|aavowelsigntamil+693]'],
  ['ஸ்ரீ', '[shritamil+1514]', '[shritamil+1671]'],
  ['நன்றி', '[natamil+789|nnnaprehalftamil+1212|rratamil+869|ivowelsign1tamil+262]', '[natamil+890|nnnaprehalftamil+1334|rratamil+971|ivowelsign1tamil+308]'],
  ['மொத்தம்', '[evowelsigntamil+901|matamil+858|aavowelsigntamil+595|taprehalftamil+825|tatamil+825|maprehalftamil+858]', '[evowelsigntamil+986|matamil+936|aavowelsigntamil+655|taprehalftamil+912|tatamil+912|maprehalftamil+936]'],
  ['க்ஷ', '[tchatamil+1851]', '[tchatamil+2102]'],
  ['டூ', '[ttauuvowelsigntamil+902]', '[ttauuvowelsigntamil+1046]'],
];

const HINDI = 'हिन्दी मराठी क्षत्रिय श्री प्रधान कृष्ण भुगतान कुल राशि ₹1,234.56। धन्यवाद';
const MARATHI_BOLD = 'बीजक संख्या: INV-7 — महाराष्ट्र';
const TAMIL_TEXT = 'தமிழ் சென்னை நன்றி மொத்தம்';

describe('Devanagari and Tamil', () => {
  it.each(DEVANAGARI)('shapes Devanagari %s exactly as HarfBuzz does, regular and bold', (text, regular, bold) => {
    expect(shape('devanagari', text)).toBe(regular);
    expect(shape('devanagari-bold', text)).toBe(bold);
  });

  it.each(TAMIL)('shapes Tamil %s exactly as HarfBuzz does, regular and bold', (text, regular, bold) => {
    expect(shape('tamil', text)).toBe(regular);
    expect(shape('tamil-bold', text)).toBe(bold);
  });

  it('turns हिन्दी (6 code points) into 5 glyphs: the i-matra first, न् as a half form', () => {
    const { font } = loadFonts().devanagari;
    const run = font.layout('हिन्दी') as { glyphs: { id: number; name: string; codePoints: number[] }[] };
    expect(run.glyphs.map((g) => g.codePoints)).toEqual([[0x093f], [0x0939], [0x0928, 0x094d], [0x0926], [0x0940]]);
    // The glyph ids are those the font's GSUB picks: the ligature and the i-matra variant are not the nominal glyphs.
    const nominal = (cp: number) => (font as unknown as { glyphForCodePoint(cp: number): { id: number } }).glyphForCodePoint(cp).id;
    expect(run.glyphs[0]!.id).not.toBe(nominal(0x093f));
    expect(run.glyphs[2]!.id).not.toBe(nominal(0x0928));
    expect(run.glyphs[1]!.id).toBe(nominal(0x0939));
  });

  it('splits mixed text into runs by script; digits, punctuation and ₹ go to Noto Sans, a danda to the Indic run it ends', () => {
    expect(splitRuns('Invoice for राहुल शर्मा, चेन्नई / சென்னை ₹500।').map(({ face, text }) => [face, text])).toEqual([
      ['latin', 'Invoice for '],
      ['devanagari', 'राहुल शर्मा'],
      ['latin', ', '],
      ['devanagari', 'चेन्नई '],
      ['latin', '/ '],
      ['tamil', 'சென்னை '],
      ['latin', '₹500'],
      ['devanagari', '।'],
    ]);
    expect(splitRuns('धन्यवाद।', true).map(({ face, text }) => [face, text])).toEqual([['devanagari-bold', 'धन्यवाद।']]);
    expect(splitRuns('நன்றி।').map((run) => run.face)).toEqual(['tamil']);
  });

  it('wraps Devanagari at spaces, never inside a conjunct, on lines tall enough for its matras', () => {
    const lines = wrapText(HINDI, 120, { size: 10 });
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((line) => line.runs.map((run) => run.text).join('')).join(' ')).toBe(HINDI);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(120);
    const [latin] = wrapText('Hindi', 200, { size: 10 });
    const [hindi] = wrapText('हिन्दी', 200, { size: 10 });
    expect(hindi!.height).toBeGreaterThan(latin!.height);
    // A word longer than the line is cut between clusters: no piece ends in a virama.
    const cut = wrapText('महाराष्ट्रक्षत्रियप्रधानज्ञान', 30, { size: 10 }).map((line) => line.runs.map((run) => run.text).join(''));
    expect(cut.join('')).toBe('महाराष्ट्रक्षत्रियप्रधानज्ञान');
    for (const piece of cut) expect(piece).not.toMatch(/\u094d$/u);
    const [truncated] = wrapText('क्षत्रियक्षत्रिय', 25, { size: 10 }, false);
    expect(truncated!.runs.map((run) => run.text).join('')).toMatch(/[^\u094d]…$/u);
  });

  it('renders Hindi, Marathi and Tamil with the embedded Noto fonts; the text is extractable', async () => {
    const model = sampleDocument(0);
    model.blocks = [
      { type: 'paragraph', text: HINDI },
      { type: 'paragraph', text: MARATHI_BOLD, bold: true },
      { type: 'table', columns: [{ header: 'विवरण' }, { header: 'राशि', width: 80, align: 'right' }], rows: [[TAMIL_TEXT, '1,234.56']] },
    ];
    const { buffer } = await renderPdf(model, { now });
    const fonts = embeddedFonts(buffer);
    const names = [...fonts.keys()].map((name) => name.replace(/^[A-Z]{6}\+/, ''));
    expect(names).toEqual(expect.arrayContaining(['NotoSansDevanagari-Regular', 'NotoSansDevanagari-Bold', 'NotoSansTamil-Regular']));
    for (const [name, font] of fonts) expect(font.embedded, name).toBe(true);
    // The ToUnicode map gives a conjunct's glyph back its code points (न् = U+0928 U+094D).
    const devanagari = [...fonts].find(([name]) => name.endsWith('+NotoSansDevanagari-Regular'))![1].toUnicode.toLowerCase();
    for (const hex of ['<0939>', '<093f>', '<0928 094d>', '<0915 094d 0937>']) expect(devanagari).toContain(hex);

    // pdf.js (Firefox and unpdf) reads glyphs in drawing order: words whose glyphs are drawn in
    // their letters' order come out whole; the i-matra and Tamil's left vowel signs come out before
    // their consonant (हिन्दी as िहन्दी), as Khmer's do; a mark offset far to the left can split a word.
    const { pages } = await extractPdf(buffer);
    for (const word of ['मराठी', 'भुगतान', 'धन्यवाद', 'महाराष्ट्र', 'बीजक', 'தமிழ்', 'நன்றி', '1,234.56', 'INV-7']) expect(pages[0]).toContain(word);
    expect(pages[0]).toMatch(/(हिन्दी|िहन्दी)/u);
    // Each Indic run carries its text in logical order as ActualText, which Acrobat and poppler extract instead.
    const actual = actualTexts(buffer);
    expect(actual).toEqual(['हिन्दी मराठी क्षत्रिय श्री प्रधान कृष्ण भुगतान कुल राशि ', '। धन्यवाद', 'बीजक संख्या', 'महाराष्ट्र', 'विवरण', 'राशि', TAMIL_TEXT]);
  });

  it('embeds no Indic font in a document without Indic text', async () => {
    const { buffer } = await renderPdf(sampleDocument(3), { now });
    expect([...embeddedFonts(buffer).keys()].some((name) => /Devanagari|Tamil/.test(name))).toBe(false);
  });
});
