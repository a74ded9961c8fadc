import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createBillingWorld, type BillingWorld } from './harness';

// Invoices, payments and recurring schedules name a client: one that is not the caller's
// organization's (unknown, or another organization's) is a 422 on client_id, and nothing is stored.

let world: BillingWorld;
let theirs: string;

const address = { line1: '1 Main St', city: 'Springfield', country: 'US' };
const line = { description: 'Service', quantity: 1, unit_price: 100 };
const count = async (table: string) => Number((await world.app.kernel.database.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

beforeAll(async () => {
  world = await createBillingWorld();
  const response = await call(world.app, world.adminB, 'POST', '/api/v1/clients', { name: 'Theirs', currency: 'USD', billing_address: address });
  expect(response.statusCode, response.body).toBe(201);
  theirs = response.json().id;
});
afterAll(() => world.app.close());

const documents = [
  { name: 'an invoice', url: '/api/v1/invoices', table: 'invoices', body: (clientId: string) => ({ client_id: clientId, lines: [line] }) },
  { name: 'a payment', url: '/api/v1/payments', table: 'payments', body: (clientId: string) => ({ client_id: clientId, amount: 10, currency: 'USD', method: 'cash' }) },
  { name: 'a recurring schedule', url: '/api/v1/recurring-invoices', table: 'recurring_invoices', body: (clientId: string) => ({ client_id: clientId, interval: 'monthly', start_date: '2030-01-01', template: { lines: [line] } }) },
];

describe('the client a document names', () => {
  for (const document of documents) {
    for (const [which, clientId] of [['an unknown client', () => 'cli_nope'], ['another organization’s client', () => theirs]] as const) {
      it(`refuses ${document.name} for ${which} (422 on client_id), storing nothing`, async () => {
        const before = await count(document.table);
        const response = await call(world.app, world.adminA, 'POST', document.url, document.body(clientId()));
        expect(response.statusCode, response.body).toBe(422);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json().errors).toContainEqual({ field: 'client_id', message: 'no such client in this organization' });
        expect(await count(document.table)).toBe(before);
      });
    }
  }

  it('reports the client with the other problems of a payment or a schedule, all at once', async () => {
    const payment = await call(world.app, world.adminA, 'POST', '/api/v1/payments', { client_id: 'cli_nope', amount: 0, currency: 'USD', method: 'cash' });
    expect(payment.statusCode).toBe(422);
    expect(payment.json().errors.map((e: { field: string }) => e.field)).toEqual(['client_id', 'amount']);
    const schedule = await call(world.app, world.adminA, 'POST', '/api/v1/recurring-invoices', { client_id: 'cli_nope', interval: 'monthly', start_date: '2030-01-01', end_date: '2029-01-01', template: { lines: [line] } });
    expect(schedule.statusCode).toBe(422);
    expect(schedule.json().errors.map((e: { field: string }) => e.field)).toEqual(['client_id', 'end_date']);
  });
});
