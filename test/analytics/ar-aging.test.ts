import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-05-15T10:00:00Z');
const { get, post, created, issued: issuedOn } = reportRequests(() => world);
const ids: Record<string, string> = {};

/** A finalized invoice for `amount` (one untaxed line) issued and due on the given days, remembered as `key`. */
async function issued(key: string, client: string, issueDate: string, dueDate: string, amount: string, token = world.adminA, extra: object = {}) {
  const invoice = await issuedOn(client, issueDate, amount, { due_date: dueDate, ...extra }, token);
  ids[key] = invoice.id;
  return invoice;
}
const pay = (client: string, invoice: string, amount: string, date: string) =>
  created('/payments', { client_id: client, amount, currency: 'INR', method: 'bank_transfer', date, allocations: [{ invoice_id: ids[invoice], amount }] });
const aging = async (query: string, token = world.adminA) => {
  const response = await get(`/reports/ar-aging?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const buckets = (current: string, d30: string, d60: string, d90: string, over: string, total: string, invoices: number) => ({
  current,
  days_1_30: d30,
  days_31_60: d60,
  days_61_90: d90,
  days_over_90: over,
  total,
  invoices,
});

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  for (const token of [world.adminA, world.adminB]) {
    expect((await call(world.app, token, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  }
  const acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  const sharma = (await created('/clients', { name: 'Sharma Textiles', currency: 'INR', billing_address: india('MH') })).id;
  const umbrella = (await created('/clients', { name: 'Umbrella Corp', currency: 'INR', billing_address: india('KA') })).id;
  const globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
  ids.acme = acme;
  ids.sharma = sharma;

  // Acme: one invoice per bucket boundary as of 2026-06-30.
  await issued('A', acme, '2026-06-01', '2026-06-30', '100.00'); // due that day: current
  await issued('B', acme, '2026-06-01', '2026-06-29', '200.00'); // 1 day late
  await issued('C', acme, '2026-05-01', '2026-05-31', '300.00'); // 30 days late
  await issued('D', acme, '2026-05-01', '2026-05-30', '400.00'); // 31 days late
  await issued('E', acme, '2026-03-01', '2026-04-01', '500.00'); // 90 days late
  await issued('F', acme, '2026-03-01', '2026-03-31', '600.00'); // 91 days late
  // D paid in full on 06-05, then 150.00 of it refunded on 06-20: it owes 150.00 again.
  const paidD = await pay(acme, 'D', '400.00', '2026-06-05');
  const refund = await post(`/payments/${paidD.id}/refunds`, { amount: '150.00', reason: 'Returned goods', date: '2026-06-20', allocations: [{ invoice_id: ids.D, amount: '150.00' }] });
  expect(refund.statusCode, refund.body).toBe(201);
  // F credited 100.00 today (2026-05-15).
  await created(`/invoices/${ids.F}/credit-notes`, { reason: 'order_change', amount: '100.00' });
  // Voided today: owed until yesterday, not after.
  await issued('J', acme, '2026-05-01', '2026-05-10', '70.00');
  expect((await post(`/invoices/${ids.J}/void`, { reason: 'Issued twice' })).statusCode).toBe(200);

  // Sharma: part paid on 06-10; another paid only on 07-05.
  await issued('G', sharma, '2026-06-10', '2026-07-15', '1000.00');
  await pay(sharma, 'G', '250.00', '2026-06-10');
  await issued('H', sharma, '2026-06-01', '2026-06-01', '80.00');
  await pay(sharma, 'H', '80.00', '2026-07-05');
  // Umbrella: written off today.
  await issued('U', umbrella, '2026-04-01', '2026-04-15', '90.00');
  expect((await post(`/invoices/${ids.U}/mark-uncollectible`, {})).statusCode).toBe(200);
  // Globex, in dollars: its own currency group.
  await issued('K', globex, '2026-06-01', '2026-06-15', '250.00', world.adminA, { exchange_rate: '83' });
  // Never counted: a draft, and another organization's invoice.
  await created('/invoices', { client_id: acme, issue_date: '2026-04-01', lines: [{ description: 'Draft', quantity: 1, unit_price: '999.00' }] });
  const theirs = (await created('/clients', { name: 'Their Client', currency: 'INR', billing_address: india('KA') }, world.adminB)).id;
  await issued('Z', theirs, '2026-04-01', '2026-04-02', '5000.00', world.adminB);
});
afterAll(() => world.app.close());

describe('GET /reports/ar-aging', () => {
  it('buckets what each client owed at the end of the day by days past due, per currency', async () => {
    const report = await aging('as_of=2026-06-30');
    expect(report.as_of).toBe('2026-06-30');
    expect(report.clients).toEqual([
      { client_id: ids.acme, client_name: 'Acme Traders', currency: 'INR', ...buckets('100.00', '500.00', '150.00', '500.00', '500.00', '1750.00', 6), oldest_due_date: '2026-03-31' },
      { client_id: ids.sharma, client_name: 'Sharma Textiles', currency: 'INR', ...buckets('750.00', '80.00', '0.00', '0.00', '0.00', '830.00', 2), oldest_due_date: '2026-06-01' },
      { client_id: expect.any(String), client_name: 'Globex Inc', currency: 'USD', ...buckets('0.00', '250.00', '0.00', '0.00', '0.00', '250.00', 1), oldest_due_date: '2026-06-15' },
    ]);
    // DSO: 2,580.00 owed over 2,080.00 invoiced from 04-02 to 06-30, times 90 days.
    expect(report.currency_totals).toEqual([
      { currency: 'INR', ...buckets('850.00', '580.00', '150.00', '500.00', '500.00', '2580.00', 8), clients: 2, days_sales_outstanding: '111.6' },
      { currency: 'USD', ...buckets('0.00', '250.00', '0.00', '0.00', '0.00', '250.00', 1), clients: 1, days_sales_outstanding: '90.0' },
    ]);
  });

  it('rebuilds any past day: before the credit note, the void, the write-off and the payments', async () => {
    const report = await aging('as_of=2026-05-14');
    expect(report.clients.map((c: { client_name: string }) => c.client_name)).toEqual(['Acme Traders', 'Umbrella Corp']);
    // C and D not yet due; J 4 days late; E 43 and F 44 days late, F still 600.00.
    expect(report.clients[0]).toMatchObject(buckets('700.00', '70.00', '1100.00', '0.00', '0.00', '1870.00', 5));
    expect(report.clients[1]).toMatchObject(buckets('0.00', '90.00', '0.00', '0.00', '0.00', '90.00', 1));
    // Between D's payment and its refund it owed nothing; after H's payment H is gone.
    expect((await aging(`as_of=2026-06-10&client_id=${ids.acme}`)).clients[0]).toMatchObject({ invoices: 5, days_31_60: '0.00' });
    expect((await aging(`as_of=2026-07-05&client_id=${ids.sharma}`)).clients).toEqual([expect.objectContaining({ invoices: 1, total: '750.00' })]);
    // Before anything was issued: nothing owed, and no DSO to speak of.
    expect(await aging('as_of=2026-01-01')).toMatchObject({ currency_totals: [], clients: [] });
  });

  it('defaults to today and keeps to the caller’s organization', async () => {
    expect((await aging('')).as_of).toBe('2026-05-15');
    const theirs = await aging('as_of=2026-06-30', world.adminB);
    expect(theirs.clients).toEqual([expect.objectContaining({ client_name: 'Their Client', days_61_90: '5000.00' })]);
    expect((await aging(`as_of=2026-06-30&client_id=${ids.acme}`, world.adminB)).clients).toEqual([]);
  });

  it('refuses plain users and bad days', async () => {
    expect((await get('/reports/ar-aging', world.userA)).statusCode).toBe(403);
    for (const query of ['as_of=2026-02-30', 'as_of=tomorrow', 'format=pdf']) {
      const response = await get(`/reports/ar-aging?${query}`);
      expect(response.statusCode, query).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('downloads as CSV: a row per client and currency, a TOTAL row per currency', async () => {
    const response = await get('/reports/ar-aging?as_of=2026-06-30&format=csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="ar-aging-2026-06-30.csv"');
    const lines = response.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('client_id,client_name,currency,current,days_1_30,days_31_60,days_61_90,days_over_90,total,invoices,oldest_due_date');
    expect(lines.slice(1).map((l) => l.split(',').slice(1).join(','))).toEqual([
      'Acme Traders,INR,100.00,500.00,150.00,500.00,500.00,1750.00,6,2026-03-31',
      'Sharma Textiles,INR,750.00,80.00,0.00,0.00,0.00,830.00,2,2026-06-01',
      'Globex Inc,USD,0.00,250.00,0.00,0.00,0.00,250.00,1,2026-06-15',
      'TOTAL,INR,850.00,580.00,150.00,500.00,500.00,2580.00,8,',
      'TOTAL,USD,0.00,250.00,0.00,0.00,0.00,250.00,1,',
    ]);
  });

  it('draws one currency’s buckets as an SVG bar chart', async () => {
    const response = await get('/reports/ar-aging/chart?as_of=2026-06-30');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.body).toContain('Receivables in INR at the end of 2026-06-30');
    expect([...response.body.matchAll(/aria-label="([^"]*; series: [^"]*)"/g)].map((m) => m[1])).toEqual([
      'days past due: current; INR: 850; series: owed',
      'days past due: 1-30 days; INR: 580; series: owed',
      'days past due: 31-60 days; INR: 150; series: owed',
      'days past due: 61-90 days; INR: 500; series: owed',
      'days past due: over 90 days; INR: 500; series: owed',
    ]);
    expect((await get('/reports/ar-aging/chart?as_of=2026-06-30&currency=USD')).body).toContain('days past due: 1-30 days; USD: 250; series: owed');
  });
});
