import { and, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { NO_ORIGIN, recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { sha256Hex } from '../../../kernel/digest';
import { emitEvent } from '../../../kernel/events/outbox';
import { paginate, type Page } from '../../../kernel/http/pagination';
import { invalidStateTransition, notFound, ProblemError } from '../../../kernel/http/problem';
import type { ClientService } from '../clients/service';
import { renderInvoicePdf } from '../invoices/render';
import type { Invoice } from '../invoices/schemas';
import type { InvoiceService } from '../invoices/service';
import { invoices } from '../invoices/tables';
import type { BillingSettingsService } from '../settings/service';
import { recordActivity } from './activity';
import type { InvoiceActivity, ListActivityQuery, SendInvoiceBody } from './schemas';
import { invoiceActivities, invoiceViewTokens } from './tables';
import './templates';

export interface DeliveryDeps {
  invoices: InvoiceService;
  clients: ClientService;
  settings: BillingSettingsService;
}

/** How long a view link works after the invoice was sent with it. */
export const VIEW_LINK_DAYS = 365;
const TOKEN = /^ivt_[A-Za-z0-9_-]{43}$/;
const BATCH = 200;

/** Who acts when nobody does (a job, a customer opening a link): reads one organization only. */
const systemActor = (organizationId: string): Actor => ({ type: 'system', id: 'system', organizationId, role: 'system', permissions: [] });
const linkNotFound = () => notFound('INVOICE_LINK_NOT_FOUND');

/**
 * Sending invoices by email, their public view links, their timeline, the alert to the sender
 * when an invoice email is not delivered, and the overdue flag (docs/billing.md).
 */
export function invoiceDeliveryService(app: FastifyInstance, deps: DeliveryDeps) {
  const { kernel } = app;
  const { database, config } = kernel;

  async function lifecycle(tx: Executor, origin: RequestOrigin, organizationId: string, actor: { id: string | null; type: Actor['type'] | 'anonymous' }, action: string, invoice: Invoice, metadata: Record<string, unknown> = {}) {
    await recordAudit(tx, origin, { organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'invoice', resourceId: invoice.id, metadata: { number: invoice.number, ...metadata } });
    await emitEvent(tx, { organizationId, type: action, data: invoice });
  }

  const presentOne = async (tx: Executor, row: typeof invoices.$inferSelect) => (await deps.invoices.present(tx, [row]))[0]!;

  return {
    /**
     * Emails a finalized invoice with its PDF and a view link, one message per recipient. The PDF
     * is rendered before the transaction (embedded database: one connection).
     */
    async send(origin: RequestOrigin, actor: Actor, id: string, body: SendInvoiceBody): Promise<Invoice> {
      const row = await deps.invoices.load(database.db, actor, id);
      if (row.status === 'draft') throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_send', { status: row.status });
      const to = body.to?.length ? body.to : row.customer?.email ? [row.customer.email] : [];
      if (to.length === 0) throw new ProblemError(422, 'INVOICE_NO_RECIPIENT', { errors: [{ field: 'to', message: 'is required: the customer has no email address' }] });
      const seen = new Set<string>();
      const recipients = [...to.map((address) => ({ address, cc: false })), ...(body.cc ?? []).map((address) => ({ address, cc: true }))].filter((r) => {
        const key = r.address.trim().toLowerCase();
        return seen.has(key) ? false : (seen.add(key), true);
      });
      const invoice = await presentOne(database.db, row);
      const pdf = await renderInvoicePdf(app, deps, actor, invoice);
      return database.transaction(async (tx) => {
        const current = await deps.invoices.load(tx, actor, id, true);
        const now = kernel.now();
        const token = `ivt_${randomBytes(32).toString('base64url')}`;
        await tx.insert(invoiceViewTokens).values({ tokenHash: sha256Hex(token), organizationId: actor.organizationId, invoiceId: id, createdBy: actor.id, createdAt: now, expiresAt: new Date(now.getTime() + VIEW_LINK_DAYS * 86_400_000) });
        const variables = {
          customer_name: invoice.customer?.name ?? '',
          number: invoice.number ?? '',
          total: invoice.total,
          currency: invoice.currency,
          due_date: invoice.due_date ?? '',
          view_link: `${config.publicUrl}/api/v1/public/invoices/view?token=${token}`,
          message: body.message?.trim() ?? '',
          organization_name: invoice.issuer?.name ?? '',
        };
        const attachments = [{ filename: `invoice-${pdf.filename}`, contentType: 'application/pdf', content: pdf.buffer }];
        for (const recipient of recipients) {
          const emailMessageId = await app.mail.send(tx, { organizationId: actor.organizationId, type: 'invoice', to: recipient.address, locale: body.locale, variables, attachments });
          await recordActivity(tx, { organizationId: actor.organizationId, invoiceId: id, type: 'sent', actorId: actor.id, actorType: actor.type, emailMessageId, recipient: recipient.address, details: { cc: recipient.cc }, at: now });
        }
        const [updated] = await tx
          .update(invoices)
          .set({ sentAt: current.sentAt ?? now, version: sql`${invoices.version} + 1`, updatedAt: now })
          .where(and(eq(invoices.organizationId, actor.organizationId), eq(invoices.id, id)))
          .returning();
        const sent = await presentOne(tx, updated!);
        await lifecycle(tx, origin, actor.organizationId, actor, 'invoice.sent', sent, { to: recipients.filter((r) => !r.cc).map((r) => r.address), cc: recipients.filter((r) => r.cc).map((r) => r.address) });
        return sent;
      });
    },

    /**
     * The public view link: the invoice's PDF for whoever holds the token. The first view sets
     * `viewed_at`, emits `invoice.viewed` and adds `viewed` to the timeline; later ones change nothing.
     */
    async view(origin: RequestOrigin, token: string): Promise<{ buffer: Buffer; filename: string }> {
      if (!TOKEN.test(token)) throw linkNotFound();
      const now = kernel.now();
      const [link] = await database.db.select().from(invoiceViewTokens).where(eq(invoiceViewTokens.tokenHash, sha256Hex(token)));
      if (!link || link.expiresAt <= now) throw linkNotFound();
      const actor = systemActor(link.organizationId);
      const row = await deps.invoices.load(database.db, actor, link.invoiceId).catch((error: unknown) => {
        if (error instanceof ProblemError && error.status === 404) return undefined;
        throw error;
      });
      if (!row || row.status === 'draft') throw linkNotFound();
      if (row.viewedAt === null) {
        await database.transaction(async (tx) => {
          // Two first views at once: the conditional update lets exactly one of them through.
          const [first] = await tx
            .update(invoices)
            .set({ viewedAt: now, version: sql`${invoices.version} + 1`, updatedAt: now })
            .where(and(eq(invoices.organizationId, link.organizationId), eq(invoices.id, link.invoiceId), isNull(invoices.viewedAt)))
            .returning();
          if (!first) return;
          await lifecycle(tx, origin, link.organizationId, { id: null, type: 'anonymous' }, 'invoice.viewed', await presentOne(tx, first));
          await recordActivity(tx, { organizationId: link.organizationId, invoiceId: link.invoiceId, type: 'viewed', actorType: 'anonymous', details: { ip: origin.ip }, at: now });
        });
      }
      // The row read above: a first view changes nothing the PDF shows.
      const [invoice] = await deps.invoices.present(database.db, [row]);
      return renderInvoicePdf(app, deps, actor, invoice!);
    },

    /** The invoice's timeline, oldest first by default; `sent` entries carry their email's status now. */
    async activity(actor: Actor, id: string, query: ListActivityQuery): Promise<Page<InvoiceActivity>> {
      await deps.invoices.load(database.db, actor, id);
      const t = invoiceActivities;
      const page = await paginate({
        executor: database.db,
        table: t,
        where: and(eq(t.organizationId, actor.organizationId), eq(t.invoiceId, id)),
        sortColumns: { created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      const statuses = await app.mail.status(database.db, page.items.flatMap((i) => (i.emailMessageId ? [i.emailMessageId] : [])));
      return {
        ...page,
        items: page.items.map((i) => {
          const message = i.emailMessageId ? statuses.get(i.emailMessageId) : undefined;
          return {
            id: i.id,
            type: i.type,
            actor_id: i.actorId,
            actor_type: i.actorType,
            recipient: i.recipient,
            email: i.emailMessageId ? { message_id: i.emailMessageId, status: message?.status ?? null, error: message?.lastError ?? null } : null,
            details: i.details,
            created_at: i.createdAt.toISOString(),
          };
        }),
      };
    },

    /**
     * Looks at invoice emails whose delivery had not ended yet: once their message is `sent`,
     * `failed` or `bounced`, adds that outcome to the timeline, and on failure emails the person who
     * sent the invoice. Each email is handled once, whatever the number of instances (the claim is
     * a conditional update in the transaction that records and alerts).
     */
    async checkDeliveries(): Promise<{ delivered: number; failed: number }> {
      const result = { delivered: 0, failed: 0 };
      const t = invoiceActivities;
      const pending = await database.db.select().from(t).where(and(eq(t.type, 'sent'), isNull(t.deliveryCheckedAt))).orderBy(t.createdAt).limit(BATCH);
      const statuses = await app.mail.status(database.db, pending.flatMap((p) => (p.emailMessageId ? [p.emailMessageId] : [])));
      for (const entry of pending) {
        const message = entry.emailMessageId ? statuses.get(entry.emailMessageId) : undefined;
        if (message?.status === 'queued') continue;
        await database.transaction(async (tx) => {
          const now = kernel.now();
          const [claimed] = await tx.update(t).set({ deliveryCheckedAt: now }).where(and(eq(t.id, entry.id), isNull(t.deliveryCheckedAt))).returning({ id: t.id });
          // Erased meanwhile (right to erasure): nothing left to report.
          if (!claimed || !message) return;
          const failed = message.status !== 'sent';
          const details: Record<string, unknown> = failed ? { reason: message.lastError } : {};
          if (failed && entry.actorId) {
            const sender = await kernel.contacts?.person?.(tx, entry.organizationId, entry.actorId);
            const [invoice] = await tx.select({ number: invoices.number }).from(invoices).where(eq(invoices.id, entry.invoiceId));
            if (sender && invoice) {
              details.alert_message_id = await app.mail.send(tx, {
                organizationId: entry.organizationId,
                type: 'invoice_delivery_failed',
                to: sender.email,
                variables: { first_name: sender.firstName ?? '', number: invoice.number ?? entry.invoiceId, recipient: entry.recipient ?? '', status: message.status, reason: message.lastError ?? '' },
              });
              details.alerted = sender.email;
            }
          }
          await recordActivity(tx, { organizationId: entry.organizationId, invoiceId: entry.invoiceId, type: `email_${failed ? message.status : 'delivered'}`, actorType: 'system', emailMessageId: entry.emailMessageId, recipient: entry.recipient, details, at: now });
          result[failed ? 'failed' : 'delivered']++;
        });
      }
      return result;
    },

    /**
     * Flags open invoices past their due date (`overdue`), once each: the conditional update
     * (`overdue = false`) lets one run, on one instance, take each invoice; it emits
     * `invoice.overdue` and adds `overdue` to the timeline. Invoices no longer open lose the flag.
     */
    async flagOverdue(): Promise<{ flagged: number; cleared: number }> {
      const now = kernel.now();
      const today = now.toISOString().slice(0, 10);
      const cleared = await database.db
        .update(invoices)
        .set({ overdue: false, version: sql`${invoices.version} + 1`, updatedAt: now })
        .where(and(eq(invoices.overdue, true), ne(invoices.status, 'open')))
        .returning({ id: invoices.id });
      let flagged = 0;
      for (;;) {
        const count = await database.transaction(async (tx) => {
          const due = and(eq(invoices.status, 'open'), eq(invoices.overdue, false), lt(invoices.dueDate, today));
          const rows = await tx
            .update(invoices)
            .set({ overdue: true, version: sql`${invoices.version} + 1`, updatedAt: now })
            .where(and(inArray(invoices.id, tx.select({ id: invoices.id }).from(invoices).where(due).limit(BATCH)), due))
            .returning();
          for (const invoice of await deps.invoices.present(tx, rows)) {
            const organizationId = rows.find((r) => r.id === invoice.id)!.organizationId;
            await lifecycle(tx, NO_ORIGIN, organizationId, { id: null, type: 'system' }, 'invoice.overdue', invoice, { due_date: invoice.due_date });
            await recordActivity(tx, { organizationId, invoiceId: invoice.id, type: 'overdue', actorType: 'system', details: { due_date: invoice.due_date }, at: now });
          }
          return rows.length;
        });
        flagged += count;
        if (count < BATCH) break;
      }
      return { flagged, cleared: cleared.length };
    },
  };
}

export type InvoiceDeliveryService = ReturnType<typeof invoiceDeliveryService>;
