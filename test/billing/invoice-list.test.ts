import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoiceListItem, InvoicePage } from '../../src/modules/billing/invoices/schemas';
import { call, createBillingWorld, india, requestsOn, type BillingWorld } from './harness';

/**
 * GET /invoices sends items the database keeps written as JSON (invoices/list-item.ts), not the presenter
 * of GET /invoices/{id}: every figure of an item must be the one the invoice itself shows.
 */
let world: BillingWorld;
let acme: string;
let tokyo: string;

const { get, post } = requestsOn(() => world);
async function ok(response: Awaited<ReturnType<typeof post>>, status = 200) {
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
}
const draft = (client: string, unitPrice: string, extra: object = {}) =>
  post('/invoices', { client_id: client, issue_date: '2026-04-01', lines: [{ description: 'Service', quantity: '3', unit_price: unitPrice }], ...extra }).then((r) => ok(r, 201));
const finalized = async (client: string, unitPrice: string, extra: object = {}) => ok(await post(`/invoices/${(await draft(client, unitPrice, extra)).id}/finalize`, {}));
const pay = (client: string, invoiceId: string, amount: string, currency = 'INR') =>
  post('/payments', { client_id: client, amount, currency, method: 'bank_transfer', date: '2026-04-10', reference: 'UTR', allocations: [{ invoice_id: invoiceId, amount }] }).then((r) => ok(r, 201));

beforeAll(async () => {
  world = await createBillingWorld();
  await ok(await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' }));
  acme = (await ok(await post('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') }), 201)).id;
  tokyo = (await ok(await post('/clients', { name: 'Tokyo KK', currency: 'JPY', billing_address: { line1: '1-1 Ginza', city: 'Tokyo', country: 'JP' } }), 201)).id;
});
afterAll(() => world.app.close());

describe('invoice list items', () => {
  it('carry the figures of the invoice itself in every state, and match the documented schema', async () => {
    await draft(acme, '33.335');
    await finalized(acme, '10.50');
    const partly = await finalized(acme, '100');
    await pay(acme, partly.id, '120.00');
    const settled = await finalized(acme, '20');
    await pay(acme, settled.id, '60.00');
    const refunded = await finalized(acme, '30');
    const payment = await pay(acme, refunded.id, '90.00');
    await ok(await post(`/payments/${payment.id}/refunds`, { amount: '40.00', reason: 'Returned' }), 201);
    await ok(await post(`/invoices/${(await finalized(acme, '5')).id}/void`, { reason: 'Issued twice' }));
    await ok(await post(`/invoices/${(await finalized(acme, '7')).id}/mark-uncollectible`, {}));
    const credited = await finalized(acme, '40');
    await ok(await post(`/invoices/${credited.id}/credit-notes`, { reason: 'order_change', amount: '15.00' }), 201);
    await finalized(tokyo, '1234.5', { exchange_rate: '0.5525' });

    const response = await get('/invoices?limit=100');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const page = response.json();
    const validate = addFormats(new Ajv({ strict: false })).compile(InvoicePage);
    expect(validate(page), JSON.stringify(validate.errors)).toBe(true);
    expect(page.items).toHaveLength(9);

    const keys = Object.keys(InvoiceListItem.properties).sort();
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual(keys);
      const whole = (await get(`/invoices/${item.id}`)).json();
      expect(item).toEqual(Object.fromEntries(keys.map((key) => [key, whole[key]])));
    }
    const statuses = page.items.map((i: { status: string; payment_status: string }) => `${i.status}/${i.payment_status}`).sort();
    expect(statuses).toEqual(['draft/unpaid', 'open/partially_paid', 'open/partially_refunded', 'open/unpaid', 'open/unpaid', 'open/unpaid', 'paid/paid', 'uncollectible/unpaid', 'void/unpaid']);
    const yen = page.items.find((i: { currency: string }) => i.currency === 'JPY');
    expect(yen).toMatchObject({ total: '3704', exchange_rate: '0.5525' });
  });

  it('gives the same cursor for a page asked again (the known query shape reads undecoded values)', async () => {
    for (const sort of ['-created_at', 'issue_date']) {
      const [once, again, third] = [await get(`/invoices?limit=3&sort=${sort}`), await get(`/invoices?limit=3&sort=${sort}`), await get(`/invoices?limit=3&sort=${sort}`)];
      expect(again.body).toBe(once.body);
      expect(third.body).toBe(once.body);
      const cursor = once.json().next_cursor;
      expect(JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString())[1]).toMatch(sort === 'issue_date' ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const next = await get(`/invoices?limit=3&sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      expect((await get(`/invoices?limit=3&sort=${sort}&cursor=${encodeURIComponent(cursor)}`)).body).toBe(next.body);
      const seen = [...once.json().items, ...next.json().items].map((i: { id: string }) => i.id);
      expect(new Set(seen).size).toBe(6);
    }
  });

  it('pages with a cursor by issue date too, and keeps other organizations out', async () => {
    const first = (await get('/invoices?limit=4&sort=issue_date')).json();
    expect(first.items).toHaveLength(4);
    expect(first.has_more).toBe(true);
    const rest = (await get(`/invoices?limit=100&sort=issue_date&cursor=${encodeURIComponent(first.next_cursor)}`)).json();
    const ids = [...first.items, ...rest.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength((await get('/invoices?include_total=true&limit=1')).json().total);
    expect((await get('/invoices', world.adminB)).json()).toEqual({ items: [], next_cursor: null, has_more: false });
  });

  it('carry a number made of every character a pattern allows, and amounts rounded to three digits in KWD', async () => {
    await ok(await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { invoice_number_pattern: 'A-b_#.C/{SEQ:3}' }));
    const kuwait = (await ok(await post('/clients', { name: 'Kuwait Co', currency: 'KWD', billing_address: { line1: '1 Gulf Road', city: 'Kuwait City', country: 'KW' } }), 201)).id;
    const invoice = await finalized(kuwait, '1.2345', { exchange_rate: '270.125' });
    expect(invoice.number).toBe('A-b_#.C/001');

    const response = await get('/invoices?limit=1');
    const [item] = JSON.parse(response.body).items;
    expect(item).toMatchObject({ id: invoice.id, number: 'A-b_#.C/001', currency: 'KWD', subtotal: '3.704', total: invoice.total, amount_remaining: invoice.amount_remaining });
  });
});
