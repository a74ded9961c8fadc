import { afterAll, beforeAll, expect, it } from 'vitest';
import { PaymentGatewayRegistry, type PaymentGateway } from '../../src/modules/billing/payments/gateway';
import { call, createBillingWorld, type BillingWorld } from '../billing/harness';

// On PostgreSQL, a second connection tries to lock the rows of a refund while its provider is
// being asked: the refund's transaction must already hold the payment and its invoices, so that
// nothing changes them between the checks and the provider's answer.

let world: BillingWorld;
let during: (() => Promise<void>) | undefined;
const card: PaymentGateway = {
  name: 'test-card',
  async createPayment(request) {
    return { providerReference: `ch_${request.paymentId}` };
  },
  async refund(request) {
    await during?.();
    return { providerReference: `re_${request.refundId}` };
  },
};
const gateways = new PaymentGatewayRegistry();
gateways.register(card);

const post = (url: string, body: object) => call(world.app, world.adminA, 'POST', `/api/v1${url}`, body);
async function created(url: string, body: object) {
  const response = await post(url, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

beforeAll(async () => {
  world = await createBillingWorld({ billing: { gateways } });
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: { line1: '1 Road', city: 'Bengaluru', state: 'KA', country: 'IN' }, base_currency: 'INR' });
  expect(settings.statusCode, settings.body).toBe(200);
});
afterAll(() => world.app.close());

it('holds the payment and its invoices locked while the provider is asked', async () => {
  const client = await created('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: { line1: '1 Road', city: 'Bengaluru', state: 'KA', country: 'IN' } });
  const draft = await created('/invoices', { client_id: client.id, issue_date: '2026-04-01', lines: [{ description: 'Service', quantity: 1, unit_price: '30.00' }] });
  const finalized = await post(`/invoices/${draft.id}/finalize`, {});
  expect(finalized.statusCode, finalized.body).toBe(200);
  const payment = await created('/payments', { client_id: client.id, amount: '30.00', currency: 'INR', method: 'card', provider: 'test-card', date: '2026-04-10', allocations: [{ invoice_id: draft.id, amount: '30.00' }] });
  const lockedElsewhere: string[] = [];
  during = async () => {
    for (const [table, id] of [['payments', payment.id], ['invoices', draft.id]]) {
      try {
        await world.app.kernel.database.query(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE NOWAIT`, [id]);
      } catch (error) {
        if ((error as { code?: string }).code === '55P03') lockedElsewhere.push(table);
        else throw error;
      }
    }
  };
  const response = await post(`/payments/${payment.id}/refunds`, { amount: '30.00', reason: 'Returned' });
  expect(response.statusCode, response.body).toBe(201);
  expect(lockedElsewhere).toEqual(['payments', 'invoices']);
});
