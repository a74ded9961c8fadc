import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createBillingWorld, type BillingWorld } from './harness';

let world: BillingWorld;
let client: string;

async function ok(method: 'POST' | 'PATCH', url: string, body: object) {
  const response = await call(world.app, world.adminA, method, `/api/v1${url}`, body);
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json();
}
const invoice = async (currency: string, price: string, finalize = true) => {
  const draft = await ok('POST', '/invoices', { client_id: client, currency, exchange_rate: currency === 'USD' ? '83' : null, issue_date: '2026-03-01', lines: [{ description: 'Work', quantity: 1, unit_price: price }] });
  return finalize ? ok('POST', `/invoices/${draft.id}/finalize`, {}) : draft;
};

beforeAll(async () => {
  world = await createBillingWorld();
  await ok('PATCH', '/billing/settings', { base_currency: 'INR' });
  client = (await ok('POST', '/clients', { name: 'Acme', currency: 'INR', billing_address: { line1: '1 Road', city: 'Pune', state: 'MH', country: 'IN' } })).id;
});
afterAll(() => world.app.close());

describe('client relationship view', () => {
  it('answers an empty view for a new client', async () => {
    const summary = (await call(world.app, world.userA, 'GET', `/api/v1/clients/${client}/summary`)).json();
    expect(summary).toEqual({ client_id: client, invoices: { count: 0, by_status: {}, overdue: 0 }, balances: [], payments: [], last_invoice_at: null, last_payment_at: null, last_activity_at: null });
  });

  it('counts invoices by status and keeps balances per currency, with payments and credit', async () => {
    const first = await invoice('INR', '1000.00');
    await invoice('INR', '250.50');
    await invoice('USD', '40.00');
    await invoice('INR', '99.00', false);
    const voided = await invoice('INR', '10.00');
    await ok('POST', `/invoices/${voided.id}/void`, { reason: 'Entered twice' });
    await ok('POST', '/payments', { client_id: client, amount: '1100.00', currency: 'INR', date: '2026-03-05', method: 'bank_transfer', allocations: [{ invoice_id: first.id, amount: '1000.00' }] });

    const summary = (await call(world.app, world.managerA, 'GET', `/api/v1/clients/${client}/summary`)).json();
    expect(summary.invoices).toEqual({ count: 5, by_status: { draft: 1, open: 2, paid: 1, void: 1 }, overdue: 0 });
    expect(summary.balances).toEqual([
      { currency: 'INR', invoiced: '1250.50', paid: '1000.00', credited: '0.00', outstanding: '250.50', overdue: '0.00' },
      { currency: 'USD', invoiced: '40.00', paid: '0.00', credited: '0.00', outstanding: '40.00', overdue: '0.00' },
    ]);
    expect(summary.payments).toEqual([{ currency: 'INR', count: 1, received: '1100.00', refunded: '0.00', credit: '100.00' }]);
    expect(summary.last_payment_at).not.toBeNull();
    expect(summary.last_activity_at).toBe([summary.last_invoice_at, summary.last_payment_at].sort().at(-1));
  });

  it("answers 404 for another organization's client", async () => {
    const response = await call(world.app, world.adminB, 'GET', `/api/v1/clients/${client}/summary`);
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('CLIENT_NOT_FOUND');
  });
});
