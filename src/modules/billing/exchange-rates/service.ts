import { and, desc, eq, gte, lte } from 'drizzle-orm';
import type { RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { paginate } from '../../../kernel/http/pagination';
import { validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import { recordChange, uniquely } from '../master-data/common';
import { Dec, formatPlain, isCurrency } from '../money';
import type { BillingSettingsService } from '../settings/service';
import type { CreateExchangeRateBody, ExchangeRate, ListExchangeRatesQuery } from './schemas';
import { billingExchangeRates } from './tables';

type Row = typeof billingExchangeRates.$inferSelect;
const RATE = /^\d{1,18}(\.\d{1,10})?$/;

const present = (row: Row, baseCurrency: string): ExchangeRate => ({
  id: row.id,
  currency: row.currency,
  base_currency: baseCurrency,
  rate: formatPlain(row.rate),
  date: row.date,
  created_at: row.createdAt.toISOString(),
});

/**
 * Exchange rates recorded by the organization (Deskbase fetches none: it works offline). Finalizing
 * an invoice in a foreign currency without an explicit rate takes the latest one on or before its
 * issue date.
 */
export function exchangeRateService(kernel: Kernel, deps: { settings: BillingSettingsService }) {
  return {
    async create(tx: Executor, origin: RequestOrigin, actor: Actor, body: CreateExchangeRateBody): Promise<ExchangeRate> {
      const errors: FieldError[] = [];
      const settings = await deps.settings.read(tx, actor.organizationId);
      const currency = body.currency.toUpperCase();
      if (!isCurrency(currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 currency code such as INR or USD' });
      else if (currency === settings.base_currency) errors.push({ field: 'currency', message: `is the base currency (${settings.base_currency}), whose rate is always 1` });
      const text = typeof body.rate === 'number' ? String(body.rate) : body.rate.trim();
      if (!RATE.test(text) || new Dec(text).isZero()) errors.push({ field: 'rate', message: 'must be a decimal number greater than 0 with at most 10 decimal places' });
      if (errors.length > 0) throw validationFailed(errors);
      const [row] = await uniquely('EXCHANGE_RATE_EXISTS', () =>
        tx.insert(billingExchangeRates).values({ id: newId('xrt'), organizationId: actor.organizationId, currency, date: body.date, rate: new Dec(text).toFixed(), createdBy: actor.id, createdAt: kernel.now() }).returning(),
      );
      const rate = present(row!, settings.base_currency);
      await recordChange(tx, { actor, origin, locale: 'en' }, 'exchange_rate', 'created', rate);
      return rate;
    },

    async list(executor: Executor, actor: Actor, query: ListExchangeRatesQuery) {
      const t = billingExchangeRates;
      const settings = await deps.settings.read(executor, actor.organizationId);
      const page = await paginate({
        executor,
        table: t,
        where: and(
          eq(t.organizationId, actor.organizationId),
          query.currency ? eq(t.currency, query.currency.toUpperCase()) : undefined,
          query.date ? eq(t.date, query.date) : undefined,
          query.date_after ? gte(t.date, query.date_after) : undefined,
          query.date_before ? lte(t.date, query.date_before) : undefined,
        ),
        sortColumns: { date: t.date, created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map((row) => present(row, settings.base_currency)) };
    },

    /** The latest rate of `currency` recorded on or before `date`, or null (read in the caller's transaction). */
    async rateOn(executor: Executor, organizationId: string, currency: string, date: string): Promise<string | null> {
      const t = billingExchangeRates;
      const [row] = await executor
        .select({ rate: t.rate })
        .from(t)
        .where(and(eq(t.organizationId, organizationId), eq(t.currency, currency), lte(t.date, date)))
        .orderBy(desc(t.date))
        .limit(1);
      return row?.rate ?? null;
    },
  };
}

export type ExchangeRateService = ReturnType<typeof exchangeRateService>;
