import { and, eq, sql } from 'drizzle-orm';
import { evaluate, type Grant } from '../../kernel/access/grants';
import { hasPermission, isPermission, reachesPlatform } from '../../kernel/access/permissions';
import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import { newId } from '../../kernel/db/ids';
import { assertVersion } from '../../kernel/http/etag';
import { conflict, notFound, validationFailed } from '../../kernel/http/problem';
import { translate, type Locale } from '../../kernel/i18n/index';
import { assertAssignableRole, loadUser } from './admin-users';
import type { IdentityContext } from './context';
import { invalidate } from './invalidation';
import { BUILT_IN_ROLES, isBuiltInRole } from './roles';
import { customRoles, users } from './tables';

type CustomRole = typeof customRoles.$inferSelect;

const present = (role: CustomRole) => ({
  id: role.id,
  name: role.name,
  display_name: role.displayName,
  description: role.description,
  parent_role: role.parentRole,
  grants: role.grants,
  built_in: false,
  created_at: role.createdAt.toISOString(),
  updated_at: role.updatedAt.toISOString(),
  version: role.version,
});

export interface RoleInput {
  name: string;
  display_name?: string;
  description?: string;
  parent_role: string;
  grants: Grant[];
}

function grantErrors(grants: Grant[], actor: Actor, locale: Locale) {
  return grants.flatMap((g, i) => {
    const field = `grants[${i}].permission`;
    if (!isPermission(g.permission)) return [{ field, message: translate(locale, 'validation.permission.unknown') }];
    if (g.effect === 'allow' && reachesPlatform(g.permission) && !hasPermission(actor.permissions, g.permission)) return [{ field, message: translate(locale, 'validation.permission.platform') }];
    return [];
  });
}

export async function listRoles(ctx: IdentityContext, actor: Actor) {
  const custom = await ctx.kernel.database.db.select().from(customRoles).where(eq(customRoles.organizationId, actor.organizationId)).orderBy(customRoles.name);
  return {
    items: [
      ...BUILT_IN_ROLES.map((r) => ({ ...r, parent_role: null, grants: r.permissions.map((permission) => ({ permission, effect: 'allow' as const })), built_in: true })),
      ...custom.map(present),
    ],
  };
}

/** A custom role inherits its parent's grants; its own grants add permissions or deny inherited ones. */
export async function createRole(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: RoleInput, locale: Locale) {
  if (isBuiltInRole(input.name)) throw conflict('ROLE_ALREADY_EXISTS');
  const errors = grantErrors(input.grants, actor, locale);
  if (errors.length > 0) throw validationFailed(errors);
  await assertAssignableRole(ctx, actor, input.parent_role, locale);
  const now = ctx.kernel.now();
  const role = await ctx.kernel.database.transaction(async (tx) => {
    const [existing] = await tx.select({ id: customRoles.id }).from(customRoles).where(and(eq(customRoles.organizationId, actor.organizationId), eq(customRoles.name, input.name)));
    if (existing) throw conflict('ROLE_ALREADY_EXISTS');
    const [row] = await tx
      .insert(customRoles)
      .values({ id: newId('role'), organizationId: actor.organizationId, name: input.name, displayName: input.display_name ?? input.name, description: input.description ?? '', parentRole: input.parent_role, grants: input.grants, createdAt: now, updatedAt: now })
      .returning();
    await invalidate(ctx, tx, `roles:${actor.organizationId}`);
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'role.created', resourceType: 'role', resourceId: row!.id, severity: 'high', metadata: { name: input.name, parent_role: input.parent_role, grants: input.grants } });
    return row!;
  });
  return present(role);
}

async function loadRole(ctx: IdentityContext, actor: Actor, id: string) {
  const [role] = await ctx.kernel.database.db.select().from(customRoles).where(and(eq(customRoles.id, id), eq(customRoles.organizationId, actor.organizationId)));
  if (!role) throw notFound('ROLE_NOT_FOUND');
  return role;
}

export async function updateRole(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string, input: Partial<Omit<RoleInput, 'name'>>, locale: Locale, expectedVersion?: number[]) {
  const current = await loadRole(ctx, actor, id);
  assertVersion(expectedVersion, current.version);
  const errors = grantErrors(input.grants ?? [], actor, locale);
  if (errors.length > 0) throw validationFailed(errors);
  if (input.parent_role !== undefined) {
    if (input.parent_role === current.name) throw validationFailed([{ field: 'parent_role', message: translate(locale, 'validation.invalid') }]);
    await assertAssignableRole(ctx, actor, input.parent_role, locale);
  }
  const role = await ctx.kernel.database.transaction(async (tx) => {
    const [row] = await tx
      .update(customRoles)
      .set({
        ...(input.display_name !== undefined && { displayName: input.display_name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.parent_role !== undefined && { parentRole: input.parent_role }),
        ...(input.grants !== undefined && { grants: input.grants }),
        updatedAt: ctx.kernel.now(),
        version: sql`${customRoles.version} + 1`,
      })
      .where(and(eq(customRoles.id, id), eq(customRoles.version, current.version)))
      .returning();
    if (!row) throw conflict();
    await invalidate(ctx, tx, `roles:${actor.organizationId}`);
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'role.updated', resourceType: 'role', resourceId: id, severity: 'high', metadata: { changes: input } });
    return row;
  });
  return present(role);
}

/** Refused (409) while users hold the role or another role inherits from it. */
export async function deleteRole(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, id: string) {
  const role = await loadRole(ctx, actor, id);
  await ctx.kernel.database.transaction(async (tx) => {
    const [holders] = await tx.select({ n: sql<number>`count(*)::int` }).from(users).where(and(eq(users.organizationId, actor.organizationId), eq(users.role, role.name)));
    const [children] = await tx.select({ n: sql<number>`count(*)::int` }).from(customRoles).where(and(eq(customRoles.organizationId, actor.organizationId), eq(customRoles.parentRole, role.name)));
    if (holders?.n || children?.n) throw conflict('ROLE_IN_USE');
    await tx.delete(customRoles).where(eq(customRoles.id, id));
    await invalidate(ctx, tx, `roles:${actor.organizationId}`);
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'role.deleted', resourceType: 'role', resourceId: id, severity: 'high', metadata: { name: role.name } });
  });
}

export interface CheckInput {
  user_id: string;
  permission: string;
  resource_type?: string;
  resource_id?: string;
  context?: { ip_address?: string; at?: string; resource_owner_id?: string; resource_department?: string; department?: string };
}

/** Seed 000 "Advanced Permission Checking": may this user do this, here and now, and why. */
export async function checkPermission(ctx: IdentityContext, actor: Actor, input: CheckInput) {
  const user = await loadUser(ctx.kernel.database.db, actor, input.user_id);
  const role = await ctx.roles.resolve(ctx.kernel.database.db, user.organizationId, user.role);
  const context = input.context ?? {};
  const decision = user.isActive
    ? evaluate(role.grants, input.permission, {
        userId: user.id,
        userDepartment: context.department ?? user.department,
        ipAddress: context.ip_address ?? null,
        at: context.at ? new Date(context.at) : ctx.kernel.now(),
        resourceOwnerId: context.resource_owner_id,
        resourceDepartment: context.resource_department,
      })
    : { allowed: false, reason: 'the account is inactive' };
  return {
    user_id: user.id,
    role: user.role,
    permission: input.permission,
    resource_type: input.resource_type ?? null,
    resource_id: input.resource_id ?? null,
    allowed: decision.allowed,
    reason: decision.reason,
    matched_grant: 'grant' in decision && decision.grant ? decision.grant : null,
    pending_conditions: 'pending' in decision && decision.pending ? decision.pending : null,
  };
}
