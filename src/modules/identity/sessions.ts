import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import type { Tx } from '../../kernel/db/database';
import { newId } from '../../kernel/db/ids';
import { emitEvent } from '../../kernel/events/outbox';
import { notFound, ProblemError } from '../../kernel/http/problem';
import type { IdentityContext } from './context';
import { invalidate } from './invalidation';
import { hashPassword, verifyPassword } from './passwords';
import { presentProfile } from './present';
import { profileColumns } from './profile';
import { sessions, users } from './tables';
import type { AccessClaims, RefreshClaims } from './tokens';
import { normalizeEmail } from './validation';

type User = typeof users.$inferSelect;

const sessionRevoked = () =>
  new ProblemError(401, 'UNAUTHORIZED', { detailKey: 'problem.SESSION_REVOKED.detail', headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });

function tokenResponse(pair: { accessToken: string; refreshToken: string; expiresIn: number }) {
  return { access_token: pair.accessToken, refresh_token: pair.refreshToken, token_type: 'bearer' as const, expires_in: pair.expiresIn };
}

/** Records a failed attempt; the attempt that reaches the threshold locks the account. */
async function recordFailure(ctx: IdentityContext, origin: RequestOrigin, user: User, reason: string, now: Date) {
  const { lockoutMaxAttempts, lockoutMinutes } = ctx.kernel.config.identity;
  const lockUntil = new Date(now.getTime() + lockoutMinutes * 60_000).toISOString();
  const nowIso = now.toISOString();
  return ctx.kernel.database.transaction(async (tx) => {
    // An expired lock starts a fresh count.
    const attempts = sql`(CASE WHEN ${users.lockedUntil} IS NOT NULL AND ${users.lockedUntil} <= ${nowIso}::timestamptz THEN 0 ELSE ${users.failedLoginAttempts} END) + 1`;
    const [updated] = await tx
      .update(users)
      .set({
        failedLoginAttempts: attempts,
        lockedUntil: sql`CASE WHEN ${attempts} >= ${lockoutMaxAttempts} THEN ${lockUntil}::timestamptz WHEN ${users.lockedUntil} <= ${nowIso}::timestamptz THEN NULL ELSE ${users.lockedUntil} END`,
      })
      .where(eq(users.id, user.id))
      .returning();
    const locked = updated!.lockedUntil !== null && updated!.lockedUntil > now;
    await recordAudit(tx, origin, {
      organizationId: user.organizationId,
      actorId: user.id,
      action: 'security.failed_login',
      resourceType: 'authentication',
      resourceId: user.id,
      outcome: 'failure',
      severity: locked ? 'high' : 'medium',
      metadata: { reason, failed_attempts: updated!.failedLoginAttempts, locked },
    });
    await emitEvent(tx, { organizationId: user.organizationId, type: 'security.failed_login', data: { user_id: user.id, reason, failed_attempts: updated!.failedLoginAttempts, locked } });
    return updated!;
  });
}

function lockedProblem(lockedUntil: Date, now: Date) {
  const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new ProblemError(423, 'ACCOUNT_LOCKED', { params: { minutes: Math.ceil(seconds / 60) }, headers: { 'retry-after': String(seconds) } });
}

/**
 * Seed 003 §1.2 with seed 002's lockout. The password is checked first (an unknown email costs
 * the same Argon2 verification); only then does the answer say why sign-in is refused.
 */
export async function login(ctx: IdentityContext, origin: RequestOrigin, input: { email: string; password: string }) {
  const now = ctx.kernel.now();
  const [user] = await ctx.kernel.database.db.select().from(users).where(eq(users.email, normalizeEmail(input.email)));
  const { valid, needsRehash } = await verifyPassword(user?.passwordHash ?? null, input.password);
  if (!user) throw new ProblemError(401, 'INVALID_CREDENTIALS');
  if (user.lockedUntil && user.lockedUntil > now) {
    // Attempts during a lock are recorded but neither counted nor extending the lock.
    await ctx.kernel.database.transaction((tx) =>
      recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'security.failed_login', resourceType: 'authentication', resourceId: user.id, outcome: 'denied', severity: 'high', metadata: { reason: 'account_locked' } }),
    );
    throw lockedProblem(user.lockedUntil, now);
  }
  if (!valid) {
    const updated = await recordFailure(ctx, origin, user, 'invalid_password', now);
    if (updated.lockedUntil && updated.lockedUntil > now) throw lockedProblem(updated.lockedUntil, now);
    throw new ProblemError(401, 'INVALID_CREDENTIALS');
  }
  if (user.rejectedAt || !user.isActive) throw new ProblemError(403, 'ACCOUNT_DISABLED');
  if (!user.emailVerifiedAt) throw new ProblemError(403, 'EMAIL_NOT_VERIFIED');
  if (!user.approvedAt) throw new ProblemError(403, 'ACCOUNT_NOT_APPROVED');

  const rehash = needsRehash ? await hashPassword(input.password) : undefined;
  const sessionId = newId('ses');
  const expiresAt = new Date(now.getTime() + ctx.kernel.config.identity.refreshTokenTtlSeconds * 1000);
  const pair = await ctx.tokens.issuePair(user, sessionId, now, expiresAt);
  const updated = await ctx.kernel.database.transaction(async (tx) => {
    await tx.insert(sessions).values({
      id: sessionId,
      organizationId: user.organizationId,
      userId: user.id,
      refreshJti: pair.refreshJti,
      expiresAt,
      userAgent: origin.userAgent,
      ipAddress: origin.ip,
      lastUsedAt: now,
      createdAt: now,
    });
    const [row] = await tx
      .update(users)
      .set({ lastLoginAt: now, loginCount: sql`${users.loginCount} + 1`, failedLoginAttempts: 0, lockedUntil: null, ...(rehash ? { passwordHash: rehash } : {}) })
      .where(eq(users.id, user.id))
      .returning();
    await recordAudit(tx, origin, { organizationId: user.organizationId, actorId: user.id, action: 'user.login', resourceType: 'authentication', resourceId: user.id, metadata: { session_id: sessionId, rehashed: Boolean(rehash) } });
    await emitEvent(tx, { organizationId: user.organizationId, type: 'user.login', data: { user_id: user.id, session_id: sessionId, at: now.toISOString() } });
    return row!;
  });
  return {
    message: 'Login successful',
    user_id: updated.id,
    email: updated.email,
    first_name: updated.firstName,
    last_name: updated.lastName,
    role: updated.role,
    is_verified: true,
    is_approved: true,
    ...tokenResponse(pair),
    session_id: sessionId,
    last_login_at: now.toISOString(),
  };
}

type RefreshOutcome = { kind: 'ok'; body: ReturnType<typeof tokenResponse> & { user_id: string } } | { kind: 'reused' } | { kind: 'dead' };

/**
 * Rotates the refresh token. The previous token stays valid for REFRESH_REUSE_GRACE_SECONDS and
 * then receives the same new pair (two tabs refreshing at once); any other spent token is a
 * theft signal: the whole session (token family) is revoked and the event recorded.
 */
export async function refresh(ctx: IdentityContext, origin: RequestOrigin, refreshToken: string) {
  const now = ctx.kernel.now();
  const claims = await ctx.tokens.verify<RefreshClaims>(refreshToken, 'refresh', now);
  const outcome = await ctx.kernel.database.transaction(async (tx): Promise<RefreshOutcome> => {
    const [session] = await tx.select().from(sessions).where(eq(sessions.id, claims.sid)).for('update');
    if (!session || session.revokedAt || session.expiresAt <= now || session.userId !== claims.sub) return { kind: 'dead' };
    const [user] = await tx.select().from(users).where(eq(users.id, session.userId));
    if (!user || !user.isActive || user.rejectedAt) {
      await revokeSession(ctx, tx, session.id, 'account_disabled');
      return { kind: 'dead' };
    }
    if (claims.jti === session.previousJti && session.graceUntil && session.graceUntil > now && session.graceTokens) {
      return { kind: 'ok', body: ctx.tokens.unseal(session.graceTokens) };
    }
    if (claims.jti !== session.refreshJti) {
      await revokeSession(ctx, tx, session.id, 'refresh_token_reuse');
      await recordAudit(tx, origin, { organizationId: session.organizationId, actorId: session.userId, action: 'security.suspicious_activity', resourceType: 'session', resourceId: session.id, outcome: 'denied', severity: 'high', metadata: { reason: 'refresh_token_reuse' } });
      await emitEvent(tx, { organizationId: session.organizationId, type: 'security.suspicious_activity', data: { user_id: session.userId, session_id: session.id, reason: 'refresh_token_reuse' } });
      return { kind: 'reused' };
    }
    const pair = await ctx.tokens.issuePair(user, session.id, now, session.expiresAt);
    const body = { user_id: user.id, ...tokenResponse(pair) };
    const grace = ctx.kernel.config.identity.refreshReuseGraceSeconds;
    await tx
      .update(sessions)
      .set({
        refreshJti: pair.refreshJti,
        previousJti: session.refreshJti,
        graceUntil: grace > 0 ? new Date(now.getTime() + grace * 1000) : null,
        graceTokens: grace > 0 ? ctx.tokens.seal(body) : null,
        lastUsedAt: now,
        ipAddress: origin.ip,
      })
      .where(eq(sessions.id, session.id));
    return { kind: 'ok', body };
  });
  if (outcome.kind !== 'ok') throw sessionRevoked();
  return { message: 'Token refreshed successfully', ...outcome.body };
}

export async function revokeSession(ctx: IdentityContext, tx: Tx, sessionId: string, reason: string) {
  await tx.update(sessions).set({ revokedAt: ctx.kernel.now(), revokedReason: reason }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
  await invalidate(ctx, tx, `session:${sessionId}`);
}

/** Signs a user out everywhere (or everywhere but one session). */
export async function revokeUserSessions(ctx: IdentityContext, tx: Tx, userId: string, reason: string, exceptSessionId?: string) {
  await tx
    .update(sessions)
    .set({ revokedAt: ctx.kernel.now(), revokedReason: reason })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined));
  await invalidate(ctx, tx, `user:${userId}`);
}

export async function logout(ctx: IdentityContext, origin: RequestOrigin, actor: Actor) {
  const now = ctx.kernel.now();
  await ctx.kernel.database.transaction(async (tx) => {
    if (actor.sessionId) await revokeSession(ctx, tx, actor.sessionId, 'logout');
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, action: 'user.logout', resourceType: 'authentication', resourceId: actor.id, metadata: { session_id: actor.sessionId } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: 'user.logout', data: { user_id: actor.id, session_id: actor.sessionId ?? null, at: now.toISOString() } });
  });
  return { message: 'Logged out successfully', user_id: actor.id, logout_at: now.toISOString() };
}

export async function listSessions(ctx: IdentityContext, actor: Actor) {
  const now = ctx.kernel.now();
  const rows = await ctx.kernel.database.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, actor.id), eq(sessions.organizationId, actor.organizationId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastUsedAt))
    .limit(100);
  return {
    items: rows.map((s) => ({
      id: s.id,
      device: s.userAgent,
      ip_address: s.ipAddress,
      created_at: s.createdAt.toISOString(),
      last_used_at: s.lastUsedAt.toISOString(),
      expires_at: s.expiresAt.toISOString(),
      current: s.id === actor.sessionId,
    })),
  };
}

export async function revokeOwnSession(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, sessionId: string) {
  await ctx.kernel.database.transaction(async (tx) => {
    const [session] = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, actor.id), eq(sessions.organizationId, actor.organizationId), isNull(sessions.revokedAt)));
    if (!session) throw notFound('SESSION_NOT_FOUND');
    await revokeSession(ctx, tx, session.id, 'revoked_by_user');
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, action: 'session.revoked', resourceType: 'session', resourceId: session.id });
  });
}

/** Access token → Actor, with the session-alive check served from the cache on a hit. */
export async function authenticateBearer(ctx: IdentityContext, token: string): Promise<Actor> {
  const now = ctx.kernel.now();
  const claims = await ctx.tokens.verify<AccessClaims>(token, 'access', now);
  let entry = ctx.sessions.get(claims.sid, now.getTime());
  if (!entry) {
    const [row] = await ctx.kernel.database.db
      .select({ revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt, organizationId: users.organizationId, department: users.department, ...profileColumns })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, claims.sid));
    const alive = Boolean(row && !row.revokedAt && row.expiresAt > now && row.isActive);
    const value = {
      userId: row?.id ?? claims.sub,
      organizationId: row?.organizationId ?? claims.org,
      role: row?.role ?? 'user',
      department: row?.department ?? null,
      alive,
      profile: row && alive ? presentProfile(row) : null,
    };
    ctx.sessions.set(claims.sid, value, now.getTime());
    entry = { ...value, until: 0 };
  }
  if (!entry.alive || entry.userId !== claims.sub) throw sessionRevoked();
  const role = await ctx.roles.resolve(ctx.kernel.database.db, entry.organizationId, entry.role, now.getTime());
  return {
    type: 'user',
    id: entry.userId,
    organizationId: entry.organizationId,
    role: entry.role,
    permissions: role.permissions,
    grants: role.grants,
    sessionId: claims.sid,
    department: entry.department,
  };
}
