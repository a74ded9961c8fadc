import { and, eq, isNull } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { hasPermission, isPermission } from '../../kernel/access/permissions';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import { newId } from '../../kernel/db/ids';
import { sha256Hex } from '../../kernel/digest';
import { paginate, type PageParams } from '../../kernel/http/pagination';
import { notFound, ProblemError, validationFailed } from '../../kernel/http/problem';
import { translate, type Locale } from '../../kernel/i18n/index';
import type { IdentityContext } from './context';
import { invalidate } from './invalidation';
import { apiKeys, users } from './tables';

type ApiKey = typeof apiKeys.$inferSelect;

const unauthorized = () => new ProblemError(401, 'UNAUTHORIZED', { headers: { 'www-authenticate': 'Bearer' } });
const KEY_FORMAT = /^dk_[A-Za-z0-9_-]{43}$/;

const present = (key: ApiKey, now: Date) => ({
  id: key.id,
  name: key.name,
  display: `${key.prefix}…`,
  permissions: key.permissions,
  expires_at: key.expiresAt?.toISOString() ?? null,
  last_used_at: key.lastUsedAt?.toISOString() ?? null,
  created_at: key.createdAt.toISOString(),
  revoked_at: key.revokedAt?.toISOString() ?? null,
  status: (key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt <= now ? 'expired' : 'active') as 'active' | 'expired' | 'revoked',
});

/** A key never holds more than its creator: each permission must be granted by theirs. */
export async function createApiKey(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: { name: string; permissions: string[]; expires_at?: string }, locale: Locale) {
  const now = ctx.kernel.now();
  const unknown = input.permissions.filter((p) => !isPermission(p));
  if (unknown.length > 0) throw validationFailed([{ field: 'permissions', message: translate(locale, 'validation.permission.unknown') }]);
  const exceeding = input.permissions.filter((p) => !hasPermission(actor.permissions, p));
  if (exceeding.length > 0) throw validationFailed([{ field: 'permissions', message: translate(locale, 'validation.permission.exceeds', { permissions: exceeding.join(', ') }) }]);
  const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
  if (expiresAt && expiresAt <= now) throw validationFailed([{ field: 'expires_at', message: translate(locale, 'validation.exclusiveMinimum', { limit: now.toISOString() }) }]);
  const secret = `dk_${randomBytes(32).toString('base64url')}`;
  const key = await ctx.kernel.database.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ id: newId('key'), organizationId: actor.organizationId, userId: actor.id, name: input.name, prefix: secret.slice(0, 10), keyHash: sha256Hex(secret), permissions: [...new Set(input.permissions)], expiresAt, createdAt: now })
      .returning();
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'api_key.created', resourceType: 'api_key', resourceId: row!.id, severity: 'medium', metadata: { permissions: row!.permissions } });
    return row!;
  });
  return { ...present(key, now), key: secret };
}

export async function listApiKeys(ctx: IdentityContext, actor: Actor, params: PageParams) {
  const now = ctx.kernel.now();
  const page = await paginate({
    executor: ctx.kernel.database.db,
    table: apiKeys,
    where: eq(apiKeys.organizationId, actor.organizationId),
    sortColumns: { created_at: apiKeys.createdAt },
    idColumn: apiKeys.id,
    params,
    cursors: ctx.kernel.cursors,
  });
  return { ...page, items: page.items.map((k) => present(k, now)) };
}

export async function revokeApiKey(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string) {
  await ctx.kernel.database.transaction(async (tx) => {
    const [key] = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.kernel.now() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.organizationId, actor.organizationId), isNull(apiKeys.revokedAt)))
      .returning();
    if (!key) throw notFound('API_KEY_NOT_FOUND');
    await invalidate(ctx, tx, 'api_keys');
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'api_key.revoked', resourceType: 'api_key', resourceId: id, severity: 'medium' });
  });
}

interface CachedKey {
  actor: Actor | null;
  until: number;
}
const apiKeyCache = new Map<string, CachedKey>();
export const clearApiKeyCache = () => apiKeyCache.clear();
const LAST_USED_RESOLUTION_MS = 60_000;

/** X-API-Key → Actor. Effective permissions are the key's, still held by its creator's current role. */
export async function authenticateApiKey(ctx: IdentityContext, key: string): Promise<Actor> {
  if (!KEY_FORMAT.test(key)) throw unauthorized();
  const now = ctx.kernel.now();
  const keyHash = sha256Hex(key);
  const cached = apiKeyCache.get(keyHash);
  if (cached && cached.until > now.getTime()) {
    if (!cached.actor) throw unauthorized();
    return cached.actor;
  }
  const [row] = await ctx.kernel.database.db
    .select({ key: apiKeys, role: users.role, isActive: users.isActive, department: users.department })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, keyHash));
  const valid = row && !row.key.revokedAt && (!row.key.expiresAt || row.key.expiresAt > now) && row.isActive;
  const role = valid ? await ctx.roles.resolve(ctx.kernel.database.db, row.key.organizationId, row.role, now.getTime()) : undefined;
  const actor: Actor | null = valid && role
    ? {
        type: 'api_key',
        id: row.key.userId,
        organizationId: row.key.organizationId,
        role: row.role,
        permissions: row.key.permissions.filter((p) => hasPermission(role.permissions, p)),
        grants: role.grants,
        apiKeyId: row.key.id,
        department: row.department,
      }
    : null;
  if (apiKeyCache.size > 10_000) apiKeyCache.clear();
  apiKeyCache.set(keyHash, { actor, until: now.getTime() + 2000 });
  if (!actor || !row) throw unauthorized();
  if (!row.key.lastUsedAt || now.getTime() - row.key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await ctx.kernel.database.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.key.id));
  }
  return actor;
}
