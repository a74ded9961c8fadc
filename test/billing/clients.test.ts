import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditActions, eventTypes } from '../support/identity';
import { call, createBillingWorld, type BillingWorld } from './harness';

let world: BillingWorld;

const acme = {
  name: '  Acme Traders  ',
  email: 'Accounts@Acme.example',
  currency: 'inr',
  billing_address: { line1: '12 MG Road', city: 'Bengaluru', state: 'ka', postal_code: '560001', country: 'in' },
  tax_id: '29aagcb7383j1z4',
  credit_limit: 50000,
  tags: ['wholesale', 'priority'],
  notes: 'Pays by NEFT',
  contacts: [
    { name: 'Asha Rao', email: 'Asha@Acme.example', phone: '+91 80 1234 5678' },
    { name: 'Vikram Shah', email: 'vikram@acme.example', is_primary: true },
  ],
};

const create = (body: object, token = world.adminA) => call(world.app, token, 'POST', '/api/v1/clients', body);
const count = async (token = world.adminA) => (await call(world.app, token, 'GET', '/api/v1/clients?include_total=true')).json().total as number;

beforeAll(async () => {
  world = await createBillingWorld();
});
afterAll(() => world.app.close());

describe('creating a client', () => {
  it('stores the client normalised, with its contacts, and answers 201 with Location and ETag; audited with its event', async () => {
    const response = await create(acme);
    expect(response.statusCode, response.body).toBe(201);
    const client = response.json();
    expect(response.headers.location).toBe(`/api/v1/clients/${client.id}`);
    expect(response.headers.etag).toBe('"v1"');
    expect(client).toMatchObject({
      name: 'Acme Traders',
      email: 'accounts@acme.example',
      currency: 'INR',
      billing_address: { line1: '12 MG Road', line2: null, city: 'Bengaluru', state: 'KA', postal_code: '560001', country: 'IN' },
      shipping_address: null,
      tax_id: '29AAGCB7383J1Z4',
      credit_limit: '50000.00',
      tags: ['wholesale', 'priority'],
      version: 1,
    });
    expect(client.id).toMatch(/^cli_/);
    expect(client.contacts).toEqual([
      { id: expect.stringMatching(/^con_/), name: 'Asha Rao', email: 'asha@acme.example', phone: '+91 80 1234 5678', is_primary: false },
      { id: expect.stringMatching(/^con_/), name: 'Vikram Shah', email: 'vikram@acme.example', phone: null, is_primary: true },
    ]);
    expect(await auditActions(world.app, client.id)).toContain('client.created');
    expect(await eventTypes(world.app)).toContain('client.created');
  });

  it('makes the first contact primary when none is marked, and accepts renamed Indian state codes', async () => {
    const response = await create({ name: 'Kalinga Foods', currency: 'INR', billing_address: { line1: '1 Janpath', city: 'Bhubaneswar', state: 'OR', country: 'IN' }, contacts: [{ name: 'Ravi' }, { name: 'Mina' }] });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().billing_address.state).toBe('OD');
    expect(response.json().contacts.map((c: { is_primary: boolean }) => c.is_primary)).toEqual([true, false]);
  });

  it.each([
    ['a GSTIN with a wrong check character', { tax_id: '29AAGCB7383J1Z5' }, 'tax_id', /check character/],
    ['a GSTIN of another state than the billing address', { tax_id: '27AAPFU0939F1ZV' }, 'tax_id', /registered in state MH/],
    ['an Indian address without a state', { billing_address: { line1: 'x', city: 'Pune', country: 'IN' } }, 'billing_address.state', /Indian state/],
    ['an unknown country', { billing_address: { line1: 'x', city: 'Nowhere', country: 'QQ' } }, 'billing_address.country', /ISO 3166-1/],
    ['an unknown currency', { currency: 'ABC' }, 'currency', /ISO 4217/],
    ['a credit limit with more decimals than the currency has', { currency: 'JPY', credit_limit: '100.5', billing_address: { line1: 'x', city: 'Tokyo', country: 'JP' }, tax_id: null }, 'credit_limit', /at most 0 decimal places in JPY/],
    ['a negative credit limit', { credit_limit: '-1.00' }, 'credit_limit', /must not be negative/],
    ['two primary contacts', { contacts: [{ name: 'A', is_primary: true }, { name: 'B', is_primary: true }] }, 'contacts', /at most one/],
    ['payment terms that do not exist', { payment_terms_id: 'term_nope' }, 'payment_terms_id', /no such payment terms/],
  ])('refuses %s with 422 naming the field, and creates nothing', async (_label, change, field, message) => {
    const before = await count();
    const response = await create({ ...acme, tax_id: null, ...change, name: `Refused ${field}` });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem.code).toBe('VALIDATION_ERROR');
    expect(problem.errors).toContainEqual({ field, message: expect.stringMatching(message) });
    expect(await count()).toBe(before);
  });

  it('refuses a second client with the same tax id (409 naming the existing one)', async () => {
    const response = await create({ ...acme, name: 'Acme Again' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'CLIENT_TAX_ID_EXISTS' });
    expect(response.json().detail).toMatch(/cli_/);
  });

  it("links the organization's own payment terms, never another organization's", async () => {
    const terms = (token: string, code: string) => call(world.app, token, 'POST', '/api/v1/master-data/payment-terms', { name: 'Net 30', code, payment_days: 30 });
    const own = (await terms(world.adminA, 'NET30')).json().id;
    const foreign = (await terms(world.adminB, 'NET30')).json().id;
    const linked = await create({ name: 'Umbrella', currency: 'USD', billing_address: { line1: '1 Main St', city: 'Austin', country: 'US' }, payment_terms_id: own });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(linked.json().payment_terms_id).toBe(own);
    const refused = await call(world.app, world.adminA, 'PATCH', `/api/v1/clients/${linked.json().id}`, { payment_terms_id: foreign });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toContainEqual({ field: 'payment_terms_id', message: 'no such payment terms in this organization' });
  });

  it('stores script and SQL strings as plain text', async () => {
    const name = `<script>alert(1)</script>'; DROP TABLE clients; --`;
    const response = await create({ name, currency: 'USD', billing_address: { line1: '1 Main St', city: 'Austin', state: 'TX', country: 'US' }, notes: '{{7*7}}' });
    expect(response.statusCode, response.body).toBe(201);
    const fetched = await call(world.app, world.adminA, 'GET', `/api/v1/clients/${response.json().id}`);
    expect(fetched.json()).toMatchObject({ name, notes: '{{7*7}}' });
  });
});

describe('reading and searching', () => {
  it('finds clients by any word of their name, email, tax id or a contact, and filters by tag, currency and country', async () => {
    const search = async (query: string) => (await call(world.app, world.managerA, 'GET', `/api/v1/clients?${query}`)).json().items.map((c: { name: string }) => c.name);
    expect(await search('q=vikram')).toEqual(['Acme Traders']);
    expect(await search('q=acme%20traders')).toEqual(['Acme Traders']);
    expect(await search('q=29AAGCB')).toEqual(['Acme Traders']);
    expect(await search('q=100%25')).toEqual([]);
    expect(await search('tag=priority')).toEqual(['Acme Traders']);
    expect((await search('currency=usd')).sort()).toEqual(['<script>alert(1)</script>\'; DROP TABLE clients; --', 'Umbrella']);
    expect((await search('country=IN')).sort()).toEqual(['Acme Traders', 'Kalinga Foods']);
  });

  it('walks every client by name in pages, without duplicates', async () => {
    for (const name of ['Delta', 'Bravo', 'Echo', 'Charlie', 'Alpha']) expect((await create({ name, currency: 'USD', billing_address: { line1: '1 Main St', city: 'Austin', country: 'US' } })).statusCode).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { name: string }[]; next_cursor: string | null } = (await call(world.app, world.adminA, 'GET', `/api/v1/clients?sort=name&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((c) => c.name));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await count());
  });

  it('refuses unknown query parameters (400) and sorts on other fields (422)', async () => {
    expect((await call(world.app, world.adminA, 'GET', '/api/v1/clients?colour=red')).statusCode).toBe(400);
    expect((await call(world.app, world.adminA, 'GET', '/api/v1/clients?sort=email')).statusCode).toBe(422);
  });
});

describe('updating and deleting', () => {
  it('applies a partial update checked as a whole, with If-Match, and replaces contacts only when given', async () => {
    const id = (await create({ name: 'Globex', currency: 'USD', billing_address: { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' }, tax_id: 'US-12-345', contacts: [{ name: 'Hank' }] })).json().id;
    const moved = await call(world.app, world.adminA, 'PATCH', `/api/v1/clients/${id}`, { billing_address: { line1: 'x', city: 'Pune', country: 'IN', state: 'MH' } }, { 'if-match': '"v1"' });
    // Now in India, the free-form tax id is checked as a GSTIN.
    expect(moved.statusCode).toBe(422);
    expect(moved.json().errors).toContainEqual({ field: 'tax_id', message: expect.stringMatching(/not a GSTIN/) });

    const renamed = await call(world.app, world.adminA, 'PATCH', `/api/v1/clients/${id}`, { name: 'Globex Corp', tags: ['vip'] }, { 'if-match': '"v1"' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Globex Corp', tags: ['vip'], version: 2, tax_id: 'US-12-345' });
    expect(renamed.json().contacts.map((c: { name: string }) => c.name)).toEqual(['Hank']);

    const stale = await call(world.app, world.adminA, 'PATCH', `/api/v1/clients/${id}`, { name: 'Lost update' }, { 'if-match': '"v1"' });
    expect(stale.statusCode).toBe(412);

    const contacts = await call(world.app, world.adminA, 'PATCH', `/api/v1/clients/${id}`, { contacts: [{ name: 'Marge', email: 'marge@globex.example' }] });
    expect(contacts.json().contacts).toEqual([{ id: expect.any(String), name: 'Marge', email: 'marge@globex.example', phone: null, is_primary: true }]);
    expect((await call(world.app, world.adminA, 'GET', `/api/v1/clients/${id}`)).json().name).toBe('Globex Corp');
  });

  it('deletes a client (204, then 404) with its event', async () => {
    const id = (await create({ name: 'Initech', currency: 'USD', billing_address: { line1: '1 Main St', city: 'Austin', country: 'US' } })).json().id;
    expect((await call(world.app, world.adminA, 'DELETE', `/api/v1/clients/${id}`)).statusCode).toBe(204);
    const gone = await call(world.app, world.adminA, 'GET', `/api/v1/clients/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('CLIENT_NOT_FOUND');
    expect(await eventTypes(world.app)).toContain('client.deleted');
  });
});

describe('isolation and permissions', () => {
  it("answers 404 to another organization for every operation, and changes nothing", async () => {
    const client = (await call(world.app, world.adminA, 'GET', '/api/v1/clients?q=vikram')).json().items[0];
    for (const [method, payload] of [['GET'], ['PATCH', { name: 'Stolen' }], ['DELETE']] as const) {
      const response = await call(world.app, world.adminB, method, `/api/v1/clients/${client.id}`, payload);
      expect(response.statusCode).toBe(404);
    }
    expect((await call(world.app, world.adminB, 'GET', '/api/v1/clients?q=acme')).json().items).toEqual([]);
    expect((await call(world.app, world.adminA, 'GET', `/api/v1/clients/${client.id}`)).json()).toMatchObject({ name: 'Acme Traders', version: client.version });
  });

  it('lets a plain user read clients but not change, import or export them', async () => {
    expect((await call(world.app, world.userA, 'GET', '/api/v1/clients')).statusCode).toBe(200);
    expect((await create({ ...acme, tax_id: null, name: 'By a clerk' }, world.userA)).statusCode).toBe(403);
    expect((await call(world.app, world.userA, 'GET', '/api/v1/clients/export')).statusCode).toBe(403);
    expect((await world.app.inject({ method: 'POST', url: '/api/v1/clients/import', headers: { authorization: `Bearer ${world.userA}`, 'content-type': 'text/csv' }, payload: 'name\nX' })).statusCode).toBe(403);
  });
});
