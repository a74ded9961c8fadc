import { escapeLike } from '../../kernel/db/like';
import { and, count, eq, ilike, isNotNull, isNull, or, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import type { Executor, Tx } from '../../kernel/db/database';
import { newId } from '../../kernel/db/ids';
import { emitEvent } from '../../kernel/events/outbox';
import { assertVersion } from '../../kernel/http/etag';
import { paginate, type PageParams } from '../../kernel/http/pagination';
import { conflict, invalidStateTransition, notFound, ProblemError, validationFailed } from '../../kernel/http/problem';
import { translate, type Locale } from '../../kernel/i18n/index';
import { validateNewAccount } from './accounts';
import type { IdentityContext } from './context';
import { userCounts } from './counts';
import { invalidate } from './invalidation';
import { hashPassword } from './passwords';
import { presentAdminUser, userEventData } from './present';
import { rankOf } from './role-resolver';
import { isBuiltInRole } from './roles';
import { revokeUserSessions } from './sessions';
import { customRoles, users } from './tables';
import { issueUserToken } from './user-tokens';
import { capitalizeName, normalizeEmail } from './validation';

type User = typeof users.$inferSelect;

const inOrg = (actor: Actor, id: string) => and(eq(users.id, id), eq(users.organizationId, actor.organizationId));

export async function loadUser(tx: Executor, actor: Actor, id: string, lock = false): Promise<User> {
  const query = tx.select().from(users).where(inOrg(actor, id));
  const [user] = lock ? await query.for('update') : await query;
  if (!user) throw notFound('USER_NOT_FOUND');
  return user;
}

/** An administrator hands out no role above their own (custom roles rank as their built-in base). */
export async function assertAssignableRole(ctx: IdentityContext, actor: Actor, role: string, locale: Locale) {
  const db = ctx.kernel.database.db;
  if (!isBuiltInRole(role)) {
    const [custom] = await db.select({ id: customRoles.id }).from(customRoles).where(and(eq(customRoles.organizationId, actor.organizationId), eq(customRoles.name, role)));
    if (!custom) throw validationFailed([{ field: 'role', message: translate(locale, 'validation.role.unknown') }]);
  }
  if ((await rankOf(ctx.roles, db, actor.organizationId, role)) > (await rankOf(ctx.roles, db, actor.organizationId, actor.role))) {
    throw new ProblemError(403, 'INSUFFICIENT_PERMISSIONS', { detailKey: 'problem.ROLE_ABOVE_OWN.detail' });
  }
}

async function assertManageable(ctx: IdentityContext, actor: Actor, target: User) {
  const db = ctx.kernel.database.db;
  if ((await rankOf(ctx.roles, db, actor.organizationId, target.role)) > (await rankOf(ctx.roles, db, actor.organizationId, actor.role))) {
    throw new ProblemError(403, 'INSUFFICIENT_PERMISSIONS', { detailKey: 'problem.ROLE_ABOVE_OWN.detail' });
  }
}

export interface ListUsersQuery extends PageParams {
  role?: string;
  is_active?: boolean;
  status?: 'pending_verification' | 'pending_approval' | 'rejected';
  q?: string;
}

export async function listUsers(ctx: IdentityContext, actor: Actor, query: ListUsersQuery) {
  const q = query.q === undefined ? undefined : escapeLike(query.q);
  const page = await paginate({
    executor: ctx.kernel.database.db,
    table: users,
    where: and(
      eq(users.organizationId, actor.organizationId),
      query.role ? eq(users.role, query.role) : undefined,
      query.is_active === undefined ? undefined : eq(users.isActive, query.is_active),
      query.status === 'pending_verification' ? isNull(users.emailVerifiedAt) : undefined,
      query.status === 'pending_approval' ? and(isNotNull(users.emailVerifiedAt), isNull(users.approvedAt), isNull(users.rejectedAt)) : undefined,
      query.status === 'rejected' ? isNotNull(users.rejectedAt) : undefined,
      q ? or(ilike(users.email, `%${q}%`), ilike(users.firstName, `%${q}%`), ilike(users.lastName, `%${q}%`)) : undefined,
    ),
    sortColumns: { created_at: users.createdAt, email: users.email, last_name: users.lastName },
    idColumn: users.id,
    params: query,
    cursors: ctx.kernel.cursors,
  });
  return { ...page, items: page.items.map(presentAdminUser) };
}

export async function getUser(ctx: IdentityContext, actor: Actor, id: string) {
  return presentAdminUser(await loadUser(ctx.kernel.database.db, actor, id));
}

export interface CreateUserInput {
  email: string;
  password?: string;
  first_name: string;
  last_name: string;
  role: string;
  department?: string;
  phone?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Seed 003 §3.3: created verified and approved. Without a password the user receives an
 * invitation whose link sets one (the reset-password flow, valid 7 days).
 */
export async function createUserInTx(
  ctx: IdentityContext,
  tx: Tx,
  origin: RequestOrigin,
  actor: Actor,
  input: CreateUserInput,
  locale: Locale,
  /** `bulk`: the invitation is part of a mass mailing, sent at the bulk rate. */
  { passwordHash, bulk = false }: { passwordHash?: string; bulk?: boolean } = {},
) {
  const now = ctx.kernel.now();
  const email = normalizeEmail(input.email);
  const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (taken) throw conflict('EMAIL_ALREADY_EXISTS');
  const [user] = await tx
    .insert(users)
    .values({
      id: newId('usr'),
      organizationId: actor.organizationId,
      email,
      firstName: capitalizeName(input.first_name),
      lastName: capitalizeName(input.last_name),
      role: input.role,
      department: input.department ?? null,
      phone: input.phone ?? null,
      metadata: input.metadata ?? {},
      passwordHash: passwordHash ?? null,
      emailVerifiedAt: now,
      approvedAt: now,
      approvedBy: actor.id,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!passwordHash) {
    const token = await issueUserToken(tx, user!.id, 'password_reset', now, 7 * 24 * 3600_000);
    await ctx.mailer.send(tx, {
      organizationId: actor.organizationId,
      type: 'invitation',
      to: email,
      locale,
      variables: { first_name: user!.firstName, link: `${ctx.kernel.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`, organization_name: '' },
      bulk,
    });
  }
  await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'admin.user_created', resourceType: 'user', resourceId: user!.id, severity: 'medium', metadata: { role: input.role, invited: !passwordHash } });
  await emitEvent(tx, { organizationId: actor.organizationId, type: 'admin.user_created', data: userEventData(user!) });
  return user!;
}

export async function createUser(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: CreateUserInput, locale: Locale) {
  await assertAssignableRole(ctx, actor, input.role, locale);
  const errors = validateNewAccount(input, locale);
  if (errors.length > 0) throw validationFailed(errors);
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  const user = await ctx.kernel.database.transaction((tx) => createUserInTx(ctx, tx, origin, actor, input, locale, { passwordHash }));
  return { user_id: user.id, email: user.email, message: 'User created successfully' };
}

export interface UpdateUserInput {
  first_name?: string;
  last_name?: string;
  role?: string;
  is_active?: boolean;
  department?: string | null;
}

/** Seed 003 §3.4. Deactivating or demoting signs the user out at once. */
export async function updateUser(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string, input: UpdateUserInput, locale: Locale, expectedVersion?: number[]) {
  if (input.role !== undefined) await assertAssignableRole(ctx, actor, input.role, locale);
  if (id === actor.id && (input.role !== undefined || input.is_active === false)) {
    throw new ProblemError(403, 'INSUFFICIENT_PERMISSIONS', { detailKey: 'problem.SELF_ROLE_CHANGE.detail' });
  }
  const errors = validateNewAccount({ first_name: input.first_name ?? 'Valid', last_name: input.last_name ?? 'Valid' }, locale);
  if (errors.length > 0) throw validationFailed(errors);
  return ctx.kernel.database.transaction(async (tx) => {
    const current = await loadUser(tx, actor, id, true);
    assertVersion(expectedVersion, current.version);
    await assertManageable(ctx, actor, current);
    const [user] = await tx
      .update(users)
      .set({
        ...(input.first_name !== undefined && { firstName: capitalizeName(input.first_name) }),
        ...(input.last_name !== undefined && { lastName: capitalizeName(input.last_name) }),
        ...(input.role !== undefined && { role: input.role }),
        ...(input.is_active !== undefined && { isActive: input.is_active }),
        ...(input.department !== undefined && { department: input.department }),
        updatedAt: ctx.kernel.now(),
        version: sql`${users.version} + 1`,
      })
      .where(inOrg(actor, id))
      .returning();
    if (input.is_active === false) await revokeUserSessions(ctx, tx, id, 'deactivated');
    await invalidate(ctx, tx, `user:${id}`);
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'admin.user_updated', resourceType: 'user', resourceId: id, severity: input.role !== undefined ? 'high' : 'medium', metadata: { changes: input, previous_role: current.role } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'admin.user_updated', data: userEventData(user!) });
    return presentAdminUser(user!);
  });
}

/** Seed 003 §3.5. The user's sessions go with them; audit entries stay. */
export async function deleteUser(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]) {
  if (id === actor.id) throw new ProblemError(403, 'INSUFFICIENT_PERMISSIONS', { detailKey: 'problem.SELF_DELETE.detail' });
  const now = ctx.kernel.now();
  return ctx.kernel.database.transaction(async (tx) => {
    const user = await loadUser(tx, actor, id, true);
    assertVersion(expectedVersion, user.version);
    await assertManageable(ctx, actor, user);
    await revokeUserSessions(ctx, tx, id, 'deleted');
    await tx.delete(users).where(inOrg(actor, id));
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'admin.user_deleted', resourceType: 'user', resourceId: id, severity: 'high', metadata: { email: user.email } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'admin.user_deleted', data: { user_id: id, deleted_at: now.toISOString() } });
    return { user_id: id, email: user.email, message: 'User deleted successfully', deleted_at: now.toISOString() };
  });
}

/** A registration still waiting for a decision, locked for it; a decided one is 409. */
async function loadPendingRegistration(tx: Tx, actor: Actor, id: string): Promise<User> {
  const user = await loadUser(tx, actor, id, true);
  if (user.approvedAt) throw invalidStateTransition('problem.USER_ALREADY_APPROVED.detail');
  if (user.rejectedAt) throw invalidStateTransition('problem.USER_REJECTED.detail');
  return user;
}

/** Seed 003 §3.6. */
export async function approveUser(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string, locale: Locale) {
  const now = ctx.kernel.now();
  return ctx.kernel.database.transaction(async (tx) => {
    const user = await loadPendingRegistration(tx, actor, id);
    const [updated] = await tx
      .update(users)
      .set({ approvedAt: now, approvedBy: actor.id, updatedAt: now, version: sql`${users.version} + 1` })
      .where(inOrg(actor, id))
      .returning();
    await ctx.mailer.send(tx, { organizationId: actor.organizationId, type: 'account_approved', to: user.email, locale, variables: { first_name: user.firstName, link: ctx.kernel.config.publicUrl } });
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'admin.user_approved', resourceType: 'user', resourceId: id, severity: 'medium' });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'admin.user_approved', data: userEventData(updated!) });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'user.approved', data: userEventData(updated!) });
    return { user_id: id, email: user.email, approved_by: actor.id, approved_at: now.toISOString(), message: 'User approved successfully' };
  });
}

/** Seed 003 §3.7: a rejected registration can no longer sign in. */
export async function rejectUser(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string, reason: string, locale: Locale) {
  const now = ctx.kernel.now();
  return ctx.kernel.database.transaction(async (tx) => {
    const user = await loadPendingRegistration(tx, actor, id);
    const [updated] = await tx
      .update(users)
      .set({ rejectedAt: now, rejectedBy: actor.id, rejectionReason: reason, updatedAt: now, version: sql`${users.version} + 1` })
      .where(inOrg(actor, id))
      .returning();
    await revokeUserSessions(ctx, tx, id, 'rejected');
    await ctx.mailer.send(tx, { organizationId: actor.organizationId, type: 'account_rejected', to: user.email, locale, variables: { first_name: user.firstName, reason } });
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'admin.user_rejected', resourceType: 'user', resourceId: id, severity: 'medium', metadata: { reason } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'admin.user_rejected', data: { ...userEventData(updated!), reason } });
    return { user_id: id, email: user.email, rejected_by: actor.id, rejected_at: now.toISOString(), message: 'User registration rejected' };
  });
}

/** Seed 002: clears failed attempts and any lock. */
export async function resetLoginAttempts(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string) {
  return ctx.kernel.database.transaction(async (tx) => {
    await loadUser(tx, actor, id, true);
    const [user] = await tx.update(users).set({ failedLoginAttempts: 0, lockedUntil: null, updatedAt: ctx.kernel.now() }).where(inOrg(actor, id)).returning();
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'admin.login_attempts_reset', resourceType: 'user', resourceId: id, severity: 'medium' });
    return presentAdminUser(user!);
  });
}

/** Seed 003 §3.10, for the caller's organization; "recent" is the last 7 days. */
export async function userStats(ctx: IdentityContext, actor: Actor) {
  const since = new Date(ctx.kernel.now().getTime() - 7 * 24 * 3600_000);
  const [totals, byRole] = await Promise.all([
    userCounts(ctx.kernel.database.db, actor.organizationId, since),
    ctx.kernel.database.db
      .select({ role: users.role, n: count() })
      .from(users)
      .where(eq(users.organizationId, actor.organizationId))
      .groupBy(users.role),
  ]);
  return {
    total_users: totals.total,
    active_users: totals.active,
    inactive_users: totals.total - totals.active,
    unverified_users: totals.unverified,
    unapproved_users: totals.unapproved,
    users_by_role: Object.fromEntries(byRole.map((r) => [r.role, Number(r.n)])),
    recent_registrations: totals.recentRegistrations,
    recent_logins: totals.recentLogins,
  };
}
