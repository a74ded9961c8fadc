import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createMasterDataApp, type Client, type MasterDataFixture } from './support';

let f: MasterDataFixture;
let admin: Client;
beforeAll(async () => {
  f = await createMasterDataApp();
  admin = f.as('admin');
});
afterAll(() => f.app.close());

const category = (code: string, extra: object = {}) => admin.create('/categories', { name: `Category ${code}`, code, category_type: 'product', ...extra });
const fetch = async (id: string) => (await admin.get(`/categories/${id}`)).json();

describe('category tree', () => {
  it('keeps level and path of a whole subtree up to date when a category moves', async () => {
    const a = await category('TREE-A');
    const b = await category('TREE-B', { parent_category_id: a.id });
    const c = await category('TREE-C', { parent_category_id: b.id });
    const d = await category('TREE-D');
    expect(c).toMatchObject({ level: 2, path: `/${a.id}/${b.id}/${c.id}/` });

    const moved = await admin.patch(`/categories/${b.id}`, { parent_category_id: d.id }, { 'if-match': `"v${b.version}"` });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ parent_category_id: d.id, level: 1, path: `/${d.id}/${b.id}/`, version: b.version + 1 });
    expect(await fetch(c.id)).toMatchObject({ level: 2, path: `/${d.id}/${b.id}/${c.id}/`, version: c.version + 1 });
    expect((await fetch(a.id)).sub_categories).toEqual([]);
    expect((await fetch(d.id)).sub_categories.map((s: { id: string }) => s.id)).toEqual([b.id]);

    // To the root: level 0, and its descendants follow.
    const root = (await admin.patch(`/categories/${b.id}`, { parent_category_id: null })).json();
    expect(root).toMatchObject({ parent_category_id: null, level: 0, path: `/${b.id}/` });
    expect(await fetch(c.id)).toMatchObject({ level: 1, path: `/${b.id}/${c.id}/` });
  });

  it('refuses to move a category under itself or one of its descendants (422 CATEGORY_CYCLE), changing nothing', async () => {
    const top = await category('CYC-TOP');
    const mid = await category('CYC-MID', { parent_category_id: top.id });
    const leaf = await category('CYC-LEAF', { parent_category_id: mid.id });
    for (const target of [top.id, mid.id, leaf.id]) {
      const refused = await admin.patch(`/categories/${top.id}`, { parent_category_id: target });
      expect(refused.statusCode, target).toBe(422);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ code: 'CATEGORY_CYCLE', errors: [{ field: 'parent_category_id' }] });
    }
    expect(await fetch(top.id)).toMatchObject({ parent_category_id: null, level: 0, version: top.version });
    expect(await fetch(leaf.id)).toMatchObject({ path: `/${top.id}/${mid.id}/${leaf.id}/`, version: leaf.version });
  });

  it('lets only one of two concurrent moves that would together form a cycle succeed', async () => {
    const x = await category('RACE-X');
    const y = await category('RACE-Y');
    const answers = await Promise.all([admin.patch(`/categories/${x.id}`, { parent_category_id: y.id }), admin.patch(`/categories/${y.id}`, { parent_category_id: x.id })]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 422]);
    const roots = [await fetch(x.id), await fetch(y.id)].filter((c) => c.level === 0);
    expect(roots).toHaveLength(1);
  });

  it('refuses a tree deeper than ten levels', async () => {
    let parent = await category('DEEP-0');
    for (let level = 1; level <= 9; level++) parent = await category(`DEEP-${level}`, { parent_category_id: parent.id });
    expect(parent.level).toBe(9);
    const tooDeep = await admin.post('/categories', { name: 'Too deep', code: 'DEEP-10', category_type: 'product', parent_category_id: parent.id });
    expect(tooDeep.statusCode).toBe(422);
    expect(tooDeep.json().code).toBe('CATEGORY_TOO_DEEP');
  });

  it('deletes only a category without sub-categories (409 CATEGORY_HAS_SUBCATEGORIES)', async () => {
    const parent = await category('DEL-P');
    const child = await category('DEL-C', { parent_category_id: parent.id });
    const refused = await admin.delete(`/categories/${parent.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CATEGORY_HAS_SUBCATEGORIES');
    expect((await admin.delete(`/categories/${child.id}`)).statusCode).toBe(204);
    expect((await admin.delete(`/categories/${parent.id}`)).statusCode).toBe(204);
    expect((await admin.get(`/categories/${parent.id}`)).statusCode).toBe(404);
  });

  it('keeps codes unique per organization, ignoring case (409 CATEGORY_CODE_EXISTS)', async () => {
    await category('UNIQ');
    const duplicate = await admin.post('/categories', { name: 'Again', code: 'uniq', category_type: 'service' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('CATEGORY_CODE_EXISTS');
    // Another organization may use the same code.
    expect((await f.as('otherAdmin').post('/categories', { name: 'Theirs', code: 'UNIQ', category_type: 'product' })).statusCode).toBe(201);
  });

  it('answers 422 problem+json with every field error and changes nothing', async () => {
    const before = await countRows(f.app, 'billing_categories');
    const events = await countRows(f.app, 'outbox_events');
    const schema = await admin.post('/categories', { name: '', code: 'bad code!', category_type: 'vehicle', colour: 'red' });
    expect(schema.statusCode).toBe(422);
    expect(schema.json().code).toBe('VALIDATION_ERROR');
    expect(schema.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['category_type', 'code', 'colour', 'name']);

    const references = await admin.post('/categories', { name: 'Orphan', code: 'ORPHAN', category_type: 'product', parent_category_id: 'cat_01jd6v0v3kf8r9q7w2e5t4y6u8', default_tax_code_id: 'tax_nope' });
    expect(references.statusCode).toBe(422);
    expect(references.json().errors.map((e: { field: string }) => e.field)).toEqual(['parent_category_id', 'default_tax_code_id']);
    expect(await countRows(f.app, 'billing_categories')).toBe(before);
    expect(await countRows(f.app, 'outbox_events')).toBe(events);
  });

  it('replaces with PUT (omitted optional fields reset) and honours If-Match and If-None-Match', async () => {
    const item = await category('PUT-1', { description: 'old', sort_order: 5, default_income_account_id: '4000' });
    const stale = await admin.put(`/categories/${item.id}`, { name: 'Renamed', code: 'PUT-1', category_type: 'service' }, { 'if-match': '"v99"' });
    expect(stale.statusCode).toBe(412);
    const replaced = await admin.put(`/categories/${item.id}`, { name: 'Renamed', code: 'PUT-1', category_type: 'service' }, { 'if-match': `"v${item.version}"` });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.headers.etag).toBe(`"v${item.version + 1}"`);
    expect(replaced.json()).toMatchObject({ name: 'Renamed', category_type: 'service', description: null, sort_order: 0, default_income_account_id: null });
    const notModified = await admin.get(`/categories/${item.id}`, { 'if-none-match': replaced.headers.etag as string });
    expect(notModified.statusCode).toBe(304);
  });

  it('writes each change with its audit entry and its outbox event', async () => {
    const item = await category('AUDITED');
    await admin.patch(`/categories/${item.id}`, { name: 'Audited category' });
    await admin.delete(`/categories/${item.id}`);
    const audit = await f.app.kernel.database.query<{ action: string }>('SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id', [item.id]);
    expect(audit.map((r) => r.action)).toEqual(['category.created', 'category.updated', 'category.deleted']);
    const events = await f.app.kernel.database.query<{ type: string; data: { id: string } }>("SELECT type, data FROM outbox_events WHERE data->>'id' = $1 ORDER BY sequence", [item.id]);
    expect(events.map((e) => e.type)).toEqual(['category.created', 'category.updated', 'category.deleted']);
  });
});
