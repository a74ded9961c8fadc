import type { users } from './tables';

type User = typeof users.$inferSelect;
/** What a profile shows: the columns GET /profile/me reads (never the password hash). */
export type ProfileFields = Pick<User, 'id' | 'email' | 'firstName' | 'lastName' | 'role' | 'isActive' | 'rejectedAt' | 'emailVerifiedAt' | 'approvedAt' | 'createdAt' | 'lastLoginAt' | 'version'>;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The user as seed 003 §3.2 shows it to administrators. */
export const presentAdminUser = (user: User) => ({
  user_id: user.id,
  email: user.email,
  first_name: user.firstName,
  last_name: user.lastName,
  role: user.role,
  department: user.department,
  status: statusOf(user),
  is_active: user.isActive,
  is_verified: user.emailVerifiedAt !== null,
  is_approved: user.approvedAt !== null,
  approved_by: user.approvedBy,
  approved_at: iso(user.approvedAt),
  rejected_at: iso(user.rejectedAt),
  rejection_reason: user.rejectionReason,
  is_locked: user.lockedUntil !== null && user.lockedUntil.getTime() > Date.now(),
  failed_login_attempts: user.failedLoginAttempts,
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
  last_login_at: iso(user.lastLoginAt),
  login_count: user.loginCount,
  version: user.version,
});

/** The user as seed 003 §2.1 shows them to themselves. */
export const presentProfile = (user: ProfileFields) => ({
  user_id: user.id,
  email: user.email,
  first_name: user.firstName,
  last_name: user.lastName,
  role: user.role,
  status: statusOf(user),
  is_verified: user.emailVerifiedAt !== null,
  created_at: user.createdAt.toISOString(),
  last_login: iso(user.lastLoginAt),
  version: user.version,
});

export type Profile = ReturnType<typeof presentProfile>;

/** Event payloads: the resource without secrets. */
export const userEventData = (user: User) => ({
  user_id: user.id,
  email: user.email,
  first_name: user.firstName,
  last_name: user.lastName,
  role: user.role,
  is_active: user.isActive,
});

export function statusOf(user: Pick<User, 'rejectedAt' | 'isActive' | 'emailVerifiedAt' | 'approvedAt'>): 'active' | 'inactive' | 'pending_verification' | 'pending_approval' | 'rejected' {
  if (user.rejectedAt) return 'rejected';
  if (!user.isActive) return 'inactive';
  if (!user.emailVerifiedAt) return 'pending_verification';
  if (!user.approvedAt) return 'pending_approval';
  return 'active';
}
