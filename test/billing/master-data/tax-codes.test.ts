import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTax, Dec, taxCodeInForce } from '../../../src/modules/billing/index';
import { hsnSacKind } from '../../../src/modules/billing/master-data/tax-codes.service';
import { countRows, createMasterDataApp, type Client, type MasterDataFixture } from './support';

let f: MasterDataFixture;
let admin: Client;
let orgId: string;
beforeAll(async () => {
  f = await createMasterDataApp();
  admin = f.as('admin');
});
afterAll(() => f.app.close());

const calculate = async (payload: object) => {
  const response = await admin.post('/tax-codes/calculate', payload);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

describe('GST components', () => {
  it('derives CGST + SGST (half the rate each) for intra-state and IGST (full rate) for inter-state supplies', async () => {
    const gst = await admin.create('/tax-codes', { name: 'GST 5%', code: 'GST5', tax_type: 'GST', rate: '5', effective_from: '2024-01-01' });
    orgId = gst.organization_id;
    expect(gst.components).toEqual([
      { name: 'cgst', rate: '2.50', applies_to: 'intra_state' },
      { name: 'sgst', rate: '2.50', applies_to: 'intra_state' },
      { name: 'igst', rate: '5.00', applies_to: 'inter_state' },
    ]);
    expect((await calculate({ amount: '2500.00', tax_code_id: gst.id, currency: 'INR' })).tax_breakdown).toEqual({ cgst: '62.50', sgst: '62.50' });
    const inter = await calculate({ amount: '2500.00', tax_code_id: gst.id, currency: 'INR', supply_type: 'inter_state' });
    expect(inter).toMatchObject({ calculated_tax: '125.00', tax_breakdown: { igst: '125.00' }, total_amount: '2625.00', supply_type: 'inter_state', currency: 'INR' });
  });

  it('uses VAT and other single components whatever the supply type', async () => {
    const vat = await admin.create('/tax-codes', { name: 'VAT 10%', code: 'VAT10', tax_type: 'VAT', rate: 10, effective_from: '2024-01-01' });
    expect(vat.components).toEqual([{ name: 'vat', rate: '10.00', applies_to: 'all' }]);
    expect((await calculate({ amount: 99.99, tax_code_id: vat.id, supply_type: 'inter_state' })).tax_breakdown).toEqual({ vat: '10.00' });
  });

  it('accepts given components (lower-cased) whose rates add up to the rate for each supply type, refuses others', async () => {
    const custom = await admin.create('/tax-codes', {
      name: 'GST 28% + cess', code: 'GST28C', tax_type: 'GST', rate: 28, effective_from: '2024-01-01',
      components: [{ name: 'CGST', rate: 12 }, { name: 'SGST', rate: 12 }, { name: 'IGST', rate: 24 }, { name: 'cess', rate: 4 }],
    });
    expect(custom.components.map((c: { name: string; applies_to: string }) => `${c.name}:${c.applies_to}`)).toEqual(['cgst:intra_state', 'sgst:intra_state', 'igst:inter_state', 'cess:all']);
    expect((await calculate({ amount: 100, tax_code_id: custom.id, supply_type: 'inter_state' })).tax_breakdown).toEqual({ igst: '24.00', cess: '4.00' });

    const before = await countRows(f.app, 'billing_tax_codes');
    const wrong = await admin.post('/tax-codes', { name: 'Bad', code: 'BAD', tax_type: 'GST', rate: 18, components: [{ name: 'cgst', rate: 9 }, { name: 'sgst', rate: 8 }, { name: 'igst', rate: 18 }] });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'VALIDATION_ERROR', errors: [{ field: 'components', message: 'rates applying to intra_state supplies add up to 17.00, not the rate 18.00' }] });
    const range = await admin.post('/tax-codes', { name: 'Bad', code: 'BAD', tax_type: 'VAT', rate: '100.5', hsn_sac_code: '12345' });
    expect(range.json().errors.map((e: { field: string }) => e.field)).toEqual(['rate', 'hsn_sac_code']);
    expect(await countRows(f.app, 'billing_tax_codes')).toBe(before);
  });

  it('validates HSN (4, 6 or 8 digits) and SAC (6 digits starting with 99) codes', async () => {
    expect(['8517', '851712', '85171290', '998314', '12345', '9983', '99831', '0012', 'ABCD', '123456789'].map(hsnSacKind)).toEqual(['HSN', 'HSN', 'HSN', 'SAC', null, null, null, null, null, null]);
    const sac = await admin.create('/tax-codes', { name: 'IT services', code: 'GST18S', tax_type: 'GST', rate: 18, hsn_sac_code: '998314', effective_from: '2024-01-01' });
    expect(sac).toMatchObject({ hsn_sac_code: '998314', hsn_sac_type: 'SAC' });
    const bad = await admin.post('/tax-codes', { name: 'x', code: 'X', tax_type: 'GST', rate: 18, hsn_sac_code: '9983' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'hsn_sac_code', message: 'must be an HSN code (4, 6 or 8 digits) or a SAC code (6 digits starting with 99)' }]);
  });
});

describe('rounding', () => {
  it('rounds each component half-up to the minor unit, and the tax is the sum of the rounded components', async () => {
    const vat = await admin.create('/tax-codes', { name: 'VAT 5%', code: 'VAT5', tax_type: 'VAT', rate: 5, effective_from: '2024-01-01' });
    // 0.90 × 5% = 0.045: half-up gives 0.05 (binary floating point and banker's rounding give 0.04).
    expect((await calculate({ amount: '0.90', tax_code_id: vat.id })).calculated_tax).toBe('0.05');
    expect((await calculate({ amount: '-0.90', tax_code_id: vat.id })).calculated_tax).toBe('-0.05');
    const gst = (await admin.get('/tax-codes?code=GST18S')).json().items[0];
    // 0.25 × 9% = 0.0225 → 0.02 twice: 0.04, not round(0.045) = 0.05.
    expect(await calculate({ amount: '0.25', tax_code_id: gst.id })).toMatchObject({ calculated_tax: '0.04', tax_breakdown: { cgst: '0.02', sgst: '0.02' } });
    // Currencies without minor digits.
    expect((await calculate({ amount: 1250, tax_code_id: vat.id, currency: 'JPY' })).calculated_tax).toBe('63');
    const tooPrecise = await admin.post('/tax-codes/calculate', { amount: '10.005', tax_code_id: vat.id });
    expect(tooPrecise.statusCode).toBe(422);
    expect(tooPrecise.json().errors[0]).toEqual({ field: 'amount', message: 'must have at most 2 decimal places' });
    expect(computeTax({ components: [{ name: 'vat', rate: '7.5', applies_to: 'all' }] }, new Dec('19.99'), 'USD').calculatedTax.toFixed(2)).toBe('1.50');
  });
});

describe('effective dates', () => {
  it('applies the version of a code in force on the document date, and refuses overlapping periods (409)', async () => {
    const old = await admin.create('/tax-codes', { name: 'GST 12% (2024)', code: 'GSTX', tax_type: 'GST', rate: 12, effective_from: '2024-01-01', effective_to: '2024-12-31' });
    const current = await admin.create('/tax-codes', { name: 'GST 18% (2025)', code: 'GSTX', tax_type: 'GST', rate: 18, effective_from: '2025-01-01' });
    const overlap = await admin.post('/tax-codes', { name: 'GST 5% (mid-2024)', code: 'gstx', tax_type: 'GST', rate: 5, effective_from: '2024-06-01', effective_to: '2024-06-30' });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().code).toBe('TAX_CODE_EXISTS');
    const backwards = await admin.post('/tax-codes', { name: 'x', code: 'GSTY', tax_type: 'GST', rate: 5, effective_from: '2024-06-01', effective_to: '2024-05-31' });
    expect(backwards.json().errors).toEqual([{ field: 'effective_to', message: 'must not be before effective_from' }]);

    const db = f.app.kernel.database.db;
    expect((await taxCodeInForce(db, orgId, 'GSTX', '2024-12-31'))?.id).toBe(old.id);
    expect((await taxCodeInForce(db, orgId, 'gstx', '2025-01-01'))?.id).toBe(current.id);
    expect((await taxCodeInForce(db, orgId, old.id, '2030-05-01'))?.id).toBe(current.id);
    expect(await taxCodeInForce(db, orgId, 'GSTX', '2023-12-31')).toBeNull();
    expect(await taxCodeInForce(db, 'org_someone_else', 'GSTX', '2025-01-01')).toBeNull();

    const onInvoiceDate = await calculate({ amount: '100.00', tax_code_id: current.id, date: '2024-07-15' });
    expect(onInvoiceDate).toMatchObject({ tax_code_id: current.id, applied_tax_code_id: old.id, rate: '12.00', calculated_tax: '12.00' });
    const before = await admin.post('/tax-codes/calculate', { amount: '100.00', tax_code_id: current.id, date: '2023-01-01' });
    expect(before.statusCode).toBe(422);
    expect(before.json().code).toBe('TAX_CODE_NOT_IN_FORCE');

    const inForce = (await admin.get('/tax-codes?code=GSTX&in_force_on=2024-03-01')).json();
    expect(inForce.items.map((t: { id: string }) => t.id)).toEqual([old.id]);

    // An inactive version is not in force.
    await admin.patch(`/tax-codes/${old.id}`, { is_active: false });
    expect(await taxCodeInForce(db, orgId, 'GSTX', '2024-12-31')).toBeNull();
  });

  it('lets only one of two concurrent overlapping periods of a code in', async () => {
    const answers = await Promise.all(
      ['2026-01-01', '2026-06-01'].map((from) => admin.post('/tax-codes', { name: 'Race', code: 'RACE', tax_type: 'VAT', rate: 10, effective_from: from })),
    );
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('re-derives the components when the rate changes, and keeps periods apart on update too', async () => {
    const code = await admin.create('/tax-codes', { name: 'GST', code: 'GSTZ', tax_type: 'GST', rate: 18, effective_from: '2024-01-01', effective_to: '2024-12-31' });
    const changed = await admin.patch(`/tax-codes/${code.id}`, { rate: '12' }, { 'if-match': `"v${code.version}"` });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().components.map((c: { rate: string }) => c.rate)).toEqual(['6.00', '6.00', '12.00']);
    const next = await admin.create('/tax-codes', { name: 'GST', code: 'GSTZ', tax_type: 'GST', rate: 18, effective_from: '2025-01-01' });
    const collide = await admin.patch(`/tax-codes/${next.id}`, { effective_from: '2024-12-01' });
    expect(collide.statusCode).toBe(409);
    expect((await admin.patch(`/tax-codes/${code.id}`, { rate: 5 }, { 'if-match': `"v${code.version}"` })).statusCode).toBe(412);
  });

  it('refuses to delete a tax code a category uses (409 TAX_CODE_IN_USE)', async () => {
    const code = await admin.create('/tax-codes', { name: 'Used', code: 'USED', tax_type: 'VAT', rate: 7 });
    expect(code.effective_from).toBe(new Date().toISOString().slice(0, 10));
    const category = await admin.create('/categories', { name: 'Uses tax', code: 'USES-TAX', category_type: 'service', default_tax_code_id: code.id });
    const refused = await admin.delete(`/tax-codes/${code.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('TAX_CODE_IN_USE');
    await admin.patch(`/categories/${category.id}`, { default_tax_code_id: null });
    expect((await admin.delete(`/tax-codes/${code.id}`)).statusCode).toBe(204);
  });
});
