import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { paginate } from '../../src/kernel/http/pagination';
import { createTestApp } from '../support/app';
import { widgets } from '../support/widgets/tables';

let app: FastifyInstance;
const names: string[] = [];

beforeAll(async () => {
  let tick = Date.parse('2026-01-01T00:00:00.000Z');
  // Several widgets share a timestamp, so ties must break on id.
  app = await createTestApp({ now: () => new Date(tick) });
  for (let i = 0; i < 45; i++) {
    if (i % 3 === 0) tick += 1000;
    const name = `widget ${String((i * 7) % 45).padStart(2, '0')}`;
    names.push(name);
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name, color: i % 2 ? 'red' : 'blue' } });
    expect(response.statusCode).toBe(201);
  }
  await app.inject({ method: 'POST', url: '/api/v1/widgets', headers: { 'x-test-org': 'org_other' }, payload: { name: 'foreign' } });
});
afterAll(() => app.close());

async function walk(query: string) {
  const seen: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response: { statusCode: number; json(): any } = await app.inject({ url: `/api/v1/widgets?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` });
    expect(response.statusCode).toBe(200);
    const page: { items: any[]; has_more: boolean; next_cursor: string | null } = response.json();
    seen.push(...page.items);
    expect(page.has_more).toBe(page.next_cursor !== null);
    cursor = page.next_cursor;
    pages++;
  } while (cursor);
  return { seen, pages };
}

describe('keyset pagination', () => {
  it('walks every item exactly once, newest first by default, in pages of limit', async () => {
    const { seen, pages } = await walk('limit=10');
    expect(pages).toBe(5);
    expect(seen).toHaveLength(45);
    expect(new Set(seen.map((w) => w.id)).size).toBe(45);
    const keys = seen.map((w) => `${w.created_at}|${w.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('sorts ascending by name with ties broken on id', async () => {
    const { seen } = await walk('limit=7&sort=name');
    expect(seen.map((w) => w.name)).toEqual([...names].sort());
  });

  it('filters and sorts descending by name', async () => {
    const { seen } = await walk('limit=4&sort=-name&color=red');
    expect(seen).toHaveLength(22);
    expect(seen.every((w) => w.color === 'red')).toBe(true);
    expect(seen.map((w) => w.name)).toEqual(seen.map((w) => w.name).sort().reverse());
  });

  it('treats q as plain text, not a LIKE pattern', async () => {
    expect((await app.inject({ url: '/api/v1/widgets?q=widget%2001' })).json().items).toHaveLength(1);
    expect((await app.inject({ url: '/api/v1/widgets?q=%25' })).json().items).toHaveLength(0);
    expect((await app.inject({ url: '/api/v1/widgets?q=_' })).json().items).toHaveLength(0);
  });

  it('adds total only when include_total=true', async () => {
    const plain = (await app.inject({ url: '/api/v1/widgets?limit=5' })).json();
    expect(plain).not.toHaveProperty('total');
    expect(plain.items).toHaveLength(5);
    const counted = (await app.inject({ url: '/api/v1/widgets?limit=5&include_total=true&color=blue' })).json();
    expect(counted.total).toBe(23);
  });

  it('defaults to 20 items and refuses more than 100 with 422', async () => {
    expect((await app.inject({ url: '/api/v1/widgets' })).json().items).toHaveLength(20);
    const response = await app.inject({ url: '/api/v1/widgets?limit=101' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'limit', message: 'must be at most 100' }]);
    expect((await app.inject({ url: '/api/v1/widgets?limit=0' })).statusCode).toBe(422);
    expect((await app.inject({ url: '/api/v1/widgets?limit=ten' })).statusCode).toBe(422);
  });

  it('refuses a sort field that is not whitelisted', async () => {
    const response = await app.inject({ url: '/api/v1/widgets?sort=organization_id' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].field).toBe('sort');
  });

  it('rejects a tampered cursor with 400', async () => {
    const { next_cursor: cursor } = (await app.inject({ url: '/api/v1/widgets?limit=2' })).json();
    const [body, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify(['-created_at', '2030-01-01T00:00:00.000Z', 'wdg_x'])).toString('base64url');
    for (const bad of [`${forged}.${signature}`, `${body}.${signature.slice(0, -2)}AA`, 'garbage', `${body}`, `${body}.${signature}.x`]) {
      const response = await app.inject({ url: `/api/v1/widgets?limit=2&cursor=${encodeURIComponent(bad)}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('INVALID_CURSOR');
    }
  });

  it('reads the instant of a signed cursor in any ISO form, and refuses one that is not an instant', async () => {
    const { cursors } = app.kernel;
    const all: { id: string; created_at: string }[] = (await app.inject({ url: '/api/v1/widgets?limit=100' })).json().items;
    const after = all[20]!; // newest first; three widgets share each second
    expect(after.created_at).toMatch(/^2026-01-01T00:00:\d\d\.000Z$/);
    const seconds = after.created_at.slice(17, 19);
    const page = (value: string) => app.inject({ url: `/api/v1/widgets?limit=5&cursor=${encodeURIComponent(cursors.encode(['-created_at', value, after.id]))}` });
    // As the server writes it, then the same instant without milliseconds and in another offset.
    for (const value of [after.created_at, `2026-01-01T00:00:${seconds}Z`, `2026-01-01T05:30:${seconds}+05:30`]) {
      const response = await page(value);
      expect(response.statusCode).toBe(200);
      expect(response.json().items.map((w: { id: string }) => w.id)).toEqual(all.slice(21, 26).map((w) => w.id));
    }
    for (const value of ['not an instant', '2026-01-01T00:00:99.000+00:00']) {
      const response = await page(value);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('INVALID_CURSOR');
    }
  });

  it('rejects a cursor issued for another sort order', async () => {
    const { next_cursor: cursor } = (await app.inject({ url: '/api/v1/widgets?limit=2&sort=name' })).json();
    const response = await app.inject({ url: `/api/v1/widgets?limit=2&sort=-name&cursor=${encodeURIComponent(cursor)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('INVALID_CURSOR');
  });

  it('never shows another organization its neighbour’s items', async () => {
    const other = (await app.inject({ url: '/api/v1/widgets?include_total=true', headers: { 'x-test-org': 'org_other' } })).json();
    expect(other.total).toBe(1);
    expect(other.items[0].name).toBe('foreign');
    const { seen } = await walk('limit=100');
    expect(seen.some((w) => w.name === 'foreign')).toBe(false);
    const response = await app.inject({ url: `/api/v1/widgets/${other.items[0].id}` });
    expect(response.statusCode).toBe(404);
  });

  it('builds a page query with Drizzle once per shape, then reuses its text', async () => {
    const { database, cursors } = app.kernel;
    let built = 0;
    // The executor as paginate() sees it, counting the queries it builds with select().
    const executor = new Proxy(database.db, {
      get: (target, key, receiver) => (key === 'select' ? (...args: Parameters<typeof target.select>) => (built++, target.select(...args)) : Reflect.get(target, key, receiver)),
    });
    const page = (org: string, color: string, cursor?: string) =>
      paginate({
        executor,
        table: widgets,
        where: and(eq(widgets.organizationId, org), eq(widgets.color, color)),
        sortColumns: { name: widgets.name },
        idColumn: widgets.id,
        params: { limit: 3, sort: '-name', cursor },
        cursors,
      });
    const first = await page('org_test', 'blue');
    const second = await page('org_test', 'blue', first.next_cursor!);
    const shapesBuilt = built;
    expect(shapesBuilt).toBeLessThanOrEqual(2); // none if earlier tests ran these shapes already
    const red = await page('org_test', 'red');
    const again = await page('org_test', 'blue', first.next_cursor!);
    const foreign = await page('org_other', 'blue');
    expect(built).toBe(shapesBuilt);
    expect(red.items.every((w) => w.color === 'red' && w.organizationId === 'org_test')).toBe(true);
    expect(again).toEqual(second);
    expect(second.items[0]!.name < first.items.at(-1)!.name).toBe(true);
    expect(first.items[0]!.createdAt).toBeInstanceOf(Date);
    expect(foreign.items).toEqual([]);
  });

  it('keeps apart shapes that only share a sort name: the key is the sort column itself', async () => {
    const { database, cursors } = app.kernel;
    const page = (column: typeof widgets.name | typeof widgets.createdAt, cursor?: string) =>
      paginate({
        executor: database.db,
        table: widgets,
        where: eq(widgets.organizationId, 'org_test'),
        sortColumns: { key: column },
        idColumn: widgets.id,
        params: { limit: 5, sort: 'key', cursor },
        cursors,
      });
    for (let i = 0; i < 2; i++) {
      const byName = await page(widgets.name);
      const byCreation = await page(widgets.createdAt);
      expect(byName.items.map((w) => w.name)).toEqual([...names].sort().slice(0, 5));
      // The first three widgets share a timestamp (ties break on id), so do the next three.
      expect(byCreation.items.slice(0, 3).map((w) => w.name).sort()).toEqual(names.slice(0, 3).sort());
      expect(names.slice(3, 6)).toEqual(expect.arrayContaining(byCreation.items.slice(3).map((w) => w.name)));
      expect(byCreation.items.map((w) => w.createdAt.getTime())).toEqual(byCreation.items.map((w) => w.createdAt.getTime()).sort((a, b) => a - b));
      const nextByName = await page(widgets.name, byName.next_cursor!);
      expect(nextByName.items.map((w) => w.name)).toEqual([...names].sort().slice(5, 10));
    }
  });

  it('runs a query shape seen before (its text is reused) with the new tenant, filter and cursor values', async () => {
    // Same shapes as the walks above, other values: only the bound parameters differ.
    const blue = await walk('limit=4&sort=-name&color=blue');
    expect(blue.seen).toHaveLength(23);
    expect(blue.seen.every((w) => w.color === 'blue')).toBe(true);
    expect(blue.seen.map((w) => w.name)).toEqual(blue.seen.map((w) => w.name).sort().reverse());
    for (let i = 0; i < 3; i++) {
      const foreign = (await app.inject({ url: '/api/v1/widgets?limit=7&sort=name', headers: { 'x-test-org': 'org_other' } })).json();
      expect(foreign.items.map((w: { name: string }) => w.name)).toEqual(['foreign']);
      const own = (await app.inject({ url: '/api/v1/widgets?limit=7&sort=name' })).json();
      expect(own.items.map((w: { name: string }) => w.name)).toEqual([...names].sort().slice(0, 7));
    }
  });
  it('writes the stored list item exactly as the generic path presents the row, and keeps it in step with updates', async () => {
    const headers = { 'x-test-org': 'org_items' };
    // Names JSON must escape (quotes, backslash, controls), other scripts, no color.
    const awkward = ['say "hi"', 'back\\slash', 'tab\there\nline\u0001', 'ខ្មែរ 🚀', '</script>'];
    for (const [i, name] of awkward.entries()) {
      const payload = i % 2 ? { name, color: 'green', quantity: i * 1000 } : { name };
      expect((await app.inject({ method: 'POST', url: '/api/v1/widgets', headers, payload })).statusCode).toBe(201);
    }
    const first = (await app.inject({ url: '/api/v1/widgets?limit=1&sort=name', headers })).json().items[0];
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${first.id}`, headers, payload: { name: 'renamed "again"', color: 'red' } });
    expect(patched.statusCode).toBe(200);

    // The last query matches nothing (no widget of org_items is blue): an empty page.
    for (const query of ['limit=4&sort=name', 'limit=3&sort=-created_at', 'limit=100&sort=created_at&include_total=true', 'limit=2&sort=-name&color=green', 'limit=5&sort=-name&color=blue&include_total=true']) {
      let cursor: string | null = null;
      do {
        const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const items = await app.inject({ url: `/api/v1/widgets?${query}${suffix}`, headers });
        const rows = await app.inject({ url: `/api/v1/widget-rows?${query}${suffix}`, headers });
        expect(items.statusCode).toBe(200);
        expect(items.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(items.body).toBe(rows.body);
        cursor = items.json().next_cursor;
      } while (cursor);
    }
    const all = (await app.inject({ url: '/api/v1/widgets?limit=100&sort=name', headers })).json().items;
    const expected = awkward.map((name) => (name === first.name ? 'renamed "again"' : name));
    expect(all.map((w: { name: string }) => w.name).sort()).toEqual(expected.sort());
    const renamed = all.find((w: { id: string }) => w.id === first.id);
    expect(renamed).toEqual(patched.json());
    expect(renamed.version).toBe(2);
  });
});
