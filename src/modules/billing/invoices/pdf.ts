import type { PdfBlock, PdfDocumentModel, PageSize } from '../../../kernel/pdf/model';
import type { Address } from '../addresses';
import { Dec } from '../money';
import type { Invoice } from './schemas';

const addressLines = (address: Address | null) =>
  address ? [address.line1, address.line2, [address.postal_code, address.city].filter(Boolean).join(' '), [address.state, address.country].filter(Boolean).join(', ')].filter((l): l is string => Boolean(l)) : [];

/** What an invoice's PDF shows; amounts are the API's strings (already rounded and formatted). */
export function invoicePdfModel(invoice: Invoice, options: { pageSize: PageSize; logo?: Uint8Array; terms?: string | null }): PdfDocumentModel {
  const issuer = invoice.issuer;
  const customer = invoice.customer;
  const title = invoice.status === 'draft' ? 'DRAFT INVOICE' : 'TAX INVOICE';
  const blocks: PdfBlock[] = [
    {
      type: 'keyValue',
      rows: [
        { label: 'Bill to', value: [customer?.name ?? '', ...addressLines(customer?.address ?? null), customer?.tax_id ? `Tax id: ${customer.tax_id}` : ''].filter(Boolean).join('\n') },
        ...(invoice.place_of_supply ? [{ label: 'Place of supply', value: invoice.place_of_supply }] : []),
        { label: 'Currency', value: invoice.currency },
      ],
    },
    { type: 'spacer', height: 8 },
    {
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
      rows: invoice.lines.map((line, i) => [String(i + 1), line.description, line.hsn_sac_code ?? '', line.quantity, line.unit_price, line.discount_percent, line.tax_amount, line.taxable_amount]),
    },
    {
      type: 'totals',
      rows: [
        { label: 'Subtotal', amount: invoice.subtotal },
        ...(new Dec(invoice.discount_total).isZero() ? [] : [{ label: 'Discount', amount: `-${invoice.discount_total}` }]),
        ...invoice.tax_breakdown.map((t) => ({ label: `${t.component.toUpperCase()} ${t.rate}% (${t.tax_code}) on ${t.taxable_amount}`, amount: t.amount })),
        ...(new Dec(invoice.amount_paid).isZero() ? [] : [{ label: 'Paid', amount: invoice.amount_paid }]),
      ],
      grandTotal: { label: `Total ${invoice.currency}`, amount: invoice.total },
    },
  ];
  if (invoice.hsn_summary.length > 0) {
    const components = [...new Set(invoice.hsn_summary.flatMap((h) => Object.keys(h.components)))];
    blocks.push(
      { type: 'paragraph', text: 'HSN/SAC summary', bold: true },
      {
        type: 'table',
        columns: [{ header: 'HSN/SAC' }, { header: 'Taxable', align: 'right' }, ...components.map((c) => ({ header: c.toUpperCase(), align: 'right' as const })), { header: 'Total tax', align: 'right' }],
        rows: invoice.hsn_summary.map((h) => [h.hsn_sac_code, h.taxable_amount, ...components.map((c) => h.components[c] ?? ''), h.tax_amount]),
      },
    );
  }
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
      left: [issuer?.name ?? '', ...addressLines(issuer?.address ?? null), issuer?.tax_id ? `Tax id: ${issuer.tax_id}` : ''].filter(Boolean).join('\n'),
      right: [`Invoice ${invoice.number ?? '(draft)'}`, `Issued ${invoice.issue_date}`, invoice.due_date ? `Due ${invoice.due_date}` : ''].filter(Boolean).join('\n'),
    },
    blocks,
    footer: { text: issuer?.name ?? '' },
  };
}
