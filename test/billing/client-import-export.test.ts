import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createBillingWorld, type BillingWorld } from './harness';

let world: BillingWorld;

const HEADER = 'name,email,currency,tax_id,billing_line1,billing_city,billing_state,billing_country,credit_limit,tags,contact_name,contact_phone';
const GOOD_ROWS = [
  'Sharma Textiles,ravi@sharma.example,INR,27AAPFU0939F1ZV,4 Linking Road,Mumbai,MH,IN,25000,retail;west,Ravi Sharma,+91 22 5555 0101',
  '"Müller & Söhne, GmbH",info@mueller.example,EUR,DE123456789,Hauptstr. 1,Berlin,,DE,1000.50,,Anna Müller,',
  '"=HYPERLINK(""http://evil.example"")",,USD,,1 Main St,Austin,TX,US,,,,',
];

const importCsv = (csv: string, dryRun = false, token = world.adminA) =>
  world.app.inject({ method: 'POST', url: `/api/v1/clients/import${dryRun ? '?dry_run=true' : ''}`, headers: { ...bearer(token), 'content-type': 'text/csv' }, payload: csv });
const total = async (token = world.adminA) => (await call(world.app, token, 'GET', '/api/v1/clients?include_total=true')).json().total as number;

beforeAll(async () => {
  world = await createBillingWorld();
});
afterAll(() => world.app.close());

describe('CSV import', () => {
  it('reports every bad row with its line and column in a dry run, and imports nothing', async () => {
    const csv = [HEADER, ...GOOD_ROWS, 'Bad Gst,,INR,27AAPFU0939F1ZX,1 Road,Pune,MH,IN,,,,', ',no-name@example.com,XYZ,,1 Road,Pune,,US,abc,,,'].join('\n');
    const response = await importCsv(csv, true);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ dry_run: true, total: 5, valid: 3, imported: 0 });
    expect(report.errors).toContainEqual({ row: 5, field: 'tax_id', message: expect.stringMatching(/check character/) });
    expect(report.errors).toContainEqual({ row: 6, field: 'name', message: expect.any(String) });
    expect(report.errors.every((e: { row: number }) => e.row === 5 || e.row === 6)).toBe(true);
    expect(await total()).toBe(0);
  });

  it('imports nothing from a file with any error (422 listing the rows)', async () => {
    const response = await importCsv([HEADER, ...GOOD_ROWS, 'Twin,,INR,27AAPFU0939F1ZV,1 Road,Pune,MH,IN,,,,'].join('\n'));
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toContainEqual({ field: 'row 5: tax_id', message: 'is already used on row 2' });
    expect(await total()).toBe(0);
  });

  it('refuses unknown and missing columns before reading any row', async () => {
    const report = (await importCsv('name,colour\nX,red', true)).json();
    expect(report.errors).toEqual(
      expect.arrayContaining([
        { row: 1, field: 'colour', message: expect.stringMatching(/not a column/) },
        { row: 1, field: 'currency', message: 'is a required column' },
      ]),
    );
    expect((await importCsv('name,currency\n"unclosed,USD', true)).json().errors[0]).toMatchObject({ field: 'row', message: expect.stringMatching(/not valid CSV/) });
  });

  it('imports a clean file in one go, audited per client', async () => {
    const response = await importCsv([HEADER, ...GOOD_ROWS].join('\r\n'));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ dry_run: false, total: 3, valid: 3, imported: 3, errors: [] });
    const sharma = (await call(world.app, world.adminA, 'GET', '/api/v1/clients?q=sharma')).json().items[0];
    expect(sharma).toMatchObject({ currency: 'INR', tax_id: '27AAPFU0939F1ZV', credit_limit: '25000.00', tags: ['retail', 'west'], billing_address: { state: 'MH', country: 'IN' } });
    expect(sharma.contacts).toEqual([{ id: expect.any(String), name: 'Ravi Sharma', email: null, phone: '+91 22 5555 0101', is_primary: true }]);
    expect((await call(world.app, world.adminA, 'GET', '/api/v1/clients?q=m%C3%BCller')).json().items[0]).toMatchObject({ name: 'Müller & Söhne, GmbH', credit_limit: '1000.50' });
  });

  it('answers 415 to a body that is not CSV', async () => {
    const response = await world.app.inject({ method: 'POST', url: '/api/v1/clients/import', headers: { ...bearer(world.adminA), 'content-type': 'application/json' }, payload: { rows: [] } });
    expect(response.statusCode).toBe(415);
  });
});

describe('export', () => {
  it('exports CSV that neutralises formulas and imports back unchanged into another organization', async () => {
    const response = await call(world.app, world.managerA, 'GET', '/api/v1/clients/export?format=csv');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="clients-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parse(response.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.name).sort()).toEqual(["'=HYPERLINK(\"http://evil.example\")", 'Müller & Söhne, GmbH', 'Sharma Textiles']);
    expect(rows.find((r) => r.name === 'Sharma Textiles')).toMatchObject({ contact_phone: "'+91 22 5555 0101", tags: 'retail;west', credit_limit: '25000.00' });

    const copied = await importCsv(response.body, false, world.adminB);
    expect(copied.statusCode, copied.body).toBe(200);
    expect(copied.json().imported).toBe(3);
    const evil = (await call(world.app, world.adminB, 'GET', '/api/v1/clients?q=HYPERLINK')).json().items[0];
    expect(evil.name).toBe('=HYPERLINK("http://evil.example")');
    const sharmaB = (await call(world.app, world.adminB, 'GET', '/api/v1/clients?q=sharma')).json().items[0];
    expect(sharmaB.contacts[0].phone).toBe('+91 22 5555 0101');
  });

  it('exports an Excel workbook with a header row and the filtered clients', async () => {
    const response = await call(world.app, world.adminA, 'GET', '/api/v1/clients/export?format=xlsx&currency=INR');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Clients')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('name');
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(1).value).toBe('Sharma Textiles');
    const limitColumn = (sheet.getRow(1).values as string[]).indexOf('credit_limit');
    expect(sheet.getRow(2).getCell(limitColumn).value).toBe(25000);
  });

  it('exports only the caller organization’s clients', async () => {
    const rows = parse((await call(world.app, world.adminB, 'GET', '/api/v1/clients/export')).body, { bom: true, columns: true }) as unknown[];
    expect(rows).toHaveLength(3);
  });
});
