import type { PdfBlock, PdfDocumentModel, PageSize } from '../../../kernel/pdf/model';
import type { Address } from '../addresses';
import { Dec } from '../money';
import type { Invoice } from './schemas';

const addressLines = (address: Address | null) =>
  address ? [address.line1, address.line2, [address.postal_code, address.city].filter(Boolean).join(' '), [address.state, address.country].filter(Boolean).join(', ')].filter((l): l is string => Boolean(l)) : [];

type Party = Invoice['customer'];
type Line = Pick<Invoice['lines'][number], 'description' | 'hsn_sac_code' | 'quantity' | 'unit_price' | 'discount_percent' | 'tax_amount' | 'taxable_amount'>;
/** The computed figures invoices and credit notes share (the API's formatted strings). */
type Computed = Pick<Invoice, 'currency' | 'subtotal' | 'discount_total' | 'tax_breakdown' | 'hsn_summary'> & { lines: Line[] };

/** A party's name, address and tax id, one per line (the header's left side, "Bill to"). */
export const partyText = (party: Party) => [party?.name ?? '', ...addressLines(party?.address ?? null), party?.tax_id ? `Tax id: ${party.tax_id}` : ''].filter(Boolean).join('\n');

/** "Bill to", place of supply and currency as on the invoice, then any further rows. */
export function billToBlock(invoice: Pick<Invoice, 'customer' | 'place_of_supply' | 'currency'>, more: { label: string; value: string }[] = []): PdfBlock {
  return {
    type: 'keyValue',
    rows: [{ label: 'Bill to', value: partyText(invoice.customer) }, ...(invoice.place_of_supply ? [{ label: 'Place of supply', value: invoice.place_of_supply }] : []), { label: 'Currency', value: invoice.currency }, ...more],
  };
}

/** The lines table of an invoice or a credit note. */
export function linesTable(lines: Line[]): PdfBlock {
  return {
    type: 'table',
    columns: [
      { header: '#', width: 22 },
      { header: 'Description' },
      { header: 'HSN/SAC', width: 56 },
      { header: 'Qty', width: 44, align: 'right' },
      { header: 'Unit price', width: 66, align: 'right' },
      { header: 'Disc. %', width: 44, align: 'right' },
      { header: 'Tax', width: 60, align: 'right' },
      { header: 'Amount', width: 72, align: 'right' },
    ],
    rows: lines.map((line, i) => [String(i + 1), line.description, line.hsn_sac_code ?? '', line.quantity, line.unit_price, line.discount_percent, line.tax_amount, line.taxable_amount]),
  };
}

/** Subtotal, discount and each tax component (by tax code and rate): the rows above a document's total. */
export const taxedTotalsRows = (doc: Computed) => [
  { label: 'Subtotal', amount: doc.subtotal },
  ...(new Dec(doc.discount_total).isZero() ? [] : [{ label: 'Discount', amount: `-${doc.discount_total}` }]),
  ...doc.tax_breakdown.map((t) => ({ label: `${t.component.toUpperCase()} ${t.rate}% (${t.tax_code}) on ${t.taxable_amount}`, amount: t.amount })),
];

/** The HSN/SAC summary table, when any line has a code. */
export function hsnSummaryBlocks(doc: Computed): PdfBlock[] {
  if (doc.hsn_summary.length === 0) return [];
  const components = [...new Set(doc.hsn_summary.flatMap((h) => Object.keys(h.components)))];
  return [
    { type: 'paragraph', text: 'HSN/SAC summary', bold: true },
    {
      type: 'table',
      columns: [{ header: 'HSN/SAC' }, { header: 'Taxable', align: 'right' }, ...components.map((c) => ({ header: c.toUpperCase(), align: 'right' as const })), { header: 'Total tax', align: 'right' }],
      rows: doc.hsn_summary.map((h) => [h.hsn_sac_code, h.taxable_amount, ...components.map((c) => h.components[c] ?? ''), h.tax_amount]),
    },
  ];
}

/** What an invoice's PDF shows; amounts are the API's strings (already rounded and formatted). */
export function invoicePdfModel(invoice: Invoice, options: { pageSize: PageSize; logo?: Uint8Array; terms?: string | null }): PdfDocumentModel {
  const issuer = invoice.issuer;
  const customer = invoice.customer;
  const title = invoice.status === 'draft' ? 'DRAFT INVOICE' : 'TAX INVOICE';
  const blocks: PdfBlock[] = [
    billToBlock(invoice),
    { type: 'spacer', height: 8 },
    linesTable(invoice.lines),
    {
      type: 'totals',
      rows: [...taxedTotalsRows(invoice), ...(new Dec(invoice.amount_paid).isZero() ? [] : [{ label: 'Paid', amount: invoice.amount_paid }])],
      grandTotal: { label: `Total ${invoice.currency}`, amount: invoice.total },
    },
    ...hsnSummaryBlocks(invoice),
  ];
  if (invoice.installments.length > 1) {
    blocks.push(
      { type: 'paragraph', text: 'Installments', bold: true },
      { type: 'table', columns: [{ header: 'Due date' }, { header: 'Share', align: 'right' }, { header: 'Amount', align: 'right' }], rows: invoice.installments.map((i) => [i.due_date, `${i.percentage}%`, i.amount]) },
    );
  }
  if (options.terms) blocks.push({ type: 'paragraph', text: `Terms: ${options.terms}` });
  if (invoice.notes) blocks.push({ type: 'paragraph', text: invoice.notes });
  return {
    pageSize: options.pageSize,
    metadata: { title: `Invoice ${invoice.number ?? invoice.id}`, author: issuer?.name ?? undefined, subject: `Invoice for ${customer?.name ?? invoice.client_id}` },
    header: {
      ...(options.logo ? { logo: { data: options.logo } } : {}),
      title,
      left: partyText(issuer),
      right: [`Invoice ${invoice.number ?? '(draft)'}`, `Issued ${invoice.issue_date}`, invoice.due_date ? `Due ${invoice.due_date}` : ''].filter(Boolean).join('\n'),
    },
    blocks,
    footer: { text: issuer?.name ?? '' },
  };
}
