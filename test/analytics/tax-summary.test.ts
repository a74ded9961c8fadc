import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsModule } from '../../src/modules/analytics/index';
import { call, createBillingWorld, india, type BillingWorld } from '../billing/harness';
import { reportRequests } from './harness';
import { login, ROOT } from '../support/identity';

let world: BillingWorld;
let clock = new Date('2026-05-15T10:00:00Z');
const { get, post, created, issued: issuedOn } = reportRequests(() => world);
let acme: string;
let sharma: string;

const issued = (client: string, issueDate: string, lines: object[], token = world.adminA, extra: object = {}) => issuedOn(client, issueDate, lines, extra, token);
const report = (query: string, token = world.adminA) => get(`/reports/tax-summary?${query}`, token);
const Q2 = 'from=2026-04-01&to=2026-06-30';

beforeAll(async () => {
  world = await createBillingWorld({ modules: [analyticsModule], now: () => clock });
  for (const token of [world.adminA, world.adminB]) {
    const settings = await call(world.app, token, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co Pvt Ltd', address: india('KA'), base_currency: 'INR' });
    expect(settings.statusCode, settings.body).toBe(200);
  }
  const gst18 = (await created('/master-data/tax-codes', { name: 'GST 18%', code: 'GST18', tax_type: 'GST', rate: 18, effective_from: '2020-01-01' })).id;
  acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  sharma = (await created('/clients', { name: 'Sharma Textiles', currency: 'INR', billing_address: india('MH') })).id;
  const globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
  const taxed = (quantity: number, price: string) => [{ description: 'Routers', quantity, unit_price: price, tax_code_id: gst18, hsn_sac_code: '8517' }];

  // In the period, on its first and last day: intra-state (CGST + SGST) and inter-state (IGST).
  const first = await issued(acme, '2026-04-01', taxed(1, '1000.00'));
  expect(first).toMatchObject({ total: '1180.00', tax_total: '180.00' });
  await issued(sharma, '2026-06-30', taxed(2, '500.00'));
  // In USD, without tax: its own currency group, never added to rupees.
  await issued(globex, '2026-05-10', [{ description: 'Consulting', quantity: 1, unit_price: '250.00' }], world.adminA, { exchange_rate: '83.25' });
  // Left out: the days either side, a draft, a void invoice, another organization's invoice.
  await issued(acme, '2026-03-31', taxed(1, '100.00'));
  await issued(acme, '2026-07-01', taxed(1, '100.00'));
  await created('/invoices', { client_id: acme, issue_date: '2026-05-01', lines: taxed(1, '100.00') });
  const voided = await issued(acme, '2026-05-02', taxed(1, '100.00'));
  expect((await post(`/invoices/${voided.id}/void`, { reason: 'Issued twice' })).statusCode).toBe(200);
  const theirClient = (await created('/clients', { name: 'Their Client', currency: 'INR', billing_address: india('KA') }, world.adminB)).id;
  await issued(theirClient, '2026-05-05', [{ description: 'Other', quantity: 1, unit_price: '999.00' }], world.adminB);

  // A credit note issued today (2026-05-15, in the period) for a tenth of the first invoice; one
  // issued after the period (2026-07-02) counts in July, not here.
  const note = await created(`/invoices/${first.id}/credit-notes`, { reason: 'order_change', lines: [{ invoice_line_id: first.lines[0].id, quantity: '0.1' }] });
  expect(note).toMatchObject({ total: '118.00', tax_total: '18.00' });
  clock = new Date('2026-07-02T10:00:00Z');
  const july = (await login(world.app, ROOT.email, ROOT.password)).access_token;
  await created(`/invoices/${first.id}/credit-notes`, { reason: 'order_change', lines: [{ invoice_line_id: first.lines[0].id, quantity: '0.1' }] }, july);
  clock = new Date('2026-05-15T10:00:00Z');
});
afterAll(() => world.app.close());

describe('GET /reports/tax-summary', () => {
  it('sums a period’s issued invoices less its credit notes, per currency and per tax component', async () => {
    const response = await report(Q2);
    expect(response.statusCode, response.body).toBe(200);
    const line = (component: string, supplyType: string, rate: string, invoiced: [number, string, string], credited: [number, string, string], net: [string, string]) => ({
      tax_code_id: expect.any(String),
      tax_code: 'GST18',
      component,
      rate,
      supply_type: supplyType,
      invoiced: { documents: invoiced[0], taxable_value: invoiced[1], tax: invoiced[2] },
      credited: { documents: credited[0], taxable_value: credited[1], tax: credited[2] },
      net: { taxable_value: net[0], tax: net[1] },
    });
    expect(response.json()).toEqual({
      from: '2026-04-01',
      to: '2026-06-30',
      client_id: null,
      currencies: [
        {
          currency: 'INR',
          invoices: { count: 2, taxable_value: '2000.00', tax: '360.00', total: '2360.00' },
          credit_notes: { count: 1, taxable_value: '100.00', tax: '18.00', total: '118.00' },
          net: { taxable_value: '1900.00', tax: '342.00', total: '2242.00' },
          tax_lines: [
            line('igst', 'inter_state', '18', [1, '1000.00', '180.00'], [0, '0.00', '0.00'], ['1000.00', '180.00']),
            line('cgst', 'intra_state', '9', [1, '1000.00', '90.00'], [1, '100.00', '9.00'], ['900.00', '81.00']),
            line('sgst', 'intra_state', '9', [1, '1000.00', '90.00'], [1, '100.00', '9.00'], ['900.00', '81.00']),
          ],
        },
        {
          currency: 'USD',
          invoices: { count: 1, taxable_value: '250.00', tax: '0.00', total: '250.00' },
          credit_notes: { count: 0, taxable_value: '0.00', tax: '0.00', total: '0.00' },
          net: { taxable_value: '250.00', tax: '0.00', total: '250.00' },
          tax_lines: [],
        },
      ],
    });
  });

  it('moves each document to the period of its own issue date', async () => {
    const july = (await report('from=2026-07-01&to=2026-07-31')).json();
    expect(july.currencies).toMatchObject([
      { currency: 'INR', invoices: { count: 1, tax: '18.00' }, credit_notes: { count: 1, tax: '18.00' }, net: { tax: '0.00', total: '0.00' } },
    ]);
    const day = (await report('from=2026-03-31&to=2026-03-31')).json();
    expect(day.currencies).toMatchObject([{ currency: 'INR', invoices: { count: 1, taxable_value: '100.00', tax: '18.00' } }]);
    expect((await report('from=2025-01-01&to=2025-12-31')).json().currencies).toEqual([]);
  });

  it('narrows to one client', async () => {
    const only = (await report(`${Q2}&client_id=${sharma}`)).json();
    expect(only.client_id).toBe(sharma);
    expect(only.currencies).toHaveLength(1);
    expect(only.currencies[0]).toMatchObject({ currency: 'INR', invoices: { count: 1, tax: '180.00' }, credit_notes: { count: 0 } });
    expect(only.currencies[0].tax_lines.map((l: { component: string }) => l.component)).toEqual(['igst']);
    expect((await report(`${Q2}&client_id=${acme}`)).json().currencies[0]).toMatchObject({ invoices: { count: 1 }, credit_notes: { count: 1 }, net: { tax: '162.00' } });
  });

  it('keeps each organization to its own documents', async () => {
    const theirs = (await report(Q2, world.adminB)).json();
    expect(theirs.currencies).toEqual([
      expect.objectContaining({ currency: 'INR', invoices: { count: 1, taxable_value: '999.00', tax: '0.00', total: '999.00' }, tax_lines: [] }),
    ]);
    // Another organization's client id finds nothing here.
    expect((await report(`${Q2}&client_id=${acme}`, world.adminB)).json().currencies).toEqual([]);
  });

  it('is for those who read reports: managers yes, plain users no', async () => {
    expect((await report(Q2, world.managerA)).statusCode).toBe(200);
    const refused = await report(Q2, world.userA);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a bad period with a problem naming the field', async () => {
    const backwards = await report('from=2026-06-30&to=2026-04-01');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json()).toMatchObject({ code: 'VALIDATION_ERROR', errors: [{ field: 'to' }] });
    for (const query of ['to=2026-06-30', 'from=2026-02-30&to=2026-06-30', 'from=yesterday&to=2026-06-30', `${Q2}&format=pdf`]) {
      const response = await report(query);
      expect(response.statusCode, query).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('downloads the same figures as CSV, a row per tax line and a TOTAL row per currency', async () => {
    const response = await report(`${Q2}&format=csv`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="tax-summary-2026-04-01-2026-06-30.csv"');
    expect(response.body.replace(/^\uFEFF/, '').trim().split('\n')).toEqual([
      'currency,tax_code,component,rate,supply_type,invoices,credit_notes,invoiced_taxable_value,invoiced_tax,credited_taxable_value,credited_tax,net_taxable_value,net_tax',
      'INR,GST18,igst,18,inter_state,1,0,1000.00,180.00,0.00,0.00,1000.00,180.00',
      'INR,GST18,cgst,9,intra_state,1,1,1000.00,90.00,100.00,9.00,900.00,81.00',
      'INR,GST18,sgst,9,intra_state,1,1,1000.00,90.00,100.00,9.00,900.00,81.00',
      'INR,TOTAL,,,,2,1,2000.00,360.00,100.00,18.00,1900.00,342.00',
      'USD,TOTAL,,,,1,0,250.00,0.00,0.00,0.00,250.00,0.00',
    ]);
  });

  it('downloads it as an Excel workbook with amounts as numbers', async () => {
    const response = await report(`${Q2}&format=xlsx`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('currency');
    expect(sheet.rowCount).toBe(6);
    expect(sheet.getRow(5).values).toEqual([undefined, 'INR', 'TOTAL', '', '', '', 2, 1, 2000, 360, 100, 18, 1900, 342]);
  });
});
