import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_ORIGIN } from '../../src/kernel/audit/audit';
import type { Actor } from '../../src/kernel/auth/actor';
import type { Tx } from '../../src/kernel/db/database';
import { clientService } from '../../src/modules/billing/clients/service';
import type { Caller } from '../../src/modules/billing/master-data/common';
import { paymentTermsExist } from '../../src/modules/billing/master-data/index';
import { paymentTermService } from '../../src/modules/billing/master-data/payment-terms.service';
import { taxCodeService } from '../../src/modules/billing/master-data/tax-codes.service';
import { unitService } from '../../src/modules/billing/master-data/units.service';
import { call, createBillingWorld, type BillingWorld } from '../billing/harness';

// On PostgreSQL, deleting master data and storing a reference to it run at the same time on
// separate connections. Whichever locks the row first wins; the other waits, then fails cleanly:
// a reference never points at a deleted row, and a delete never leaves one behind.

let world: BillingWorld;
let actor: Actor;
let client: string;
let seq = 0;

const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: object) => call(world.app, world.adminA, method, `/api/v1${url}`, body);
async function created(url: string, body: object) {
  const response = await send('POST', url, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}
const line = (extra: object = {}) => ({ description: 'Service', quantity: 1, unit_price: 100, ...extra });
const term = async () => (await created('/master-data/payment-terms', { name: 'Net 30', code: `R${++seq}`, payment_days: 30 })).id as string;
const taxCode = async () => (await created('/master-data/tax-codes', { name: 'VAT', code: `RV${++seq}`, tax_type: 'VAT', rate: 10, effective_from: '2020-01-01' })).id as string;
const unit = async () => (await created('/master-data/units', { name: 'Box', symbol: `rb${++seq}`, unit_type: 'quantity', conversion_factor: 12 })).id as string;

/** A transaction that has done `work` and stays open until released. */
function held(work: (tx: Tx) => Promise<unknown>) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const ready = new Promise<void>((resolve) => (reached = resolve));
  const committed = world.app.kernel.database.transaction(async (tx) => {
    await work(tx);
    reached();
    await gate;
  });
  return { ready, release, committed };
}

/** Whether the request is still waiting after `ms`. */
const stillWaiting = (request: Promise<LightMyRequestResponse>, ms = 400) => Promise.race([request.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), ms))]);

beforeAll(async () => {
  world = await createBillingWorld();
  client = (await created('/clients', { name: 'Acme', currency: 'USD', billing_address: { line1: '1 Main St', city: 'Springfield', country: 'US' } })).id;
  const { organization_id: organizationId } = await created('/master-data/payment-terms', { name: 'Probe', code: 'PROBE', payment_days: 1 });
  actor = { type: 'system', id: 'race-test', organizationId, role: 'system', permissions: [] };
  await created('/master-data/units', { name: 'Piece', symbol: 'pc', unit_type: 'quantity', is_base_unit: true });
  // Each write once beforehand, so that a write that does not wait answers well within stillWaiting's time.
  await created('/invoices', { client_id: client, issue_date: '2026-04-01', lines: [line({ tax_code_id: await taxCode(), unit_id: await unit() })] });
  await created('/recurring-invoices', { client_id: client, interval: 'monthly', start_date: '2030-01-01', template: { lines: [line()] } });
});
afterAll(() => world.app.close());

const caller = (): Caller => ({ actor, origin: NO_ORIGIN, locale: 'en' });

describe('a delete in progress', () => {
  // The delete has locked and removed the row but not committed: a write naming the row waits for it, then finds no row (422).
  const cases = [
    {
      name: 'payment terms named by a new client',
      make: term,
      remove: (tx: Tx, id: string) => paymentTermService(world.app.kernel, {}).remove(tx, caller(), id),
      write: (id: string) => send('POST', '/clients', { name: 'Late', currency: 'USD', billing_address: { line1: '9 Main St', city: 'Springfield', country: 'US' }, payment_terms_id: id }),
      field: 'payment_terms_id',
    },
    {
      name: 'payment terms named by the billing settings',
      make: term,
      remove: (tx: Tx, id: string) => paymentTermService(world.app.kernel, {}).remove(tx, caller(), id),
      write: (id: string) => send('PATCH', '/billing/settings', { default_payment_terms_id: id }),
      field: 'default_payment_terms_id',
    },
    {
      name: 'payment terms named by a new schedule',
      make: term,
      remove: (tx: Tx, id: string) => paymentTermService(world.app.kernel, {}).remove(tx, caller(), id),
      write: (id: string) => send('POST', '/recurring-invoices', { client_id: client, interval: 'monthly', start_date: '2030-01-01', template: { payment_terms_id: id, lines: [line()] } }),
      field: 'template.payment_terms_id',
    },
    {
      name: 'a tax code named by a new invoice line',
      make: taxCode,
      remove: (tx: Tx, id: string) => taxCodeService(world.app.kernel, {}).remove(tx, caller(), id),
      write: (id: string) => send('POST', '/invoices', { client_id: client, issue_date: '2026-04-01', lines: [line({ tax_code_id: id })] }),
      field: 'lines[0].tax_code_id',
    },
    {
      name: 'a unit named by a new invoice line',
      make: unit,
      remove: (tx: Tx, id: string) => unitService(world.app.kernel, {}).remove(tx, caller(), id),
      write: (id: string) => send('POST', '/invoices', { client_id: client, issue_date: '2026-04-01', lines: [line({ unit_id: id })] }),
      field: 'lines[0].unit_id',
    },
  ];

  for (const c of cases) {
    it(`makes ${c.name} wait, then refuses it (422)`, async () => {
      const id = await c.make();
      const deletion = held((tx) => c.remove(tx, id));
      await deletion.ready;
      const write = c.write(id);
      expect(await stillWaiting(write)).toBe(true);
      deletion.release();
      await deletion.committed;
      const response = await write;
      expect(response.statusCode, response.body).toBe(422);
      expect(response.json().errors).toContainEqual(expect.objectContaining({ field: c.field }));
    });
  }
});

describe('a reference being written', () => {
  it('makes the delete of its payment terms wait, then refuses it (409)', async () => {
    const id = await term();
    const clients = clientService(world.app.kernel, { paymentTermsExist, hasInvoices: async () => false });
    const writing = held((tx) => clients.create(tx, NO_ORIGIN, actor, { name: 'Early', currency: 'USD', billing_address: { line1: '8 Main St', city: 'Springfield', country: 'US' }, payment_terms_id: id }));
    await writing.ready;
    const deletion = send('DELETE', `/master-data/payment-terms/${id}`);
    expect(await stillWaiting(deletion)).toBe(true);
    writing.release();
    await writing.committed;
    const response = await deletion;
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: 'PAYMENT_TERM_IN_USE', used_by: 'clients' });
    expect((await send('GET', `/master-data/payment-terms/${id}`)).statusCode).toBe(200);
  });
});
