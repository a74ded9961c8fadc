import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actualTexts, embeddedFonts } from '../../src/kernel/pdf/testing';
import { eventTypes } from '../support/identity';
import { call, createBillingWorld, india, requestsOn, type BillingWorld } from './harness';

let world: BillingWorld;
let gst18: string;
let gst12From2025: string;
let karnataka: string;
let maharashtra: string;
let american: string;

const { post } = requestsOn(() => world);
async function created(url: string, body: object, token = world.adminA) {
  const response = await post(url, body, token);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
const draft = (body: object, token = world.adminA) => post('/invoices', body, token);
const line = (extra: object = {}) => ({ description: 'Widget', quantity: 3, unit_price: '33.335', tax_code_id: gst18, ...extra });
const finalize = (id: string, token = world.adminA) => post(`/invoices/${id}/finalize`, {}, token);

beforeAll(async () => {
  world = await createBillingWorld();
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co Pvt Ltd', address: india('KA'), tax_id: '29AAGCB7383J1Z4', base_currency: 'INR' });
  expect(settings.statusCode, settings.body).toBe(200);
  gst18 = (await created('/master-data/tax-codes', { name: 'GST 18%', code: 'GST18', tax_type: 'GST', rate: 18, hsn_sac_code: '8517', effective_from: '2020-01-01' })).id;
  await created('/master-data/tax-codes', { name: 'GST 5% (old)', code: 'GST5', tax_type: 'GST', rate: 5, effective_from: '2020-01-01', effective_to: '2024-12-31' });
  gst12From2025 = (await created('/master-data/tax-codes', { name: 'GST 12% (new)', code: 'GST5', tax_type: 'GST', rate: 12, effective_from: '2025-01-01' })).id;
  karnataka = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  maharashtra = (await created('/clients', { name: 'Sharma Textiles', currency: 'INR', billing_address: india('MH') })).id;
  american = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
});
afterAll(() => world.app.close());

describe('draft totals', () => {
  it('rounds per line (3 × 33.335 = 100.01) and splits GST into CGST + SGST within the issuer’s state', async () => {
    const response = await draft({ client_id: karnataka, issue_date: '2026-03-10', lines: [line()] });
    expect(response.statusCode, response.body).toBe(201);
    const invoice = response.json();
    expect(invoice).toMatchObject({
      status: 'draft',
      number: null,
      payment_status: 'unpaid',
      currency: 'INR',
      place_of_supply: 'KA',
      supply_type: 'intra_state',
      subtotal: '100.01',
      discount_total: '0.00',
      tax_total: '18.00',
      total: '118.01',
      amount_paid: '0.00',
      amount_remaining: '118.01',
    });
    expect(invoice.lines[0]).toMatchObject({ quantity: '3', unit_price: '33.335', amount: '100.01', tax_amount: '18.00', total: '118.01', hsn_sac_code: '8517' });
    expect(invoice.tax_breakdown).toEqual([
      { tax_code_id: gst18, tax_code: 'GST18', component: 'cgst', rate: '9.00', taxable_amount: '100.01', amount: '9.00' },
      { tax_code_id: gst18, tax_code: 'GST18', component: 'sgst', rate: '9.00', taxable_amount: '100.01', amount: '9.00' },
    ]);
    expect(invoice.hsn_summary).toEqual([{ hsn_sac_code: '8517', taxable_amount: '100.01', components: { cgst: '9.00', sgst: '9.00' }, tax_amount: '18.00' }]);
  });

  it('charges IGST for another state (seed 000: 18% of 1000.00 = 180.00) and for an export, with discounts rounded per line', async () => {
    const other = (await draft({ client_id: maharashtra, issue_date: '2026-03-10', lines: [line({ quantity: 1, unit_price: 1000 })] })).json();
    expect(other).toMatchObject({ supply_type: 'inter_state', place_of_supply: 'MH', tax_total: '180.00', total: '1180.00' });
    expect(other.tax_breakdown).toEqual([{ tax_code_id: gst18, tax_code: 'GST18', component: 'igst', rate: '18.00', taxable_amount: '1000.00', amount: '180.00' }]);

    const exported = (await draft({ client_id: american, issue_date: '2026-03-10', lines: [line({ quantity: '2', unit_price: '10.005', discount_percent: '12.5' })] })).json();
    // 2 × 10.005 = 20.01; discount 2.50125 → 2.50; taxable 17.51; IGST 3.1518 → 3.15.
    expect(exported).toMatchObject({ currency: 'USD', supply_type: 'inter_state', place_of_supply: null, subtotal: '20.01', discount_total: '2.50', tax_total: '3.15', total: '20.66' });
  });

  it('applies the version of a tax code in force on the issue date', async () => {
    const before = (await draft({ client_id: karnataka, issue_date: '2024-06-01', lines: [line({ quantity: 1, unit_price: 100, tax_code_id: gst12From2025 })] })).json();
    const after = (await draft({ client_id: karnataka, issue_date: '2025-06-01', lines: [line({ quantity: 1, unit_price: 100, tax_code_id: gst12From2025 })] })).json();
    expect(before.tax_total).toBe('5.00');
    expect(after.tax_total).toBe('12.00');
  });

  it('adds up a 50-line invoice from its rounded lines', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => line({ description: `Item ${i + 1}`, quantity: `${i + 1}.5`, unit_price: '7.333' }));
    const invoice = (await draft({ client_id: karnataka, issue_date: '2026-03-10', lines })).json();
    const sum = (field: string) => invoice.lines.reduce((total: number, l: Record<string, string>) => total + Math.round(Number(l[field]) * 100), 0) / 100;
    expect(invoice.lines).toHaveLength(50);
    expect(Number(invoice.subtotal)).toBeCloseTo(sum('amount'), 2);
    expect(Number(invoice.tax_total)).toBeCloseTo(sum('tax_amount'), 2);
    expect(Number(invoice.total)).toBeCloseTo(sum('total'), 2);
  });

  it.each([
    ['an unknown tax code', { lines: [line({ tax_code_id: 'tax_nope' })] }, 'lines[0].tax_code_id'],
    ['a zero quantity', { lines: [line({ quantity: 0 })] }, 'lines[0].quantity'],
    ['a discount over 100%', { lines: [line({ discount_percent: '100.5' })] }, 'lines[0].discount_percent'],
    ['a due date before the issue date', { issue_date: '2026-03-10', due_date: '2026-03-01', lines: [line()] }, 'due_date'],
    ['an unknown client', { client_id: 'cli_nope', lines: [line()] }, 'client_id'],
  ])('refuses %s with 422 naming the field, and creates nothing', async (_label, body, field) => {
    const before = (await call(world.app, world.adminA, 'GET', '/api/v1/invoices?include_total=true')).json().total;
    const response = await draft({ client_id: karnataka, ...body });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await call(world.app, world.adminA, 'GET', '/api/v1/invoices?include_total=true')).json().total).toBe(before);
  });
});

describe('lifecycle', () => {
  it('finalizes with the next number of the pattern, due date from the terms, and freezes the invoice', async () => {
    const terms = await created('/master-data/payment-terms', { name: 'Split 30-60', code: 'SPLIT', payment_days: 60, payment_schedule: [{ days: 30, percentage: 50 }, { days: 60, percentage: 50 }] });
    const id = (await draft({ client_id: karnataka, issue_date: '2026-03-10', payment_terms_id: terms.id, lines: [line()] })).json().id;
    const response = await finalize(id);
    expect(response.statusCode, response.body).toBe(200);
    const invoice = response.json();
    expect(invoice).toMatchObject({ status: 'open', number: 'INV-2026-0001', due_date: '2026-05-09', issuer: { name: 'Books & Co Pvt Ltd', tax_id: '29AAGCB7383J1Z4' }, customer: { name: 'Acme Traders' } });
    expect(invoice.installments).toEqual([
      { due_date: '2026-04-09', percentage: '50.00', amount: '59.01' },
      { due_date: '2026-05-09', percentage: '50.00', amount: '59.00' },
    ]);
    expect(invoice.finalized_at).not.toBeNull();
    expect(await eventTypes(world.app)).toContain('invoice.finalized');

    for (const [method, url, body] of [
      ['PATCH', `/api/v1/invoices/${id}`, { notes: 'changed' }],
      ['DELETE', `/api/v1/invoices/${id}`, undefined],
      ['POST', `/api/v1/invoices/${id}/finalize`, {}],
    ] as const) {
      const refused = await call(world.app, world.adminA, method, url, body);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('INVALID_STATE_TRANSITION');
    }
    const second = (await finalize((await draft({ client_id: karnataka, issue_date: '2026-07-01', lines: [line()] })).json().id)).json();
    expect(second.number).toBe('INV-2026-0002');
  });

  it('voids an open invoice with a reason, and marks another uncollectible; neither goes back', async () => {
    const open = async () => (await finalize((await draft({ client_id: karnataka, issue_date: '2026-08-01', lines: [line()] })).json().id)).json();
    const first = await open();
    expect((await post(`/invoices/${first.id}/void`, {})).statusCode).toBe(422);
    const voided = (await post(`/invoices/${first.id}/void`, { reason: 'Duplicate of INV-2026-0002' })).json();
    expect(voided).toMatchObject({ status: 'void', void_reason: 'Duplicate of INV-2026-0002' });
    expect((await post(`/invoices/${first.id}/mark-uncollectible`, {})).statusCode).toBe(409);
    const second = await open();
    expect((await post(`/invoices/${second.id}/mark-uncollectible`, {})).json()).toMatchObject({ status: 'uncollectible' });
    expect((await post(`/invoices/${second.id}/void`, { reason: 'too late' })).statusCode).toBe(409);
  });

  it('deletes a draft, never a finalized invoice, and never a client that has invoices', async () => {
    const id = (await draft({ client_id: maharashtra, lines: [line()] })).json().id;
    expect((await call(world.app, world.adminA, 'DELETE', `/api/v1/invoices/${id}`)).statusCode).toBe(204);
    expect((await call(world.app, world.adminA, 'GET', `/api/v1/invoices/${id}`)).statusCode).toBe(404);
    const client = await call(world.app, world.adminA, 'DELETE', `/api/v1/clients/${karnataka}`);
    expect(client.statusCode).toBe(409);
    expect(client.json().code).toBe('CLIENT_HAS_INVOICES');
  });

  it('needs an exchange rate to finalize in another currency than the base one', async () => {
    const id = (await draft({ client_id: american, issue_date: '2026-03-10', lines: [line({ tax_code_id: null })] })).json().id;
    const refused = await finalize(id);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].field).toBe('exchange_rate');
    expect((await call(world.app, world.adminA, 'PATCH', `/api/v1/invoices/${id}`, { exchange_rate: '83.25' })).statusCode).toBe(200);
    expect((await finalize(id)).json()).toMatchObject({ status: 'open', exchange_rate: '83.25', currency: 'USD' });
  });

  it('refuses to go over the client’s credit limit unless the caller may override it', async () => {
    const client = (await created('/clients', { name: 'Tight Budget', currency: 'INR', billing_address: india('KA'), credit_limit: '200.00' })).id;
    expect((await finalize((await draft({ client_id: client, lines: [line()] })).json().id, world.managerA)).statusCode).toBe(200);
    const over = (await draft({ client_id: client, lines: [line()] })).json().id;
    const refused = await finalize(over, world.managerA);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'CREDIT_LIMIT_EXCEEDED' });
    expect(refused.json().detail).toContain('236.02');
    expect((await call(world.app, world.adminA, 'GET', `/api/v1/invoices/${over}`)).json()).toMatchObject({ status: 'draft', number: null });
    expect((await finalize(over, world.adminA)).statusCode).toBe(200);
  });

  it('numbers 50 invoices finalized at once with distinct consecutive numbers', async () => {
    await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { invoice_number_pattern: 'RUSH-{SEQ:3}' });
    const ids = await Promise.all(Array.from({ length: 50 }, async () => (await draft({ client_id: maharashtra, lines: [line()] })).json().id));
    const responses = await Promise.all(ids.map((id) => finalize(id)));
    const numbers = responses.map((r) => r.json().number as string).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `RUSH-${String(i + 1).padStart(3, '0')}`));
  });
});

describe('reading, PDF and access', () => {
  it('lists by status and finds by number', async () => {
    const open = (await call(world.app, world.managerA, 'GET', '/api/v1/invoices?status=open&limit=100')).json().items;
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((i: { status: string }) => i.status === 'open')).toBe(true);
    expect((await call(world.app, world.managerA, 'GET', '/api/v1/invoices?q=INV-2026-0001')).json().items.map((i: { number: string }) => i.number)).toEqual(['INV-2026-0001']);
  });

  it('renders the invoice as a PDF whose text holds the number, parties, lines, taxes and total', async () => {
    const invoice = (await call(world.app, world.adminA, 'GET', '/api/v1/invoices?q=INV-2026-0001')).json().items[0];
    const response = await call(world.app, world.userA, 'GET', `/api/v1/invoices/${invoice.id}/pdf?page_size=Letter`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('inline; filename="INV-2026-0001.pdf"');
    const { text } = await extractText(new Uint8Array(response.rawPayload), { mergePages: true });
    for (const expected of ['TAX INVOICE', 'INV-2026-0001', 'Books & Co Pvt Ltd', '29AAGCB7383J1Z4', 'Acme Traders', 'Widget', '33.335', '100.01', 'CGST 9.00%', '118.01', 'Page 1 of 1', '2026-04-09']) {
      expect(text).toContain(expected);
    }
  });

  it('prints a Hindi customer and Marathi and Tamil descriptions in their Noto fonts', async () => {
    const client = (await created('/clients', { name: 'राहुल वर्मा', currency: 'INR', billing_address: india('MH') })).id;
    const lines = [line({ description: 'मराठी भाषांतर सेवा', quantity: 1, unit_price: 100 }), line({ description: 'தமிழ் மொழிபெயர்ப்பு', quantity: 1, unit_price: 50 })];
    const invoice = (await draft({ client_id: client, issue_date: '2026-04-01', lines })).json();
    const response = await call(world.app, world.userA, 'GET', `/api/v1/invoices/${invoice.id}/pdf`);
    expect(response.statusCode).toBe(200);
    const fonts = [...embeddedFonts(response.rawPayload).keys()].map((name) => name.replace(/^[A-Z]{6}\+/, ''));
    expect(fonts).toEqual(expect.arrayContaining(['NotoSans-Regular', 'NotoSansDevanagari-Regular', 'NotoSansTamil-Regular']));
    const { text } = await extractText(new Uint8Array(response.rawPayload), { mergePages: true });
    for (const expected of ['राहुल', 'मराठी', 'भाषांतर', 'सेवा', 'தமிழ்', 'DRAFT INVOICE']) expect(text).toContain(expected);
    expect(actualTexts(response.rawPayload)).toEqual(expect.arrayContaining(['राहुल वर्मा', 'मराठी भाषांतर सेवा', 'தமிழ் மொழிபெயர்ப்பு']));
  });

  it('keeps invoices to their organization and their permissions', async () => {
    const invoice = (await call(world.app, world.adminA, 'GET', '/api/v1/invoices?limit=1')).json().items[0];
    for (const [method, url] of [['GET', `/api/v1/invoices/${invoice.id}`], ['GET', `/api/v1/invoices/${invoice.id}/pdf`], ['POST', `/api/v1/invoices/${invoice.id}/void`]] as const) {
      expect((await call(world.app, world.adminB, method, url, method === 'POST' ? { reason: 'not mine' } : undefined)).statusCode).toBe(404);
    }
    expect((await call(world.app, world.adminB, 'GET', '/api/v1/invoices')).json().items).toEqual([]);
    expect((await draft({ client_id: karnataka, lines: [line()] }, world.userA)).statusCode).toBe(403);
    expect((await draft({ client_id: karnataka, lines: [line()] }, world.adminB)).statusCode).toBe(422);
  });
});
