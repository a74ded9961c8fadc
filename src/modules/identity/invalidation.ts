import { sql } from 'drizzle-orm';
import type { Executor } from '../../kernel/db/database';
import { DATA_REPLACED_CHANNEL } from '../../kernel/backups/manifest';
import { clearApiKeyCache } from './api-keys';
import type { IdentityContext } from './context';

const CHANNEL = 'deskbase_identity';

export type Invalidation = `session:${string}` | `user:${string}` | `roles:${string}` | 'api_keys';

/**
 * Tells every instance, when the transaction commits, to drop what it cached about a session,
 * a user, an organization's roles or API keys. This instance drops it at once as well.
 */
export async function invalidate(ctx: IdentityContext, tx: Executor, what: Invalidation): Promise<void> {
  apply(ctx, what);
  await tx.execute(sql`SELECT pg_notify(${CHANNEL}, ${what})`);
}

function apply(ctx: IdentityContext, what: string | null) {
  if (what === null) {
    ctx.sessions.clear();
    ctx.roles.clear();
    clearApiKeyCache();
    return;
  }
  const [kind, id = ''] = what.split(/:(.*)/s);
  if (kind === 'session') ctx.sessions.evict(id);
  else if (kind === 'user') ctx.sessions.evictUser(id);
  else if (kind === 'roles') ctx.roles.invalidate(id);
  else if (kind === 'api_keys') clearApiKeyCache();
}

export async function listenForInvalidations(ctx: IdentityContext): Promise<void> {
  await ctx.kernel.database.listen(CHANNEL, (payload) => apply(ctx, payload));
  // A restore replaced every row: nothing cached about sessions, roles or keys still holds.
  await ctx.kernel.database.listen(DATA_REPLACED_CHANNEL, () => apply(ctx, null));
}
