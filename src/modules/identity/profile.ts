import { and, eq, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import { emitEvent } from '../../kernel/events/outbox';
import { assertVersion } from '../../kernel/http/etag';
import { notFound, validationFailed } from '../../kernel/http/problem';
import type { Locale } from '../../kernel/i18n/index';
import type { IdentityContext } from './context';
import { presentProfile, userEventData } from './present';
import { users } from './tables';
import { capitalizeName, nameErrors } from './validation';

const own = (actor: Actor) => and(eq(users.id, actor.id), eq(users.organizationId, actor.organizationId));

export async function getProfile(ctx: IdentityContext, actor: Actor) {
  const [user] = await ctx.kernel.database.db.select().from(users).where(own(actor));
  if (!user) throw notFound('USER_NOT_FOUND');
  return presentProfile(user);
}

/** Seed 003 §2.2: names only; role, status and email are not the user's to change here. */
export async function updateProfile(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: { first_name: string; last_name: string }, locale: Locale, expectedVersion?: number[]) {
  const errors = nameErrors(input, locale);
  if (errors.length > 0) throw validationFailed(errors);
  return ctx.kernel.database.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(own(actor)).for('update');
    if (!current) throw notFound('USER_NOT_FOUND');
    assertVersion(expectedVersion, current.version);
    const [user] = await tx
      .update(users)
      .set({ firstName: capitalizeName(input.first_name), lastName: capitalizeName(input.last_name), updatedAt: ctx.kernel.now(), version: sql`${users.version} + 1` })
      .where(own(actor))
      .returning();
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, action: 'user.profile_updated', resourceType: 'user', resourceId: actor.id, metadata: { fields: ['first_name', 'last_name'] } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'user.profile_updated', data: userEventData(user!) });
    return presentProfile(user!);
  });
}
