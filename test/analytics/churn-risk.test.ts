import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-11-15T10:00:00Z');
const { get, created, issued } = reportRequests(() => world);
const ids = {} as { steady: string; quiet: string; late: string };
const day = (month: number, date = 10) => `2026-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`;

async function paidOn(client: string, issueDate: string, dueDate: string, paidDate: string) {
  const invoice = await issued(client, issueDate, '100.00', { due_date: dueDate });
  await created('/payments', { client_id: client, amount: '100.00', currency: 'INR', method: 'upi', date: paidDate, allocations: [{ invoice_id: invoice.id, amount: '100.00' }] });
}
const risk = async (query: string, token = world.adminA) => {
  const response = await get(`/analytics/churn-risk?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  expect((await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  const client = async (name: string) => (await created('/clients', { name, currency: 'INR', billing_address: india('KA') })).id;
  ids.steady = await client('Steady Mills');
  ids.quiet = await client('Quiet Traders');
  ids.late = await client('Late Payers');
  // Steady: every month of 2026 until October, each paid on time.
  for (let m = 1; m <= 10; m++) await paidOn(ids.steady, day(m), day(m, 25), day(m, 20));
  // Quiet: every month until June, then nothing (158 days by 2026-11-15).
  for (let m = 1; m <= 6; m++) await paidOn(ids.quiet, day(m), day(m, 25), day(m, 20));
  // Late: monthly from July; July, September and October paid after their due dates, August still owed.
  await paidOn(ids.late, day(7), day(7, 20), day(8, 5));
  await issued(ids.late, day(8), '100.00', { due_date: day(8, 20) });
  await paidOn(ids.late, day(9), day(9, 20), day(10, 5));
  await paidOn(ids.late, day(10), day(10, 20), day(11, 5));
});
afterAll(() => world.app.close());

describe('GET /analytics/churn-risk', () => {
  it('scores each client on its own rhythm and payment behaviour, with the reasons in words', async () => {
    const report = await risk('');
    expect(report.as_of).toBe('2026-11-15');
    expect(report.clients).toEqual([
      {
        client_id: ids.quiet,
        client_name: 'Quiet Traders',
        currency: 'INR',
        risk_score: 70,
        risk_level: 'high',
        reasons: ['no invoice for 158 days, against one every 30 days before', 'invoiced 0.00 INR in the last 90 days, against 100.00 INR in the 90 days before'],
        last_invoice_date: '2026-06-10',
        lifetime_value: '600.00',
      },
      {
        client_id: ids.late,
        client_name: 'Late Payers',
        currency: 'INR',
        risk_score: 30,
        risk_level: 'medium',
        reasons: ['paid 0 of 3 invoices by their due date', 'owes 100.00 INR more than 30 days past due'],
        last_invoice_date: '2026-10-10',
        lifetime_value: '400.00',
      },
    ]);
  });

  it('filters by level and limits the list; plain users may not look', async () => {
    expect((await risk('min_level=high')).clients.map((c: { client_name: string }) => c.client_name)).toEqual(['Quiet Traders']);
    expect((await risk('limit=1')).clients).toHaveLength(1);
    expect((await risk('', world.adminB)).clients).toEqual([]);
    expect((await get('/analytics/churn-risk', world.userA)).statusCode).toBe(403);
    for (const query of ['min_level=extreme', 'limit=0']) expect((await get(`/analytics/churn-risk?${query}`)).statusCode, query).toBe(422);
  });
});
