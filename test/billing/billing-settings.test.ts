import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF, PNG } from '../files/support';
import { eventTypes } from '../support/identity';
import { call, createBillingWorld, uploadFile, type BillingWorld } from './harness';

let world: BillingWorld;

const settingsOf = (token: string) => call(world.app, token, 'GET', '/api/v1/billing/settings');
const patch = (body: object, token = world.adminA, headers: Record<string, string> = {}) => call(world.app, token, 'PATCH', '/api/v1/billing/settings', body, headers);

beforeAll(async () => {
  world = await createBillingWorld();
});
afterAll(() => world.app.close());

describe('billing settings', () => {
  it('answers the defaults, version 0, until the organization saves its own', async () => {
    const response = await settingsOf(world.managerA);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"v0"');
    expect(response.json()).toEqual({
      legal_name: null,
      address: null,
      tax_id: null,
      logo_file_id: null,
      base_currency: 'USD',
      invoice_number_pattern: 'INV-{YYYY}-{SEQ:4}',
      credit_note_number_pattern: 'CN-{YYYY}-{SEQ:4}',
      default_payment_terms_id: null,
      default_notes: '',
      version: 0,
      updated_at: null,
    });
  });

  it('saves the profile normalised (GSTIN checked against the state), with If-Match, audited with its event', async () => {
    const logo = await uploadFile(world.app, world.adminA, 'logo.png', PNG);
    const response = await patch(
      {
        legal_name: 'Books & Co Pvt Ltd',
        address: { line1: '80 Residency Rd', city: 'Bengaluru', state: 'KA', postal_code: '560025', country: 'in' },
        tax_id: '29aagcb7383j1z4',
        logo_file_id: logo,
        base_currency: 'inr',
        invoice_number_pattern: 'BK/{YY}{MM}/{SEQ:5}',
        default_notes: 'Thank you for your business.',
      },
      world.adminA,
      { 'if-match': '"v0"' },
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers.etag).toBe('"v1"');
    expect(response.json()).toMatchObject({
      legal_name: 'Books & Co Pvt Ltd',
      address: { state: 'KA', country: 'IN', line2: null },
      tax_id: '29AAGCB7383J1Z4',
      logo_file_id: logo,
      base_currency: 'INR',
      invoice_number_pattern: 'BK/{YY}{MM}/{SEQ:5}',
      credit_note_number_pattern: 'CN-{YYYY}-{SEQ:4}',
      version: 1,
    });
    const audited = await world.app.kernel.database.query<{ actor_id: string }>("SELECT actor_id FROM audit_logs WHERE action = 'billing_settings.updated'");
    expect(audited).toHaveLength(1);
    expect(await eventTypes(world.app)).toContain('billing_settings.updated');

    const stale = await patch({ default_notes: 'Lost update' }, world.adminA, { 'if-match': '"v0"' });
    expect(stale.statusCode).toBe(412);
    expect((await settingsOf(world.adminA)).json().default_notes).toBe('Thank you for your business.');
  });

  it.each([
    ['a pattern without a sequence', { invoice_number_pattern: 'INV-{YYYY}' }, 'invoice_number_pattern', /exactly one \{SEQ:n\}/],
    ['a pattern with an unknown token', { invoice_number_pattern: 'INV-{DD}-{SEQ:3}' }, 'invoice_number_pattern', /unknown token/],
    ['a pattern with spaces', { credit_note_number_pattern: 'CN {SEQ:3}' }, 'credit_note_number_pattern', /letters, digits/],
    ['the same pattern for invoices and credit notes', { invoice_number_pattern: 'X-{SEQ:3}', credit_note_number_pattern: 'X-{SEQ:3}' }, 'credit_note_number_pattern', /must differ/],
    ['a GSTIN of another state', { tax_id: '27AAPFU0939F1ZV' }, 'tax_id', /registered in state MH/],
    ['an unknown currency', { base_currency: 'ZZZ' }, 'base_currency', /ISO 4217/],
    ['a file that does not exist', { logo_file_id: 'fil_nope' }, 'logo_file_id', /no such file/],
    ['payment terms that do not exist', { default_payment_terms_id: 'term_nope' }, 'default_payment_terms_id', /no such payment terms/],
  ])('refuses %s with 422 and keeps the saved profile', async (_label, body, field, message) => {
    const before = (await settingsOf(world.adminA)).json();
    const response = await patch(body);
    expect(response.statusCode, response.body).toBe(422);
    expect(response.json().errors).toContainEqual({ field, message: expect.stringMatching(message) });
    expect((await settingsOf(world.adminA)).json()).toEqual(before);
  });

  it('refuses a logo that is not a PNG or JPEG image', async () => {
    const pdf = await uploadFile(world.app, world.adminA, 'logo.pdf', PDF);
    const response = await patch({ logo_file_id: pdf });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toContainEqual({ field: 'logo_file_id', message: 'must be a PNG or JPEG image (this file is application/pdf)' });
  });

  it('keeps each organization’s profile to itself and lets only administrators change it', async () => {
    expect((await settingsOf(world.adminB)).json().version).toBe(0);
    const foreignLogo = await uploadFile(world.app, world.adminB, 'b.png', PNG);
    const response = await patch({ logo_file_id: foreignLogo });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toContainEqual({ field: 'logo_file_id', message: 'no such file in this organization' });
    expect((await patch({ legal_name: 'Manager Co' }, world.managerA)).statusCode).toBe(403);
    expect((await settingsOf(world.userA)).statusCode).toBe(403);
    expect((await patch({})).statusCode).toBe(422);
  });
});
