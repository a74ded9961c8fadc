import { sql, type SQL } from 'drizzle-orm';
import { Dec, isPositiveAmount } from '../money';
import type { invoices } from './tables';

type Row = Pick<typeof invoices.$inferSelect, 'total' | 'amountPaid' | 'amountCredited' | 'discountTaken'>;
export type PaymentStatus = 'unpaid' | 'partially_paid' | 'paid' | 'partially_refunded' | 'refunded';

/**
 * What the client still owes on an invoice: total − paid (net of refunds) − credited by credit
 * notes − early-payment discount taken, never below 0 (a credit note beyond what was owed became
 * client credit). The one rule the API, the payments and the credit notes use.
 */
export const amountRemaining = (row: Row): Dec => Dec.max(0, new Dec(row.total).minus(row.amountPaid).minus(row.amountCredited).minus(row.discountTaken));

/**
 * The same rule in SQL, for sums over many invoices and the stored list item. It takes the table
 * (its columns) rather than importing it: the table's generated list item is made with it.
 */
export const amountRemainingSql = (t: typeof invoices): SQL<string> => sql`greatest(${t.total} - ${t.amountPaid} - ${t.amountCredited} - ${t.discountTaken}, 0)`;

/**
 * amount_paid is net of refunds: settled wins (something paid or credited and nothing remaining),
 * then whether refunds gave part or all of it back.
 */
export function paymentStatusOf(row: Pick<Row, 'amountPaid' | 'amountCredited'> & Pick<typeof invoices.$inferSelect, 'amountRefunded'>, remaining: Dec): PaymentStatus {
  const paid = isPositiveAmount(row.amountPaid);
  if ((paid || isPositiveAmount(row.amountCredited)) && !remaining.greaterThan(0)) return 'paid';
  if (isPositiveAmount(row.amountRefunded)) return paid ? 'partially_refunded' : 'refunded';
  return paid ? 'partially_paid' : 'unpaid';
}

/** paymentStatusOf in SQL, for the list item the database writes as JSON. */
export const paymentStatusSql = (t: typeof invoices): SQL<PaymentStatus> => sql<PaymentStatus>`CASE
  WHEN (${t.amountPaid} > 0 OR ${t.amountCredited} > 0) AND ${amountRemainingSql(t)} = 0 THEN 'paid'
  WHEN ${t.amountRefunded} > 0 THEN CASE WHEN ${t.amountPaid} > 0 THEN 'partially_refunded' ELSE 'refunded' END
  WHEN ${t.amountPaid} > 0 THEN 'partially_paid'
  ELSE 'unpaid' END`;
