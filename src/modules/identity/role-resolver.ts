import { and, eq } from 'drizzle-orm';
import type { Grant } from '../../kernel/access/grants';
import type { Executor } from '../../kernel/db/database';
import { BUILT_IN_ROLES, isBuiltInRole, permissionsOfRole, roleRank } from './roles';
import { customRoles } from './tables';

export interface ResolvedRole {
  name: string;
  /** The built-in role at the root of the inheritance chain (decides rank). */
  base: string;
  grants: Grant[];
  /** Unconditional allows not overridden by a deny: what API keys may be scoped to. */
  permissions: string[];
}

const MAX_DEPTH = 10;

/**
 * Resolves a role of an organization through its parents. Results are cached per organization
 * for a short time and dropped on any role change, on every instance (invalidation.ts), so grant
 * changes apply on the next request.
 */
export class RoleResolver {
  private readonly cache = new Map<string, { role: ResolvedRole; until: number }>();
  static readonly TTL_MS = 2000;

  async resolve(db: Executor, organizationId: string, name: string, now = Date.now()): Promise<ResolvedRole> {
    const key = `${organizationId}:${name}`;
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.role;
    const role = await this.load(db, organizationId, name, 0);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { role, until: now + RoleResolver.TTL_MS });
    return role;
  }

  clear(): void {
    this.cache.clear();
  }

  invalidate(organizationId: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${organizationId}:`)) this.cache.delete(key);
  }

  private async load(db: Executor, organizationId: string, name: string, depth: number): Promise<ResolvedRole> {
    if (isBuiltInRole(name) || depth >= MAX_DEPTH) {
      const permissions = permissionsOfRole(name);
      return { name, base: isBuiltInRole(name) ? name : 'user', grants: permissions.map((permission) => ({ permission, effect: 'allow', source: name })), permissions };
    }
    const [custom] = await db.select().from(customRoles).where(and(eq(customRoles.organizationId, organizationId), eq(customRoles.name, name)));
    // A role that no longer exists grants nothing.
    if (!custom) return { name, base: 'user', grants: [], permissions: [] };
    const parent = await this.load(db, organizationId, custom.parentRole, depth + 1);
    const own = custom.grants.map((g) => ({ ...g, source: name }));
    const grants = [...own, ...parent.grants];
    const denied = own.filter((g) => g.effect === 'deny' && !g.conditions).map((g) => g.permission);
    const permissions = [...new Set(grants.filter((g) => g.effect === 'allow' && !g.conditions && !denied.includes(g.permission)).map((g) => g.permission))];
    return { name, base: parent.base, grants, permissions };
  }
}

/** Rank of any role (custom roles rank as their built-in base). */
export async function rankOf(resolver: RoleResolver, db: Executor, organizationId: string, name: string) {
  return roleRank((await resolver.resolve(db, organizationId, name)).base);
}

export const builtInRoleNames = BUILT_IN_ROLES.map((r) => r.name);
