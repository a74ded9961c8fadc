import { sql } from 'drizzle-orm';
import { Dec } from '../money';
import { invoices } from './tables';

type Row = Pick<typeof invoices.$inferSelect, 'total' | 'amountPaid' | 'amountCredited' | 'discountTaken'>;

/**
 * What the client still owes on an invoice: total − paid (net of refunds) − credited by credit
 * notes − early-payment discount taken, never below 0 (a credit note beyond what was owed became
 * client credit). The one rule the API, the payments and the credit notes use.
 */
export const amountRemaining = (row: Row): Dec => Dec.max(0, new Dec(row.total).minus(row.amountPaid).minus(row.amountCredited).minus(row.discountTaken));

/** The same rule in SQL, for sums over many invoices. */
export const amountRemainingSql = sql`greatest(${invoices.total} - ${invoices.amountPaid} - ${invoices.amountCredited} - ${invoices.discountTaken}, 0)`;
