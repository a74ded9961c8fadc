import { sql, type SQL } from 'drizzle-orm';
import { json, jsonObject } from '../../../kernel/db/json-sql';
import { moneyTextSql } from '../money';
import { amountRemainingSql, paymentStatusSql } from './balance';
import type { InvoiceListItem } from './schemas';
import type { invoices } from './tables';

/**
 * GET /invoices' item as JSON text, the expression of the stored generated column
 * invoices.list_item: PostgreSQL writes it when the row is written, and a page of 50 reads 50
 * texts instead of formatting 1,200 values. The same figures as presentSummary (balance.ts holds
 * both forms of the payment rules; a test compares every item with GET /invoices/{id}).
 *
 * Ids, statuses, currency codes and amounts need no escaping; the number is escaped all the same,
 * as it is made from a pattern the organization writes (numbering.ts admits no character that
 * needs it today). Changing the item means a migration that redefines the column, which
 * rewrites the table.
 */
export function listItemSql(t: typeof invoices): SQL<string> {
  const money = (amount: Parameters<typeof moneyTextSql>[0]) => json.plain(moneyTextSql(amount, t.currency), { notNull: true });
  return jsonObject<InvoiceListItem>({
    id: json.plain(t.id),
    number: json.string(t.number),
    status: json.plain(t.status),
    payment_status: json.plain(paymentStatusSql(t), { notNull: true }),
    overdue: json.literal(t.overdue),
    client_id: json.plain(t.clientId),
    currency: json.plain(t.currency),
    issue_date: json.date(t.issueDate),
    due_date: json.date(t.dueDate),
    exchange_rate: json.plain(sql`trim_scale(${t.exchangeRate})`),
    subtotal: money(t.subtotal),
    discount_total: money(t.discountTotal),
    tax_total: money(t.taxTotal),
    total: money(t.total),
    amount_paid: money(t.amountPaid),
    amount_remaining: money(amountRemainingSql(t)),
    finalized_at: json.instant(t.finalizedAt),
    sent_at: json.instant(t.sentAt),
    viewed_at: json.instant(t.viewedAt),
    paid_at: json.instant(t.paidAt),
    voided_at: json.instant(t.voidedAt),
    version: json.literal(t.version),
    created_at: json.instant(t.createdAt),
    updated_at: json.instant(t.updatedAt),
  });
}
