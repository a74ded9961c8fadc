import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JPEG_LOGO, PNG_LOGO, pdfObjects } from '../../src/kernel/pdf/testing';
import { call, createBillingWorld, uploadFile, type BillingWorld } from './harness';

let world: BillingWorld;
let client: string;
/** Logo A, a 48×24 PNG, and logo B, a 12×16 JPEG: told apart in a PDF by their image's size. */
let logoA: string;
let logoB: string;
const A = '48x24';
const B = '12x16';

const post = (url: string, body: object) => call(world.app, world.adminA, 'POST', `/api/v1${url}`, body);
async function setLogo(logo: string | null) {
  const response = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { logo_file_id: logo });
  expect(response.statusCode, response.body).toBe(200);
}
async function draft() {
  const response = await post('/invoices', { client_id: client, issue_date: '2026-04-01', lines: [{ description: 'Service', quantity: 1, unit_price: '100' }] });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; issuer: unknown };
}
async function finalized() {
  const { id } = await draft();
  const response = await post(`/invoices/${id}/finalize`, {});
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { id: string; issuer: { logo_file_id: string | null } };
}

/** The images a PDF embeds, as "width x height", and the bytes of their streams. */
async function images(invoiceId: string) {
  const response = await call(world.app, world.userA, 'GET', `/api/v1/invoices/${invoiceId}/pdf`);
  expect(response.statusCode).toBe(200);
  const found = [...pdfObjects(response.rawPayload).values()].filter((o) => /\/Subtype\s*\/Image/.test(o.dict));
  const dimension = (dict: string, key: string) => new RegExp(`/${key}\\s+(\\d+)`).exec(dict)?.[1];
  return { sizes: found.map((o) => `${dimension(o.dict, 'Width')}x${dimension(o.dict, 'Height')}`), streams: found.map((o) => o.stream) };
}

beforeAll(async () => {
  world = await createBillingWorld();
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co Pvt Ltd', address: { line1: '1 Road', city: 'City', state: 'KA', country: 'IN' }, base_currency: 'INR' });
  expect(settings.statusCode, settings.body).toBe(200);
  const created = await post('/clients', { name: 'Acme Traders', currency: 'INR', billing_address: { line1: '1 Road', city: 'City', state: 'KA', country: 'IN' } });
  expect(created.statusCode, created.body).toBe(201);
  client = created.json().id;
  logoA = await uploadFile(world.app, world.adminA, 'a.png', PNG_LOGO);
  logoB = await uploadFile(world.app, world.adminA, 'b.jpg', JPEG_LOGO);
});
afterAll(() => world.app.close());

describe('the logo on an invoice PDF', () => {
  it('is frozen at finalization for a finalized invoice, and the current one for a draft', async () => {
    await setLogo(logoA);
    const invoice = await finalized();
    expect(invoice.issuer.logo_file_id).toBe(logoA);
    const open = await draft();
    expect(open.issuer).toBeNull();
    const withA = await images(invoice.id);
    expect(withA.sizes).toEqual([A]);
    expect((await images(open.id)).sizes).toEqual([A]);

    // The organization changes its logo: the finalized invoice keeps A (the same image bytes), the draft shows B.
    await setLogo(logoB);
    const later = await images(invoice.id);
    expect(later.sizes).toEqual([A]);
    expect(later.streams).toEqual(withA.streams);
    expect((await images(open.id)).sizes).toEqual([B]);
    expect((await call(world.app, world.adminA, 'GET', `/api/v1/invoices/${invoice.id}`)).json().issuer.logo_file_id).toBe(logoA);

    // … or removes it: the finalized invoice still prints A, the draft none.
    await setLogo(null);
    expect((await images(invoice.id)).sizes).toEqual([A]);
    expect((await images(open.id)).sizes).toEqual([]);
  });

  it('stays without a logo when the invoice was finalized without one', async () => {
    await setLogo(null);
    const invoice = await finalized();
    expect(invoice.issuer.logo_file_id).toBeNull();
    await setLogo(logoB);
    expect((await images(invoice.id)).sizes).toEqual([]);
    const open = await draft();
    expect((await images(open.id)).sizes).toEqual([B]);
  });
});
