import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../../../kernel/auth/actor';
import type { PageSize } from '../../../kernel/pdf/model';
import type { ClientService } from '../clients/service';
import type { BillingSettingsService } from '../settings/service';
import { invoicePdfModel } from './pdf';
import type { Invoice } from './schemas';

const MAX_LOGO_BYTES = 2 * 1024 * 1024;

/** Answers a rendered billing document, shown inline and never cached by intermediaries. */
export const sendPdf = (reply: FastifyReply, { buffer, filename }: { buffer: Buffer; filename: string }) =>
  reply.type('application/pdf').header('content-disposition', `inline; filename="${filename}"`).header('cache-control', 'private, no-store').send(buffer);

/** The logo's bytes, or nothing when it is gone or too large to print (the invoice still renders). */
export async function logoBytes(app: FastifyInstance, organizationId: string, fileId: string | null | undefined): Promise<Uint8Array | undefined> {
  if (!fileId) return undefined;
  try {
    const file = await app.files.get(organizationId, fileId);
    if (file.size > MAX_LOGO_BYTES) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await app.files.open(file)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch {
    return undefined;
  }
}

/**
 * Renders an invoice as a PDF (the PDF endpoint, the emailed attachment, the public view link).
 * Reads outside any transaction (embedded database: one connection), so call it before or after one.
 * A draft shows the issuer (logo included) and the client as they are now; a finalized invoice as
 * they were when it was finalized, with the logo frozen then even if the settings' logo changed since.
 */
export async function renderInvoicePdf(
  app: FastifyInstance,
  deps: { clients: ClientService; settings: BillingSettingsService },
  actor: Actor,
  invoice: Invoice,
  pageSize: PageSize = 'A4',
): Promise<{ buffer: Buffer; filename: string }> {
  const { database } = app.kernel;
  let shown = invoice;
  if (invoice.status === 'draft') {
    const profile = await deps.settings.read(database.db, actor.organizationId);
    const client = await deps.clients.get(database.db, actor, invoice.client_id);
    shown = {
      ...invoice,
      issuer: { name: profile.legal_name, address: profile.address, tax_id: profile.tax_id, logo_file_id: profile.logo_file_id },
      customer: { name: client.name, address: client.billing_address, tax_id: client.tax_id },
    };
  }
  const model = invoicePdfModel(shown, { pageSize, logo: await logoBytes(app, actor.organizationId, shown.issuer?.logo_file_id) });
  const { buffer } = await app.pdf.render(model);
  const name = (invoice.number ?? `draft-${invoice.id}`).replace(/[^A-Za-z0-9._-]/g, '-');
  return { buffer: Buffer.from(buffer), filename: `${name}.pdf` };
}
