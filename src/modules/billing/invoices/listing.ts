import { escapeLike } from '../../../kernel/db/like';
import { and, eq, gte, ilike, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { json, jsonObject } from '../../../kernel/db/json-sql';
import { paginate, type CursorCodec } from '../../../kernel/http/pagination';
import { moneyTextSql } from '../money';
import { amountRemainingSql, paymentStatusSql } from './balance';
import type { InvoiceListItem, ListInvoicesQuery } from './schemas';
import { invoices as t } from './tables';

const money = (amount: Parameters<typeof moneyTextSql>[0]) => json.plain(moneyTextSql(amount, t.minorDigits), { notNull: true });

/**
 * A list item as the database writes it: the same figures as presentSummary (balance.ts holds
 * both forms of the payment rules; a test compares every item with GET /invoices/{id}), so that a
 * page goes out without being parsed and serialized again. Ids, statuses, currency codes and
 * dates need no escaping; the number is escaped all the same, as it is made from a pattern the
 * organization writes (numbering.ts admits no character that needs it today).
 */
const LIST_ITEM = jsonObject<InvoiceListItem>({
  id: json.plain(t.id),
  number: json.string(t.number),
  status: json.plain(t.status),
  payment_status: json.plain(paymentStatusSql, { notNull: true }),
  overdue: json.literal(t.overdue),
  client_id: json.plain(t.clientId),
  currency: json.plain(t.currency),
  issue_date: json.plain(t.issueDate),
  due_date: json.plain(t.dueDate),
  exchange_rate: json.plain(sql`trim_scale(${t.exchangeRate})`),
  subtotal: money(t.subtotal),
  discount_total: money(t.discountTotal),
  tax_total: money(t.taxTotal),
  total: money(t.total),
  amount_paid: money(t.amountPaid),
  amount_remaining: money(amountRemainingSql),
  finalized_at: json.instant(t.finalizedAt),
  sent_at: json.instant(t.sentAt),
  viewed_at: json.instant(t.viewedAt),
  paid_at: json.instant(t.paidAt),
  voided_at: json.instant(t.voidedAt),
  version: json.literal(t.version),
  created_at: json.instant(t.createdAt),
  updated_at: json.instant(t.updatedAt),
});

/** The item, and the sort and id values its cursor is made of. */
const LIST_COLUMNS = { item: LIST_ITEM, createdAt: t.createdAt, issueDate: t.issueDate, id: t.id };

/** GET /invoices: the caller's organization's invoices, filtered, newest first by default; items as JSON text. */
export async function listInvoices(executor: Executor, actor: Actor, query: ListInvoicesQuery, cursors: CursorCodec) {
  const pattern = query.q ? `%${escapeLike(query.q)}%` : null;
  const page = await paginate({
    executor,
    table: t,
    columns: LIST_COLUMNS,
    where: and(
      eq(t.organizationId, actor.organizationId),
      query.status ? eq(t.status, query.status) : undefined,
      query.client_id ? eq(t.clientId, query.client_id) : undefined,
      query.currency ? eq(t.currency, query.currency.toUpperCase()) : undefined,
      query.overdue === undefined ? undefined : eq(t.overdue, query.overdue),
      query.issued_after ? gte(t.issueDate, query.issued_after) : undefined,
      query.issued_before ? lte(t.issueDate, query.issued_before) : undefined,
      pattern ? or(ilike(t.number, pattern), ilike(t.notes, pattern)) : undefined,
    ),
    sortColumns: { created_at: t.createdAt, issue_date: t.issueDate },
    idColumn: t.id,
    params: query,
    cursors,
  });
  return { ...page, items: page.items.map((row) => row.item) };
}
