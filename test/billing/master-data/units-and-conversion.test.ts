import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createMasterDataApp, type Client, type MasterDataFixture } from './support';

let f: MasterDataFixture;
let admin: Client;
const units: Record<string, { id: string; version: number }> = {};
beforeAll(async () => {
  f = await createMasterDataApp();
  admin = f.as('admin');
  const define = [
    { name: 'Kilogram', symbol: 'kg', unit_type: 'weight', is_base_unit: true, decimal_places: 3 },
    { name: 'Gram', symbol: 'g', unit_type: 'weight', conversion_factor: '0.001', decimal_places: 0 },
    { name: 'Pound', symbol: 'lb', unit_type: 'weight', conversion_factor: '0.45359237', decimal_places: 4 },
    { name: 'Litre', symbol: 'l', unit_type: 'volume', is_base_unit: true, decimal_places: 2 },
  ];
  for (const unit of define) units[unit.symbol] = await admin.create('/units', unit);
});
afterAll(() => f.app.close());

const convert = (from: string, to: string, value: string | number) => admin.post('/units/convert', { from_unit_id: units[from]!.id, to_unit_id: units[to]!.id, value });

describe('units', () => {
  it('converts exactly, then rounds half-up to the target unit’s decimal places', async () => {
    expect((await convert('lb', 'kg', 10)).json().converted_value).toBe('4.536');
    expect((await convert('kg', 'lb', '1')).json().converted_value).toBe('2.2046');
    expect((await convert('g', 'kg', '1234.5')).json().converted_value).toBe('1.235');
    expect((await convert('kg', 'g', '0.0005')).json().converted_value).toBe('1');
    expect((await convert('kg', 'g', '-0.0005')).json().converted_value).toBe('-1');
    expect((await convert('kg', 'kg', '0.1')).json()).toMatchObject({ value: '0.1', converted_value: '0.100' });
  });

  it('converts only within one unit type (422 UNIT_TYPE_MISMATCH)', async () => {
    const refused = await convert('kg', 'l', 1);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'UNIT_TYPE_MISMATCH', errors: [{ field: 'to_unit_id', message: 'is a volume unit; a weight quantity converts only into weight units' }] });
    const missing = await admin.post('/units/convert', { from_unit_id: units.kg!.id, to_unit_id: 'unit_01jd6v0v3kf8r9q7w2e5t4y6u8', value: 1 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('UNIT_NOT_FOUND');
  });

  it('keeps one base unit per type, with factor 1, and derived units with a positive factor', async () => {
    const before = await countRows(f.app, 'billing_units');
    const secondBase = await admin.post('/units', { name: 'Tonne', symbol: 't', unit_type: 'weight', is_base_unit: true });
    expect(secondBase.statusCode).toBe(409);
    expect(secondBase.json().code).toBe('BASE_UNIT_EXISTS');
    const baseFactor = await admin.post('/units', { name: 'Metre', symbol: 'm', unit_type: 'length', is_base_unit: true, conversion_factor: 100 });
    expect(baseFactor.json().errors).toEqual([{ field: 'conversion_factor', message: 'must be 1 for a base unit' }]);
    const noFactor = await admin.post('/units', { name: 'Ounce', symbol: 'oz', unit_type: 'weight' });
    expect(noFactor.json().errors).toEqual([{ field: 'conversion_factor', message: 'is required' }]);
    const zero = await admin.post('/units', { name: 'Nothing', symbol: 'n', unit_type: 'weight', conversion_factor: 0 });
    expect(zero.json().errors).toEqual([{ field: 'conversion_factor', message: 'must be greater than 0' }]);
    const sameSymbol = await admin.post('/units', { name: 'Gramme', symbol: 'g', unit_type: 'weight', conversion_factor: '0.001' });
    expect(sameSymbol.statusCode).toBe(409);
    expect(sameSymbol.json().code).toBe('UNIT_SYMBOL_EXISTS');
    expect(await countRows(f.app, 'billing_units')).toBe(before);

    const inUse = await admin.delete(`/units/${units.kg!.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().code).toBe('BASE_UNIT_IN_USE');
    expect((await admin.patch(`/units/${units.kg!.id}`, { unit_type: 'custom' })).statusCode).toBe(409);
    expect((await admin.patch(`/units/${units.kg!.id}`, { is_base_unit: false })).statusCode).toBe(409);
  });

  it('changes a unit with PATCH and If-Match, and lists with filters and search', async () => {
    const stale = await admin.patch(`/units/${units.lb!.id}`, { decimal_places: 2 }, { 'if-match': '"v7"' });
    expect(stale.statusCode).toBe(412);
    const changed = await admin.patch(`/units/${units.lb!.id}`, { decimal_places: 2 }, { 'if-match': `"v${units.lb!.version}"` });
    expect(changed.json()).toMatchObject({ decimal_places: 2, conversion_factor: '0.45359237', version: units.lb!.version + 1 });
    expect((await convert('kg', 'lb', '1')).json().converted_value).toBe('2.20');

    const weights = (await admin.get('/units?unit_type=weight&sort=symbol')).json();
    expect(weights.items.map((u: { symbol: string }) => u.symbol)).toEqual(['g', 'kg', 'lb']);
    expect((await admin.get('/units?is_base_unit=true')).json().items.map((u: { symbol: string }) => u.symbol)).toEqual(['kg', 'l']);
    expect((await admin.get('/units?search=pound')).json().items.map((u: { symbol: string }) => u.symbol)).toEqual(['lb']);
  });
});
