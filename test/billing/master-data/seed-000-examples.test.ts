import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMasterDataApp, type MasterDataFixture } from './support';

// The exact examples of seed 000, "Master Data Management APIs" (ids are ours: prefixed strings).
let f: MasterDataFixture;
beforeAll(async () => {
  f = await createMasterDataApp();
});
afterAll(() => f.app.close());

describe('seed 000 examples', () => {
  it('creates the Electronics category and its Smartphones sub-category', async () => {
    const admin = f.as('admin');
    const tax = await admin.create('/tax-codes', { name: 'GST 18%', code: 'GST18', tax_type: 'GST', rate: 18, effective_from: '2024-01-01' });
    const electronics = await admin.create('/categories', { name: 'Electronics', code: 'ELEC', category_type: 'product' });
    expect(electronics).toMatchObject({ name: 'Electronics', code: 'ELEC', category_type: 'product', parent_category_id: null, level: 0, path: `/${electronics.id}/`, is_active: true, sort_order: 0, sub_categories: [] });
    expect(electronics.id).toMatch(/^cat_[0-9a-z]{26}$/);

    const smartphones = await admin.create('/categories', {
      name: 'Smartphones',
      code: 'SMART',
      category_type: 'product',
      parent_category_id: electronics.id,
      description: 'Mobile smartphones and accessories',
      sort_order: 1,
      default_income_account_id: 101,
      default_tax_code_id: tax.id,
      company_id: 1,
    });
    expect(smartphones).toMatchObject({ parent_category_id: electronics.id, level: 1, path: `/${electronics.id}/${smartphones.id}/`, default_income_account_id: '101', default_tax_code_id: tax.id, company_id: '1' });
    const parent = (await admin.get(`/categories/${electronics.id}`)).json();
    expect(parent.sub_categories).toEqual([{ id: smartphones.id, name: 'Smartphones', code: 'SMART', sort_order: 1, is_active: true }]);
  });

  it('converts 1000 kg into 1 t (POST /units/convert)', async () => {
    const admin = f.as('admin');
    const kilogram = await admin.create('/units', { name: 'Kilogram', symbol: 'kg', unit_type: 'weight', description: 'Standard unit of mass', is_base_unit: true, conversion_factor: 1.0, decimal_places: 3, company_id: 1 });
    expect(kilogram).toMatchObject({ symbol: 'kg', is_base_unit: true, conversion_factor: '1', decimal_places: 3, company_id: '1' });
    const tonne = await admin.create('/units', { name: 'Tonne', symbol: 't', unit_type: 'weight', conversion_factor: '1000', decimal_places: 3 });

    const response = await admin.post('/units/convert', { from_unit_id: kilogram.id, to_unit_id: tonne.id, value: 1000.0 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ from_unit_id: kilogram.id, to_unit_id: tonne.id, value: '1000', converted_value: '1.000', to_unit_symbol: 't' });
    expect(Number(response.json().converted_value)).toBe(1.0);
  });

  it('calculates 18% GST on 1000.00 as 180.00 = 90.00 CGST + 90.00 SGST (POST /tax-codes/calculate)', async () => {
    const admin = f.as('admin');
    const gst = await admin.create('/tax-codes', { name: 'GST 18% goods', code: 'GST18G', tax_type: 'GST', rate: '18', hsn_sac_code: '8517', effective_from: '2024-01-01' });
    const response = await admin.post('/tax-codes/calculate', { amount: 1000.0, tax_code_id: gst.id });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({ amount: '1000.00', tax_code_id: gst.id, calculated_tax: '180.00', tax_breakdown: { cgst: '90.00', sgst: '90.00' } });
    expect(result.tax_breakdown).toEqual({ cgst: '90.00', sgst: '90.00' });
    expect(result.total_amount).toBe('1180.00');
  });

  it('accepts the "Split Payment 30-60" payment terms exactly as written', async () => {
    const term = await f.as('admin').create('/payment-terms', {
      name: 'Split Payment 30-60',
      code: 'SPLIT3060',
      payment_days: 60,
      early_payment_discount_days: 10,
      early_payment_discount_rate: 2.0,
      payment_schedule: [
        { days: 30, percentage: 50.0 },
        { days: 60, percentage: 50.0 },
      ],
      credit_limit_amount: 50000.0,
      requires_approval: true,
    });
    expect(term).toMatchObject({
      name: 'Split Payment 30-60',
      code: 'SPLIT3060',
      payment_days: 60,
      early_payment_discount_days: 10,
      early_payment_discount_rate: '2.00',
      payment_schedule: [
        { days: 30, percentage: '50.00' },
        { days: 60, percentage: '50.00' },
      ],
      credit_limit_amount: '50000.00',
      requires_approval: true,
      is_active: true,
    });
    expect(term.id).toMatch(/^term_/);
  });
});
