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
