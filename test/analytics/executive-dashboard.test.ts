import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { ROOT } from '../support/identity';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-05-15T10:00:00Z');
const { get, created, issued } = reportRequests(() => world);
let acme: string;

const dashboard = async (query: string, token = world.adminA) => {
  const response = await get(`/analytics/executive-dashboard?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock, env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' } });
  expect((await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  await created('/billing/exchange-rates', { currency: 'USD', rate: '80', date: '2026-05-01' });
  acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  const globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
  const first = await issued(acme, '2026-05-10', '1000.00');
  await issued(globex, '2026-05-11', '100.00', { exchange_rate: '80' });
  const second = await issued(acme, '2026-05-12', '500.00');
  await created('/payments', { client_id: acme, amount: '1000.00', currency: 'INR', method: 'upi', date: '2026-05-12', allocations: [{ invoice_id: first.id, amount: '1000.00' }] });
  await created(`/invoices/${second.id}/credit-notes`, { reason: 'order_change', amount: '50.00' });
});
afterAll(() => world.app.close());

describe('GET /analytics/executive-dashboard', () => {
  it('computes revenue, cash flow, receivables and daily trends in the base currency from the records', async () => {
    const board = await dashboard('from=2026-05-10&to=2026-05-15');
    expect(board.period).toEqual({ from: '2026-05-10', to: '2026-05-15' });
    // 1,000.00 + 100.00 USD × 80 + 500.00 − 50.00 credited; 450.00 + 100.00 USD × 80 still owed.
    expect(board.financial_metrics).toEqual({
      currency: 'INR',
      total_revenue: '9450.00',
      total_expenses: null,
      net_profit: null,
      profit_margin_percent: null,
      cash_flow: '1000.00',
      accounts_receivable: '8450.00',
      complete: true,
    });
    expect(board.performance_trends.daily_trends).toEqual([
      { date: '2026-05-10', revenue: '1000.00', orders: 1, collected: '0.00' },
      { date: '2026-05-11', revenue: '8000.00', orders: 1, collected: '0.00' },
      { date: '2026-05-12', revenue: '500.00', orders: 1, collected: '1000.00' },
      { date: '2026-05-13', revenue: '0.00', orders: 0, collected: '0.00' },
      { date: '2026-05-14', revenue: '0.00', orders: 0, collected: '0.00' },
      { date: '2026-05-15', revenue: '-50.00', orders: 0, collected: '0.00' },
    ]);
  });

  it('counts the organization’s users, live integrations and recorded events', async () => {
    const db = world.app.kernel.database;
    const [org] = await db.query<{ organization_id: string }>('SELECT organization_id FROM users WHERE email = $1', [ROOT.email]);
    const [users] = await db.query<{ total: number; active: number }>('SELECT count(*)::int AS total, (count(*) FILTER (WHERE is_active))::int AS active FROM users WHERE organization_id = $1', [org!.organization_id]);
    // Events carry the database's own time, so count them over today's real date.
    const today = new Date().toISOString().slice(0, 10);
    const before = (await dashboard(`from=${today}&to=${today}`)).organization_summary;
    expect(before).toEqual({ total_users: users!.total, active_users: users!.active, total_companies: null, active_integrations: 0, data_volume_processed: expect.any(Number) });
    expect(before.data_volume_processed).toBeGreaterThan(0);

    const hook = await created('/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['client.*'] });
    await created('/clients', { name: 'One More', currency: 'INR', billing_address: india('KA') });
    const after = (await dashboard(`from=${today}&to=${today}`)).organization_summary;
    expect(after.active_integrations).toBe(1);
    // The new client's client.created; configuring a webhook is audited but is no event.
    expect(after.data_volume_processed).toBe(before.data_volume_processed + 1);
    expect((await call(world.app, world.adminA, 'PATCH', `/api/v1/webhooks/${hook.id}`, { enabled: false })).statusCode).toBe(200);
    expect((await dashboard(`from=${today}&to=${today}`)).organization_summary.active_integrations).toBe(0);
  });

  it('defaults to the 30 days ending today and says null where there is no base currency', async () => {
    const board = await dashboard('');
    expect(board.period).toEqual({ from: '2026-04-16', to: '2026-05-15' });
    expect(board.performance_trends.daily_trends).toHaveLength(30);
    const theirs = await dashboard('', world.adminB);
    expect(theirs.financial_metrics).toMatchObject({ currency: null, total_revenue: null, cash_flow: null, accounts_receivable: null });
    expect(theirs.performance_trends.daily_trends[0]).toEqual({ date: '2026-04-16', revenue: null, orders: 0, collected: null });
  });

  it('refuses plain users, a backwards period and more than 366 days', async () => {
    expect((await get('/analytics/executive-dashboard', world.userA)).statusCode).toBe(403);
    const backwards = await get('/analytics/executive-dashboard?from=2026-05-15&to=2026-05-01');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors).toEqual([{ field: 'to', message: expect.any(String) }]);
    const long = await get('/analytics/executive-dashboard?from=2025-01-01&to=2026-05-15');
    expect(long.statusCode).toBe(422);
    expect(long.json().errors).toEqual([{ field: 'from', message: 'must be at most 366 days before to' }]);
  });
});
