import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../kernel/db/database';
import { users } from './tables';

/** How many accounts an organization has, and how many of them may sign in. */
export async function userCounts(executor: Executor, organizationId: string): Promise<{ total: number; active: number }> {
  const [row] = await executor
    .select({ total: sql<number>`count(*)::int`, active: sql<number>`(count(*) FILTER (WHERE ${users.isActive}))::int` })
    .from(users)
    .where(eq(users.organizationId, organizationId));
  return { total: row?.total ?? 0, active: row?.active ?? 0 };
}
