/** Built-in roles: seed 003 §9.2 plus seed 002's teacher. Custom roles inherit from one of these. */
export interface RoleDefinition {
  name: string;
  display_name: string;
  description: string;
  permissions: string[];
}

/**
 * What every role may do about itself: its profile, and the jobs it started (kernel/jobs). Cancelling
 * and retrying jobs (`job:cancel`, `job:retry`) is for administrators only, through `job:*`.
 */
const SELF = ['profile:read', 'profile:update', 'job:read'];
// Files are shared within an organization: everyone there may store and read them; sharing
// outside (signed links) and deleting are for managers and administrators.
const FILES = ['file:create', 'file:read'];
// Billing: everyone may look clients and master data (categories, units, tax codes, payment
// terms) up; managers run the invoicing and maintain the master data; exports are for those who
// answer for the data (managers, auditors, administrators).
const BILLING_READ = ['client:read', 'master_data:read', 'invoice:read', 'payment:read', 'credit_note:read', 'recurring_invoice:read'];
// Payments: managers record them and apply client credit; refunds (money leaving) are for administrators.
const PAYMENTS = ['payment:read', 'payment:create'];
// Going over a client's credit limit (invoice:override_credit_limit) is for administrators only.
const INVOICING = ['invoice:read', 'invoice:create', 'invoice:update', 'invoice:delete', 'invoice:finalize', 'invoice:void', 'invoice:send'];
// Credit notes correct finalized invoices: everyone who reads invoices reads them; managers and administrators issue them.
const CREDIT_NOTES = ['credit_note:read', 'credit_note:create'];
// Recurring invoice schedules: managers and administrators run them, users and auditors read them.
// Exchange rates come under billing_settings (read to list, update to record).
const BILLING_MANAGE = ['client:*', 'master_data:read', 'master_data:write', 'billing_settings:read', ...INVOICING, ...PAYMENTS, ...CREDIT_NOTES, 'recurring_invoice:*'];

export const BUILT_IN_ROLES: RoleDefinition[] = [
  { name: 'user', display_name: 'Regular User', description: 'Standard user access', permissions: [...SELF, ...FILES, ...BILLING_READ] },
  { name: 'teacher', display_name: 'Teacher', description: 'Classes, grades and attendance of their own courses', permissions: [...SELF, ...FILES, 'master_data:read', 'student:read', 'course:read', 'grade:*', 'attendance:*'] },
  { name: 'manager', display_name: 'Manager', description: 'Limited management access', permissions: [...SELF, ...FILES, ...BILLING_MANAGE, 'file:share', 'file:delete', 'user:read', 'user:update', 'reports:read'] },
  { name: 'auditor', display_name: 'Auditor', description: 'Audit log access only', permissions: [...SELF, ...BILLING_READ, 'client:export', 'billing_settings:read', 'audit:read', 'logs:read', 'reports:read', 'event:read'] },
  {
    name: 'admin',
    display_name: 'Administrator',
    description: 'Full access within the organization',
    permissions: [...SELF, 'user:create', 'user:read', 'user:update', 'user:delete', 'admin:all', 'audit:read', 'logs:read', 'reports:read', 'email:*', 'file:*', 'role:*', 'api_key:*', 'bulk:*', 'webhook:*', 'event:read', 'job:*', 'master_data:*', 'client:*', 'billing_settings:*', 'invoice:*', 'payment:*', 'credit_note:*', 'recurring_invoice:*'],
  },
  { name: 'super_admin', display_name: 'Super Administrator', description: 'All permissions, across organizations', permissions: ['*:*'] },
];

const byName = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));

export const isBuiltInRole = (name: string) => byName.has(name);

export function permissionsOfRole(name: string): string[] {
  return byName.get(name)?.permissions ?? [];
}

/** Roles ordered by power, for "an admin may not hand out a role above their own". */
const RANK: Record<string, number> = { user: 0, teacher: 1, manager: 2, auditor: 2, admin: 3, super_admin: 4 };
export const roleRank = (name: string) => RANK[name] ?? 0;
