import { and, eq, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import { auditLogs } from '../../kernel/audit/tables';
import type { Actor } from '../../kernel/auth/actor';
import { newId } from '../../kernel/db/ids';
import { emitEvent } from '../../kernel/events/outbox';
import { conflict, notFound, validationFailed } from '../../kernel/http/problem';
import { translate, type Locale } from '../../kernel/i18n/index';
import type { IdentityContext } from './context';
import { presentProfile } from './present';
import { invalidate } from './invalidation';
import { apiKeys, sessions, users, userTokens } from './tables';

export const ERASURE_PHRASE = 'DELETE MY ACCOUNT';

/** Seed 003 §6.1: everything we hold about the caller, as JSON or CSV. */
export async function exportMyData(ctx: IdentityContext, actor: Actor, input: { format: 'json' | 'csv'; include_audit_logs: boolean; include_metadata: boolean }) {
  const db = ctx.kernel.database.db;
  const [user] = await db.select().from(users).where(and(eq(users.id, actor.id), eq(users.organizationId, actor.organizationId)));
  if (!user) throw notFound('USER_NOT_FOUND');
  const userSessions = await db.select().from(sessions).where(eq(sessions.userId, user.id));
  const audit = input.include_audit_logs ? await db.select().from(auditLogs).where(and(eq(auditLogs.organizationId, actor.organizationId), eq(auditLogs.actorId, user.id))).orderBy(auditLogs.createdAt) : [];
  const profile = {
    ...presentProfile(user),
    department: user.department,
    phone: user.phone,
    login_count: user.loginCount,
    ...(input.include_metadata ? { metadata: user.metadata } : {}),
  };
  const activity = audit.map((a) => ({ action: a.action, timestamp: a.createdAt.toISOString(), ip_address: a.ipAddress, user_agent: a.userAgent, outcome: a.outcome }));
  const sessionData = userSessions.map((s) => ({ created_at: s.createdAt.toISOString(), last_used_at: s.lastUsedAt.toISOString(), ip_address: s.ipAddress, device: s.userAgent, revoked_at: s.revokedAt?.toISOString() ?? null }));
  const now = ctx.kernel.now().toISOString();
  const document = {
    metadata: {
      export_id: newId('exp'),
      user_id: user.id,
      export_date: now,
      format: input.format,
      record_count: 1 + activity.length + sessionData.length,
      categories: ['profile', 'sessions', ...(input.include_audit_logs ? ['audit'] : [])],
    },
    personal_data: { user_profile: profile, account_settings: { preferences: {}, notifications: {} }, sessions: sessionData, activity_logs: activity },
  };
  if (input.format === 'json') return { filename: `deskbase-export-${user.id}.json`, contentType: 'application/json; charset=utf-8', body: JSON.stringify(document, null, 2) };
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    // Quoted, and prefixed when a spreadsheet would read it as a formula.
    return `"${(/^[=+\-@]/.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
  };
  const rows = [
    ['category', 'field', 'value', 'timestamp'],
    ...Object.entries(profile).map(([field, value]) => ['profile', field, value, '']),
    ...sessionData.flatMap((s) => [['session', 'ip_address', s.ip_address, s.created_at], ['session', 'device', s.device, s.created_at]]),
    ...activity.map((a) => ['audit', a.action, a.ip_address, a.timestamp]),
  ];
  return { filename: `deskbase-export-${user.id}.csv`, contentType: 'text/csv; charset=utf-8', body: rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n' };
}

/**
 * Seed 003 §6.2: removes the account and personal data; audit entries stay (their `usr_` id
 * becomes a pseudonym) with ip, user agent and metadata erased.
 */
export async function deleteMyAccount(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: { confirmation: string; reason?: string }, locale: Locale) {
  if (input.confirmation !== ERASURE_PHRASE) {
    throw validationFailed([{ field: 'confirmation', message: translate(locale, 'validation.const', { value: ERASURE_PHRASE }) }]);
  }
  const now = ctx.kernel.now();
  return ctx.kernel.database.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(and(eq(users.id, actor.id), eq(users.organizationId, actor.organizationId))).for('update');
    if (!user) throw notFound('USER_NOT_FOUND');
    if (user.role === 'super_admin') {
      const [others] = await tx.select({ n: sql<number>`count(*)::int` }).from(users).where(sql`${users.role} = 'super_admin' AND ${users.id} <> ${user.id}`);
      if (!others?.n) throw conflict('LAST_SUPER_ADMIN');
    }
    await tx.execute(sql`SET LOCAL deskbase.audit_anonymize = 'on'`);
    const anonymised = await tx
      .update(auditLogs)
      .set({ ipAddress: null, userAgent: null, metadata: {} })
      .where(and(eq(auditLogs.organizationId, user.organizationId), eq(auditLogs.actorId, user.id)))
      .returning({ id: auditLogs.id });
    await tx.execute(sql`SET LOCAL deskbase.audit_anonymize = 'off'`);
    const removedSessions = await tx.delete(sessions).where(eq(sessions.userId, user.id)).returning({ id: sessions.id });
    const removedTokens = await tx.delete(userTokens).where(eq(userTokens.userId, user.id)).returning({ hash: userTokens.tokenHash });
    const removedKeys = await tx.delete(apiKeys).where(eq(apiKeys.userId, user.id)).returning({ id: apiKeys.id });
    const removedMail = await ctx.mailer.forgetRecipient(tx, user.email);
    await tx.delete(users).where(eq(users.id, user.id));
    await invalidate(ctx, tx, `user:${user.id}`);
    await recordAudit(tx, { ...origin, ip: null, userAgent: null }, { organizationId: user.organizationId, actorId: user.id, action: 'user.deleted', resourceType: 'user', resourceId: user.id, severity: 'high', metadata: { gdpr: true } });
    await emitEvent(tx, { organizationId: user.organizationId, type: 'user.deleted', data: { user_id: user.id, deleted_at: now.toISOString(), gdpr: true } });
    const deleted = 1 + removedSessions.length + removedTokens.length + removedKeys.length + removedMail;
    return {
      deletion_id: newId('del'),
      user_id: user.id,
      deletion_date: now.toISOString(),
      records_deleted: deleted,
      records_anonymized: anonymised.length,
      categories_deleted: ['profile', 'sessions', 'tokens', 'api_keys', 'email'],
      anonymization_applied: true,
    };
  });
}
