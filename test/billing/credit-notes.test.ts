import { extractText } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdf } from '../../src/kernel/pdf/testing';
import { eventTypes } from '../support/identity';
import { call, createBillingWorld, india, requestsOn, type BillingWorld } from './harness';

let world: BillingWorld;
let gst18: string;
let acme: string;
let terms: string;

const { get, post } = requestsOn(() => world);
async function created(url: string, body: object, token = world.adminA) {
  const response = await post(url, body, token);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
async function finalized(body: object) {
  const draft = await created('/invoices', { client_id: acme, issue_date: '2026-04-01', ...body });
  const response = await post(`/invoices/${draft.id}/finalize`, {});
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}
const untaxed = (total: string, extra: object = {}) => finalized({ lines: [{ description: 'Service', quantity: 1, unit_price: total }], ...extra });
const invoice = async (id: string) => (await get(`/invoices/${id}`)).json();
const credit = (invoiceId: string, body: object, token = world.adminA) => post(`/invoices/${invoiceId}/credit-notes`, { reason: 'order_change', ...body }, token);
const creditNoteCount = async () => (await get('/credit-notes?include_total=true')).json().total as number;
const pay = (body: object) => post('/payments', { client_id: acme, currency: 'INR', method: 'bank_transfer', date: '2026-04-10', ...body });
const year = () => new Date().getUTCFullYear();

beforeAll(async () => {
  world = await createBillingWorld();
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co Pvt Ltd', address: india('KA'), tax_id: '29AAGCB7383J1Z4', base_currency: 'INR' });
  expect(settings.statusCode, settings.body).toBe(200);
  gst18 = (await created('/master-data/tax-codes', { name: 'GST 18%', code: 'GST18', tax_type: 'GST', rate: 18, hsn_sac_code: '8517', effective_from: '2020-01-01' })).id;
  acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  terms = (
    await created('/master-data/payment-terms', {
      name: '2/10 net 30',
      code: 'N30D2',
      payment_days: 30,
      early_payment_discount_days: 10,
      early_payment_discount_rate: 2,
      late_payment_penalty_rate: '1.5',
      late_payment_penalty_period: 'month',
    })
  ).id;
});
afterAll(() => world.app.close());

describe('credit notes', () => {
  it('credits part of a GST line with the CGST/SGST split of the original, numbered CN-YYYY-0001 then 0002', async () => {
    const inv = await finalized({ lines: [{ description: 'Widget', quantity: 3, unit_price: '33.335', tax_code_id: gst18 }, { description: 'Router', quantity: 2, unit_price: 50, tax_code_id: gst18 }] });
    expect(inv).toMatchObject({ number: 'INV-2026-0001', total: '236.01', amount_credited: '0.00' });
    const response = await credit(inv.id, { lines: [{ invoice_line_id: inv.lines[1].id, quantity: 1 }], memo: 'One router returned' });
    expect(response.statusCode, response.body).toBe(201);
    const note = response.json();
    expect(note.id).toMatch(/^cn_/);
    expect(response.headers.location).toBe(`/api/v1/credit-notes/${note.id}`);
    expect(note).toMatchObject({
      number: `CN-${year()}-0001`,
      invoice_id: inv.id,
      invoice_number: 'INV-2026-0001',
      supply_type: 'intra_state',
      subtotal: '50.00',
      tax_total: '9.00',
      total: '59.00',
      applied_to_invoice: '59.00',
      credited_to_balance: '0.00',
      credit_payment_id: null,
      memo: 'One router returned',
    });
    expect(note.lines[0]).toMatchObject({ invoice_line_id: inv.lines[1].id, description: 'Router', quantity: '1', unit_price: '50', hsn_sac_code: '8517', tax_amount: '9.00', total: '59.00' });
    expect(note.tax_breakdown).toEqual([
      { tax_code_id: gst18, tax_code: 'GST18', component: 'cgst', rate: '9.00', taxable_amount: '50.00', amount: '4.50' },
      { tax_code_id: gst18, tax_code: 'GST18', component: 'sgst', rate: '9.00', taxable_amount: '50.00', amount: '4.50' },
    ]);
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', amount_credited: '59.00', amount_remaining: '177.01' });
    expect((await get(`/credit-notes/${note.id}`)).json()).toEqual(note);
    expect(await eventTypes(world.app)).toContain('credit_note.created');
    const activity = (await get(`/invoices/${inv.id}/activity`)).json().items.map((a: { type: string }) => a.type);
    expect(activity).toContain('credit_note_created');

    // The payment may only take what remains after the credit.
    const over = await pay({ amount: '177.02', allocations: [{ invoice_id: inv.id, amount: '177.02' }] });
    expect(over.statusCode).toBe(422);
    expect(over.json().errors[0]).toMatchObject({ field: 'allocations[0].amount', message: expect.stringContaining('177.01') });
    const second = await credit(inv.id, { lines: [{ description: 'Goodwill', quantity: 1, unit_price: '10.00' }] });
    expect(second.json()).toMatchObject({ number: `CN-${year()}-0002`, total: '10.00' });
    expect((await pay({ amount: '167.01', allocations: [{ invoice_id: inv.id, amount: '167.01' }] })).statusCode).toBe(201);
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', payment_status: 'paid', amount_paid: '167.01', amount_credited: '69.00', amount_remaining: '0.00' });
    // Invoices keep their own sequence.
    expect((await untaxed('5.00')).number).toBe('INV-2026-0002');
    expect((await get(`/credit-notes?invoice_id=${inv.id}&sort=created_at`)).json().items.map((n: { number: string }) => n.number)).toEqual([`CN-${year()}-0001`, `CN-${year()}-0002`]);
  });

  it('refuses to credit more than the total less earlier credit notes (422) and changes nothing', async () => {
    const inv = await untaxed('100.00');
    expect((await credit(inv.id, { amount: '60.00' })).statusCode).toBe(201);
    const before = await creditNoteCount();
    const response = await credit(inv.id, { amount: '40.01' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0]).toMatchObject({ field: 'amount', message: expect.stringContaining('40.00') });
    const lines = await credit(inv.id, { lines: [{ description: 'Too much', quantity: 2, unit_price: 25 }] });
    expect(lines.statusCode).toBe(422);
    expect(await creditNoteCount()).toBe(before);
    expect(await invoice(inv.id)).toMatchObject({ amount_credited: '60.00', amount_remaining: '40.00', status: 'open' });
    expect((await credit(inv.id, { amount: '40.00', lines: [{ description: 'x', quantity: 1, unit_price: 1 }] })).statusCode).toBe(422);
  });

  it('marks an open invoice credited in full as paid', async () => {
    const inv = await untaxed('80.00');
    expect((await credit(inv.id, { amount: '80.00', reason: 'duplicate' })).statusCode).toBe(201);
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', payment_status: 'paid', amount_remaining: '0.00', amount_credited: '80.00' });
  });

  it('turns a credit after full payment into client credit usable on a later invoice (and refundable)', async () => {
    const inv = await untaxed('100.00');
    expect((await pay({ amount: '100.00', allocations: [{ invoice_id: inv.id, amount: '100.00' }] })).statusCode).toBe(201);
    const note = (await credit(inv.id, { amount: '30.00', reason: 'product_unsatisfactory' })).json();
    expect(note).toMatchObject({ applied_to_invoice: '0.00', credited_to_balance: '30.00' });
    expect(note.credit_payment_id).toMatch(/^pay_/);
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', amount_paid: '100.00', amount_credited: '30.00', amount_remaining: '0.00' });
    expect((await get(`/payments/${note.credit_payment_id}`)).json()).toMatchObject({ credit_note_id: note.id, amount: '30.00', amount_unapplied: '30.00', reference: note.number });
    const balances = (await get(`/clients/${acme}/credit`)).json().balances;
    expect(balances).toContainEqual({ currency: 'INR', amount: expect.any(String) });

    const later = await untaxed('50.00');
    const applied = await post(`/payments/${note.credit_payment_id}/allocations`, { allocations: [{ invoice_id: later.id, amount: '30.00' }] });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(await invoice(later.id)).toMatchObject({ amount_paid: '30.00', amount_remaining: '20.00' });
  });

  it('refuses a void invoice and a draft (409), another organization’s invoice (404), and users (403)', async () => {
    const voided = await untaxed('10.00');
    expect((await post(`/invoices/${voided.id}/void`, { reason: 'Wrong client' })).statusCode).toBe(200);
    const onVoid = await credit(voided.id, { amount: '1.00' });
    expect(onVoid.statusCode).toBe(409);
    expect(onVoid.json().code).toBe('INVALID_STATE_TRANSITION');
    const draft = await created('/invoices', { client_id: acme, lines: [{ description: 'Draft', quantity: 1, unit_price: 10 }] });
    expect((await credit(draft.id, { amount: '1.00' })).statusCode).toBe(409);

    const inv = await untaxed('10.00');
    const mine = (await credit(inv.id, { amount: '1.00' })).json();
    expect((await credit(inv.id, { amount: '1.00' }, world.adminB)).statusCode).toBe(404);
    expect((await get(`/credit-notes/${mine.id}`, world.adminB)).statusCode).toBe(404);
    expect((await get(`/credit-notes/${mine.id}/pdf`, world.adminB)).statusCode).toBe(404);
    expect((await get('/credit-notes', world.adminB)).json().items).toEqual([]);

    expect((await credit(inv.id, { amount: '1.00' }, world.userA)).statusCode).toBe(403);
    expect((await get(`/credit-notes/${mine.id}`, world.userA)).statusCode).toBe(200);
    expect((await credit(inv.id, { amount: '1.00' }, world.managerA)).statusCode).toBe(201);
    // An invoice with a credit note cannot be voided any more.
    expect((await post(`/invoices/${inv.id}/void`, { reason: 'Too late now' })).statusCode).toBe(409);
  });

  it('caps the quantity credited on an invoice line at what earlier credit notes left (422 on lines[i].quantity), changing nothing', async () => {
    const inv = await finalized({ lines: [{ description: 'Router', quantity: 2, unit_price: 50, tax_code_id: gst18 }, { description: 'Cable', quantity: 5, unit_price: 10 }] });
    const [router, cable] = inv.lines.map((l: { id: string }) => l.id);
    const before = { count: await creditNoteCount(), invoice: await invoice(inv.id) };
    const refused = async (body: object, errors: { field: string; message: unknown }[], headers: Record<string, string> = {}) => {
      const response = await call(world.app, world.adminA, 'POST', `/api/v1/invoices/${inv.id}/credit-notes`, { reason: 'order_change', ...body }, headers);
      expect(response.statusCode, response.body).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect(response.json().errors).toEqual(errors);
    };

    // Over the line in one note: alone, and spread over two lines of the note (the second is the one over).
    await refused({ lines: [{ invoice_line_id: router, quantity: 3 }] }, [
      { field: 'lines[0].quantity', message: 'credits 3, more than the 2 left to credit of the invoice line’s 2 (0 already credited by earlier credit notes or lines)' },
    ]);
    await refused({ lines: [{ invoice_line_id: cable, quantity: 1 }, { invoice_line_id: router, quantity: 1 }, { invoice_line_id: router, quantity: '1.5' }] }, [
      { field: 'lines[2].quantity', message: 'credits 1.5, more than the 1 left to credit of the invoice line’s 2 (1 already credited by earlier credit notes or lines)' },
    ]);
    // The message is localized.
    await refused({ lines: [{ invoice_line_id: router, quantity: 3 }] }, [{ field: 'lines[0].quantity', message: expect.stringContaining('ផ្តល់ឥណទាន 3') }], { 'accept-language': 'km' });
    expect(await creditNoteCount()).toBe(before.count);
    expect(await invoice(inv.id)).toEqual(before.invoice);

    // Over the line across two notes; the exact rest is allowed, then nothing is left.
    const first = await credit(inv.id, { lines: [{ invoice_line_id: cable, quantity: 3 }] });
    expect(first.statusCode, first.body).toBe(201);
    await refused({ lines: [{ invoice_line_id: cable, quantity: 3 }] }, [
      { field: 'lines[0].quantity', message: 'credits 3, more than the 2 left to credit of the invoice line’s 5 (3 already credited by earlier credit notes or lines)' },
    ]);
    const afterFirst = await invoice(inv.id);
    expect(afterFirst).toMatchObject({ amount_credited: '30.00', amount_remaining: '138.00' });
    const rest = await credit(inv.id, { lines: [{ invoice_line_id: cable, quantity: 2 }, { invoice_line_id: router }] });
    expect(rest.statusCode, rest.body).toBe(201);
    // The refusal took no number: the notes are consecutive.
    const sequence = (number: string) => Number(number.split('-').pop());
    expect(sequence(rest.json().number)).toBe(sequence(first.json().number) + 1);
    expect(rest.json()).toMatchObject({ total: '138.00', lines: [{ quantity: '2', total: '20.00' }, { quantity: '2', total: '118.00' }] });
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', amount_credited: '168.00', amount_remaining: '0.00' });
    await refused({ lines: [{ invoice_line_id: router, quantity: '0.000001' }] }, [
      { field: 'lines[0].quantity', message: 'credits 0.000001, more than the 0 left to credit of the invoice line’s 2 (2 already credited by earlier credit notes or lines)' },
    ]);
    // A line without invoice_line_id is held only by the invoice total, which nothing is left of either.
    const free = await credit(inv.id, { lines: [{ description: 'Goodwill', quantity: 1, unit_price: '0.01' }] });
    expect(free.statusCode).toBe(422);
    expect(free.json().errors).toEqual([{ field: 'lines', message: expect.stringContaining('0.00 INR still creditable') }]);
  });

  it('credits a line in parts that add up to the line exactly: the part that completes it takes the rest of its amounts', async () => {
    const inv = await finalized({ lines: [{ description: 'Widget', quantity: 3, unit_price: '33.335', tax_code_id: gst18 }] });
    expect(inv.lines[0]).toMatchObject({ amount: '100.01', tax_amount: '18.00', total: '118.01' });
    const line = inv.lines[0].id;
    const part = async () => {
      const response = await credit(inv.id, { lines: [{ invoice_line_id: line, quantity: 1 }] });
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    };
    // Each third alone rounds to 33.34 (+ 3.00 CGST + 3.00 SGST): three of them would be 118.02.
    expect(await part()).toMatchObject({ subtotal: '33.34', tax_total: '6.00', total: '39.34' });
    expect(await part()).toMatchObject({ total: '39.34' });
    const last = await part();
    expect(last).toMatchObject({ subtotal: '33.33', tax_total: '6.00', total: '39.33' });
    expect(last.lines[0]).toMatchObject({ quantity: '1', unit_price: '33.335', amount: '33.33', taxable_amount: '33.33', tax_amount: '6.00', total: '39.33' });
    expect(last.lines[0].tax_components).toEqual([
      { name: 'cgst', rate: '9.00', amount: '3.00' },
      { name: 'sgst', rate: '9.00', amount: '3.00' },
    ]);
    expect(last.tax_breakdown.map((t: { amount: string }) => t.amount)).toEqual(['3.00', '3.00']);
    expect(await invoice(inv.id)).toMatchObject({ status: 'paid', amount_credited: '118.01', amount_remaining: '0.00' });
  });

  it('lets only one of two simultaneous credit notes take the rest of a line (the invoice row lock)', async () => {
    const inv = await finalized({ lines: [{ description: 'Router', quantity: 2, unit_price: 50, tax_code_id: gst18 }, { description: 'Cable', quantity: 1, unit_price: 10 }] });
    const line = inv.lines[0].id;
    const responses = await Promise.all([1, 2].map(() => credit(inv.id, { lines: [{ invoice_line_id: line, quantity: 2 }] })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect(responses.find((r) => r.statusCode === 422)!.json().errors).toEqual([{ field: 'lines[0].quantity', message: expect.stringContaining('more than the 0 left') }]);
    expect(await invoice(inv.id)).toMatchObject({ amount_credited: '118.00', amount_remaining: '10.00' });
    expect((await get(`/credit-notes?invoice_id=${inv.id}`)).json().items).toHaveLength(1);
  });

  it('credits a line with the tax it was invoiced with, even after its tax code was deactivated', async () => {
    const code = await created('/master-data/tax-codes', { name: 'GST 12%', code: 'GST12', tax_type: 'GST', rate: 12, effective_from: '2020-01-01' });
    const inv = await finalized({ lines: [{ description: 'Cable', quantity: 2, unit_price: '50.00', tax_code_id: code.id }] });
    expect(inv.lines[0].tax_components).toEqual([{ name: 'cgst', rate: '6.00', amount: '6.00' }, { name: 'sgst', rate: '6.00', amount: '6.00' }]);
    const off = await call(world.app, world.adminA, 'PATCH', `/api/v1/master-data/tax-codes/${code.id}`, { is_active: false });
    expect(off.statusCode, off.body).toBe(200);
    const note = await credit(inv.id, { lines: [{ invoice_line_id: inv.lines[0].id, quantity: 1 }] });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json()).toMatchObject({ total: '56.00', lines: [{ tax_code_id: code.id, tax_components: [{ name: 'cgst', rate: '6.00', amount: '3.00' }, { name: 'sgst', rate: '6.00', amount: '3.00' }] }] });
    // A line naming the (inactive) code itself is looked up, and refused.
    const named = await credit(inv.id, { lines: [{ description: 'Other', quantity: 1, unit_price: '10.00', tax_code_id: code.id }] });
    expect(named.statusCode).toBe(422);
    expect(named.json().errors[0].field).toBe('lines[0].tax_code_id');
  });

  it('refuses malformed credit lines with every problem at once', async () => {
    const inv = await untaxed('100.00');
    const before = await creditNoteCount();
    const response = await credit(inv.id, {
      lines: [
        { invoice_line_id: 'inl_unknown', quantity: 1 },
        { description: 'Nothing', quantity: '-1', unit_price: 'ten' },
        { description: 'Precise', quantity: '1.0000001', unit_price: 1, discount_percent: 101, tax_code_id: 'tax_nope' },
        { quantity: 1 },
      ],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual(
      expect.arrayContaining([
        { field: 'lines[0].invoice_line_id', message: 'is not a line of this invoice' },
        { field: 'lines[0].description', message: 'is required without invoice_line_id' },
        { field: 'lines[0].unit_price', message: 'is required without invoice_line_id' },
        { field: 'lines[1].quantity', message: 'must be a non-negative decimal number' },
        { field: 'lines[1].unit_price', message: 'must be a non-negative decimal number' },
        { field: 'lines[2].quantity', message: 'must have at most 6 decimal places' },
        { field: 'lines[2].discount_percent', message: 'must be at most 100' },
        { field: 'lines[2].tax_code_id', message: 'no such tax code in force on 2026-04-01' },
        { field: 'lines[3].description', message: 'is required without invoice_line_id' },
        { field: 'lines[3].unit_price', message: 'is required without invoice_line_id' },
      ]),
    );
    expect(response.json().errors).toHaveLength(10);
    expect(await creditNoteCount()).toBe(before);
  });

  it('renders its own PDF: CREDIT NOTE, its number, the invoice it credits, the reason and the credited amounts, nothing owed', async () => {
    const split = await created('/master-data/payment-terms', { name: 'Split 30-60', code: 'CNSPLIT', payment_days: 60, payment_schedule: [{ days: 30, percentage: 50 }, { days: 60, percentage: 50 }] });
    const inv = await finalized({ payment_terms_id: split.id, lines: [{ description: 'Router', quantity: 2, unit_price: 50, tax_code_id: gst18 }] });
    expect(inv.installments).toHaveLength(2);
    expect((await pay({ amount: '100.00', allocations: [{ invoice_id: inv.id, amount: '100.00' }] })).statusCode).toBe(201);
    const note = (await credit(inv.id, { lines: [{ invoice_line_id: inv.lines[0].id, quantity: 1 }], reason: 'product_unsatisfactory', memo: 'One router returned' })).json();
    expect(note).toMatchObject({ total: '59.00', applied_to_invoice: '18.00', credited_to_balance: '41.00' });

    // The invoice's own PDF has what the credit note's must not.
    const invoicePdf = await extractText(new Uint8Array((await get(`/invoices/${inv.id}/pdf`)).rawPayload), { mergePages: true });
    for (const expected of ['TAX INVOICE', 'Installments', 'Paid', 'Due ']) expect(invoicePdf.text).toContain(expected);

    const response = await get(`/credit-notes/${note.id}/pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/pdf');
    const { pages, info } = await extractPdf(new Uint8Array(response.rawPayload));
    const text = pages.join('\n');
    expect(info).toMatchObject({ Title: `Credit note ${note.number}`, Subject: `Credit note on invoice ${inv.number} for Acme Traders` });
    for (const expected of [
      'CREDIT NOTE',
      `Credit note ${note.number}`,
      `Original invoice ${inv.number} of 2026-04-01`,
      'Credits invoice',
      'Reason',
      'Product unsatisfactory',
      'One router returned',
      'Router',
      'CGST 9.00% (GST18) on',
      'Total credited INR',
      '59.00',
      `Taken off invoice ${inv.number}`,
      '18.00',
      'Credited to the client’s balance',
      '41.00',
      'Books & Co Pvt Ltd',
      'Acme Traders',
    ]) {
      expect(text).toContain(expected);
    }
    for (const absent of ['INVOICE', 'Invoice ', 'Due', 'Installments', 'Paid', 'Amount due', '118.00']) expect(text).not.toContain(absent);
  });
});

describe('amount due on a date', () => {
  it('takes the early-payment discount inside the window only, and adds a simple late fee per started period', async () => {
    const inv = await untaxed('1000.00', { payment_terms_id: terms });
    expect(inv.due_date).toBe('2026-05-01');
    const due = async (date: string) => (await get(`/invoices/${inv.id}/amount-due?date=${date}`)).json();
    expect(await due('2026-04-11')).toEqual({
      invoice_id: inv.id,
      currency: 'INR',
      date: '2026-04-11',
      amount_remaining: '1000.00',
      early_payment_discount: { rate: '2.00', available_until: '2026-04-11', amount: '20.00' },
      late_fee: null,
      amount_due: '980.00',
    });
    expect(await due('2026-04-12')).toMatchObject({ early_payment_discount: null, late_fee: null, amount_due: '1000.00' });
    expect(await due('2026-05-01')).toMatchObject({ late_fee: null, amount_due: '1000.00' });
    expect(await due('2026-05-02')).toMatchObject({ late_fee: { rate: '1.50', period: 'month', periods: 1, amount: '15.00' }, amount_due: '1015.00' });
    expect(await due('2026-06-01')).toMatchObject({ late_fee: { periods: 1 }, amount_due: '1015.00' });
    expect(await due('2026-07-15')).toMatchObject({ late_fee: { periods: 3, amount: '45.00' }, amount_due: '1045.00' });
    expect((await get(`/invoices/${inv.id}/amount-due?date=soon`)).statusCode).toBe(422);
  });

  it('settles the invoice with a payment of the discounted amount within the window', async () => {
    const inv = await untaxed('1000.00', { payment_terms_id: terms });
    const late = await pay({ amount: '980.00', date: '2026-04-12', allocations: [{ invoice_id: inv.id, amount: '980.00' }] });
    expect(late.statusCode).toBe(201);
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', discount_taken: '0.00', amount_remaining: '20.00' });

    const other = await untaxed('1000.00', { payment_terms_id: terms });
    expect((await pay({ amount: '980.00', date: '2026-04-11', allocations: [{ invoice_id: other.id, amount: '980.00' }] })).statusCode).toBe(201);
    expect(await invoice(other.id)).toMatchObject({ status: 'paid', payment_status: 'paid', amount_paid: '980.00', discount_taken: '20.00', amount_remaining: '0.00' });
  });
});
