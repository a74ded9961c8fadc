import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-05-15T10:00:00Z');
const { get, post, created, issued: issuedOn } = reportRequests(() => world);
const ids = {} as { acme: string; sharma: string; globex: string };

const issued = (client: string, issueDate: string, dueDate: string, amount: string, token = world.adminA, extra: object = {}) => issuedOn(client, issueDate, amount, { due_date: dueDate, ...extra }, token);
const pay = (client: string, currency: string, amount: string, date: string, allocations: { invoice_id: string; amount: string }[]) =>
  created('/payments', { client_id: client, amount, currency, method: 'bank_transfer', date, allocations });
const report = async (query: string, token = world.adminA) => {
  const response = await get(`/reports/clients?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  for (const token of [world.adminA, world.adminB]) {
    expect((await call(world.app, token, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  }
  ids.acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  ids.sharma = (await created('/clients', { name: 'Sharma Textiles', currency: 'INR', billing_address: india('MH') })).id;
  ids.globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;

  // Acme: one invoice paid on time (19 days), one late (24 days), one still open and partly credited.
  const a = await issued(ids.acme, '2026-03-01', '2026-03-31', '1000.00');
  const b = await issued(ids.acme, '2026-04-01', '2026-04-15', '500.00');
  const c = await issued(ids.acme, '2026-05-01', '2026-05-31', '300.00');
  await pay(ids.acme, 'INR', '1000.00', '2026-03-20', [{ invoice_id: a.id, amount: '1000.00' }]);
  // Overpaid by 100.00, which is then given back: collected counts money kept.
  const over = await pay(ids.acme, 'INR', '600.00', '2026-04-25', [{ invoice_id: b.id, amount: '500.00' }]);
  expect((await post(`/payments/${over.id}/refunds`, { amount: '100.00', reason: 'Overpaid', allocations: [] })).statusCode).toBe(201);
  await created(`/invoices/${c.id}/credit-notes`, { reason: 'order_change', amount: '50.00' });
  const voided = await issued(ids.acme, '2026-04-20', '2026-04-30', '999.00');
  expect((await post(`/invoices/${voided.id}/void`, { reason: 'Issued twice' })).statusCode).toBe(200);
  // Sharma: a large invoice, nothing paid yet.
  await issued(ids.sharma, '2026-04-10', '2026-04-10', '2000.00');
  // Globex, in dollars, paid on time.
  const g = await issued(ids.globex, '2026-04-15', '2026-05-15', '200.00', world.adminA, { exchange_rate: '83' });
  await pay(ids.globex, 'USD', '200.00', '2026-05-05', [{ invoice_id: g.id, amount: '200.00' }]);
  // Another organization's client never shows.
  const theirs = (await created('/clients', { name: 'Their Client', currency: 'INR', billing_address: india('KA') }, world.adminB)).id;
  await issued(theirs, '2026-04-01', '2026-04-30', '5000.00', world.adminB);
});
afterAll(() => world.app.close());

describe('GET /reports/clients', () => {
  it('shows how each client buys and pays, top lifetime value first, per currency', async () => {
    expect((await report('')).clients).toEqual([
      {
        client_id: ids.sharma, client_name: 'Sharma Textiles', currency: 'INR', invoices: 1, invoiced: '2000.00', credited: '0.00', lifetime_value: '2000.00', collected: '0.00',
        paid_invoices: 0, average_days_to_pay: null, on_time_rate: null, last_invoice_date: '2026-04-10', last_payment_date: null, last_activity: '2026-04-10',
      },
      {
        client_id: ids.acme, client_name: 'Acme Traders', currency: 'INR', invoices: 3, invoiced: '1800.00', credited: '50.00', lifetime_value: '1750.00', collected: '1500.00',
        paid_invoices: 2, average_days_to_pay: '21.5', on_time_rate: '0.50', last_invoice_date: '2026-05-01', last_payment_date: '2026-04-25', last_activity: '2026-05-01',
      },
      {
        client_id: ids.globex, client_name: 'Globex Inc', currency: 'USD', invoices: 1, invoiced: '200.00', credited: '0.00', lifetime_value: '200.00', collected: '200.00',
        paid_invoices: 1, average_days_to_pay: '20.0', on_time_rate: '1.00', last_invoice_date: '2026-04-15', last_payment_date: '2026-05-05', last_activity: '2026-05-05',
      },
    ]);
  });

  it('keeps the top clients per currency, narrows to one client, and keeps to the organization', async () => {
    expect((await report('limit=1')).clients.map((c: { client_name: string }) => c.client_name)).toEqual(['Sharma Textiles', 'Globex Inc']);
    expect((await report(`client_id=${ids.acme}`)).clients).toEqual([expect.objectContaining({ client_name: 'Acme Traders', lifetime_value: '1750.00' })]);
    expect((await report('', world.adminB)).clients).toEqual([expect.objectContaining({ client_name: 'Their Client', invoices: 1, paid_invoices: 0 })]);
  });

  it('refuses plain users and bad limits', async () => {
    expect((await get('/reports/clients', world.userA)).statusCode).toBe(403);
    for (const query of ['limit=0', 'limit=501', 'limit=ten']) expect((await get(`/reports/clients?${query}`)).statusCode, query).toBe(422);
  });

  it('downloads as CSV', async () => {
    const response = await get('/reports/clients?format=csv');
    expect(response.statusCode).toBe(200);
    const lines = response.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('client_id,client_name,currency,invoices,invoiced,credited,lifetime_value,collected,paid_invoices,average_days_to_pay,on_time_rate,last_invoice_date,last_payment_date,last_activity');
    expect(lines[2]).toBe(`${ids.acme},Acme Traders,INR,3,1800.00,50.00,1750.00,1500.00,2,21.5,0.50,2026-05-01,2026-04-25,2026-05-01`);
    expect(lines).toHaveLength(4);
  });
});
