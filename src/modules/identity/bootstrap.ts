import { eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { NO_ORIGIN, recordAudit } from '../../kernel/audit/audit';
import { newId } from '../../kernel/db/ids';
import type { IdentityContext } from './context';
import { hashPassword } from './passwords';
import { organizations, users } from './tables';

export interface BootstrapResult {
  email: string;
  /** Present only when it was generated here: shown once, never stored in clear. */
  generatedPassword?: string;
}

/**
 * Creates the default organization and its first super_admin on a fresh database. A transaction
 * advisory lock keeps instances starting together from creating two.
 */
export async function bootstrapAdmin(ctx: IdentityContext): Promise<BootstrapResult | null> {
  const { bootstrapAdminEmail, bootstrapAdminPassword } = ctx.kernel.config;
  return ctx.kernel.database.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${0x61646d6e})`);
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.role, 'super_admin')).limit(1);
    if (existing) return null;
    const now = ctx.kernel.now();
    let [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.isDefault, true));
    if (!org) {
      [org] = await tx.insert(organizations).values({ id: newId('org'), name: 'Default organization', isDefault: true, createdAt: now, updatedAt: now }).returning({ id: organizations.id });
    }
    const email = (bootstrapAdminEmail ?? 'admin@deskbase.local').toLowerCase();
    const generatedPassword = bootstrapAdminPassword ? undefined : `${randomBytes(12).toString('base64url')}-Aa1!`;
    const id = newId('usr');
    await tx.insert(users).values({
      id,
      organizationId: org!.id,
      email,
      firstName: 'Deskbase',
      lastName: 'Administrator',
      role: 'super_admin',
      passwordHash: await hashPassword(bootstrapAdminPassword ?? generatedPassword!),
      emailVerifiedAt: now,
      approvedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, NO_ORIGIN, { organizationId: org!.id, actorId: null, actorType: 'system', action: 'admin.user_created', resourceType: 'user', resourceId: id, severity: 'high', metadata: { bootstrap: true } });
    return { email, generatedPassword };
  });
}
