import { and, eq, sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import type { Tx } from '../../kernel/db/database';
import { newId } from '../../kernel/db/ids';
import { emitEvent } from '../../kernel/events/outbox';
import { ProblemError, validationFailed, type FieldError } from '../../kernel/http/problem';
import { translate, type Locale } from '../../kernel/i18n/index';
import type { IdentityContext } from './context';
import { hashPassword, verifyPassword } from './passwords';
import { userEventData } from './present';
import { revokeUserSessions } from './sessions';
import { organizations, users } from './tables';
import { consumeUserToken, issueUserToken } from './user-tokens';
import { capitalizeName, nameErrors, normalizeEmail, passwordErrors } from './validation';

/** Answers that must not reveal whether an email exists also take the same minimum time. */
export async function atLeast<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const left = ms - (performance.now() - started);
    if (left > 0) await sleep(left);
  }
}
export const UNIFORM_RESPONSE_MS = 250;

export interface RegisterInput {
  email: string;
  password: string;
  confirm_password: string;
  first_name: string;
  last_name: string;
}

function check(errors: FieldError[]) {
  if (errors.length > 0) throw validationFailed(errors);
}

export function validateNewAccount(input: { password?: string; first_name: string; last_name: string }, locale: Locale): FieldError[] {
  return [
    ...(input.password === undefined ? [] : passwordErrors('password', input.password, locale)),
    ...nameErrors({ first_name: input.first_name, last_name: input.last_name }, locale),
  ];
}

async function defaultOrganization(tx: Tx): Promise<string> {
  const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
  if (org) return org.id;
  const id = newId('org');
  await tx.insert(organizations).values({ id, name: 'Default organization', isDefault: true }).onConflictDoNothing();
  const [created] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
  return created!.id;
}

const link = (ctx: IdentityContext, path: string, token: string) => `${ctx.kernel.config.publicUrl}/${path}?token=${encodeURIComponent(token)}`;

/**
 * Self-registration (seed 003 §1.1) into the default organization. An email that already has an
 * account gets the same answer (with an id that leads nowhere) and its owner a notice by email,
 * so registration cannot be used to discover accounts.
 */
export async function register(ctx: IdentityContext, origin: RequestOrigin, input: RegisterInput, locale: Locale) {
  const email = normalizeEmail(input.email);
  const errors = validateNewAccount(input, locale);
  if (input.password !== input.confirm_password) errors.push({ field: 'confirm_password', message: translate(locale, 'validation.password.mismatch') });
  check(errors);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.kernel.now();
  const approvalRequired = ctx.kernel.config.identity.requireAdminApproval;
  const result = await ctx.kernel.database.transaction(async (tx) => {
    const organizationId = await defaultOrganization(tx);
    const [existing] = await tx.select().from(users).where(eq(users.email, email));
    if (existing) {
      await ctx.mailer.send(tx, { organizationId: existing.organizationId, type: 'account_exists', to: email, locale, variables: { first_name: existing.firstName, link: `${ctx.kernel.config.publicUrl}/reset-password` } });
      await recordAudit(tx, origin, { organizationId: existing.organizationId, actorId: null, action: 'user.register_duplicate', resourceType: 'user', resourceId: existing.id, outcome: 'failure', severity: 'medium' });
      return { userId: newId('usr'), createdAt: now };
    }
    const [user] = await tx
      .insert(users)
      .values({
        id: newId('usr'),
        organizationId,
        email,
        firstName: capitalizeName(input.first_name),
        lastName: capitalizeName(input.last_name),
        role: 'user',
        passwordHash,
        approvedAt: approvalRequired ? null : now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const token = await issueUserToken(tx, user!.id, 'verify_email', now);
    await ctx.mailer.send(tx, { organizationId, type: 'verify_email', to: email, locale, variables: { first_name: user!.firstName, link: link(ctx, 'verify-email', token) } });
    await recordAudit(tx, origin, { organizationId, actorId: user!.id, action: 'user.registered', resourceType: 'user', resourceId: user!.id });
    await emitEvent(tx, { organizationId, type: 'user.registered', data: userEventData(user!) });
    return { userId: user!.id, createdAt: now };
  });
  return {
    message: 'User registered successfully. Please check your email for verification.',
    user_id: result.userId,
    email,
    verification_required: true,
    approval_required: approvalRequired,
    created_at: result.createdAt.toISOString(),
  };
}

export async function verifyEmail(ctx: IdentityContext, origin: RequestOrigin, token: string) {
  const now = ctx.kernel.now();
  return ctx.kernel.database.transaction(async (tx) => {
    const userId = await consumeUserToken(tx, token, 'verify_email', now);
    const [user] = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`, updatedAt: now, version: sql`${users.version} + 1` })
      .where(eq(users.id, userId))
      .returning();
    if (!user) throw new ProblemError(400, 'INVALID_TOKEN', { detailKey: 'problem.INVALID_TOKEN.verify_email' });
    await recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'user.verified', resourceType: 'user', resourceId: user.id });
    await emitEvent(tx, { organizationId: user.organizationId, type: 'user.verified', data: userEventData(user) });
    return {
      message: 'Email verified successfully',
      verified_at: user.emailVerifiedAt!.toISOString(),
      approval_required: user.approvedAt === null,
      user_id: user.id,
    };
  });
}

/** Seed 003 §1.6: the same answer whether or not the email exists or is already verified. */
export async function resendVerification(ctx: IdentityContext, origin: RequestOrigin, rawEmail: string, locale: Locale) {
  const email = normalizeEmail(rawEmail);
  const now = ctx.kernel.now();
  await atLeast(UNIFORM_RESPONSE_MS, async () => {
    await ctx.kernel.database.transaction(async (tx) => {
      const [user] = await tx.select().from(users).where(and(eq(users.email, email), sql`${users.emailVerifiedAt} IS NULL`));
      if (!user) return;
      const token = await issueUserToken(tx, user.id, 'verify_email', now);
      await ctx.mailer.send(tx, { organizationId: user.organizationId, type: 'verify_email', to: email, locale, variables: { first_name: user.firstName, link: link(ctx, 'verify-email', token) } });
      await recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'user.verification_resent', resourceType: 'user', resourceId: user.id });
    });
  });
  return { message: 'If the email exists in our system, a verification email has been sent.', email, resent_at: now.toISOString() };
}

/** Seed 003 §1.7: the same answer whether or not the email exists. */
export async function requestPasswordReset(ctx: IdentityContext, origin: RequestOrigin, rawEmail: string, locale: Locale) {
  const email = normalizeEmail(rawEmail);
  const now = ctx.kernel.now();
  await atLeast(UNIFORM_RESPONSE_MS, async () => {
    await ctx.kernel.database.transaction(async (tx) => {
      const [user] = await tx.select().from(users).where(eq(users.email, email));
      if (!user || !user.isActive || user.rejectedAt) return;
      const token = await issueUserToken(tx, user.id, 'password_reset', now);
      await ctx.mailer.send(tx, { organizationId: user.organizationId, type: 'password_reset', to: email, locale, variables: { first_name: user.firstName, link: link(ctx, 'reset-password', token) } });
      await recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'security.password_reset', resourceType: 'user', resourceId: user.id, severity: 'medium' });
      await emitEvent(tx, { organizationId: user.organizationId, type: 'security.password_reset', data: { user_id: user.id, requested_at: now.toISOString() } });
    });
  });
  return { message: 'If the email exists in our system, a password reset link has been sent.', email, reset_token_sent: true };
}

async function setPassword(ctx: IdentityContext, tx: Tx, userId: string, password: string, extra: Partial<typeof users.$inferInsert> = {}) {
  const now = ctx.kernel.now();
  const [user] = await tx
    .update(users)
    .set({ passwordHash: await hashPassword(password), updatedAt: now, version: sql`${users.version} + 1`, ...extra })
    .where(eq(users.id, userId))
    .returning();
  return user!;
}

/** Seed 003 §1.8: also unlocks the account and signs every session out. */
export async function resetPassword(ctx: IdentityContext, origin: RequestOrigin, token: string, newPassword: string, locale: Locale) {
  check(passwordErrors('new_password', newPassword, locale));
  const now = ctx.kernel.now();
  await ctx.kernel.database.transaction(async (tx) => {
    const userId = await consumeUserToken(tx, token, 'password_reset', now);
    // The reset link proves control of the mailbox, so it also verifies the email.
    const user = await setPassword(ctx, tx, userId, newPassword, {
      failedLoginAttempts: 0,
      lockedUntil: null,
      emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` as never,
    });
    await revokeUserSessions(ctx, tx, user.id, 'password_reset');
    await ctx.mailer.send(tx, { organizationId: user.organizationId, type: 'password_changed', to: user.email, locale, variables: { first_name: user.firstName } });
    await recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'user.password_reset_completed', resourceType: 'user', resourceId: user.id, severity: 'medium' });
    await emitEvent(tx, { organizationId: user.organizationId, type: 'user.password_changed', data: { user_id: user.id, changed_at: now.toISOString(), via: 'reset' } });
  });
  return { message: 'Password reset successfully' };
}

/** Seed 003 §1.9: needs the current password; every other session is signed out. */
export async function changePassword(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: { current_password: string; new_password: string }, locale: Locale) {
  const errors = passwordErrors('new_password', input.new_password, locale);
  if (input.new_password === input.current_password) errors.push({ field: 'new_password', message: translate(locale, 'validation.password.same') });
  check(errors);
  const [current] = await ctx.kernel.database.db.select().from(users).where(and(eq(users.id, actor.id), eq(users.organizationId, actor.organizationId)));
  const { valid } = await verifyPassword(current?.passwordHash ?? null, input.current_password);
  if (!current || !valid) {
    throw validationFailed([{ field: 'current_password', message: translate(locale, 'validation.password.incorrect') }]);
  }
  await ctx.kernel.database.transaction(async (tx) => {
    const user = await setPassword(ctx, tx, current.id, input.new_password);
    await revokeUserSessions(ctx, tx, user.id, 'password_changed', actor.sessionId);
    await ctx.mailer.send(tx, { organizationId: user.organizationId, type: 'password_changed', to: user.email, locale, variables: { first_name: user.firstName } });
    await recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'user.password_changed', resourceType: 'user', resourceId: user.id, severity: 'medium' });
    await emitEvent(tx, { organizationId: user.organizationId, type: 'user.password_changed', data: { user_id: user.id, changed_at: ctx.kernel.now().toISOString(), via: 'change' } });
  });
  return { message: 'Password changed successfully' };
}
