import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// A cell starting with one of these is a formula to a spreadsheet (CSV injection): it is written
// behind an apostrophe, which spreadsheets hide and which an import removes again.
const FORMULA_START = /^[=+\-@\t\r]/;
export const neutralizeFormula = (cell: string) => (FORMULA_START.test(cell) ? `'${cell}` : cell);
export const restoreFormula = (cell: string) => (cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell);

export interface TableColumn {
  key: string;
  /** Numbers (amounts as decimal strings) are written as numbers, never neutralized. */
  numeric?: boolean;
}

export interface TableDownload {
  format: 'csv' | 'xlsx';
  /** Without extension; also the sheet's name. */
  name: string;
  columns: TableColumn[];
  rows: Record<string, string | number | null>[];
}

/**
 * Sends a small table (a report: rows already in memory) as a CSV download (UTF-8 with a BOM, so
 * spreadsheets read accents; text cells guarded against formula injection) or an Excel workbook
 * (numbers as numbers, header bold and frozen).
 */
export async function sendTable(reply: FastifyReply, table: TableDownload): Promise<FastifyReply> {
  const cell = (column: TableColumn, value: string | number | null | undefined) => {
    if (value === null || value === undefined) return '';
    return column.numeric ? value : neutralizeFormula(String(value));
  };
  let body: Buffer | string;
  if (table.format === 'csv') {
    body = stringify(table.rows.map((row) => table.columns.map((column) => cell(column, row[column.key]))), { bom: true, header: true, columns: table.columns.map((c) => c.key) });
  } else {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet(table.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((column) => ({ header: column.key, key: column.key, width: column.numeric ? 16 : 20 }));
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows) sheet.addRow(table.columns.map((column) => (column.numeric && row[column.key] !== null && row[column.key] !== undefined ? Number(row[column.key]) : (row[column.key] ?? ''))));
    body = Buffer.from(await workbook.xlsx.writeBuffer());
  }
  return reply
    .header('content-disposition', `attachment; filename="${table.name}.${table.format}"`)
    .header('cache-control', 'no-store')
    .type(table.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
    .send(body);
}
