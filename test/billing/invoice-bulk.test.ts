import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createBillingWorld, requestsOn, type BillingWorld } from './harness';

let world: BillingWorld;
let acme: string;

const { post } = requestsOn(() => world, 'managerA');
const bulk = (body: object, token = world.managerA) => post('/invoices/bulk', body, token);

async function draft(): Promise<string> {
  const response = await post('/invoices', { client_id: acme, issue_date: '2026-03-10', lines: [{ description: 'Consulting', quantity: 2, unit_price: '150.25' }] });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function open(): Promise<string> {
  const id = await draft();
  const response = await post(`/invoices/${id}/finalize`, {});
  expect(response.statusCode, response.body).toBe(200);
  return id;
}

const statusOf = async (id: string, token = world.managerA) => (await call(world.app, token, 'GET', `/api/v1/invoices/${id}`)).json().status;

beforeAll(async () => {
  world = await createBillingWorld();
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: { line1: '1 Main St', city: 'Austin', state: 'TX', country: 'US' }, base_currency: 'USD' });
  expect(settings.statusCode, settings.body).toBe(200);
  const created = await post('/clients', { name: 'Acme Corp', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } }, world.adminA);
  expect(created.statusCode, created.body).toBe(201);
  acme = created.json().id;
});
afterAll(() => world.app.close());

describe('POST /invoices/bulk', () => {
  it('finalizes 3 drafts and reports the open one as INVALID_STATE_TRANSITION, each in its own transaction', async () => {
    const ids = [await draft(), await draft(), await open(), await draft()];
    const response = await bulk({ action: 'finalize', ids });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ action: 'finalize', total: 4, successful: 3, failed: 1, skipped: 0 });
    expect(report.errors).toEqual([{ index: 2, id: ids[2], code: 'INVALID_STATE_TRANSITION', message: expect.stringContaining('Only a draft can be finalized') }]);
    expect(report.duration_seconds).toBeGreaterThanOrEqual(0);
    expect(report.throughput_per_second).toBeGreaterThan(0);
    for (const id of ids) expect(await statusOf(id)).toBe('open');
  });

  it('fail_fast stops at the first failure and reports the rest as skipped', async () => {
    const ids = [await draft(), await open(), await draft(), await draft()];
    const report = (await bulk({ action: 'finalize', ids, fail_fast: true })).json();
    expect(report).toMatchObject({ total: 4, successful: 1, failed: 1, skipped: 2 });
    expect(report.errors.map((e: { index: number }) => e.index)).toEqual([1]);
    expect(await statusOf(ids[2]!)).toBe('draft');
    expect(await statusOf(ids[3]!)).toBe('draft');
  });

  it('treats another organization’s invoices as not found', async () => {
    const id = await draft();
    const report = (await bulk({ action: 'finalize', ids: [id] }, world.adminB)).json();
    expect(report).toMatchObject({ successful: 0, failed: 1 });
    expect(report.errors[0].code).toBe('INVOICE_NOT_FOUND');
    expect(await statusOf(id)).toBe('draft');
  });

  it('voids (reason required) and deletes, and localizes messages', async () => {
    const opened = [await open(), await open()];
    expect((await bulk({ action: 'void', ids: opened })).statusCode).toBe(422);
    const voided = (await bulk({ action: 'void', ids: opened, reason: 'Issued twice' })).json();
    expect(voided).toMatchObject({ successful: 2, failed: 0 });
    for (const id of opened) expect(await statusOf(id)).toBe('void');
    const drafts = [await draft(), await draft()];
    const deleted = (await bulk({ action: 'delete', ids: [...drafts, opened[0]!] })).json();
    expect(deleted).toMatchObject({ successful: 2, failed: 1 });
    expect((await call(world.app, world.managerA, 'GET', `/api/v1/invoices/${drafts[0]}`)).statusCode).toBe(404);
    const km = (await call(world.app, world.managerA, 'POST', '/api/v1/invoices/bulk', { action: 'delete', ids: [opened[0]] }, { 'accept-language': 'km' })).json();
    expect(km.errors[0].code).toBe('INVALID_STATE_TRANSITION');
    expect(km.errors[0].message).not.toMatch(/Only a draft/);
  });

  it('send reports invoices that cannot be sent (draft, no recipient) without stopping', async () => {
    const ids = [await draft(), await open()];
    const report = (await bulk({ action: 'send', ids })).json();
    expect(report).toMatchObject({ successful: 0, failed: 2 });
    expect(report.errors.map((e: { code: string }) => e.code)).toEqual(['INVALID_STATE_TRANSITION', 'INVOICE_NO_RECIPIENT']);
  });

  it('exports the invoices as CSV, for anyone who may read invoices', async () => {
    const ids = [await open(), await draft()];
    const response = await bulk({ action: 'export', ids: [...ids, 'inv_unknown'] }, world.userA);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('number,id,client_id,customer,status,payment_status,issue_date,due_date,currency,subtotal,discount_total,tax_total,total,amount_paid,amount_remaining');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^INV-2026-\\d{4},${ids[0]},${acme},Acme Corp,open,unpaid,2026-03-10,`));
    expect(lines[1]).toContain(',USD,300.50,0.00,0.00,300.50,0.00,300.50');
  });

  it('checks the permission of each action and the size of the request', async () => {
    const id = await draft();
    const denied = await bulk({ action: 'finalize', ids: [id] }, world.userA);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await bulk({ action: 'delete', ids: [id] }, world.userA)).statusCode).toBe(403);
    expect(await statusOf(id)).toBe('draft');
    const tooMany = await bulk({ action: 'finalize', ids: Array.from({ length: 501 }, (_, i) => `inv_${i}`) });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().code).toBe('VALIDATION_ERROR');
  });
});
