import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMasterDataApp, type MasterDataFixture } from './support';

let f: MasterDataFixture;
const mine: Record<string, string> = {};
beforeAll(async () => {
  f = await createMasterDataApp();
  const admin = f.as('admin');
  mine.categories = (await admin.create('/categories', { name: 'Mine', code: 'MINE', category_type: 'general' })).id;
  mine.units = (await admin.create('/units', { name: 'Piece', symbol: 'pc', unit_type: 'quantity', is_base_unit: true, decimal_places: 0 })).id;
  mine['tax-codes'] = (await admin.create('/tax-codes', { name: 'GST 18%', code: 'GST18', tax_type: 'GST', rate: 18, effective_from: '2024-01-01' })).id;
  mine['payment-terms'] = (await admin.create('/payment-terms', { name: 'Net 30', code: 'NET30', payment_days: 30 })).id;
});
afterAll(() => f.app.close());

describe('permissions', () => {
  it('lets every role read, and only managers and administrators write (403 otherwise, 401 without credentials)', async () => {
    for (const who of ['user', 'auditor', 'manager', 'admin'] as const) {
      for (const resource of Object.keys(mine)) {
        expect((await f.as(who).get(`/${resource}`)).statusCode, `${who} lists ${resource}`).toBe(200);
        expect((await f.as(who).get(`/${resource}/${mine[resource]}`)).statusCode, `${who} reads ${resource}`).toBe(200);
      }
      expect((await f.as(who).post('/tax-codes/calculate', { amount: 10, tax_code_id: mine['tax-codes'] })).statusCode).toBe(200);
    }
    for (const who of ['user', 'auditor'] as const) {
      const refused = await f.as(who).post('/categories', { name: 'Nope', code: `NOPE-${who}`, category_type: 'general' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
      expect((await f.as(who).patch(`/units/${mine.units}`, { name: 'Nope' })).statusCode).toBe(403);
      expect((await f.as(who).delete(`/payment-terms/${mine['payment-terms']}`)).statusCode).toBe(403);
    }
    expect((await f.as('manager').post('/categories', { name: 'By manager', code: 'MGR', category_type: 'general' })).statusCode).toBe(201);
    const anonymous = await f.app.inject({ url: '/api/v1/master-data/categories' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('tenant isolation', () => {
  it('answers 404 for another organization’s ids, and never lists them', async () => {
    const other = f.as('otherAdmin');
    for (const [resource, id] of Object.entries(mine)) {
      expect((await other.get(`/${resource}/${id}`)).statusCode, `GET ${resource}`).toBe(404);
      expect((await other.patch(`/${resource}/${id}`, { name: 'Stolen' })).statusCode, `PATCH ${resource}`).toBe(404);
      expect((await other.delete(`/${resource}/${id}`)).statusCode, `DELETE ${resource}`).toBe(404);
      expect((await other.get(`/${resource}`)).json().items).toEqual([]);
    }
    expect((await other.put(`/categories/${mine.categories}`, { name: 'Stolen', code: 'X', category_type: 'general' })).statusCode).toBe(404);
    expect((await other.post('/tax-codes/calculate', { amount: 10, tax_code_id: mine['tax-codes'] })).statusCode).toBe(404);
    expect((await other.post('/units/convert', { from_unit_id: mine.units, to_unit_id: mine.units, value: 1 })).statusCode).toBe(404);
    // Referencing another organization's records is refused like referencing nothing.
    const parent = await other.post('/categories', { name: 'Child', code: 'CHILD', category_type: 'general', parent_category_id: mine.categories, default_tax_code_id: mine['tax-codes'] });
    expect(parent.statusCode).toBe(422);
    expect((await f.as('admin').get(`/categories/${mine.categories}`)).json().name).toBe('Mine');
  });
});

describe('lists', () => {
  it('pages with keyset cursors, filters, searches and counts on request', async () => {
    const admin = f.as('admin');
    for (let i = 1; i <= 7; i++) await admin.create('/categories', { name: `Paged ${i}`, code: `PAGE-${i}`, category_type: i % 2 ? 'expense' : 'asset', sort_order: i });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { code: string }[]; next_cursor: string | null; has_more: boolean; total?: number } = (
        await admin.get(`/categories?limit=3&q=paged&include_total=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      ).json();
      expect(page.total).toBe(7);
      seen.push(...page.items.map((c) => c.code));
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(['PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-4', 'PAGE-5', 'PAGE-6', 'PAGE-7']);

    const descending = (await admin.get('/categories?category_type=asset&sort=-sort_order')).json();
    expect(descending.items.map((c: { code: string }) => c.code)).toEqual(['PAGE-6', 'PAGE-4', 'PAGE-2']);
    expect((await admin.get('/categories?search=PAGE-7')).json().items).toHaveLength(1);
    expect((await admin.get('/categories?level=0&is_active=true&limit=100')).json().items.length).toBeGreaterThan(7);

    const first = (await admin.get('/categories?limit=2&q=paged')).json();
    const tampered = await admin.get(`/categories?limit=2&q=paged&cursor=${first.next_cursor.slice(0, -2)}xx`);
    expect(tampered.statusCode).toBe(400);
    expect((await admin.get('/categories?limit=101')).statusCode).toBe(422);
    expect((await admin.get('/categories?colour=red')).statusCode).toBe(400);
    expect((await admin.get('/tax-codes?sort=-effective_from&tax_type=GST')).statusCode).toBe(200);
    expect((await admin.get('/payment-terms?sort=name&requires_approval=false')).json().items.map((t: { code: string }) => t.code)).toEqual(['NET30']);
  });
});

describe('OpenAPI', () => {
  it('stays a valid document with the master data routes, documenting rounding on computed amounts', async () => {
    const document = (await f.app.inject({ url: '/openapi.json' })).json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    for (const path of ['categories', 'categories/{id}', 'units', 'units/convert', 'units/{id}', 'tax-codes', 'tax-codes/calculate', 'tax-codes/{id}', 'payment-terms', 'payment-terms/{id}']) {
      expect(document.paths[`/api/v1/master-data/${path}`], path).toBeDefined();
    }
    expect(document.paths['/api/v1/master-data/categories/{id}'].put).toBeDefined();
    const calculation = document.paths['/api/v1/master-data/tax-codes/calculate'].post.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(calculation)).toContain('rounded half-up');
  });
});
