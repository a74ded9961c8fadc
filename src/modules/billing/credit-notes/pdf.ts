import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../../kernel/auth/actor';
import type { PageSize, PdfDocumentModel } from '../../../kernel/pdf/model';
import { invoicePdfModel } from '../invoices/pdf';
import { logoBytes } from '../invoices/render';
import type { Invoice } from '../invoices/schemas';
import type { BillingSettingsService } from '../settings/service';
import type { CreditNote } from './schemas';

/**
 * A credit note's PDF: the invoice layout (issuer and customer as frozen on the original invoice,
 * lines, tax breakdown by component, HSN summary, totals) titled CREDIT NOTE, with the original
 * invoice's number and date.
 */
export function creditNotePdfModel(creditNote: CreditNote, invoice: Invoice, options: { pageSize: PageSize; logo?: Uint8Array }): PdfDocumentModel {
  const shown: Invoice = {
    ...invoice,
    number: creditNote.number,
    issue_date: creditNote.issue_date,
    due_date: null,
    notes: creditNote.memo,
    subtotal: creditNote.subtotal,
    discount_total: creditNote.discount_total,
    tax_total: creditNote.tax_total,
    total: creditNote.total,
    amount_paid: '0',
    tax_breakdown: creditNote.tax_breakdown,
    hsn_summary: creditNote.hsn_summary,
    installments: [],
    lines: creditNote.lines.map((l) => ({ ...l, unit_id: null, invoice_line_id: undefined })).map(({ invoice_line_id: _, ...l }) => l),
  };
  const model = invoicePdfModel(shown, options);
  return {
    ...model,
    metadata: { ...model.metadata, title: `Credit note ${creditNote.number}`, subject: `Credit note on invoice ${creditNote.invoice_number}` },
    header: {
      ...model.header,
      title: 'CREDIT NOTE',
      right: [`Credit note ${creditNote.number}`, `Issued ${creditNote.issue_date}`, `Original invoice ${creditNote.invoice_number}`, `of ${invoice.issue_date}`].join('\n'),
    },
    blocks: [{ type: 'paragraph', text: `Credit note against invoice ${creditNote.invoice_number} (${invoice.issue_date}). Reason: ${creditNote.reason.replace(/_/g, ' ')}.` }, ...model.blocks],
  };
}

/** Renders a credit note; reads outside any transaction (embedded database: one connection). */
export async function renderCreditNotePdf(app: FastifyInstance, settings: BillingSettingsService, actor: Actor, creditNote: CreditNote, invoice: Invoice, pageSize: PageSize = 'A4') {
  const profile = await settings.read(app.kernel.database.db, actor.organizationId);
  const { buffer } = await app.pdf.render(creditNotePdfModel(creditNote, invoice, { pageSize, logo: await logoBytes(app, actor.organizationId, profile.logo_file_id) }));
  return { buffer: Buffer.from(buffer), filename: `${creditNote.number.replace(/[^A-Za-z0-9._-]/g, '-')}.pdf` };
}
