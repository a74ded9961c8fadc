import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createBillingWorld, type BillingWorld } from './harness';

// Master data that something still names cannot be deleted: 409 <KIND>_IN_USE with `used_by`,
// and the row, its version and the audit trail stay as they were.

let world: BillingWorld;
let client: string;

const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: object, token = world.adminA) => call(world.app, token, method, `/api/v1${url}`, body);
async function created(url: string, body: object) {
  const response = await send('POST', url, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
async function changed(url: string, body: object) {
  const response = await send('PATCH', url, body);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}
const line = (extra: object = {}) => ({ description: 'Service', quantity: 1, unit_price: 100, ...extra });
const draft = (body: object) => created('/invoices', { client_id: client, issue_date: '2026-04-01', lines: [line()], ...body });
const schedule = (template: object) => created('/recurring-invoices', { client_id: client, interval: 'monthly', start_date: '2030-01-01', template: { lines: [line()], ...template } });
let seq = 0;
const term = async () => (await created('/master-data/payment-terms', { name: 'Net 30', code: `T${++seq}`, payment_days: 30 })).id as string;
const taxCode = async () => (await created('/master-data/tax-codes', { name: 'VAT', code: `V${++seq}`, tax_type: 'VAT', rate: 10, effective_from: '2020-01-01' })).id as string;
const category = async () => (await created('/master-data/categories', { name: 'Hardware', code: `C${++seq}`, category_type: 'product' })).id as string;
const unit = async () => (await created('/master-data/units', { name: 'Box', symbol: `bx${++seq}`, unit_type: 'quantity', conversion_factor: 12 })).id as string;

async function deletions(id: string): Promise<number> {
  const [row] = await world.app.kernel.database.query<{ n: string | number }>("SELECT count(*) AS n FROM audit_logs WHERE resource_id = $1 AND action LIKE '%.deleted'", [id]);
  return Number(row!.n);
}

/** DELETE is refused with 409 `code`, `used_by`, in English and Khmer; the row is unchanged and no deletion is recorded. */
async function expectInUse(resource: 'payment-terms' | 'tax-codes' | 'units' | 'categories', id: string, code: string, usedBy: string) {
  const before = await send('GET', `/master-data/${resource}/${id}`);
  expect(before.statusCode).toBe(200);
  const refused = await send('DELETE', `/master-data/${resource}/${id}`);
  expect(refused.statusCode, refused.body).toBe(409);
  expect(refused.headers['content-type']).toContain('application/problem+json');
  expect(refused.json()).toMatchObject({ status: 409, code, used_by: usedBy });
  expect(refused.json().detail).toContain('used_by');
  const khmer = await call(world.app, world.adminA, 'DELETE', `/api/v1/master-data/${resource}/${id}`, undefined, { 'accept-language': 'km' });
  expect(khmer.statusCode).toBe(409);
  expect(khmer.json().title).toMatch(/[\u1780-\u17FF]/);
  const after = await send('GET', `/master-data/${resource}/${id}`);
  expect(after.statusCode).toBe(200);
  expect(after.json()).toEqual(before.json());
  expect(await deletions(id)).toBe(0);
}

/** Refused while held, deleted once `free` has let go of it. */
async function refusedUntilFreed(resource: 'payment-terms' | 'tax-codes' | 'units' | 'categories', id: string, code: string, usedBy: string, free: () => Promise<unknown>) {
  await expectInUse(resource, id, code, usedBy);
  await free();
  await expectDeleted(resource, id);
}
const deleting = (url: string) => async () => expect((await send('DELETE', url)).statusCode).toBe(204);

async function expectDeleted(resource: 'payment-terms' | 'tax-codes' | 'units' | 'categories', id: string) {
  const response = await send('DELETE', `/master-data/${resource}/${id}`);
  expect(response.statusCode, response.body).toBe(204);
  expect((await send('GET', `/master-data/${resource}/${id}`)).statusCode).toBe(404);
  expect(await deletions(id)).toBe(1);
}

beforeAll(async () => {
  world = await createBillingWorld();
  client = (await created('/clients', { name: 'Acme', currency: 'USD', billing_address: { line1: '1 Main St', city: 'Springfield', country: 'US' } })).id;
});
afterAll(() => world.app.close());

describe('deleting payment terms', () => {
  it('deletes terms nothing names', async () => {
    await expectDeleted('payment-terms', await term());
  });

  it('refuses while a client has them as its default, and deletes once it no longer does', async () => {
    const id = await term();
    const other = await created('/clients', { name: 'Beta', currency: 'USD', billing_address: { line1: '2 Main St', city: 'Springfield', country: 'US' }, payment_terms_id: id });
    await refusedUntilFreed('payment-terms', id, 'PAYMENT_TERM_IN_USE', 'clients', () => changed(`/clients/${other.id}`, { payment_terms_id: null }));
  });

  it('refuses while a draft invoice names them, and deletes once the draft is gone', async () => {
    const id = await term();
    const invoice = await draft({ payment_terms_id: id });
    await refusedUntilFreed('payment-terms', id, 'PAYMENT_TERM_IN_USE', 'invoices', deleting(`/invoices/${invoice.id}`));
  });

  it('refuses while a finalized invoice names them (taken from the client at finalize)', async () => {
    const id = await term();
    const other = await created('/clients', { name: 'Gamma', currency: 'USD', billing_address: { line1: '3 Main St', city: 'Springfield', country: 'US' }, payment_terms_id: id });
    const invoice = await created('/invoices', { client_id: other.id, issue_date: '2026-04-01', lines: [line()], payment_terms_id: null });
    const finalized = await send('POST', `/invoices/${invoice.id}/finalize`, {});
    expect(finalized.statusCode, finalized.body).toBe(200);
    expect(finalized.json()).toMatchObject({ status: 'open', payment_terms_id: id, due_date: '2026-05-01' });
    // Only the finalized invoice names the terms now.
    await changed(`/clients/${other.id}`, { payment_terms_id: null });
    await expectInUse('payment-terms', id, 'PAYMENT_TERM_IN_USE', 'invoices');
  });

  it('refuses while a recurring schedule names them, and deletes once the schedule is gone', async () => {
    const id = await term();
    const s = await schedule({ payment_terms_id: id });
    await refusedUntilFreed('payment-terms', id, 'PAYMENT_TERM_IN_USE', 'recurring_invoices', deleting(`/recurring-invoices/${s.id}`));
  });

  it('refuses while the billing settings name them as the default, and deletes once they do not', async () => {
    const id = await term();
    await changed('/billing/settings', { default_payment_terms_id: id });
    await refusedUntilFreed('payment-terms', id, 'PAYMENT_TERM_IN_USE', 'billing_settings', () => changed('/billing/settings', { default_payment_terms_id: null }));
  });
});

describe('deleting tax codes', () => {
  it('deletes a tax code nothing names', async () => {
    await expectDeleted('tax-codes', await taxCode());
  });

  it('refuses while an invoice line names it, and deletes once the draft is gone', async () => {
    const id = await taxCode();
    const invoice = await draft({ lines: [line({ tax_code_id: id })] });
    expect(invoice.lines[0].tax_code_id).toBe(id);
    await refusedUntilFreed('tax-codes', id, 'TAX_CODE_IN_USE', 'invoices', deleting(`/invoices/${invoice.id}`));
  });

  it('refuses while only a credit note line names it', async () => {
    const id = await taxCode();
    const invoice = await draft({});
    expect((await send('POST', `/invoices/${invoice.id}/finalize`, {})).statusCode).toBe(200);
    const note = await send('POST', `/invoices/${invoice.id}/credit-notes`, { reason: 'pricing_error', lines: [{ description: 'Tax correction', quantity: 1, unit_price: 10, tax_code_id: id }] });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json().lines[0].tax_code_id).toBe(id);
    await expectInUse('tax-codes', id, 'TAX_CODE_IN_USE', 'credit_notes');
  });

  it('refuses while a recurring schedule’s line names it by id, and deletes once the schedule is gone', async () => {
    const id = await taxCode();
    const s = await schedule({ lines: [line({ tax_code_id: id })] });
    await refusedUntilFreed('tax-codes', id, 'TAX_CODE_IN_USE', 'recurring_invoices', deleting(`/recurring-invoices/${s.id}`));
  });

  it('still refuses while a category names it as its default', async () => {
    const id = await taxCode();
    await created('/master-data/categories', { name: 'Goods', code: `C${++seq}`, category_type: 'product', default_tax_code_id: id });
    await expectInUse('tax-codes', id, 'TAX_CODE_IN_USE', 'categories');
  });
});

describe('deleting units', () => {
  beforeAll(async () => {
    await created('/master-data/units', { name: 'Piece', symbol: 'pc', unit_type: 'quantity', is_base_unit: true });
  });

  it('deletes a unit nothing names', async () => {
    await expectDeleted('units', await unit());
  });

  it('refuses while an invoice line names it, and deletes once the draft is gone', async () => {
    const id = await unit();
    const invoice = await draft({ lines: [line(), line({ unit_id: id })] });
    expect(invoice.lines[1].unit_id).toBe(id);
    await refusedUntilFreed('units', id, 'UNIT_IN_USE', 'invoices', deleting(`/invoices/${invoice.id}`));
  });

  it('refuses while a recurring schedule’s line names it, and deletes once the schedule is gone', async () => {
    const id = await unit();
    const s = await schedule({ lines: [line({ unit_id: id })] });
    await refusedUntilFreed('units', id, 'UNIT_IN_USE', 'recurring_invoices', deleting(`/recurring-invoices/${s.id}`));
  });
});

describe('deleting categories', () => {
  it('deletes a category nothing names', async () => {
    await expectDeleted('categories', await category());
  });

  it('refuses while an invoice line names it, and deletes once the draft is gone', async () => {
    const id = await category();
    const invoice = await draft({ lines: [line(), line({ category_id: id })] });
    expect(invoice.lines.map((l: { category_id: string | null }) => l.category_id)).toEqual([null, id]);
    await refusedUntilFreed('categories', id, 'CATEGORY_IN_USE', 'invoices', deleting(`/invoices/${invoice.id}`));
  });

  it('refuses while a recurring schedule’s line names it, and deletes once the schedule is gone', async () => {
    const id = await category();
    const s = await schedule({ lines: [line({ category_id: id })] });
    await refusedUntilFreed('categories', id, 'CATEGORY_IN_USE', 'recurring_invoices', deleting(`/recurring-invoices/${s.id}`));
  });
});
