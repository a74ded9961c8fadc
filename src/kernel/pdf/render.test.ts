import { describe, expect, it } from 'vitest';
import { renderPdf, renderPdfStream } from './render';
import { extractPdf, FIXED_NOW, JPEG_LOGO, lineItem, sampleDocument } from './testing';

const now = () => FIXED_NOW;

describe('renderPdf', () => {
  it('renders the header, addresses, key/values, every table cell, the totals and the footer', async () => {
    const { buffer, pages } = await renderPdf(sampleDocument(8), { now });
    expect(buffer.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBe(1);
    const { pages: text } = await extractPdf(buffer);
    expect(text).toHaveLength(1);
    const page = text[0]!;
    for (const expected of ['INVOICE', 'Acme Training Ltd', '12 Harbour Street', 'Phnom Penh 12000', 'Invoice INV-2026-0042', 'Due 13 April 2026']) {
      expect(page).toContain(expected);
    }
    expect(page).toContain('Bill to');
    expect(page).toContain('PO-7781');
    expect(page).toMatch(/#\s+Description\s+Qty\s+Unit price\s+Amount/);
    for (let index = 0; index < 8; index++) {
      // Each row's cells, in order, on one line.
      expect(page).toContain(lineItem(index).join(' '));
    }
    expect(page).toContain('1 Consulting services, item 1 1 123.45 123.45');
    expect(page).toMatch(/Subtotal\s+1,234\.56/);
    expect(page).toMatch(/VAT 10%\s+123\.46/);
    expect(page).toMatch(/Total due \(USD\)\s+1,358\.02/);
    expect(page).toContain('Payment by bank transfer within 30 days.');
    expect(page).toContain('Acme Training Ltd · VAT KH-123456789');
    expect(page).toContain('Page 1 of 1');
  });

  it('amounts such as 1,234.56 come out as given, digit for digit', async () => {
    const model = sampleDocument(0);
    model.blocks = [{ type: 'table', columns: [{ header: 'Item' }, { header: 'Amount', width: 100, align: 'right' }], rows: [['Big', '1,234,567.89'], ['Small', '0.05'], ['Negative', '-1,234.56']] }];
    const { pages } = await extractPdf((await renderPdf(model, { now })).buffer);
    expect(pages[0]).toContain('Big 1,234,567.89');
    expect(pages[0]).toContain('Small 0.05');
    expect(pages[0]).toContain('Negative -1,234.56');
  });

  it('sizes pages A4 (595.28 × 841.89 pt) or Letter (612 × 792 pt)', async () => {
    const a4 = await extractPdf((await renderPdf(sampleDocument(3), { now })).buffer);
    expect(a4.boxes).toEqual([[0, 0, 595.28, 841.89]]);
    const letter = await extractPdf((await renderPdf(sampleDocument(3, { pageSize: 'Letter' }), { now })).buffer);
    expect(letter.boxes).toEqual([[0, 0, 612, 792]]);
  });

  it('writes the metadata, dated by the injected clock', async () => {
    const { info } = await extractPdf((await renderPdf(sampleDocument(3), { now })).buffer);
    expect(info).toMatchObject({
      Title: 'Invoice INV-2026-0042',
      Author: 'Acme Training Ltd',
      Subject: 'Invoice',
      Keywords: 'invoice, INV-2026-0042',
      Creator: 'Deskbase',
      Language: 'en',
      CreationDate: 'D:20260314092653Z',
      ModDate: 'D:20260314092653Z',
    });
  });

  it('is reproducible: the same model and clock give the same bytes', async () => {
    const first = await renderPdf(sampleDocument(40), { now });
    const second = await renderPdf(sampleDocument(40), { now });
    expect(second.buffer.equals(first.buffer)).toBe(true);
    const later = await renderPdf(sampleDocument(40), { now: () => new Date('2027-01-01T00:00:00Z') });
    expect(later.buffer.equals(first.buffer)).toBe(false);
  });

  it('takes a JPEG logo as well as a PNG one', async () => {
    const model = sampleDocument(2);
    model.header!.logo = { data: JPEG_LOGO, maxHeight: 30 };
    const { buffer } = await renderPdf(model, { now });
    expect(buffer.toString('latin1')).toContain('/Filter /DCTDecode');
    expect((await extractPdf(buffer)).pages[0]).toContain('INVOICE');
  });

  it('localizes the page label, and can leave it out', async () => {
    const khmer = await renderPdf(sampleDocument(2, { footer: { pageLabel: 'ទំព័រ {page} នៃ {pages}' } }), { now });
    // Extracted Khmer comes out in visual order: the pre-base vowel of នៃ is drawn, so read, first.
    expect((await extractPdf(khmer.buffer)).pages[0]).toMatch(/ទំព័រ 1 (នៃ|ៃន) 1/u);
    const french = await renderPdf(sampleDocument(2, { footer: { pageLabel: 'Page {page} sur {pages}' } }), { now });
    expect((await extractPdf(french.buffer)).pages[0]).toContain('Page 1 sur 1');
    const none = await renderPdf(sampleDocument(2, { footer: { pageLabel: null } }), { now });
    expect((await extractPdf(none.buffer)).pages[0]).not.toContain('Page 1');
  });

  it('wraps long cell text onto more lines instead of overflowing the column', async () => {
    const model = sampleDocument(0);
    const long = 'A very long description that cannot possibly fit on one line of a narrow column and must wrap';
    model.blocks = [{ type: 'table', columns: [{ header: 'Description', width: 120 }, { header: 'Amount', align: 'right' }], rows: [[long, '9.99']] }];
    const { pages } = await extractPdf((await renderPdf(model, { now })).buffer);
    const words = pages[0]!.split(/\s+/);
    for (const word of long.split(' ')) expect(words).toContain(word);
    expect(pages[0]).not.toContain(long); // not on one line
  });

  it('cuts a non-wrapping cell with an ellipsis', async () => {
    const model = sampleDocument(0);
    model.blocks = [{ type: 'table', columns: [{ header: 'Code', width: 60, wrap: false }, { header: 'Name' }], rows: [['ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'x']] }];
    const { pages } = await extractPdf((await renderPdf(model, { now })).buffer);
    expect(pages[0]).toMatch(/ABCDE\w*… x/);
    expect(pages[0]).not.toContain('XYZ');
  });

  it('streams the same bytes, with the page count known up front', async () => {
    const { stream, pages } = renderPdfStream(sampleDocument(60), { now });
    expect(pages).toBe(3);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals((await renderPdf(sampleDocument(60), { now })).buffer)).toBe(true);
  });
});
