import { and, eq, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import { emitEvent } from '../../kernel/events/outbox';
import { assertVersion } from '../../kernel/http/etag';
import { notFound, validationFailed } from '../../kernel/http/problem';
import type { Locale } from '../../kernel/i18n/index';
import type { IdentityContext } from './context';
import { invalidate } from './invalidation';
import { presentProfile, userEventData, type Profile, type ProfileFields } from './present';
import { users } from './tables';
import { capitalizeName, nameErrors } from './validation';

const own = (actor: Actor) => and(eq(users.id, actor.id), eq(users.organizationId, actor.organizationId));

/** The columns a profile shows, selected by name so the password hash is never read for it. */
export const profileColumns = {
  id: users.id,
  email: users.email,
  firstName: users.firstName,
  lastName: users.lastName,
  role: users.role,
  isActive: users.isActive,
  rejectedAt: users.rejectedAt,
  emailVerifiedAt: users.emailVerifiedAt,
  approvedAt: users.approvedAt,
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
  version: users.version,
} satisfies { [K in keyof ProfileFields]: unknown };

/** A session's caller gets the profile read with its session (sessions.ts); others read it. */
export async function getProfile(ctx: IdentityContext, actor: Actor): Promise<Profile> {
  const cached = actor.sessionId ? ctx.sessions.profileOf(actor.sessionId, actor.id, ctx.kernel.now().getTime()) : undefined;
  if (cached) return cached;
  const [user] = await ctx.kernel.database.db.select(profileColumns).from(users).where(own(actor));
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
    await invalidate(ctx, tx, `user:${actor.id}`);
    return presentProfile(user!);
  });
}
