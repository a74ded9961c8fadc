import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-05-15T10:00:00Z');
const { get, post, created, issued } = reportRequests(() => world);
const ids = {} as { acme: string; sharma: string; globex: string; tokyo: string };

const revenue = async (query: string, token = world.adminA) => {
  const response = await get(`/reports/revenue?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const money = (invoices: number, invoiced: string, credited: string, collected: string, refunded: string, net: string) => ({ invoices, invoiced, credited, collected, refunded, net_collected: net });
const MAY_TO_APRIL = 'from=2026-04-01&to=2026-05-31';

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  expect((await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  await created('/billing/exchange-rates', { currency: 'USD', rate: '83', date: '2026-04-01' });
  await created('/billing/exchange-rates', { currency: 'USD', rate: '84.5', date: '2026-05-20' });
  ids.acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  ids.sharma = (await created('/clients', { name: 'Sharma Textiles', currency: 'INR', billing_address: india('MH') })).id;
  ids.globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
  ids.tokyo = (await created('/clients', { name: 'Tokyo KK', currency: 'JPY', billing_address: { line1: '1 Chome', city: 'Tokyo', state: '13', country: 'JP' } })).id;

  const first = await issued(ids.acme, '2026-04-10', '1000.00');
  await issued(ids.acme, '2026-05-05', '500.00');
  const sharma = await issued(ids.sharma, '2026-05-20', '300.00');
  const dollars = await issued(ids.globex, '2026-04-15', '200.00', { exchange_rate: '83' });
  // Yen: the invoice carries its own rate, but no rate was recorded for JPY.
  await issued(ids.tokyo, '2026-05-10', '1000', { exchange_rate: '0.55' });
  // Never counted: a void invoice, a draft, and anything outside the period.
  const voided = await issued(ids.acme, '2026-04-20', '999.00');
  expect((await post(`/invoices/${voided.id}/void`, { reason: 'Issued twice' })).statusCode).toBe(200);
  await created('/invoices', { client_id: ids.acme, issue_date: '2026-04-21', lines: [{ description: 'Draft', quantity: 1, unit_price: '999.00' }] });
  await issued(ids.acme, '2026-06-01', '777.00');

  const paid = await created('/payments', { client_id: ids.acme, amount: '1000.00', currency: 'INR', method: 'bank_transfer', date: '2026-04-20', allocations: [{ invoice_id: first.id, amount: '1000.00' }] });
  await created('/payments', { client_id: ids.globex, amount: '200.00', currency: 'USD', method: 'bank_transfer', date: '2026-05-25', allocations: [{ invoice_id: dollars.id, amount: '200.00' }] });
  expect((await post(`/payments/${paid.id}/refunds`, { amount: '100.00', reason: 'Returned goods', date: '2026-05-28', allocations: [{ invoice_id: first.id, amount: '100.00' }] })).statusCode).toBe(201);
  // Credit notes today (2026-05-15): on the paid invoice it becomes client credit, which is not money received.
  await created(`/invoices/${first.id}/credit-notes`, { reason: 'order_change', amount: '100.00' });
  await created(`/invoices/${sharma.id}/credit-notes`, { reason: 'order_change', amount: '50.00' });
});
afterAll(() => world.app.close());

describe('GET /reports/revenue', () => {
  it('sums invoiced, credited, collected and refunded per month and currency, each month also in the base currency', async () => {
    const report = await revenue(`${MAY_TO_APRIL}&interval=month`);
    expect(report).toMatchObject({ from: '2026-04-01', to: '2026-05-31', interval: 'month', client_id: null, base_currency: 'INR' });
    expect(report.periods).toEqual([
      {
        start: '2026-04-01',
        end: '2026-04-30',
        currencies: [
          { currency: 'INR', ...money(1, '1000.00', '0.00', '1000.00', '0.00', '1000.00'), rate_to_base: '1', rate_date: null },
          { currency: 'JPY', ...money(0, '0', '0', '0', '0', '0'), rate_to_base: null, rate_date: null },
          { currency: 'USD', ...money(1, '200.00', '0.00', '0.00', '0.00', '0.00'), rate_to_base: '83', rate_date: '2026-04-01' },
        ],
        // 1,000.00 + 200.00 × 83; no yen moved in April, so nothing is missing.
        base: { currency: 'INR', invoiced: '17600.00', credited: '0.00', collected: '1000.00', refunded: '0.00', net_collected: '1000.00', complete: true },
      },
      {
        start: '2026-05-01',
        end: '2026-05-31',
        currencies: [
          { currency: 'INR', ...money(2, '800.00', '150.00', '0.00', '100.00', '-100.00'), rate_to_base: '1', rate_date: null },
          { currency: 'JPY', ...money(1, '1000', '0', '0', '0', '0'), rate_to_base: null, rate_date: null },
          { currency: 'USD', ...money(0, '0.00', '0.00', '200.00', '0.00', '200.00'), rate_to_base: '84.5', rate_date: '2026-05-20' },
        ],
        // The yen have no recorded rate: left out of the base sums, which say so.
        base: { currency: 'INR', invoiced: '800.00', credited: '150.00', collected: '16900.00', refunded: '100.00', net_collected: '16800.00', complete: false },
      },
    ]);
    expect(report.totals).toEqual([
      { currency: 'INR', ...money(3, '1800.00', '150.00', '1000.00', '100.00', '900.00') },
      { currency: 'JPY', ...money(1, '1000', '0', '0', '0', '0') },
      { currency: 'USD', ...money(1, '200.00', '0.00', '200.00', '0.00', '200.00') },
    ]);
    expect(report.base_totals).toEqual({ currency: 'INR', invoiced: '18400.00', credited: '150.00', collected: '17900.00', refunded: '100.00', net_collected: '17800.00', complete: false });
    expect(report.clients).toEqual([
      { client_id: ids.acme, client_name: 'Acme Traders', currency: 'INR', ...money(2, '1500.00', '100.00', '1000.00', '100.00', '900.00') },
      { client_id: ids.sharma, client_name: 'Sharma Textiles', currency: 'INR', ...money(1, '300.00', '50.00', '0.00', '0.00', '0.00') },
      { client_id: ids.tokyo, client_name: 'Tokyo KK', currency: 'JPY', ...money(1, '1000', '0', '0', '0', '0') },
      { client_id: ids.globex, client_name: 'Globex Inc', currency: 'USD', ...money(1, '200.00', '0.00', '200.00', '0.00', '200.00') },
    ]);
  });

  it('cuts weeks on Mondays and clips the first and last interval to the period', async () => {
    const weeks = (await revenue('from=2026-04-01&to=2026-04-21&interval=week')).periods.map((p: { start: string; end: string }) => [p.start, p.end]);
    expect(weeks).toEqual([
      ['2026-04-01', '2026-04-05'],
      ['2026-04-06', '2026-04-12'],
      ['2026-04-13', '2026-04-19'],
      ['2026-04-20', '2026-04-21'],
    ]);
    const quarter = await revenue(`${MAY_TO_APRIL}&interval=quarter`);
    expect(quarter.periods.map((p: { start: string; end: string }) => [p.start, p.end])).toEqual([['2026-04-01', '2026-05-31']]);
    expect(quarter.periods[0].currencies[0]).toMatchObject({ currency: 'INR', invoiced: '1800.00', net_collected: '900.00' });
    const days = await revenue('from=2026-04-10&to=2026-04-10&interval=day');
    expect(days.periods).toEqual([expect.objectContaining({ start: '2026-04-10', end: '2026-04-10' })]);
    expect(days.totals).toEqual([{ currency: 'INR', ...money(1, '1000.00', '0.00', '0.00', '0.00', '0.00') }]);
  });

  it('narrows to one client and keeps to the caller’s organization', async () => {
    const acme = await revenue(`${MAY_TO_APRIL}&client_id=${ids.acme}`);
    expect(acme.totals).toEqual([{ currency: 'INR', ...money(2, '1500.00', '100.00', '1000.00', '100.00', '900.00') }]);
    const theirs = await revenue(MAY_TO_APRIL, world.adminB);
    expect(theirs).toMatchObject({ base_currency: null, totals: [], clients: [], base_totals: null });
    expect(theirs.periods).toHaveLength(2);
  });

  it('refuses plain users, a backwards period and more than 1,000 intervals', async () => {
    expect((await get(`/reports/revenue?${MAY_TO_APRIL}`, world.userA)).statusCode).toBe(403);
    const backwards = await get('/reports/revenue?from=2026-05-31&to=2026-04-01');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json().errors).toEqual([{ field: 'to', message: expect.any(String) }]);
    const tooMany = await get('/reports/revenue?from=2020-01-01&to=2026-12-31&interval=day');
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json().errors).toEqual([{ field: 'interval', message: expect.stringContaining('1000 periods') }]);
    expect((await get(`/reports/revenue?${MAY_TO_APRIL}&interval=year`)).statusCode).toBe(422);
  });

  it('downloads as CSV, a row per interval and currency and a TOTAL row per currency', async () => {
    const response = await get(`/reports/revenue?${MAY_TO_APRIL}&format=csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="revenue-2026-04-01-2026-05-31-month.csv"');
    const lines = response.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('period_start,period_end,currency,invoices,invoiced,credited,collected,refunded,net_collected,rate_to_base,rate_date');
    expect(lines).toContain('2026-05-01,2026-05-31,USD,0,0.00,0.00,200.00,0.00,200.00,84.5,2026-05-20');
    expect(lines).toContain('2026-05-01,2026-05-31,INR,2,800.00,150.00,0.00,100.00,-100.00,1,');
    expect(lines.at(-3)).toBe('TOTAL,,INR,3,1800.00,150.00,1000.00,100.00,900.00,,');
    expect(lines).toHaveLength(1 + 6 + 3);
  });

  it('draws the trend as an SVG bar chart, in the base currency (converted) or in one currency', async () => {
    const labels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*; series: [^"]*)"/g)].map((m) => m[1]);
    const base = await get(`/reports/revenue/chart?${MAY_TO_APRIL}`);
    expect(base.statusCode, base.body).toBe(200);
    expect(base.headers['content-type']).toBe('image/svg+xml');
    expect(base.body.startsWith('<svg')).toBe(true);
    expect(base.body).toContain('Revenue in INR, all currencies converted, 2026-04-01 to 2026-05-31');
    expect(labels(base.body)).toEqual([
      'month: 2026-04-01; INR: 17600; series: invoiced',
      'month: 2026-04-01; INR: 1000; series: collected',
      'month: 2026-05-01; INR: 650; series: invoiced',
      'month: 2026-05-01; INR: 16800; series: collected',
    ]);
    const dollars = await get(`/reports/revenue/chart?${MAY_TO_APRIL}&currency=usd`);
    expect(labels(dollars.body)).toEqual([
      'month: 2026-04-01; USD: 200; series: invoiced',
      'month: 2026-04-01; USD: 0; series: collected',
      'month: 2026-05-01; USD: 0; series: invoiced',
      'month: 2026-05-01; USD: 200; series: collected',
    ]);
    // Without a billing profile there is no base currency to draw in.
    const none = await get(`/reports/revenue/chart?${MAY_TO_APRIL}`, world.adminB);
    expect(none.statusCode).toBe(422);
    expect(none.json().errors).toEqual([{ field: 'currency', message: expect.any(String) }]);
    expect((await get(`/reports/revenue/chart?${MAY_TO_APRIL}`, world.userA)).statusCode).toBe(403);
  });
});
