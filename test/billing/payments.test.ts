import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/kernel/http/problem';
import { PaymentGatewayRegistry, type GatewayRefundRequest, type PaymentGateway } from '../../src/modules/billing/payments/gateway';
import { onPostgres } from '../support/database';
import { eventTypes } from '../support/identity';
import { call, createBillingWorld, india, requestsOn, type BillingWorld } from './harness';

/**
 * A card provider for these tests, registered through the gateway registry: it takes payments,
 * records every refund it is asked for, and refuses refunds while `failure` is set.
 */
const card: PaymentGateway & {
  refunds: GatewayRefundRequest[];
  failure?: Error;
} = {
  name: 'test-card',
  refunds: [],
  async createPayment(request) {
    return { providerReference: `ch_${request.paymentId}` };
  },
  async refund(request) {
    card.refunds.push(request);
    if (card.failure) throw card.failure;
    return { providerReference: `re_${request.refundId}` };
  },
};
const gateways = new PaymentGatewayRegistry();
gateways.register(card);

let world: BillingWorld;
let acme: string;
let sharma: string;
let globex: string;
let otherClient: string;

const { get, post } = requestsOn(() => world);
async function created(url: string, body: object, token = world.adminA) {
  const response = await post(url, body, token);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
/** A finalized invoice of `total` (one untaxed line). */
async function openInvoice(client: string, total: string, token = world.adminA, extra: object = {}) {
  const draft = await created('/invoices', { client_id: client, issue_date: '2026-04-01', lines: [{ description: 'Service', quantity: 1, unit_price: total }], ...extra }, token);
  const response = await post(`/invoices/${draft.id}/finalize`, {}, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}
const invoice = async (id: string) => (await get(`/invoices/${id}`)).json();
const pay = (body: object, token = world.adminA, headers: Record<string, string> = {}) =>
  post('/payments', { currency: 'INR', method: 'bank_transfer', date: '2026-04-10', reference: 'UTR-1', ...body }, token, headers);
const paymentCount = async (token = world.adminA) => (await get('/payments?include_total=true', token)).json().total as number;

beforeAll(async () => {
  world = await createBillingWorld({ billing: { gateways } });
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co Pvt Ltd', address: india('KA'), base_currency: 'INR' });
  expect(settings.statusCode, settings.body).toBe(200);
  acme = (await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: india('KA') })).id;
  sharma = (await created('/clients', { name: 'Sharma Textiles', currency: 'INR', billing_address: india('MH') })).id;
  globex = (await created('/clients', { name: 'Globex Inc', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' } })).id;
  otherClient = (await created('/clients', { name: 'Their Client', currency: 'INR', billing_address: india('KA') }, world.adminB)).id;
});
afterAll(() => world.app.close());

describe('recording payments', () => {
  it('records a partial payment: the invoice is partially paid and owes the rest', async () => {
    const inv = await openInvoice(acme, '100.00');
    const response = await pay({ client_id: acme, amount: '40.00', allocations: [{ invoice_id: inv.id, amount: 40 }] });
    expect(response.statusCode, response.body).toBe(201);
    const payment = response.json();
    expect(response.headers.location).toBe(`/api/v1/payments/${payment.id}`);
    expect(payment.id).toMatch(/^pay_/);
    expect(payment).toMatchObject({ client_id: acme, amount: '40.00', currency: 'INR', method: 'bank_transfer', reference: 'UTR-1', provider: 'manual', provider_reference: 'UTR-1', status: 'succeeded', amount_applied: '40.00', amount_unapplied: '0.00', amount_refunded: '0.00' });
    expect(payment.allocations).toMatchObject([{ invoice_id: inv.id, amount: '40.00', amount_refunded: '0.00' }]);
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', payment_status: 'partially_paid', amount_paid: '40.00', amount_remaining: '60.00', paid_at: null });
    expect(await eventTypes(world.app)).toContain('payment.received');
    expect((await get(`/payments/${payment.id}`)).json()).toEqual(payment);
  });

  it('pays two invoices at once; the one fully paid becomes paid with invoice.paid', async () => {
    const first = await openInvoice(acme, '100.00');
    const second = await openInvoice(acme, '100.00');
    const before = (await eventTypes(world.app)).filter((t) => t === 'invoice.paid').length;
    const payment = (await pay({ client_id: acme, amount: '150.00', method: 'upi', allocations: [{ invoice_id: first.id, amount: '100.00' }, { invoice_id: second.id, amount: '50.00' }] })).json();
    expect(payment).toMatchObject({ method: 'upi', amount_applied: '150.00', amount_unapplied: '0.00' });
    const paid = await invoice(first.id);
    expect(paid).toMatchObject({ status: 'paid', payment_status: 'paid', amount_paid: '100.00', amount_remaining: '0.00' });
    expect(paid.paid_at).not.toBeNull();
    expect(await invoice(second.id)).toMatchObject({ status: 'open', payment_status: 'partially_paid', amount_remaining: '50.00' });
    expect((await eventTypes(world.app)).filter((t) => t === 'invoice.paid').length).toBe(before + 1);
    // A paid invoice takes no more money.
    const more = await pay({ client_id: acme, amount: '1.00', allocations: [{ invoice_id: first.id, amount: '1.00' }] });
    expect(more.statusCode).toBe(422);
    expect(more.json().errors[0].field).toBe('allocations[0].invoice_id');
  });

  it('keeps an overpayment as client credit, applicable to a later invoice', async () => {
    const client = (await created('/clients', { name: 'Overpayer', currency: 'INR', billing_address: india('KA') })).id;
    const inv = await openInvoice(client, '100.00');
    const payment = (await pay({ client_id: client, amount: '130.00', method: 'cash', allocations: [{ invoice_id: inv.id, amount: '100.00' }] })).json();
    expect(payment).toMatchObject({ amount_applied: '100.00', amount_unapplied: '30.00' });
    expect((await get(`/clients/${client}/credit`)).json()).toEqual({ client_id: client, balances: [{ currency: 'INR', amount: '30.00' }] });
    expect((await get(`/payments?client_id=${client}&has_credit=true`)).json().items.map((p: { id: string }) => p.id)).toEqual([payment.id]);

    const later = await openInvoice(client, '50.00');
    const tooMuch = await post(`/payments/${payment.id}/allocations`, { allocations: [{ invoice_id: later.id, amount: '30.01' }] });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().errors[0].field).toBe('allocations');
    const applied = await post(`/payments/${payment.id}/allocations`, { allocations: [{ invoice_id: later.id, amount: '30.00' }] }, world.managerA);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ amount_applied: '130.00', amount_unapplied: '0.00', version: 2 });
    expect(await invoice(later.id)).toMatchObject({ payment_status: 'partially_paid', amount_paid: '30.00', amount_remaining: '20.00' });
    expect((await get(`/clients/${client}/credit`)).json().balances).toEqual([]);
    expect(await eventTypes(world.app)).toContain('payment.applied');
  });

  it('records a payment with no allocation as credit, and refuses the same invoice twice', async () => {
    const credit = await pay({ client_id: sharma, amount: 25.5 });
    expect(credit.statusCode, credit.body).toBe(201);
    expect(credit.json()).toMatchObject({ amount: '25.50', amount_unapplied: '25.50', allocations: [] });
    const inv = await openInvoice(sharma, '10.00');
    const twice = await pay({ client_id: sharma, amount: '10.00', allocations: [{ invoice_id: inv.id, amount: '5' }, { invoice_id: inv.id, amount: '5' }] });
    expect(twice.statusCode).toBe(422);
    expect(twice.json().errors.map((e: { field: string }) => e.field)).toContain('allocations[1].invoice_id');
  });
});

describe('refunds', () => {
  it('reverses allocations: the invoice is open again, partially refunded then refunded', async () => {
    const inv = await openInvoice(acme, '100.00');
    const payment = (await pay({ client_id: acme, amount: '100.00', method: 'card', allocations: [{ invoice_id: inv.id, amount: '100.00' }] })).json();
    expect((await invoice(inv.id)).status).toBe('paid');

    const partial = await post(`/payments/${payment.id}/refunds`, { amount: '40.00', reason: 'Damaged goods', date: '2026-04-20', allocations: [{ invoice_id: inv.id, amount: '40.00' }] });
    expect(partial.statusCode, partial.body).toBe(201);
    const refund = partial.json();
    expect(refund.id).toMatch(/^rfd_/);
    expect(partial.headers.location).toBe(`/api/v1/payments/${payment.id}/refunds/${refund.id}`);
    expect(refund).toMatchObject({ amount: '40.00', reason: 'Damaged goods', date: '2026-04-20', from_unapplied: '0.00', allocations: [{ invoice_id: inv.id, amount: '40.00' }] });
    expect((await get(`/payments/${payment.id}/refunds/${refund.id}`)).json()).toEqual(refund);
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', payment_status: 'partially_refunded', amount_paid: '60.00', amount_refunded: '40.00', amount_remaining: '40.00', paid_at: null });
    expect((await get(`/payments/${payment.id}`)).json()).toMatchObject({ status: 'partially_refunded', amount_refunded: '40.00', amount_applied: '60.00', amount_unapplied: '0.00' });

    const rest = await post(`/payments/${payment.id}/refunds`, { amount: '60.00', reason: 'Order cancelled' });
    expect(rest.statusCode, rest.body).toBe(201);
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', payment_status: 'refunded', amount_paid: '0.00', amount_refunded: '100.00', amount_remaining: '100.00' });
    const after = (await get(`/payments/${payment.id}`)).json();
    expect(after).toMatchObject({ status: 'refunded', amount_refunded: '100.00', amount_applied: '0.00' });
    expect(after.refunds).toHaveLength(2);
    const over = await post(`/payments/${payment.id}/refunds`, { amount: '0.01', reason: 'Once more' });
    expect(over.statusCode).toBe(422);
    expect(over.json().errors[0].field).toBe('amount');
    expect(await eventTypes(world.app)).toContain('payment.refunded');
  });

  it('gives back unapplied credit first when no allocation is named', async () => {
    const inv = await openInvoice(acme, '50.00');
    const payment = (await pay({ client_id: acme, amount: '80.00', allocations: [{ invoice_id: inv.id, amount: '50.00' }] })).json();
    const refund = (await post(`/payments/${payment.id}/refunds`, { amount: '35.00', reason: 'Overpaid' })).json();
    expect(refund).toMatchObject({ from_unapplied: '30.00', allocations: [{ invoice_id: inv.id, amount: '5.00' }] });
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', amount_paid: '45.00', payment_status: 'partially_refunded' });
    // Refusing a reversal on an invoice this payment did not pay changes nothing.
    const elsewhere = await openInvoice(acme, '20.00');
    const refused = await post(`/payments/${payment.id}/refunds`, { amount: '10.00', reason: 'Wrong invoice', allocations: [{ invoice_id: elsewhere.id, amount: '10.00' }] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toContain('allocations[0].amount');
    expect((await get(`/payments/${payment.id}`)).json()).toMatchObject({ amount_refunded: '35.00', version: 2 });
  });
});

describe('refunds through a provider', () => {
  afterEach(() => {
    card.failure = undefined;
  });
  const byCard = (body: object) => pay({ provider: 'test-card', method: 'card', ...body });
  const auditCount = async () => (await world.app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs'))[0]!.n;

  it('validates a refund before asking the provider, and asks it only for a valid one', async () => {
    const inv = await openInvoice(acme, '100.00');
    const payment = (await byCard({ client_id: acme, amount: '100.00', allocations: [{ invoice_id: inv.id, amount: '100.00' }] })).json();
    expect(payment).toMatchObject({ provider: 'test-card', provider_reference: `ch_${payment.id}` });
    const other = await openInvoice(acme, '20.00');
    const asked = card.refunds.length;
    for (const [body, field] of [
      [{ amount: '100.01', reason: 'Too much' }, 'amount'],
      [{ amount: '10.00', reason: 'Not this invoice', allocations: [{ invoice_id: other.id, amount: '10.00' }] }, 'allocations[0].amount'],
      [{ amount: '10.00', reason: 'Reversal above the refund', allocations: [{ invoice_id: inv.id, amount: '20.00' }] }, 'allocations'],
      [{ amount: '10.00', reason: 'No credit to give', allocations: [] }, 'amount'],
    ] as const) {
      const refused = await post(`/payments/${payment.id}/refunds`, body);
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(card.refunds.length, 'the provider was never asked for an invalid refund').toBe(asked);

    const response = await post(`/payments/${payment.id}/refunds`, { amount: '30.00', reason: 'Partly returned' });
    expect(response.statusCode, response.body).toBe(201);
    const refund = response.json();
    expect(card.refunds.slice(asked).map((r) => ({ ...r, amount: r.amount.toFixed() }))).toEqual([
      { organizationId: expect.any(String), paymentId: payment.id, refundId: refund.id, idempotencyKey: refund.id, providerReference: `ch_${payment.id}`, amount: '30', currency: 'INR', reason: 'Partly returned' },
    ]);
    expect(refund).toMatchObject({ provider: 'test-card', provider_reference: `re_${refund.id}`, allocations: [{ invoice_id: inv.id, amount: '30.00' }] });
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', amount_paid: '70.00', amount_refunded: '30.00' });
  });

  it.each([
    ['refuses (402)', () => new ProblemError(402, 'PAYMENT_DECLINED'), 402],
    ['fails (unreachable)', () => new Error('connect ECONNREFUSED'), 500],
  ])('changes nothing when the provider %s, and the same refund goes through once it answers', async (_label, failure, status) => {
    const inv = await openInvoice(acme, '50.00');
    const payment = (await byCard({ client_id: acme, amount: '80.00', allocations: [{ invoice_id: inv.id, amount: '50.00' }] })).json();
    expect((await invoice(inv.id)).status).toBe('paid');
    const before = { payment: (await get(`/payments/${payment.id}`)).json(), invoice: await invoice(inv.id), events: await eventTypes(world.app), audit: await auditCount() };

    card.failure = failure();
    const asked = card.refunds.length;
    const response = await post(`/payments/${payment.id}/refunds`, { amount: '60.00', reason: 'Cancelled' });
    expect(response.statusCode, response.body).toBe(status);
    expect(card.refunds.length, 'the provider was asked once').toBe(asked + 1);
    const { refundId } = card.refunds.at(-1)!;
    expect((await get(`/payments/${payment.id}/refunds/${refundId}`)).statusCode).toBe(404);
    expect((await get(`/payments/${payment.id}`)).json()).toEqual(before.payment);
    expect(await invoice(inv.id)).toEqual(before.invoice);
    expect(await eventTypes(world.app)).toEqual(before.events);
    expect(await auditCount()).toBe(before.audit);

    card.failure = undefined;
    const retried = await post(`/payments/${payment.id}/refunds`, { amount: '60.00', reason: 'Cancelled' });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json()).toMatchObject({ from_unapplied: '30.00', allocations: [{ invoice_id: inv.id, amount: '30.00' }] });
    expect(await invoice(inv.id)).toMatchObject({ status: 'open', amount_paid: '20.00', amount_refunded: '30.00' });
    expect((await get(`/payments/${payment.id}`)).json()).toMatchObject({ status: 'partially_refunded', amount_refunded: '60.00', amount_unapplied: '0.00', version: before.payment.version + 1 });
  });

  it('hands the provider a key derived from Idempotency-Key, so a retry after our failure cannot refund twice', async () => {
    const inv = await openInvoice(acme, '90.00');
    const payment = (await byCard({ client_id: acme, amount: '90.00', allocations: [{ invoice_id: inv.id, amount: '90.00' }] })).json();
    const db = world.app.kernel.database;
    // The provider refunds, then our transaction fails: the first refund row inserted afterwards
    // raises (a sequence is not rolled back, so only the first one does).
    await db.execute(`
      CREATE SEQUENCE refund_insert_attempts;
      CREATE FUNCTION fail_first_refund() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('refund_insert_attempts') = 1 THEN RAISE EXCEPTION 'disk full'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_first_refund BEFORE INSERT ON payment_refunds FOR EACH ROW EXECUTE FUNCTION fail_first_refund();`);
    try {
      const asked = card.refunds.length;
      const body = { amount: '25.00', reason: 'Damaged' };
      const failed = await post(`/payments/${payment.id}/refunds`, body, world.adminA, { 'idempotency-key': 'refund-damaged-1' });
      expect(failed.statusCode, failed.body).toBe(500);
      expect(failed.body).not.toContain('disk full');
      expect((await get(`/payments/${payment.id}`)).json()).toMatchObject({ amount_refunded: '0.00', refunds: [] });

      const retried = await post(`/payments/${payment.id}/refunds`, body, world.adminA, { 'idempotency-key': 'refund-damaged-1' });
      expect(retried.statusCode, retried.body).toBe(201);
      const another = await post(`/payments/${payment.id}/refunds`, body, world.adminA, { 'idempotency-key': 'refund-damaged-2' });
      expect(another.statusCode, another.body).toBe(201);
      const [first, retry, second] = card.refunds.slice(asked);
      // A provider honouring its idempotency key answers the first refund again for the retry.
      expect(retry!.idempotencyKey).toBe(first!.idempotencyKey);
      expect(retry!.refundId).not.toBe(first!.refundId);
      expect(second!.idempotencyKey).not.toBe(first!.idempotencyKey);
      expect(first!.idempotencyKey).not.toContain('refund-damaged');
      expect((await get(`/payments/${payment.id}`)).json()).toMatchObject({ amount_refunded: '50.00' });
    } finally {
      await db.execute('DROP TRIGGER fail_first_refund ON payment_refunds; DROP FUNCTION fail_first_refund(); DROP SEQUENCE refund_insert_attempts;');
    }
  });

  it('refuses (409) without asking the provider when an invoice no longer holds what the payment put on it', async () => {
    const inv = await openInvoice(acme, '40.00');
    const payment = (await byCard({ client_id: acme, amount: '40.00', allocations: [{ invoice_id: inv.id, amount: '40.00' }] })).json();
    // Data gone wrong behind the service's back: the guard is what stops a refund against it.
    await world.app.kernel.database.query("UPDATE invoices SET amount_paid = '10' WHERE id = $1", [inv.id]);
    const before = { payment: (await get(`/payments/${payment.id}`)).json(), invoice: await invoice(inv.id), events: await eventTypes(world.app) };
    const asked = card.refunds.length;
    const response = await post(`/payments/${payment.id}/refunds`, { amount: '40.00', reason: 'Returned' });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: 'INVALID_STATE_TRANSITION', detail: expect.stringContaining(inv.number) });
    expect(card.refunds.length).toBe(asked);
    expect((await get(`/payments/${payment.id}`)).json()).toEqual(before.payment);
    expect(await invoice(inv.id)).toEqual(before.invoice);
    expect(await eventTypes(world.app)).toEqual(before.events);
  });
});

describe('refusals change nothing', () => {
  it('refuses an allocation above the amount remaining (422 naming the field)', async () => {
    const inv = await openInvoice(acme, '100.00');
    await pay({ client_id: acme, amount: '70.00', allocations: [{ invoice_id: inv.id, amount: '70.00' }] });
    const before = await paymentCount();
    const response = await pay({ client_id: acme, amount: '40.00', allocations: [{ invoice_id: inv.id, amount: '30.01' }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'allocations[0].amount', message: expect.stringContaining('30.00') }]);
    expect(await paymentCount()).toBe(before);
    expect(await invoice(inv.id)).toMatchObject({ amount_paid: '70.00', amount_remaining: '30.00' });
  });

  it.each([
    ['a sum of allocations above the amount', { amount: '10.00', allocations: 'x:20.00' }, 'allocations'],
    ['more decimals than the currency has', { amount: '10.001' }, 'amount'],
    ['a zero amount', { amount: '0' }, 'amount'],
    ['an unknown provider', { amount: '10.00', provider: 'stripe' }, 'provider'],
    ['an unknown currency', { amount: '10.00', currency: 'XYZ' }, 'currency'],
  ])('refuses %s', async (_label, body, field) => {
    const inv = await openInvoice(acme, '100.00');
    const { allocations, ...rest } = body as { allocations?: string };
    const before = await paymentCount();
    const response = await pay({ client_id: acme, ...rest, ...(allocations ? { allocations: [{ invoice_id: inv.id, amount: allocations.split(':')[1] }] } : {}) });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await paymentCount()).toBe(before);
  });

  it('refuses an invoice in another currency than the payment', async () => {
    const inv = await openInvoice(globex, '100.00', world.adminA, { exchange_rate: '83.25' });
    const before = await paymentCount();
    const response = await pay({ client_id: globex, amount: '100.00', currency: 'INR', allocations: [{ invoice_id: inv.id, amount: '100.00' }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0]).toMatchObject({ field: 'allocations[0].invoice_id', message: expect.stringContaining('USD') });
    expect(await paymentCount()).toBe(before);
    expect((await pay({ client_id: globex, amount: '100.00', currency: 'usd', allocations: [{ invoice_id: inv.id, amount: '100.00' }] })).statusCode).toBe(201);
  });

  it('refuses another client’s invoice and a draft', async () => {
    const inv = await openInvoice(acme, '100.00');
    const response = await pay({ client_id: sharma, amount: '10.00', allocations: [{ invoice_id: inv.id, amount: '10.00' }] });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].message).toContain('another client');
    const draft = await created('/invoices', { client_id: acme, lines: [{ description: 'Draft', quantity: 1, unit_price: 10 }] });
    const toDraft = await pay({ client_id: acme, amount: '10.00', allocations: [{ invoice_id: draft.id, amount: '10.00' }] });
    expect(toDraft.statusCode).toBe(422);
    expect(toDraft.json().errors[0].message).toContain('draft');
  });

  it('keeps payments to their organization', async () => {
    const inv = await openInvoice(acme, '100.00');
    const payment = (await pay({ client_id: acme, amount: '120.00', allocations: [{ invoice_id: inv.id, amount: '10.00' }] })).json();
    const before = await paymentCount();
    const theirClient = await pay({ client_id: acme, amount: '10.00' }, world.adminB);
    expect(theirClient.statusCode).toBe(422);
    expect(theirClient.json().errors[0].field).toBe('client_id');
    const ourInvoice = await pay({ client_id: otherClient, amount: '10.00', allocations: [{ invoice_id: inv.id, amount: '10.00' }] }, world.adminB);
    expect(ourInvoice.statusCode).toBe(422);
    expect(ourInvoice.json().errors[0]).toMatchObject({ field: 'allocations[0].invoice_id', message: 'no such invoice in this organization' });
    for (const [method, url, body] of [
      ['GET', `/api/v1/payments/${payment.id}`, undefined],
      ['POST', `/api/v1/payments/${payment.id}/refunds`, { amount: '1.00', reason: 'not mine' }],
      ['POST', `/api/v1/payments/${payment.id}/allocations`, { allocations: [{ invoice_id: inv.id, amount: '1.00' }] }],
      ['GET', `/api/v1/clients/${acme}/credit`, undefined],
    ] as const) {
      expect((await call(world.app, world.adminB, method, url, body)).statusCode).toBe(404);
    }
    expect((await get('/payments', world.adminB)).json().items).toEqual([]);
    expect(await paymentCount()).toBe(before);
    expect((await get(`/payments/${payment.id}`)).json()).toMatchObject({ amount_refunded: '0.00', amount_unapplied: '110.00', version: 1 });
    expect(await invoice(inv.id)).toMatchObject({ amount_paid: '10.00' });
  });

  it('checks permissions: users read, managers record, administrators refund', async () => {
    const inv = await openInvoice(acme, '100.00');
    expect((await pay({ client_id: acme, amount: '10.00' }, world.userA)).statusCode).toBe(403);
    expect((await get('/payments', world.userA)).statusCode).toBe(200);
    const payment = await pay({ client_id: acme, amount: '10.00', allocations: [{ invoice_id: inv.id, amount: '10.00' }] }, world.managerA);
    expect(payment.statusCode, payment.body).toBe(201);
    expect((await post(`/payments/${payment.json().id}/refunds`, { amount: '1.00', reason: 'manager tries' }, world.managerA)).statusCode).toBe(403);
    expect((await post(`/payments/${payment.json().id}/refunds`, { amount: '1.00', reason: 'user tries' }, world.userA)).statusCode).toBe(403);
  });

  it('refuses to void an invoice once something is paid (409)', async () => {
    const inv = await openInvoice(acme, '100.00');
    await pay({ client_id: acme, amount: '1.00', allocations: [{ invoice_id: inv.id, amount: '1.00' }] });
    const response = await post(`/invoices/${inv.id}/void`, { reason: 'Changed my mind' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('INVALID_STATE_TRANSITION');
  });

  it('replays a POST with the same Idempotency-Key instead of recording twice', async () => {
    const before = await paymentCount();
    const headers = { 'idempotency-key': 'pay-once-123' };
    const first = await pay({ client_id: sharma, amount: '5.00' }, world.adminA, headers);
    const second = await pay({ client_id: sharma, amount: '5.00' }, world.adminA, headers);
    expect(first.statusCode).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect(await paymentCount()).toBe(before + 1);
  });
});

describe('concurrency', () => {
  it(`never overpays an invoice under parallel payments (${onPostgres ? 'PostgreSQL: real race' : 'PGlite: serialized'})`, async () => {
    const inv = await openInvoice(acme, '100.00');
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => pay({ client_id: acme, amount: '30.00', reference: `RACE-${i}`, allocations: [{ invoice_id: inv.id, amount: '30.00' }] })));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 422)).toHaveLength(7);
    expect(await invoice(inv.id)).toMatchObject({ amount_paid: '90.00', amount_remaining: '10.00', status: 'open' });

    const whole = await openInvoice(acme, '100.00');
    const racers = await Promise.all(Array.from({ length: 6 }, () => pay({ client_id: acme, amount: '100.00', allocations: [{ invoice_id: whole.id, amount: '100.00' }] })));
    expect(racers.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(await invoice(whole.id)).toMatchObject({ amount_paid: '100.00', status: 'paid' });
    const allocations = (await get(`/payments?invoice_id=${whole.id}&limit=100`)).json().items;
    expect(allocations).toHaveLength(1);
  });
});

describe('listing', () => {
  it('filters by invoice, client, method and date range, in keyset pages', async () => {
    const client = (await created('/clients', { name: 'Lister', currency: 'INR', billing_address: india('KA') })).id;
    const inv = await openInvoice(client, '100.00');
    const ids: string[] = [];
    for (const [i, method] of (['cash', 'cheque', 'cash'] as const).entries()) {
      ids.push((await pay({ client_id: client, amount: '10.00', method, date: `2026-05-0${i + 1}`, allocations: [{ invoice_id: inv.id, amount: '10.00' }] })).json().id);
    }
    const list = async (query: string) => (await get(`/payments?${query}`)).json().items.map((p: { id: string }) => p.id);
    expect(await list(`invoice_id=${inv.id}&sort=created_at`)).toEqual(ids);
    expect(await list(`client_id=${client}&method=cash&sort=date`)).toEqual([ids[0], ids[2]]);
    expect(await list(`client_id=${client}&paid_after=2026-05-02&paid_before=2026-05-02`)).toEqual([ids[1]]);
    const first = (await get(`/payments?client_id=${client}&limit=2&sort=-date`)).json();
    expect(first.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = (await get(`/payments?client_id=${client}&limit=2&sort=-date&cursor=${first.next_cursor}`)).json();
    expect(second.items.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect((await get('/payments?bogus=1')).statusCode).toBe(400);
  });
});
