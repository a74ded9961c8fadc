import { and, count, eq, gte, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { paginate, type CursorCodec, type PageParams } from '../http/pagination';
import { auditLogs } from './tables';

export interface AuditQuery extends PageParams {
  action?: string;
  resource?: string;
  user_id?: string;
  severity?: string;
  outcome?: string;
  start_date?: string;
  end_date?: string;
}

type Row = typeof auditLogs.$inferSelect;

/** Seed 003 §4.1's shape. */
export const presentAudit = (row: Row) => ({
  audit_id: row.id,
  user_id: row.actorId,
  actor_type: row.actorType,
  action: row.action,
  resource_type: row.resourceType,
  resource_id: row.resourceId,
  severity: row.severity,
  outcome: row.outcome,
  timestamp: row.createdAt.toISOString(),
  ip_address: row.ipAddress,
  user_agent: row.userAgent,
  request_id: row.requestId,
  metadata: row.metadata,
});

export async function queryAudit(executor: Executor, cursors: CursorCodec, organizationId: string, query: AuditQuery) {
  const page = await paginate({
    executor,
    table: auditLogs,
    where: and(
      eq(auditLogs.organizationId, organizationId),
      query.action ? eq(auditLogs.action, query.action) : undefined,
      query.resource ? eq(auditLogs.resourceType, query.resource) : undefined,
      query.user_id ? eq(auditLogs.actorId, query.user_id) : undefined,
      query.severity ? eq(auditLogs.severity, query.severity as Row['severity']) : undefined,
      query.outcome ? eq(auditLogs.outcome, query.outcome as Row['outcome']) : undefined,
      query.start_date ? gte(auditLogs.createdAt, new Date(query.start_date)) : undefined,
      query.end_date ? lte(auditLogs.createdAt, new Date(query.end_date)) : undefined,
    ),
    sortColumns: { created_at: auditLogs.createdAt },
    idColumn: auditLogs.id,
    params: query,
    cursors,
  });
  return { ...page, items: page.items.map(presentAudit) };
}

/** Seed 003 §4.2 for one organization; "today" and "this week" are UTC. */
export async function auditSummary(executor: Executor, organizationId: string, now: Date) {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const week = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86400_000);
  const scope = eq(auditLogs.organizationId, organizationId);
  const [totals] = await executor
    .select({
      total: count(),
      today: sql<number>`count(*) FILTER (WHERE ${auditLogs.createdAt} >= ${day.toISOString()}::timestamptz)`,
      week: sql<number>`count(*) FILTER (WHERE ${auditLogs.createdAt} >= ${week.toISOString()}::timestamptz)`,
      failures: sql<number>`count(*) FILTER (WHERE ${auditLogs.outcome} <> 'success' AND ${auditLogs.createdAt} >= ${new Date(now.getTime() - 86400_000).toISOString()}::timestamptz)`,
      activeToday: sql<number>`count(DISTINCT ${auditLogs.actorId}) FILTER (WHERE ${auditLogs.createdAt} >= ${day.toISOString()}::timestamptz)`,
    })
    .from(auditLogs)
    .where(scope);
  const grouped = async (column: typeof auditLogs.severity | typeof auditLogs.action) =>
    Object.fromEntries(
      (await executor.select({ key: column, n: count() }).from(auditLogs).where(scope).groupBy(column).orderBy(sql`count(*) DESC`).limit(50)).map((r) => [r.key, Number(r.n)]),
    );
  return {
    total_events: Number(totals?.total ?? 0),
    events_today: Number(totals?.today ?? 0),
    events_this_week: Number(totals?.week ?? 0),
    events_by_severity: await grouped(auditLogs.severity),
    events_by_action: await grouped(auditLogs.action),
    recent_failures: Number(totals?.failures ?? 0),
    active_users_today: Number(totals?.activeToday ?? 0),
  };
}
