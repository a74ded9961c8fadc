import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../../kernel/auth/actor';
import type { PageSize, PdfBlock, PdfDocumentModel } from '../../../kernel/pdf/model';
import { billToBlock, hsnSummaryBlocks, linesTable, partyText, taxedTotalsRows } from '../invoices/pdf';
import { logoBytes } from '../invoices/render';
import type { Invoice } from '../invoices/schemas';
import { Dec } from '../money';
import type { CreditNote } from './schemas';

/** "order_change" → "Order change". */
const reasonText = (reason: CreditNote['reason']) => reason.charAt(0).toUpperCase() + reason.slice(1).replace(/_/g, ' ');

/**
 * A credit note's PDF, a document of its own (never an invoice in disguise): titled CREDIT NOTE,
 * its own number and date, the invoice it credits (number and date), the reason and the memo;
 * issuer and customer as frozen on that invoice; the credited lines, tax breakdown by component
 * and HSN summary; the total credited and how it was used (what it took off the invoice, what
 * became client credit). No due date, amount due, payments or installments: nothing is owed on it.
 */
export function creditNotePdfModel(creditNote: CreditNote, invoice: Invoice, options: { pageSize: PageSize; logo?: Uint8Array }): PdfDocumentModel {
  const issuer = invoice.issuer;
  const original = `${creditNote.invoice_number} of ${invoice.issue_date}`;
  const blocks: PdfBlock[] = [
    billToBlock(invoice, [
      { label: 'Credits invoice', value: original },
      { label: 'Reason', value: reasonText(creditNote.reason) },
    ]),
    { type: 'spacer', height: 8 },
    linesTable(creditNote.lines),
    {
      type: 'totals',
      rows: taxedTotalsRows(creditNote),
      grandTotal: { label: `Total credited ${creditNote.currency}`, amount: creditNote.total },
    },
    {
      type: 'totals',
      width: 320,
      rows: [
        { label: `Taken off invoice ${creditNote.invoice_number}`, amount: creditNote.applied_to_invoice },
        ...(new Dec(creditNote.credited_to_balance).isZero() ? [] : [{ label: 'Credited to the client’s balance', amount: creditNote.credited_to_balance }]),
      ],
    },
    ...hsnSummaryBlocks(creditNote),
  ];
  if (creditNote.memo) blocks.push({ type: 'paragraph', text: creditNote.memo });
  return {
    pageSize: options.pageSize,
    metadata: { title: `Credit note ${creditNote.number}`, author: issuer?.name ?? undefined, subject: `Credit note on invoice ${creditNote.invoice_number} for ${invoice.customer?.name ?? creditNote.client_id}` },
    header: {
      ...(options.logo ? { logo: { data: options.logo } } : {}),
      title: 'CREDIT NOTE',
      left: partyText(issuer),
      right: [`Credit note ${creditNote.number}`, `Issued ${creditNote.issue_date}`, `Original invoice ${original}`].join('\n'),
    },
    blocks,
    footer: { text: issuer?.name ?? '' },
  };
}

/**
 * Renders a credit note with the issuer and logo frozen on the (finalized) invoice it credits;
 * reads outside any transaction (embedded database: one connection).
 */
export async function renderCreditNotePdf(app: FastifyInstance, actor: Actor, creditNote: CreditNote, invoice: Invoice, pageSize: PageSize = 'A4') {
  const { buffer } = await app.pdf.render(creditNotePdfModel(creditNote, invoice, { pageSize, logo: await logoBytes(app, actor.organizationId, invoice.issuer?.logo_file_id) }));
  return { buffer: Buffer.from(buffer), filename: `${creditNote.number.replace(/[^A-Za-z0-9._-]/g, '-')}.pdf` };
}
