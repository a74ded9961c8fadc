import { describe, expect, it } from 'vitest';
import { isId, newId } from './ids';

describe('public ids', () => {
  it('are prefixed TypeIDs', () => {
    const id = newId('inv');
    expect(id).toMatch(/^inv_[0-7][0-9a-hjkmnp-tv-z]{25}$/);
    expect(isId(id, 'inv')).toBe(true);
    expect(isId(id, 'usr')).toBe(false);
    expect(isId('inv_123', 'inv')).toBe(false);
    expect(isId("inv_0' OR 1=1 --", 'inv')).toBe(false);
  });

  it('sort by creation time and never repeat', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newId('evt'));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect([...ids].sort()).toEqual(ids);
    const many = new Set(Array.from({ length: 10_000 }, () => newId('evt')));
    expect(many.size).toBe(10_000);
  });
});
