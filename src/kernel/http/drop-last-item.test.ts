import { describe, expect, it } from 'vitest';
import { dropLastItem } from './pagination';

/** What the database joins: the items with commas between them; the size it reports for the last one. */
const joined = (items: string[]) => ({ text: items.join(','), lastBytes: Buffer.byteLength(items.at(-1)!, 'utf8') });

describe('dropLastItem (the item past an items page, cut off by its UTF-8 size)', () => {
  const cases: [string, string[]][] = [
    ['ASCII', ['{"n":"a"}', '{"n":"b"}', '{"n":"c"}']],
    ['two-byte characters', ['{"n":"é"}', '{"n":"café ñ"}']],
    ['Khmer (three bytes each)', ['{"n":"ក"}', '{"n":"ខ្មែរ"}']],
    ['an emoji (four bytes, a surrogate pair)', ['{"n":"x"}', '{"n":"🚀 and ខ"}']],
    ['a kept item that ends in an emoji', ['{"n":"🚀"}', '{"n":"b"}']],
    ['commas and braces inside strings', ['{"n":"},{"}', '{"n":"a,},{b"}']],
  ];
  for (const [name, items] of cases) {
    it(`keeps every item but the last: ${name}`, () => {
      const { text, lastBytes } = joined(items);
      expect(dropLastItem(text, lastBytes)).toBe(items.slice(0, -1).join(','));
    });
  }

  it('leaves nothing when the only item is the one past the page', () => {
    const { text, lastBytes } = joined(['{"n":"ខ🚀"}']);
    expect(dropLastItem(text, lastBytes)).toBe('');
  });
});
