import { and, eq, isNotNull } from 'drizzle-orm';
import type { Executor } from '../../kernel/db/database';
import type { OrganizationContacts } from '../../kernel/kernel';
import { users } from './tables';

/** The kernel's answer to "who runs this organization": its active, verified administrators. */
export const organizationContacts: OrganizationContacts = {
  async administrators(executor: Executor, organizationId: string) {
    return executor
      .select({ email: users.email, firstName: users.firstName })
      .from(users)
      .where(and(eq(users.organizationId, organizationId), eq(users.role, 'admin'), eq(users.isActive, true), isNotNull(users.emailVerifiedAt)));
  },
  async person(executor: Executor, organizationId: string, userId: string) {
    const [found] = await executor
      .select({ email: users.email, firstName: users.firstName })
      .from(users)
      .where(and(eq(users.organizationId, organizationId), eq(users.id, userId), eq(users.isActive, true)));
    return found;
  },
};
