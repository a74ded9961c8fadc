import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-11-15T10:00:00Z');
const { get, created, issued } = reportRequests(() => world);

/** Month i (0 = 2024-05) of a yearly pattern over a rising trend. */
const pattern = (i: number) => Math.round((1000 + 20 * i + 300 * Math.sin((2 * Math.PI * i) / 12)) * 100) / 100;
const monthNumber = (i: number) => {
  const d = new Date(Date.UTC(2024, 4 + i, 10));
  return d.toISOString().slice(0, 10);
};
const forecast = (query: string, token = world.adminA) => get(`/analytics/forecast/revenue?${query}`, token);

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  for (const token of [world.adminA, world.adminB]) {
    expect((await call(world.app, token, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  }
  const acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  const globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
  // 30 months of rupees (2024-05 to 2026-10), and 10 months of dollars (2026-01 to 2026-10).
  for (let i = 0; i < 30; i++) await issued(acme, monthNumber(i), pattern(i).toFixed(2));
  for (let i = 20; i < 30; i++) await issued(globex, monthNumber(i), '500.00', { exchange_rate: '83' });
  // This month is not over: it is left out of the history.
  await issued(acme, '2026-11-02', '99999.00');
  const theirs = (await created('/clients', { name: 'Their Client', currency: 'INR', billing_address: india('KA') }, world.adminB)).id;
  for (let i = 26; i < 30; i++) await issued(theirs, monthNumber(i), '100.00', {}, world.adminB);
});
afterAll(() => world.app.close());

describe('GET /analytics/forecast/revenue', () => {
  it('forecasts a seasonal series with MSTL, with prediction intervals and a backtest', async () => {
    const response = await forecast('currency=INR&months=3');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ currency: 'INR', level: 0.95, method: expect.stringContaining('MSTL') });
    expect(body.history).toHaveLength(30);
    expect(body.history[0]).toEqual({ month: '2024-05', revenue: pattern(0).toFixed(2) });
    expect(body.history.at(-1)).toEqual({ month: '2026-10', revenue: pattern(29).toFixed(2) });
    expect(body.forecast.map((f: { month: string }) => f.month)).toEqual(['2026-11', '2026-12', '2027-01']);
    body.forecast.forEach((f: { revenue: string; lower: string; upper: string }, i: number) => {
      expect(Number(f.lower)).toBeLessThanOrEqual(Number(f.revenue));
      expect(Number(f.upper)).toBeGreaterThanOrEqual(Number(f.revenue));
      // The pattern continued: within 10% of it.
      expect(Math.abs(Number(f.revenue) - pattern(30 + i)) / pattern(30 + i)).toBeLessThan(0.1);
    });
    expect(body.backtest).toMatchObject({ months: 3, mean_absolute_error: expect.any(String) });
    expect(Number(body.backtest.mean_absolute_percentage_error)).toBeLessThan(10);
  });

  it('falls back to ETS without a season on a short history, and wider intervals at a higher level', async () => {
    const dollars = (await forecast('currency=USD&months=2&level=0.8')).json();
    expect(dollars).toMatchObject({ currency: 'USD', level: 0.8, method: expect.stringContaining('no season') });
    expect(dollars.history).toHaveLength(10);
    expect(dollars.forecast).toHaveLength(2);
    expect(Number(dollars.forecast[0].revenue)).toBeCloseTo(500, 0);
    expect(dollars.backtest).toMatchObject({ months: 2, mean_absolute_percentage_error: '0.0' });
  });

  it('refuses a history too short to say anything, and bad parameters', async () => {
    const short = await forecast('', world.adminB);
    expect(short.statusCode).toBe(422);
    expect(short.json().errors).toEqual([{ field: 'currency', message: 'has 4 months of revenue up to 2026-10; a forecast needs at least 7' }]);
    for (const query of ['months=0', 'months=13', 'level=1', 'currency=rupees']) expect((await forecast(query)).statusCode, query).toBe(422);
    expect((await forecast('', world.userA)).statusCode).toBe(403);
  });
});
