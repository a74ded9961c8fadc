import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import { clientBehaviour, Dec, formatMoney, receivablesOn, type ClientBehaviour } from '../billing/index';
import { daysBetween } from './days';
import type { ChurnRisk, ChurnRiskQuery } from './schemas';

const LEVELS = { low: 1, medium: 30, high: 60 } as const;
type Level = keyof typeof LEVELS;
const levelOf = (score: number): Level => (score >= LEVELS.high ? 'high' : score >= LEVELS.medium ? 'medium' : 'low');

/**
 * The signals of a client drifting away, each with its points and its reason in words:
 * - recency against its own rhythm: no invoice for over twice (30 points) or three times (50)
 *   its usual gap between invoices, and over 30 days; a single invoice over 180 days old (30);
 * - frequency: invoiced in the last 90 days less than half of the 90 days before (20);
 * - payment: fewer than half of at least 3 paid invoices paid by their due date (15), and money
 *   owed more than 30 days past due today (15).
 */
function signals(client: ClientBehaviour, overdue: Dec, today: string): { points: number; reason: string }[] {
  const found: { points: number; reason: string }[] = [];
  const money = (value: Dec | string) => `${formatMoney(new Dec(value), client.currency)} ${client.currency}`;
  const recency = daysBetween(client.lastInvoiceDate, today);
  if (client.invoices >= 2) {
    const gap = Math.max(1, daysBetween(client.firstInvoiceDate, client.lastInvoiceDate) / (client.invoices - 1));
    const rhythm = `no invoice for ${recency} days, against one every ${Math.round(gap)} days before`;
    if (recency > 30 && recency > 3 * gap) found.push({ points: 50, reason: rhythm });
    else if (recency > 30 && recency > 2 * gap) found.push({ points: 30, reason: rhythm });
  } else if (recency > 180) {
    found.push({ points: 30, reason: `a single invoice, ${recency} days ago` });
  }
  const recent = new Dec(client.recentInvoiced);
  const prior = new Dec(client.priorInvoiced);
  if (prior.greaterThan(0) && recent.lessThan(prior.dividedBy(2))) {
    found.push({ points: 20, reason: `invoiced ${money(recent)} in the last 90 days, against ${money(prior)} in the 90 days before` });
  }
  if (client.paidInvoices >= 3 && client.paidOnTime * 2 < client.paidInvoices) {
    found.push({ points: 15, reason: `paid ${client.paidOnTime} of ${client.paidInvoices} invoices by their due date` });
  }
  if (overdue.greaterThan(0)) found.push({ points: 15, reason: `owes ${money(overdue)} more than 30 days past due` });
  return found;
}

/** Clients at risk of churning (issue 6 §6), highest score first, each with its reasons. */
export async function churnRisk(executor: Executor, actor: Actor, query: ChurnRiskQuery, today: string): Promise<ChurnRisk> {
  const [clients, owed] = await Promise.all([clientBehaviour(executor, actor.organizationId, today), receivablesOn(executor, actor.organizationId, today)]);
  const overdueOf = new Map(owed.map((c) => [`${c.clientId} ${c.currency}`, new Dec(c.days31To60).plus(c.days61To90).plus(c.daysOver90)]));
  const floor = LEVELS[query.min_level ?? 'low'];
  const scored = clients
    .map((client) => {
      const found = signals(client, overdueOf.get(`${client.clientId} ${client.currency}`) ?? new Dec(0), today);
      const score = Math.min(100, found.reduce((sum, s) => sum + s.points, 0));
      return { client, score, reasons: found.map((s) => s.reason), value: new Dec(client.invoiced).minus(client.credited) };
    })
    .filter((entry) => entry.score >= floor)
    .sort((a, b) => b.score - a.score || b.value.comparedTo(a.value));
  return {
    as_of: today,
    clients: scored.slice(0, query.limit).map(({ client, score, reasons, value }) => ({
      client_id: client.clientId,
      client_name: client.clientName,
      currency: client.currency,
      risk_score: score,
      risk_level: levelOf(score),
      reasons,
      last_invoice_date: client.lastInvoiceDate,
      lifetime_value: formatMoney(value, client.currency),
    })),
  };
}
