import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';

let world: BillingWorld;
const clock = new Date('2026-05-15T10:00:00Z');
const { get, post, created, issued } = reportRequests(() => world);
const categories = {} as { hardware: string; consulting: string; rent: string; retired: string; otherOrg: string };
let client: string;

const line = (description: string, unit_price: string, category_id?: string) => ({ description, quantity: 2, unit_price, ...(category_id ? { category_id } : {}) });

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  expect((await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: india('KA'), base_currency: 'INR' })).statusCode).toBe(200);
  const category = async (name: string, code: string, category_type: string, token = world.adminA) => (await created('/master-data/categories', { name, code, category_type }, token)).id as string;
  categories.hardware = await category('Hardware', 'HW', 'product');
  categories.consulting = await category('Consulting', 'CONS', 'service');
  categories.rent = await category('Rent', 'RENT', 'expense');
  categories.retired = await category('Old line', 'OLD', 'product');
  expect((await call(world.app, world.adminA, 'PATCH', `/api/v1/master-data/categories/${categories.retired}`, { is_active: false })).statusCode).toBe(200);
  categories.otherOrg = await category('Theirs', 'THEIRS', 'product', world.adminB);
  client = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;

  await issued(client, '2026-04-10', [line('Laptop', '1000.00', categories.hardware), line('Setup', '150.00', categories.consulting), line('Cable', '5.50')]);
  await issued(client, '2026-05-02', [line('Advice', '200.00', categories.consulting)]);
  // Not counted: a void invoice, a draft, and an invoice outside the period.
  const voided = await issued(client, '2026-04-20', [line('Laptop', '999.00', categories.hardware)]);
  expect((await post(`/invoices/${voided.id}/void`, { reason: 'Issued twice' })).statusCode).toBe(200);
  await created('/invoices', { client_id: client, issue_date: '2026-04-21', lines: [line('Draft', '999.00', categories.hardware)] });
  await issued(client, '2026-06-01', [line('Laptop', '1000.00', categories.hardware)]);
});
afterAll(() => world.app.close());

describe('revenue by category', () => {
  it('sums the lines of issued invoices per category and currency, uncategorized lines apart, adding up to the invoiced total', async () => {
    const response = await get('/reports/revenue?from=2026-04-01&to=2026-05-31&interval=month');
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.categories).toEqual([
      { currency: 'INR', category_id: categories.hardware, category_name: 'Hardware', lines: 1, taxable_value: '2000.00', invoiced: '2000.00' },
      { currency: 'INR', category_id: categories.consulting, category_name: 'Consulting', lines: 2, taxable_value: '700.00', invoiced: '700.00' },
      { currency: 'INR', category_id: null, category_name: null, lines: 1, taxable_value: '11.00', invoiced: '11.00' },
    ]);
    expect(report.totals).toEqual([expect.objectContaining({ currency: 'INR', invoiced: '2711.00' })]);
    const may = (await get('/reports/revenue?from=2026-05-01&to=2026-05-31&interval=month')).json();
    expect(may.categories).toEqual([{ currency: 'INR', category_id: categories.consulting, category_name: 'Consulting', lines: 1, taxable_value: '400.00', invoiced: '400.00' }]);
  });

  it('shows the category on the invoice line, and refuses expense, inactive, unknown and other organizations’ categories', async () => {
    const draft = await created('/invoices', { client_id: client, issue_date: '2026-05-10', lines: [line('Laptop', '10.00', categories.hardware)] });
    expect(draft.lines[0].category_id).toBe(categories.hardware);
    const count = async () => (await get('/invoices?include_total=true')).json().total;
    const before = await count();
    const refused = await post('/invoices', {
      client_id: client,
      issue_date: '2026-05-10',
      lines: [line('a', '1.00', categories.rent), line('b', '1.00', categories.retired), line('c', '1.00', 'cat_01jd6v0v3kf8r9q7w2e5t4y6u8'), line('d', '1.00', categories.otherOrg)],
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      { field: 'lines[0].category_id', message: 'is an expense category, not one of products, services or general' },
      { field: 'lines[1].category_id', message: 'is inactive' },
      { field: 'lines[2].category_id', message: 'no such category in this organization' },
      { field: 'lines[3].category_id', message: 'no such category in this organization' },
    ]);
    expect(await count()).toBe(before);
  });

  it('keeps a category that invoice lines name from being deleted', async () => {
    const removal = await call(world.app, world.adminA, 'DELETE', `/api/v1/master-data/categories/${categories.consulting}`);
    expect(removal.json()).toMatchObject({ status: 409, code: 'CATEGORY_IN_USE', used_by: 'invoices' });
    const unused = await created('/master-data/categories', { name: 'Unused', code: 'UNUSED', category_type: 'general' });
    expect((await call(world.app, world.adminA, 'DELETE', `/api/v1/master-data/categories/${unused.id}`)).statusCode).toBe(204);
  });
});
