import { describe, expect, it } from 'vitest';
import { paginate, type Item } from './layout';
import { renderPdf } from './render';
import { extractPdf, FIXED_NOW, lineItem, sampleDocument } from './testing';

const now = () => FIXED_NOW;
const HEADER = /^# Description Qty Unit price Amount$/m;

const rowsOn = (page: string) => page.split('\n').filter((line) => /^\d+ Consulting services/.test(line));

async function pagesOf(rows: number) {
  const rendered = await renderPdf(sampleDocument(rows), { now });
  const { pages } = await extractPdf(rendered.buffer);
  expect(pages).toHaveLength(rendered.pages);
  return pages;
}

describe('pagination', () => {
  it('spreads a 50-row table over two A4 pages, header repeated, every row once and in order', async () => {
    const pages = await pagesOf(50);
    expect(pages).toHaveLength(2);
    for (const [index, page] of pages.entries()) {
      expect(page).toMatch(HEADER);
      expect(page).toContain(`Page ${index + 1} of 2`);
    }
    // The repeated header is the first thing on the second page.
    expect(pages[1]!.split('\n')[0]).toBe('# Description Qty Unit price Amount');
    const all = pages.flatMap(rowsOn);
    expect(all).toEqual(Array.from({ length: 50 }, (_, index) => lineItem(index).join(' ')));
    expect(rowsOn(pages[0]!).length).toBeGreaterThan(20);
  });

  it('numbers three pages "Page 1 of 3" to "Page 3 of 3"', async () => {
    const pages = await pagesOf(75);
    expect(pages).toHaveLength(3);
    pages.forEach((page, index) => {
      expect(page).toContain(`Page ${index + 1} of 3`);
      expect(page).toMatch(HEADER);
    });
    expect(pages.flatMap(rowsOn)).toHaveLength(75);
  });

  it('never leaves the totals without the last table rows, whatever the row count', async () => {
    for (let rows = 20; rows <= 75; rows++) {
      const pages = await pagesOf(rows);
      const withTotals = pages.findIndex((page) => page.includes('Subtotal'));
      const page = pages[withTotals]!;
      const last = lineItem(rows - 1).join(' ');
      const beforeLast = lineItem(rows - 2).join(' ');
      expect(page, `${rows} rows`).toContain(last);
      expect(page, `${rows} rows`).toContain(beforeLast);
      expect(page.indexOf(last)).toBeLessThan(page.indexOf('Subtotal'));
      // No page ends on a lone table header, and no row is lost or doubled.
      for (const each of pages) expect(each.trimEnd().split('\n').at(-2), `${rows} rows`).not.toMatch(HEADER);
      expect(pages.flatMap(rowsOn), `${rows} rows`).toHaveLength(rows);
    }
  });
});

describe('paginate', () => {
  const box = (height: number, extra: Partial<Item> = {}): Item => ({ height, spaceBefore: 0, keepWithNext: false, draw: () => {}, ...extra });

  it('drops the space before an item at the top of a page', () => {
    const pages = paginate([box(60), box(30, { spaceBefore: 20 }), box(30, { spaceBefore: 20 })], 100);
    expect(pages.map((page) => page.map((p) => p.y))).toEqual([[0], [0, 50]]);
  });

  it('moves a kept-together chain to the next page when it fits there, and splits it when it cannot', () => {
    const chain = [box(40, { keepWithNext: true }), box(40)];
    expect(paginate([box(50), ...chain], 100).map((page) => page.length)).toEqual([1, 2]);
    const tooLong = [box(60, { keepWithNext: true }), box(60)];
    expect(paginate([box(10), ...tooLong], 100).map((page) => page.length)).toEqual([2, 1]);
  });

  it('repeats a row’s header at the top of a continuation page', () => {
    const header = box(10, { keepWithNext: true });
    const rows = Array.from({ length: 5 }, () => box(30, { repeat: header }));
    const pages = paginate([header, ...rows], 100);
    expect(pages.map((page) => page.map((p) => (p.item === header ? 'H' : 'r')).join(''))).toEqual(['Hrrr', 'Hrr']);
  });
});
