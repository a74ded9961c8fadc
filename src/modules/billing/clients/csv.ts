import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { PassThrough, type Readable } from 'node:stream';
import type { RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { ProblemError } from '../../../kernel/http/problem';
import { neutralizeFormula, restoreFormula } from '../../../kernel/http/spreadsheet';
import type { Address } from '../addresses';
import { CreateClientBody, type Client, type ImportReport } from './schemas';
import { checkClient, type ClientService } from './service';

/** The columns of an export, which an import reads back: a file exported can be imported elsewhere. */
const ADDRESS_PARTS = ['line1', 'line2', 'city', 'state', 'postal_code', 'country'] as const;
export const CLIENT_COLUMNS = [
  'name', 'email', 'phone', 'currency', 'tax_id',
  ...ADDRESS_PARTS.map((p) => `billing_${p}`),
  ...ADDRESS_PARTS.map((p) => `shipping_${p}`),
  'credit_limit', 'payment_terms_id', 'tags', 'notes', 'contact_name', 'contact_email', 'contact_phone',
] as const;
const REQUIRED_COLUMNS = ['name', 'currency', 'billing_line1', 'billing_city', 'billing_country'];
export const MAX_IMPORT_ROWS = 5000;

type CsvRecord = Record<string, string>;

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validBody = ajv.compile(CreateClientBody);


function addressCells(prefix: string, address: Address | null): Record<string, string> {
  return Object.fromEntries(ADDRESS_PARTS.map((p) => [`${prefix}_${p}`, address?.[p] ?? '']));
}

/** One client as a row of cells, in CLIENT_COLUMNS order; `forCsv` guards cells against formula injection. */
function rowOf(client: Client, forCsv: boolean): string[] {
  const primary = client.contacts.find((c) => c.is_primary);
  const cells: Record<string, string> = {
    name: client.name,
    email: client.email ?? '',
    phone: client.phone ?? '',
    currency: client.currency,
    tax_id: client.tax_id ?? '',
    ...addressCells('billing', client.billing_address),
    ...addressCells('shipping', client.shipping_address),
    credit_limit: client.credit_limit ?? '',
    payment_terms_id: client.payment_terms_id ?? '',
    tags: client.tags.join(';'),
    notes: client.notes,
    contact_name: primary?.name ?? '',
    contact_email: primary?.email ?? '',
    contact_phone: primary?.phone ?? '',
  };
  return CLIENT_COLUMNS.map((column) => (forCsv ? neutralizeFormula(cells[column] ?? '') : (cells[column] ?? '')));
}

/** The request body a CSV record stands for (blank cells are absent fields). */
function bodyOf(record: CsvRecord): Record<string, unknown> {
  const cell = (column: string) => {
    const value = restoreFormula(record[column]?.trim() ?? '');
    return value === '' ? undefined : value;
  };
  const address = (prefix: string) => {
    const parts = Object.fromEntries(ADDRESS_PARTS.map((p) => [p, cell(`${prefix}_${p}`)]).filter(([, v]) => v !== undefined));
    return Object.keys(parts).length === 0 ? undefined : parts;
  };
  const body: Record<string, unknown> = {
    name: cell('name'),
    email: cell('email')?.toLowerCase(),
    phone: cell('phone'),
    currency: cell('currency'),
    tax_id: cell('tax_id'),
    billing_address: address('billing') ?? {},
    shipping_address: address('shipping'),
    credit_limit: cell('credit_limit'),
    payment_terms_id: cell('payment_terms_id'),
    tags: cell('tags')?.split(';').map((t) => t.trim()).filter(Boolean),
    notes: cell('notes'),
    contacts: cell('contact_name') ? [{ name: cell('contact_name'), email: cell('contact_email')?.toLowerCase(), phone: cell('contact_phone'), is_primary: true }] : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** `/billing_address/city` → `billing_city`: errors name the column the user can fix. */
function columnOf(path: string): string {
  const [first, second] = path.split('/').filter(Boolean);
  if ((first === 'billing_address' || first === 'shipping_address') && second) return `${first.split('_')[0]}_${second}`;
  if (first === 'contacts') return 'contact_name';
  return first ?? 'row';
}

function readRecords(csv: string): { records: CsvRecord[]; errors: ImportReport['errors'] } {
  let rows: string[][];
  try {
    rows = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: false, to: MAX_IMPORT_ROWS + 2 }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { records: [], errors: [{ row: line, field: 'row', message: `is not valid CSV: ${(error as Error).message.split('\n')[0]}` }] };
  }
  const [header = [], ...data] = rows;
  const columns = header.map((h) => h.trim().toLowerCase());
  const unknown = columns.filter((c) => !(CLIENT_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const errors: ImportReport['errors'] = [
    ...unknown.map((c) => ({ row: 1, field: c || '(blank)', message: `is not a column of the client import (expected some of: ${CLIENT_COLUMNS.join(', ')})` })),
    ...missing.map((c) => ({ row: 1, field: c, message: 'is a required column' })),
  ];
  if (data.length > MAX_IMPORT_ROWS) errors.push({ row: MAX_IMPORT_ROWS + 2, field: 'row', message: `an import holds at most ${MAX_IMPORT_ROWS} rows` });
  const records = errors.length > 0 ? [] : data.map((cells) => Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])));
  return { records, errors };
}

/**
 * Imports clients from CSV, all or nothing: every row is checked (schema, rules, payment terms,
 * tax id unique in the organization and in the file) and only a file without errors is imported.
 * A dry run checks and imports nothing.
 */
export async function importClients(tx: Executor, service: ClientService, origin: RequestOrigin, actor: Actor, csv: string, dryRun: boolean): Promise<ImportReport> {
  const { records, errors } = readRecords(csv);
  const checked: Parameters<ClientService['insertChecked']>[3][] = [];
  const taxIds = new Map<string, number>();
  for (const [index, record] of records.entries()) {
    const row = index + 2;
    const body = bodyOf(record);
    if (!validBody(body)) {
      for (const e of validBody.errors ?? []) errors.push({ row, field: columnOf(e.instancePath || `/${String(e.params.missingProperty ?? '')}`), message: e.message ?? 'is invalid' });
      continue;
    }
    try {
      const values = checkClient({ email: null, phone: null, shipping_address: null, tax_id: null, credit_limit: null, payment_terms_id: null, tags: [], notes: '', contacts: [], ...(body as CreateClientBody) });
      await service.checkReferences(tx, actor, values);
      const earlier = values.taxId ? taxIds.get(values.taxId) : undefined;
      if (earlier !== undefined) errors.push({ row, field: 'tax_id', message: `is already used on row ${earlier}` });
      if (values.taxId) taxIds.set(values.taxId, row);
      checked.push(values);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const fieldErrors = error.options.errors ?? [{ field: 'tax_id', message: 'belongs to a client that already exists' }];
      for (const e of fieldErrors) errors.push({ row, field: columnOf(`/${e.field.replace(/\./g, '/')}`), message: e.message });
    }
  }
  const rowsWithErrors = new Set(errors.filter((e) => e.row > 1 && e.row <= records.length + 1).map((e) => e.row));
  const report = { dry_run: dryRun, total: records.length, valid: records.length - rowsWithErrors.size, imported: 0, errors };
  if (dryRun || errors.length > 0) return report;
  for (const values of checked) await service.insertChecked(tx, origin, actor, values, 'import');
  return { ...report, imported: checked.length };
}

/** The organization's matching clients as CSV (UTF-8 with a BOM, so spreadsheets read accents), streamed. */
export function exportCsv(clients: AsyncIterable<Client[]>): Readable {
  const csv = stringify({ bom: true, header: true, columns: [...CLIENT_COLUMNS] });
  void (async () => {
    try {
      for await (const batch of clients) for (const client of batch) if (!csv.write(rowOf(client, true))) await new Promise((resolve) => csv.once('drain', resolve));
      csv.end();
    } catch (error) {
      csv.destroy(error as Error);
    }
  })();
  return csv;
}

/** The same as an Excel workbook (one sheet, header row bold and frozen), streamed. */
export function exportXlsx(clients: AsyncIterable<Client[]>): Readable {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet('Clients', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = CLIENT_COLUMNS.map((key) => ({ header: key, key, width: key === 'notes' ? 40 : 18 }));
  sheet.getRow(1).font = { bold: true };
  void (async () => {
    try {
      for await (const batch of clients) {
        for (const client of batch) {
          const cells = rowOf(client, false);
          sheet.addRow(CLIENT_COLUMNS.map((column, i) => (column === 'credit_limit' && cells[i] !== '' ? Number(cells[i]) : cells[i]))).commit();
        }
      }
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}

