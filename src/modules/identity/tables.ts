import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Grant } from '../../kernel/access/grants';
import { idColumn, resourceColumns } from '../../kernel/db/columns';

const ts = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

export const organizations = pgTable('organizations', {
  id: idColumn(),
  name: text('name').notNull(),
  isDefault: boolean('is_default').notNull().default(false),
  ...resourceColumns(),
}, (t) => [uniqueIndex('organizations_one_default_idx').on(t.isDefault).where(sql`${t.isDefault}`)]);

export const users = pgTable('users', {
  id: idColumn(),
  organizationId: text('organization_id').notNull(),
  email: text('email').notNull(),
  firstName: text('first_name').notNull(),
  lastName: text('last_name').notNull(),
  role: text('role').notNull(),
  isActive: boolean('is_active').notNull().default(true),
  department: text('department'),
  phone: text('phone'),
  passwordHash: text('password_hash'),
  emailVerifiedAt: ts('email_verified_at'),
  approvedAt: ts('approved_at'),
  approvedBy: text('approved_by'),
  rejectedAt: ts('rejected_at'),
  rejectedBy: text('rejected_by'),
  rejectionReason: text('rejection_reason'),
  failedLoginAttempts: integer('failed_login_attempts').notNull().default(0),
  lockedUntil: ts('locked_until'),
  lastLoginAt: ts('last_login_at'),
  loginCount: integer('login_count').notNull().default(0),
  metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  ...resourceColumns(),
}, (t) => [
  // Login is by email alone, so an email belongs to one account across organizations.
  uniqueIndex('users_email_idx').on(t.email),
  index('users_org_created_idx').on(t.organizationId, t.createdAt, t.id),
  index('users_org_role_idx').on(t.organizationId, t.role),
]);

/** Single-use email tokens (verification, password reset), stored only as SHA-256 hashes. */
export const userTokens = pgTable('user_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id').notNull(),
  purpose: text('purpose', { enum: ['verify_email', 'password_reset'] }).notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [index('user_tokens_user_idx').on(t.userId, t.purpose)]);

/**
 * One login = one session = one refresh-token family. `refreshJti` is the only refresh token
 * that may be used; `previousJti` stays acceptable until `graceUntil` and then receives the
 * pair kept (encrypted) in `graceTokens`, so two tabs refreshing at once are not logged out.
 */
export const sessions = pgTable('sessions', {
  id: idColumn(),
  organizationId: text('organization_id').notNull(),
  userId: text('user_id').notNull(),
  refreshJti: text('refresh_jti').notNull(),
  previousJti: text('previous_jti'),
  graceUntil: ts('grace_until'),
  graceTokens: text('grace_tokens'),
  expiresAt: ts('expires_at').notNull(),
  userAgent: text('user_agent'),
  ipAddress: text('ip_address'),
  lastUsedAt: ts('last_used_at').notNull().defaultNow(),
  revokedAt: ts('revoked_at'),
  revokedReason: text('revoked_reason'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [index('sessions_user_idx').on(t.userId, t.createdAt)]);

export const apiKeys = pgTable('api_keys', {
  id: idColumn(),
  organizationId: text('organization_id').notNull(),
  userId: text('user_id').notNull(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull(),
  permissions: jsonb('permissions').$type<string[]>().notNull(),
  expiresAt: ts('expires_at'),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [
  uniqueIndex('api_keys_hash_idx').on(t.keyHash),
  index('api_keys_org_created_idx').on(t.organizationId, t.createdAt, t.id),
]);

/** Custom roles of one organization: a parent (built-in or custom) plus grants that add or deny. */
export const customRoles = pgTable('custom_roles', {
  id: idColumn(),
  organizationId: text('organization_id').notNull(),
  name: text('name').notNull(),
  displayName: text('display_name').notNull(),
  description: text('description').notNull().default(''),
  parentRole: text('parent_role').notNull(),
  grants: jsonb('grants').$type<Grant[]>().notNull().default([]),
  ...resourceColumns(),
}, (t) => [uniqueIndex('custom_roles_org_name_idx').on(t.organizationId, t.name)]);
