import { describe, expect, it } from 'vitest';
import { renderPdf } from './render';
import { embeddedFonts, extractPdf, FIXED_NOW, sampleDocument, shapeLikeHarfBuzz as shape } from './testing';
import { splitRuns, wrapText } from './text';

const now = () => FIXED_NOW;
const KHMER = /[\u1780-\u17ff]/u;

/**
 * hb-shape (HarfBuzz 6.0.0) output for Noto Sans Khmer 400 and 700 from @expo-google-fonts/noto-sans-khmer
 * 0.4.3: `hb-shape --no-clusters NotoSansKhmer_400Regular.ttf 'កុំ'`. Positions in font units.
 */
const HARFBUZZ: [text: string, regular: string, bold: string][] = [
  ['សុខ', '[uni179F+928|uni17BB@-6,-26+0|uni1781+635]', '[uni179F+973|uni17BB@-28,-26+0|uni1781+680]'],
  ['ដារ៉ា', '[uni178A17B6+923|uni179A17B6+615|uni17C9.r@-178,-29+0]', '[uni178A17B6+972|uni179A17B6+681|uni17C9.r@-218,-29+0]'],
  ['កុំ', '[uni1780+636|uni17BB@-22,-26+0|uni17C6@-23,-29+0]', '[uni1780+681|uni17BB@-44,-26+0|uni17C6@-45,-29+0]'],
  ['ខ្ញុំ', '[uni1781+635|uni17D21789@-4,-26+0|uni17BB@-11,-282+0|uni17C6@-20,-29+0]', '[uni1781+680|uni17D21789@-19,-26+0|uni17BB@-26,-291+0|uni17C6@-43,-29+0]'],
  ['ស្ត្រី', '[uni17D2179A+287|uni179F+928|uni17D2178F@14,-26+0|uni17B8@-32,-29+0]', '[uni17D2179A+270|uni179F+973|uni17D2178F@-7,-26+0|uni17B8@-48,-29+0]'],
  [
    'ព្រះរាជាណាចក្រកម្ពុជា',
    '[uni17D2179A+287|uni1796+635|uni17C7+386|uni179A17B6+615|uni178717B6+923|uni178E17B6+1528|uni1785+615|uni17D2179A+287|uni1780+636|uni1780+636|uni1798+635|uni17D21796@-1,-26+0|uni17BB@-22,-296+0|uni178717B6+923]',
    '[uni17D2179A+270|uni1796+673|uni17C7+404|uni179A17B6+681|uni178717B6+985|uni178E17B6+1577|uni1785+678|uni17D2179A+270|uni1780+681|uni1780+681|uni1798+683|uni17D21796@-18,-26+0|uni17BB@-39,-296+0|uni178717B6+985]',
  ],
  ['ឆ្នាំ២០២៥', '[uni178617B6+923|uni17D21793@-296,-26+0|uni17C6@47,-29+0|uni17E2+752|uni17E0+635|uni17E2+752|uni17E5+635]', '[uni178617B6+984|uni17D21793@-322,-26+0|uni17C6@48,-29+0|uni17E2+836|uni17E0+673|uni17E2+836|uni17E5+663]'],
  ['សួស្តី', '[uni179F+928|uni17BD@-6,-26+0|uni179F+928|uni17D2178F@14,-26+0|uni17B8@-32,-29+0]', '[uni179F+973|uni17BD@-28,-26+0|uni179F+973|uni17D2178F@-7,-26+0|uni17B8@-48,-29+0]'],
  ['ក្ស័ត្រ', '[uni1780+636|uni17D2179F+302|uni17D0@-4,30+0|uni17D2179A+287|uni178F+635]', '[uni1780+681|uni17D2179F+303|uni17D0@-27,30+0|uni17D2179A+270|uni178F+681]'],
  ['កើត', '[uni17C1+288|uni1780+636|uni17B8@-23,-29+0|uni178F+635]', '[uni17C1+312|uni1780+681|uni17B8@-45,-29+0|uni178F+681]'],
  ['ទំព័រ', '[uni1791+599|uni17C6@-10,-29+0|uni1796+635|uni17D0@-23,-29+0|uni179A+288]', '[uni1791+640|uni17C6@-35,-29+0|uni1796+673|uni17D0@-44,-29+0|uni179A+362]'],
];

describe('Khmer', () => {
  it.each(HARFBUZZ)('shapes %s exactly as HarfBuzz does, regular and bold', (text, regular, bold) => {
    expect(shape('khmer', text)).toBe(regular);
    expect(shape('khmer-bold', text)).toBe(bold);
  });

  it('splits mixed text into runs by script; spaces stay in the run they are in', () => {
    expect(splitRuns('Invoice for សុខ ដារ៉ា (VIP)').map(({ face, text }) => [face, text])).toEqual([
      ['latin', 'Invoice for '],
      ['khmer', 'សុខ ដារ៉ា '],
      ['latin', '(VIP)'],
    ]);
    expect(splitRuns('សុខ', true).map((run) => run.face)).toEqual(['khmer-bold']);
    // Greek and Cyrillic are in Noto Sans.
    expect(splitRuns('Ωμέγα Жук').map((run) => run.face)).toEqual(['latin']);
  });

  it('breaks Khmer lines between words (ICU dictionary), which Khmer writes without spaces', () => {
    const lines = wrapText('ព្រះរាជាណាចក្រកម្ពុជា', 60, { size: 10 });
    expect(lines.map((line) => line.runs.map((run) => run.text).join(''))).toEqual(['ព្រះរាជាណាចក្រ', 'កម្ពុជា']);
    // A line holding Khmer is taller than a Latin one: room for stacked vowels and subscripts.
    const [latin] = wrapText('Sok Dara', 200, { size: 10 });
    const [khmer] = wrapText('សុខ ដារ៉ា', 200, { size: 10 });
    expect(khmer!.height).toBeGreaterThan(latin!.height);
  });

  it('renders a mixed Latin/Khmer cell with glyphs of the embedded Khmer font', async () => {
    const model = sampleDocument(0);
    model.blocks = [
      { type: 'table', columns: [{ header: 'Name' }, { header: 'Amount', width: 80, align: 'right' }], rows: [['Invoice for សុខ ដារ៉ា', '1,234.56']] },
      { type: 'paragraph', text: 'ខ្ញុំ កុំ ស្ត្រី', bold: true },
    ];
    const { buffer } = await renderPdf(model, { now });
    const fonts = embeddedFonts(buffer);
    const names = [...fonts.keys()].map((name) => name.replace(/^[A-Z]{6}\+/, ''));
    expect(names).toEqual(expect.arrayContaining(['NotoSans-Regular', 'NotoSans-Bold', 'NotoSansKhmer-Regular', 'NotoSansKhmer-Bold']));
    for (const [name, font] of fonts) {
      expect(name, 'subset-tagged name').toMatch(/^[A-Z]{6}\+Noto/);
      expect(font.embedded, name).toBe(true);
    }
    // The Khmer fonts' glyphs map back to Khmer code points (សុខ: U+179F U+17BB U+1781), the Latin ones' do not.
    const khmer = [...fonts].find(([name]) => name.endsWith('+NotoSansKhmer-Regular'))![1];
    for (const hex of ['179f', '17bb', '1781']) expect(khmer.toUnicode.toLowerCase()).toContain(`<${hex}>`);
    const latin = [...fonts].find(([name]) => name.endsWith('+NotoSans-Regular'))![1];
    expect(latin.toUnicode.toLowerCase()).not.toMatch(/<17[89a-f][0-9a-f]>/);

    const { pages } = await extractPdf(buffer);
    expect(pages[0]).toMatch(KHMER);
    expect(pages[0]).toContain('Invoice for សុខ');
    expect(pages[0]).toContain('1,234.56');
    // Extracted in visual order: ដារ៉ា comes out as ដារា៉ (the sign drawn over the vowel last).
    expect(pages[0]).toMatch(/ដារ(៉ា|ា៉)/u);
    expect(pages[0]).toContain('ខ្ញុំ');
  });
});
