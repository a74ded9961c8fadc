import { Type } from '@sinclair/typebox';

const Email = Type.String({ format: 'email', maxLength: 254, description: 'Normalised to lower case.' });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const Name = Type.String({ minLength: 1, maxLength: 50 });
const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const strict = { additionalProperties: false } as const;

export const RegisterBody = Type.Object({ email: Email, password: Password, confirm_password: Password, first_name: Name, last_name: Name }, strict);
export const RegisterResponse = Type.Object({
  message: Type.String(),
  user_id: Type.String(),
  email: Type.String(),
  verification_required: Type.Boolean(),
  approval_required: Type.Boolean(),
  created_at: Timestamp,
});

export const LoginBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Password }, strict);
const TokenPair = {
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the access token expires.' }),
};
export const LoginResponse = Type.Object({
  message: Type.String(),
  user_id: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  role: Type.String(),
  is_verified: Type.Boolean(),
  is_approved: Type.Boolean(),
  ...TokenPair,
  session_id: Type.String(),
  last_login_at: Timestamp,
});

export const RefreshBody = Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 4096 })) }, strict);
export const RefreshResponse = Type.Object({ message: Type.String(), user_id: Type.String(), ...TokenPair });

export const LogoutResponse = Type.Object({ message: Type.String(), user_id: Type.String(), logout_at: Timestamp });

export const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, strict);
export const VerifyEmailResponse = Type.Object({ message: Type.String(), verified_at: Timestamp, approval_required: Type.Boolean(), user_id: Type.String() });

export const EmailBody = Type.Object({ email: Type.String({ maxLength: 254 }) }, strict);
export const ResendResponse = Type.Object({ message: Type.String(), email: Type.String(), resent_at: Timestamp });
export const ResetRequestResponse = Type.Object({ message: Type.String(), email: Type.String(), reset_token_sent: Type.Boolean() });

export const ResetPasswordBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), new_password: Password }, strict);
export const ChangePasswordBody = Type.Object({ current_password: Password, new_password: Password }, strict);
export const MessageResponse = Type.Object({ message: Type.String() });

export const SessionList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      device: Type.Union([Type.String(), Type.Null()]),
      ip_address: Type.Union([Type.String(), Type.Null()]),
      created_at: Timestamp,
      last_used_at: Timestamp,
      expires_at: Timestamp,
      current: Type.Boolean(),
    }),
  ),
});
export const SessionParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);

export const Profile = Type.Object({
  user_id: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  role: Type.String(),
  status: Type.String(),
  is_verified: Type.Boolean(),
  created_at: Timestamp,
  last_login: NullableTimestamp,
  version: Type.Integer(),
});
export const UpdateProfileBody = Type.Object({ first_name: Name, last_name: Name }, strict);

export const AdminUser = Type.Object({
  user_id: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  role: Type.String(),
  department: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  is_active: Type.Boolean(),
  is_verified: Type.Boolean(),
  is_approved: Type.Boolean(),
  approved_by: Type.Union([Type.String(), Type.Null()]),
  approved_at: NullableTimestamp,
  rejected_at: NullableTimestamp,
  rejection_reason: Type.Union([Type.String(), Type.Null()]),
  is_locked: Type.Boolean(),
  failed_login_attempts: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_login_at: NullableTimestamp,
  login_count: Type.Integer(),
  version: Type.Integer(),
}, { $id: 'AdminUser' });

export const UserParams = Type.Object({ user_id: Type.String({ maxLength: 64 }) }, strict);
const RoleName = Type.String({ minLength: 1, maxLength: 50 });
const Department = Type.String({ minLength: 1, maxLength: 100 });

export const CreateUserBody = Type.Object({
  email: Email,
  password: Type.Optional(Password),
  first_name: Name,
  last_name: Name,
  role: Type.Optional(RoleName),
  department: Type.Optional(Department),
}, strict);
export const CreateUserResponse = Type.Object({ user_id: Type.String(), email: Type.String(), message: Type.String() });

export const ReplaceUserBody = Type.Object({
  first_name: Name,
  last_name: Name,
  role: RoleName,
  is_active: Type.Boolean(),
  department: Type.Optional(Type.Union([Department, Type.Null()])),
}, strict);
export const PatchUserBody = Type.Partial(ReplaceUserBody, { additionalProperties: false, minProperties: 1 });

export const DeleteUserResponse = Type.Object({ user_id: Type.String(), email: Type.String(), message: Type.String(), deleted_at: Timestamp });
export const ApproveBody = Type.Object({ user_id: Type.String({ maxLength: 64 }) }, strict);
export const ApproveResponse = Type.Object({ user_id: Type.String(), email: Type.String(), approved_by: Type.String(), approved_at: Timestamp, message: Type.String() });
export const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, strict);
export const RejectResponse = Type.Object({ user_id: Type.String(), email: Type.String(), rejected_by: Type.String(), rejected_at: Timestamp, message: Type.String() });

export const Role = Type.Object({ name: Type.String(), display_name: Type.String(), description: Type.String(), permissions: Type.Array(Type.String()) });

export const Stats = Type.Object({
  total_users: Type.Integer(),
  active_users: Type.Integer(),
  inactive_users: Type.Integer(),
  unverified_users: Type.Integer(),
  unapproved_users: Type.Integer(),
  users_by_role: Type.Record(Type.String(), Type.Integer()),
  recent_registrations: Type.Integer(),
  recent_logins: Type.Integer(),
});

export const AuditEntry = Type.Object({
  audit_id: Type.String(),
  user_id: Type.Union([Type.String(), Type.Null()]),
  actor_type: Type.String(),
  action: Type.String(),
  resource_type: Type.String(),
  resource_id: Type.Union([Type.String(), Type.Null()]),
  severity: Type.String(),
  outcome: Type.String(),
  timestamp: Timestamp,
  ip_address: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Record(Type.String(), Type.Unknown()),
}, { $id: 'AuditEntry' });

export const AuditSummary = Type.Object({
  total_events: Type.Integer(),
  events_today: Type.Integer(),
  events_this_week: Type.Integer(),
  events_by_severity: Type.Record(Type.String(), Type.Integer()),
  events_by_action: Type.Record(Type.String(), Type.Integer()),
  recent_failures: Type.Integer(),
  active_users_today: Type.Integer(),
});

export const CreateApiKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  permissions: Type.Array(Type.String({ maxLength: 101 }), { minItems: 1, maxItems: 100 }),
  expires_at: Type.Optional(Timestamp),
}, strict);
const ApiKeyFields = {
  id: Type.String(),
  name: Type.String(),
  display: Type.String({ description: 'The first characters of the key, for recognising it.' }),
  permissions: Type.Array(Type.String()),
  expires_at: NullableTimestamp,
  last_used_at: NullableTimestamp,
  created_at: Timestamp,
  revoked_at: NullableTimestamp,
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
};
export const ApiKey = Type.Object(ApiKeyFields, { $id: 'ApiKey' });
export const CreatedApiKey = Type.Object({ ...ApiKeyFields, key: Type.String({ description: 'The secret, shown this once; send it as X-API-Key.' }) });
export const ApiKeyParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);

const OrganizationFields = {
  id: Type.String(),
  name: Type.String(),
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  version: Type.Integer(),
};
export const Organization = Type.Object(OrganizationFields, { $id: 'Organization' });
export const CreateOrganizationBody = Type.Object({
  name: Type.String({ minLength: 2, maxLength: 200 }),
  admin: Type.Object({ email: Email, password: Type.Optional(Password), first_name: Name, last_name: Name }, strict),
}, strict);
export const CreatedOrganization = Type.Object({
  ...OrganizationFields,
  admin: Type.Object({ user_id: Type.String(), email: Type.String() }),
});

export const BulkUsersBody = Type.Object({
  operation: Type.Optional(Type.String({ maxLength: 50 })),
  items: Type.Array(
    Type.Object({
      email: Type.String({ maxLength: 254 }),
      first_name: Type.String({ maxLength: 50 }),
      last_name: Type.String({ maxLength: 50 }),
      password: Type.Optional(Password),
      role: Type.Optional(RoleName),
      department: Type.Optional(Department),
      phone: Type.Optional(Type.String({ maxLength: 30 })),
      metadata: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown())),
    }, strict),
    { minItems: 1, maxItems: 1000 },
  ),
  batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  fail_fast: Type.Optional(Type.Boolean()),
}, strict);

export const BulkReport = Type.Object({
  operation_id: Type.String(),
  operation: Type.String(),
  total: Type.Integer(),
  successful: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  errors: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) })),
  duration_seconds: Type.Number(),
  throughput_per_second: Type.Number(),
  success_rate: Type.Number(),
});

export const ExportBody = Type.Object({
  format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
  include_audit_logs: Type.Boolean({ default: true }),
  include_metadata: Type.Boolean({ default: true }),
}, strict);

export const EraseBody = Type.Object({ confirmation: Type.String({ maxLength: 50 }), reason: Type.Optional(Type.String({ maxLength: 500 })) }, strict);
export const EraseResponse = Type.Object({
  deletion_id: Type.String(),
  user_id: Type.String(),
  deletion_date: Timestamp,
  records_deleted: Type.Integer(),
  records_anonymized: Type.Integer(),
  categories_deleted: Type.Array(Type.String()),
  anonymization_applied: Type.Boolean(),
});

const HHMM = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
export const GrantSchema = Type.Object({
  permission: Type.String({ maxLength: 101, description: '`resource:action`, wildcards allowed.' }),
  effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  conditions: Type.Optional(Type.Object({
    own_records_only: Type.Optional(Type.Boolean()),
    department: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A department name, or `own`.' })),
    ip_ranges: Type.Optional(Type.Array(Type.String({ maxLength: 50, pattern: '^[0-9a-fA-F:.]+(/[0-9]{1,3})?$' }), { minItems: 1, maxItems: 50 })),
    time_window: Type.Optional(Type.Object({
      start: HHMM,
      end: HHMM,
      days: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 })),
      timezone: Type.Optional(Type.String({ maxLength: 64 })),
    }, strict)),
  }, strict)),
  source: Type.Optional(Type.String()),
}, strict);

const RoleNameInput = Type.String({ minLength: 2, maxLength: 50, pattern: '^[a-z][a-z0-9_]*$' });
export const CreateRoleBody = Type.Object({
  name: RoleNameInput,
  display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  parent_role: RoleName,
  grants: Type.Array(GrantSchema, { maxItems: 200 }),
}, strict);
export const UpdateRoleBody = Type.Partial(Type.Omit(CreateRoleBody, ['name']), { additionalProperties: false, minProperties: 1 });
export const CustomRole = Type.Object({
  id: Type.Optional(Type.String()),
  name: Type.String(),
  display_name: Type.String(),
  description: Type.String(),
  parent_role: Type.Union([Type.String(), Type.Null()]),
  grants: Type.Array(GrantSchema),
  permissions: Type.Optional(Type.Array(Type.String())),
  built_in: Type.Boolean(),
  created_at: Type.Optional(Timestamp),
  updated_at: Type.Optional(Timestamp),
  version: Type.Optional(Type.Integer()),
});
export const RoleParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);

export const CheckBody = Type.Object({
  user_id: Type.String({ maxLength: 64 }),
  permission: Type.String({ maxLength: 101 }),
  resource_type: Type.Optional(Type.String({ maxLength: 100 })),
  resource_id: Type.Optional(Type.String({ maxLength: 100 })),
  context: Type.Optional(Type.Object({
    ip_address: Type.Optional(Type.String({ maxLength: 50 })),
    at: Type.Optional(Timestamp),
    department: Type.Optional(Type.String({ maxLength: 100 })),
    resource_owner_id: Type.Optional(Type.String({ maxLength: 64 })),
    resource_department: Type.Optional(Type.String({ maxLength: 100 })),
  }, strict)),
}, strict);
export const CheckResponse = Type.Object({
  user_id: Type.String(),
  role: Type.String(),
  permission: Type.String(),
  resource_type: Type.Union([Type.String(), Type.Null()]),
  resource_id: Type.Union([Type.String(), Type.Null()]),
  allowed: Type.Boolean(),
  reason: Type.String(),
  matched_grant: Type.Union([GrantSchema, Type.Null()]),
  pending_conditions: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
