import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodDate } from '../../src/modules/billing/dates';
import { recurringInvoicesOf } from '../../src/modules/billing/recurring/index';
import { call, createBillingWorld, requestsOn, type BillingWorld } from './harness';

let world: BillingWorld;
let usd: string;
let inr: string;
let mailed: string;

const { get, post } = requestsOn(() => world, 'managerA');
const patch = (url: string, body: object, token = world.managerA) => call(world.app, token, 'PATCH', `/api/v1${url}`, body);
const run = (day: string) => recurringInvoicesOf(world.app.kernel)!.runDue(day);

async function created(url: string, body: object, token = world.adminA) {
  const response = await post(url, body, token);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

const template = (extra: object = {}) => ({ lines: [{ description: 'Hosting', quantity: 1, unit_price: '100.00' }], ...extra });
const schedule = (body: object) => created('/recurring-invoices', { template: template(), interval: 'monthly', ...body }, world.managerA);

async function invoicesOf(clientId: string) {
  const response = await get(`/invoices?client_id=${clientId}&limit=100&sort=issue_date`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as { id: string; issue_date: string; status: string; exchange_rate: string | null; number: string | null; sent_at: string | null }[];
}

async function client(name: string, currency: string, email?: string) {
  return (await created('/clients', { name, currency, ...(email ? { email } : {}), billing_address: { line1: '1 Main St', city: 'Austin', state: 'TX', country: 'US' } })).id as string;
}

beforeAll(async () => {
  world = await createBillingWorld();
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: { line1: '1 Main St', city: 'Austin', state: 'TX', country: 'US' }, base_currency: 'INR' });
  expect(settings.statusCode, settings.body).toBe(200);
  usd = await client('Globex Inc', 'USD');
  inr = await client('Acme Traders', 'INR');
  mailed = await client('Mailed Ltd', 'INR', 'ap@mailed.example');
});
afterAll(() => world.app.close());

describe('period dates', () => {
  it('keeps month ends: Jan 31 → Feb 28/29 → Mar 31 → Apr 30; yearly Feb 29 → Feb 28; weekly adds 7 days', () => {
    expect([0, 1, 2, 3].map((n) => periodDate('2024-01-31', 'monthly', 1, n))).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']);
    expect(periodDate('2025-01-31', 'monthly', 1, 1)).toBe('2025-02-28');
    expect(periodDate('2025-11-30', 'monthly', 2, 1)).toBe('2026-01-30');
    expect([0, 1, 4].map((n) => periodDate('2024-02-29', 'yearly', 1, n))).toEqual(['2024-02-29', '2025-02-28', '2028-02-29']);
    expect(periodDate('2025-12-29', 'weekly', 2, 1)).toBe('2026-01-12');
  });
});

describe('exchange rates', () => {
  it('records one rate per currency and date (409 on a duplicate), lists them with filters, for billing_settings permissions', async () => {
    const rate = await created('/billing/exchange-rates', { currency: 'eur', rate: '90.5', date: '2026-01-01' });
    expect(rate).toMatchObject({ currency: 'EUR', base_currency: 'INR', rate: '90.5', date: '2026-01-01' });
    await created('/billing/exchange-rates', { currency: 'EUR', rate: 91, date: '2026-02-01' });
    const duplicate = await post('/billing/exchange-rates', { currency: 'EUR', rate: '92', date: '2026-02-01' }, world.adminA);
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('EXCHANGE_RATE_EXISTS');
    expect((await post('/billing/exchange-rates', { currency: 'INR', rate: '1', date: '2026-02-01' }, world.adminA)).statusCode).toBe(422);
    expect((await post('/billing/exchange-rates', { currency: 'EUR', rate: '0', date: '2026-03-01' }, world.adminA)).statusCode).toBe(422);
    expect((await post('/billing/exchange-rates', { currency: 'EUR', rate: '1', date: '2026-03-01' })).statusCode).toBe(403);

    const list = await get('/billing/exchange-rates?currency=EUR&date_after=2026-01-15');
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((r: { rate: string }) => r.rate)).toEqual(['91']);
    expect((await get('/billing/exchange-rates', world.userA)).statusCode).toBe(403);
    expect((await get('/billing/exchange-rates', world.adminB)).json().items).toEqual([]);
  });

  it('finalizing without exchange_rate takes the latest rate on or before the issue date, and 422s when there is none', async () => {
    const eur = await client('Euro GmbH', 'EUR');
    const draft = await created('/invoices', { client_id: eur, issue_date: '2026-01-20', lines: template().lines });
    const finalized = await post(`/invoices/${draft.id}/finalize`, {});
    expect(finalized.statusCode, finalized.body).toBe(200);
    expect(finalized.json().exchange_rate).toBe('90.5');
    const early = await created('/invoices', { client_id: eur, issue_date: '2025-12-31', lines: template().lines });
    const refused = await post(`/invoices/${early.id}/finalize`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].field).toBe('exchange_rate');
  });
});

describe('recurring invoices', () => {
  it('creates each due period’s invoice once, even when the job runs twice or twice at once', async () => {
    const s = await schedule({ client_id: inr, start_date: '2026-01-10', count: 3 });
    expect(s).toMatchObject({ status: 'active', next_run_date: '2026-01-10', invoices_generated: 0, interval_count: 1 });
    expect(await run('2026-02-10')).toMatchObject({ created: 2 });
    expect((await run('2026-02-10')).created).toBe(0);
    await Promise.all([run('2026-02-10'), run('2026-02-10')]);
    const invoices = await invoicesOf(inr);
    expect(invoices.map((i) => i.issue_date)).toEqual(['2026-01-10', '2026-02-10']);
    expect(invoices.every((i) => i.status === 'draft')).toBe(true);
    const after = (await get(`/recurring-invoices/${s.id}`)).json();
    expect(after).toMatchObject({ status: 'active', next_run_date: '2026-03-10', invoices_generated: 2 });
    const rows = await world.app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM recurring_invoice_runs WHERE schedule_id = $1', [s.id]);
    expect(Number(rows[0]!.n)).toBe(2);
  });

  it('runs monthly from Jan 31 through the month ends and stops after count', async () => {
    const c = await client('Month End Ltd', 'INR');
    const s = await schedule({ client_id: c, start_date: '2024-01-31', count: 4 });
    await run('2024-12-31');
    expect((await invoicesOf(c)).map((i) => i.issue_date)).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30']);
    expect((await get(`/recurring-invoices/${s.id}`)).json()).toMatchObject({ status: 'completed', next_run_date: null, invoices_generated: 4 });
  });

  it('stops after end_date (weekly, every week)', async () => {
    const c = await client('Weekly Ltd', 'INR');
    const s = await schedule({ client_id: c, interval: 'weekly', start_date: '2026-01-05', end_date: '2026-01-20' });
    await run('2026-03-01');
    expect((await invoicesOf(c)).map((i) => i.issue_date)).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
    expect((await get(`/recurring-invoices/${s.id}`)).json()).toMatchObject({ status: 'completed', next_run_date: null });
  });

  it('auto-finalizes each period with the rate recorded for it', async () => {
    await created('/billing/exchange-rates', { currency: 'USD', rate: '83.10', date: '2026-01-01' });
    await created('/billing/exchange-rates', { currency: 'USD', rate: '84.25', date: '2026-02-01' });
    await schedule({ client_id: usd, start_date: '2026-01-15', count: 2, auto_finalize: true });
    expect(await run('2026-03-01')).toMatchObject({ created: 2, finalized: 2, failed: 0 });
    const invoices = await invoicesOf(usd);
    expect(invoices.map((i) => [i.issue_date, i.status, i.exchange_rate])).toEqual([
      ['2026-01-15', 'open', '83.1'],
      ['2026-02-15', 'open', '84.25'],
    ]);
    expect(invoices.every((i) => i.number !== null)).toBe(true);
  });

  it('leaves a draft and notes the error when finalizing fails, and a failed sending does not stop other schedules', async () => {
    const gbp = await client('London Ltd', 'GBP');
    const noRate = await schedule({ client_id: gbp, start_date: '2026-01-01', count: 1, auto_finalize: true });
    const noEmail = await schedule({ client_id: inr, start_date: '2027-01-01', count: 1, auto_finalize: true, auto_send: true });
    const ok = await schedule({ client_id: mailed, start_date: '2027-01-01', count: 1, auto_finalize: true, auto_send: true });
    const result = await run('2027-01-01');
    expect(result).toMatchObject({ finalized: 2, sent: 1, failed: 2 }); // created also counts the first test's third period
    expect((await invoicesOf(gbp))[0]!.status).toBe('draft');
    expect((await get(`/recurring-invoices/${noRate.id}`)).json().last_error).toMatch(/^VALIDATION_ERROR: exchange_rate/);
    expect((await get(`/recurring-invoices/${noEmail.id}`)).json().last_error).toMatch(/^INVOICE_NO_RECIPIENT/);
    expect((await get(`/recurring-invoices/${ok.id}`)).json().last_error).toBeNull();
    const sent = await invoicesOf(mailed);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.sent_at).not.toBeNull();
  });

  it('a paused schedule creates nothing; resuming skips the periods that passed while paused', async () => {
    const c = await client('Paused Ltd', 'INR');
    const s = await schedule({ client_id: c, start_date: '2026-01-01', status: 'paused' });
    expect(s).toMatchObject({ status: 'paused', next_run_date: '2026-01-01' });
    expect((await run('2026-06-01')).created).toBe(0);
    expect(await invoicesOf(c)).toEqual([]);
    const resumed = await patch(`/recurring-invoices/${s.id}`, { status: 'active' });
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json().next_run_date >= new Date().toISOString().slice(0, 10)).toBe(true);
  });

  it('validates, edits, refuses replanning after the first invoice, deletes, emits events', async () => {
    const bad = await post('/recurring-invoices', { client_id: 'cli_nope', template: template(), interval: 'monthly', start_date: '2026-01-01', end_date: '2025-01-01', auto_send: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['auto_send', 'client_id', 'end_date']);
    const c = await client('Edit Ltd', 'INR');
    const s = await schedule({ client_id: c, start_date: '2026-01-01' });
    const edited = await patch(`/recurring-invoices/${s.id}`, { template: template({ notes: 'Thanks' }), interval_count: 3 });
    expect(edited.json()).toMatchObject({ interval_count: 3, version: 2, template: { notes: 'Thanks' } });
    await run('2026-04-01');
    const notesOf = async (id: string) => (await get(`/invoices/${id}`)).json().notes as string;
    expect(await Promise.all((await invoicesOf(c)).map(async (i) => [i.issue_date, await notesOf(i.id)]))).toEqual([
      ['2026-01-01', 'Thanks'],
      ['2026-04-01', 'Thanks'],
    ]);
    const replan = await patch(`/recurring-invoices/${s.id}`, { interval: 'weekly' });
    expect(replan.statusCode).toBe(409);
    expect(replan.json().code).toBe('INVALID_STATE_TRANSITION');
    expect((await call(world.app, world.managerA, 'DELETE', `/api/v1/recurring-invoices/${s.id}`)).statusCode).toBe(204);
    expect((await get(`/recurring-invoices/${s.id}`)).statusCode).toBe(404);
    expect(await invoicesOf(c)).toHaveLength(2);
    const events = await world.app.kernel.database.query<{ type: string }>("SELECT type FROM outbox_events WHERE data->>'id' = $1 ORDER BY type", [s.id]);
    expect(events.map((e) => e.type)).toEqual(['recurring_invoice.created', 'recurring_invoice.deleted', 'recurring_invoice.updated']);
  });

  it('permissions: users and auditors read, managers and admins write; other organizations see nothing', async () => {
    const s = await schedule({ client_id: inr, start_date: '2030-01-01' });
    expect((await get(`/recurring-invoices/${s.id}`, world.userA)).statusCode).toBe(200);
    expect((await get('/recurring-invoices?status=active', world.userA)).json().items.length).toBeGreaterThan(0);
    expect((await post('/recurring-invoices', { client_id: inr, template: template(), interval: 'monthly', start_date: '2030-01-01' }, world.userA)).statusCode).toBe(403);
    expect((await patch(`/recurring-invoices/${s.id}`, { status: 'paused' }, world.userA)).statusCode).toBe(403);
    expect((await get(`/recurring-invoices/${s.id}`, world.adminB)).statusCode).toBe(404);
    expect((await patch(`/recurring-invoices/${s.id}`, { status: 'paused' }, world.adminB)).statusCode).toBe(404);
    expect((await get('/recurring-invoices', world.adminB)).json().items).toEqual([]);
    expect((await patch(`/recurring-invoices/${s.id}`, { status: 'paused' }, world.adminA)).json().status).toBe('paused');
  });
});
