import { recordAudit, type RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import { newId } from '../../kernel/db/ids';
import { emitEvent } from '../../kernel/events/outbox';
import { paginate, type PageParams } from '../../kernel/http/pagination';
import { validationFailed } from '../../kernel/http/problem';
import type { Locale } from '../../kernel/i18n/index';
import { validateNewAccount } from './accounts';
import { createUserInTx, type CreateUserInput } from './admin-users';
import type { IdentityContext } from './context';
import { hashPassword } from './passwords';
import { organizations } from './tables';

type Organization = typeof organizations.$inferSelect;

const present = (org: Organization) => ({
  id: org.id,
  name: org.name,
  is_default: org.isDefault,
  created_at: org.createdAt.toISOString(),
  updated_at: org.updatedAt.toISOString(),
  version: org.version,
});

/** A new tenant with its first admin (super_admin only). */
export async function createOrganization(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: { name: string; admin: Omit<CreateUserInput, 'role'> }, locale: Locale) {
  const errors = validateNewAccount(input.admin, locale).map((e) => ({ ...e, field: `admin.${e.field}` }));
  if (errors.length > 0) throw validationFailed(errors);
  const passwordHash = input.admin.password ? await hashPassword(input.admin.password) : undefined;
  const now = ctx.kernel.now();
  return ctx.kernel.database.transaction(async (tx) => {
    const [org] = await tx.insert(organizations).values({ id: newId('org'), name: input.name.trim(), createdAt: now, updatedAt: now }).returning();
    // The admin is created as if by a system actor of the new organization.
    const creator: Actor = { ...actor, organizationId: org!.id };
    const admin = await createUserInTx(ctx, tx, origin, creator, { ...input.admin, role: 'admin' }, locale, { passwordHash });
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'organization.created', resourceType: 'organization', resourceId: org!.id, severity: 'high', metadata: { name: org!.name, admin_id: admin.id } });
    await emitEvent(tx, { organizationId: org!.id, type: 'organization.created', data: present(org!) });
    return { ...present(org!), admin: { user_id: admin.id, email: admin.email } };
  });
}

export async function listOrganizations(ctx: IdentityContext, params: PageParams) {
  const page = await paginate({
    executor: ctx.kernel.database.db,
    table: organizations,
    where: undefined,
    sortColumns: { created_at: organizations.createdAt, name: organizations.name },
    idColumn: organizations.id,
    params,
    cursors: ctx.kernel.cursors,
  });
  return { ...page, items: page.items.map(present) };
}
