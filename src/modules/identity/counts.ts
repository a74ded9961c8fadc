import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../kernel/db/database';
import { users } from './tables';

/**
 * An organization's accounts counted in one pass: all of them, those allowed to sign in, those
 * not verified or approved yet, and those registered or signed in since `since`. Used by the
 * user statistics (seed 003 §3.10) and, through the module's index, by the executive dashboard.
 */
export async function userCounts(executor: Executor, organizationId: string, since: Date) {
  const n = (condition: ReturnType<typeof sql>) => sql<number>`(count(*) FILTER (WHERE ${condition}))::int`;
  const [row] = await executor
    .select({
      total: sql<number>`count(*)::int`,
      active: n(sql`${users.isActive}`),
      unverified: n(sql`${users.emailVerifiedAt} IS NULL`),
      unapproved: n(sql`${users.approvedAt} IS NULL AND ${users.rejectedAt} IS NULL`),
      recentRegistrations: n(sql`${users.createdAt} >= ${since.toISOString()}::timestamptz`),
      recentLogins: n(sql`${users.lastLoginAt} >= ${since.toISOString()}::timestamptz`),
    })
    .from(users)
    .where(eq(users.organizationId, organizationId));
  return row ?? { total: 0, active: 0, unverified: 0, unapproved: 0, recentRegistrations: 0, recentLogins: 0 };
}
