import { describe, expect, it } from 'vitest';
import { PdfModelError, type PdfDocumentModel } from './model';
import { renderPdf, renderPdfStream } from './render';
import { PNG_LOGO, sampleDocument } from './testing';

const table = (rows: unknown[][]): PdfDocumentModel => ({
  blocks: [{ type: 'table', columns: [{ header: 'A' }, { header: 'B', align: 'right' }], rows: rows as string[][] }],
});

describe('a bad model', () => {
  it.each<[string, PdfDocumentModel, RegExp]>([
    ['an unknown page size', { ...sampleDocument(1), pageSize: 'B5' as 'A4' }, /unknown page size "B5" \(expected "A4" or "Letter"\)/],
    ['a logo that is not PNG or JPEG', sampleDocument(1, { header: { logo: { data: Buffer.from('GIF89a....') } } }), /header\.logo is not a PNG or JPEG image \(its first bytes are 47494638\)/],
    ['a logo given as a string', sampleDocument(1, { header: { logo: { data: 'logo.png' as unknown as Uint8Array } } }), /header\.logo\.data must be the image bytes/],
    ['a truncated PNG', sampleDocument(1, { header: { logo: { data: PNG_LOGO.subarray(0, 20) } } }), /header\.logo could not be read/],
    ['a row with too few cells', table([['a', 'b'], ['only one']]), /blocks\[0\]\.rows\[1\] has 1 cells, the table has 2 columns/],
    ['a row with too many cells', table([['a', 'b', 'c']]), /blocks\[0\]\.rows\[0\] has 3 cells, the table has 2 columns/],
    ['an amount given as a number', table([['a', 1234.56]]), /blocks\[0\]\.rows\[0\]\[1\] must be a string, got number/],
    ['columns wider than the page', { blocks: [{ type: 'table', columns: [{ header: 'A', width: 400 }, { header: 'B', width: 300 }], rows: [] }] }, /the columns need 700 pt, the page has 495 pt/],
    ['an unknown alignment', { blocks: [{ type: 'table', columns: [{ header: 'A', align: 'middle' as 'left' }], rows: [] }] }, /columns\[0\]\.align must be "left" or "right"/],
    ['a grand total given as a number', { blocks: [{ type: 'totals', rows: [], grandTotal: { label: 'Total', amount: 12 as unknown as string } }] }, /blocks\[0\]\.grandTotal\.amount must be a string, got number/],
    ['an unknown block type', { blocks: [{ type: 'chart' } as unknown as PdfDocumentModel['blocks'][number]] }, /blocks\[0\] has an unknown type "chart"/],
    ['margins that leave no room', { margins: 290, blocks: [] }, /margins leave less than 100 pt/],
    ['no blocks', {} as PdfDocumentModel, /blocks must be an array/],
  ])('throws a PdfModelError for %s', async (_, model, message) => {
    const rendering = renderPdf(model);
    await expect(rendering).rejects.toThrow(PdfModelError);
    await expect(rendering).rejects.toThrow(message);
  });

  it('throws from renderPdfStream before any byte is produced', () => {
    expect(() => renderPdfStream({ pageSize: 'A5' as 'A4', blocks: [] })).toThrow(/^PDF model: unknown page size "A5"/);
  });
});
