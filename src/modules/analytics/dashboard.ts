import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import { countEvents } from '../../kernel/events/outbox';
import { validationFailed } from '../../kernel/http/problem';
import { countEnabledEndpoints } from '../../kernel/webhooks/endpoints';
import { baseCurrencyRates, Dec, formatMoney, receivablesOn } from '../billing/index';
import { userCounts } from '../identity/index';
import { checkPeriod, dayBefore } from './days';
import { rateFinder, revenue } from './revenue';
import type { DashboardQuery, ExecutiveDashboard } from './schemas';

const MAX_DAYS = 366;

/**
 * The executive dashboard of seed 000 (issue 6 §5), every figure from the organization's records:
 * revenue is invoiced less credited and cash flow is collected less refunded, both in the base
 * currency at the recorded rates (docs/reports.md, Revenue); receivables are those owed at the
 * end of `to`. Figures with no source yet (companies, expenses, profit) are null.
 */
export async function executiveDashboard(executor: Executor, actor: Actor, query: DashboardQuery, today: string): Promise<ExecutiveDashboard> {
  const to = query.to ?? today;
  const from = query.from ?? dayBefore(to, 29);
  checkPeriod(from, to);
  if (from < dayBefore(to, MAX_DAYS - 1)) throw validationFailed([{ field: 'from', message: `must be at most ${MAX_DAYS} days before to` }]);

  const loading = baseCurrencyRates(executor, actor.organizationId, to);
  const [baseRates, users, integrations, events, daily, owed] = await Promise.all([
    loading,
    userCounts(executor, actor.organizationId, new Date(`${from}T00:00:00Z`)),
    countEnabledEndpoints(executor, actor.organizationId),
    countEvents(executor, actor.organizationId, from, to),
    revenue(executor, actor, { from, to, interval: 'day', format: 'json' }, loading),
    receivablesOn(executor, actor.organizationId, to),
  ]);
  const { baseCurrency } = baseRates;
  const base = (amount: Dec) => (baseCurrency ? formatMoney(amount, baseCurrency) : null);
  const rateOn = rateFinder(baseRates);
  let complete = daily.base_totals?.complete ?? true;
  let receivable = new Dec(0);
  for (const row of owed) {
    const rate = rateOn(row.currency, to);
    if (rate) receivable = receivable.plus(new Dec(row.total).times(rate.rate));
    else complete = false;
  }
  const totals = daily.base_totals;
  return {
    period: { from, to },
    organization_summary: { total_users: users.total, active_users: users.active, total_companies: null, active_integrations: integrations, data_volume_processed: events },
    financial_metrics: {
      currency: baseCurrency,
      total_revenue: totals ? base(new Dec(totals.invoiced).minus(totals.credited)) : null,
      total_expenses: null,
      net_profit: null,
      profit_margin_percent: null,
      cash_flow: totals ? base(new Dec(totals.net_collected)) : null,
      accounts_receivable: base(receivable),
      complete,
    },
    performance_trends: {
      daily_trends: daily.periods.map((day) => ({
        date: day.start,
        revenue: day.base ? base(new Dec(day.base.invoiced).minus(day.base.credited)) : null,
        orders: day.currencies.reduce((n, c) => n + c.invoices, 0),
        collected: day.base ? base(new Dec(day.base.net_collected)) : null,
      })),
    },
  };
}
