import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../kernel/audit/audit';
import { ProblemError } from '../../kernel/http/problem';
import * as accounts from './accounts';
import type { IdentityContext } from './context';
import * as schemas from './schemas';
import * as sessions from './sessions';

const tags = ['auth'];
// Answers carrying tokens or secrets are never stored for Idempotency-Key replay.
const secret = { idempotency: false, rateLimit: 'auth' } as const;
// Refreshing is routine (every tab, every 15 minutes), not a guessing target: the default budget.
const refreshConfig = { idempotency: false } as const;
const auth = { rateLimit: 'auth' } as const;

/** Seed 003 §1 under /api/v1/auth. */
export function authRoutes(ctx: IdentityContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/auth/register', { config: auth, schema: { tags, summary: 'Register an account', body: schemas.RegisterBody, response: { 201: schemas.RegisterResponse } } }, async (request, reply) =>
      reply.code(201).send(await accounts.register(ctx, originOf(request), request.body, request.locale)),
    );

    app.post('/auth/login', { config: secret, schema: { tags, summary: 'Sign in with email and password', body: schemas.LoginBody, response: { 200: schemas.LoginResponse } } }, async (request) =>
      sessions.login(ctx, originOf(request), request.body),
    );

    app.post('/auth/refresh', {
      config: refreshConfig,
      schema: {
        tags,
        summary: 'Rotate the refresh token',
        description: 'The refresh token goes in `Authorization: Bearer …` (seed 003) or in the body as `refresh_token`.',
        body: schemas.RefreshBody,
        response: { 200: schemas.RefreshResponse },
      },
      // Without a body, Content-Type may be absent: treat it as an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
    }, async (request) => {
      const header = request.headers.authorization;
      const token = request.body?.refresh_token ?? (header?.startsWith('Bearer ') ? header.slice(7) : undefined);
      if (!token) throw new ProblemError(401, 'UNAUTHORIZED', { headers: { 'www-authenticate': 'Bearer' } });
      return sessions.refresh(ctx, originOf(request), token);
    });

    app.post('/auth/logout', { config: { auth: 'required' }, schema: { tags, summary: 'Sign out this session', security: [{ bearerAuth: [] }], response: { 200: schemas.LogoutResponse } } }, async (request) =>
      sessions.logout(ctx, originOf(request), request.actor!),
    );

    app.post('/auth/verify-email', { config: auth, schema: { tags, summary: 'Verify an email address', body: schemas.TokenBody, response: { 200: schemas.VerifyEmailResponse } } }, async (request) =>
      accounts.verifyEmail(ctx, originOf(request), request.body.token),
    );

    app.post('/auth/resend-verification', { config: auth, schema: { tags, summary: 'Send the verification email again', body: schemas.EmailBody, response: { 200: schemas.ResendResponse } } }, async (request) =>
      accounts.resendVerification(ctx, originOf(request), request.body.email, request.locale),
    );

    app.post('/auth/password-reset', { config: auth, schema: { tags, summary: 'Email a password reset link', body: schemas.EmailBody, response: { 200: schemas.ResetRequestResponse } } }, async (request) =>
      accounts.requestPasswordReset(ctx, originOf(request), request.body.email, request.locale),
    );

    app.post('/auth/reset-password', { config: auth, schema: { tags, summary: 'Set a new password with a reset token', body: schemas.ResetPasswordBody, response: { 200: schemas.MessageResponse } } }, async (request) =>
      accounts.resetPassword(ctx, originOf(request), request.body.token, request.body.new_password, request.locale),
    );

    app.post('/auth/change-password', { config: { auth: 'required', rateLimit: 'auth' }, schema: { tags, summary: 'Change the password', security: [{ bearerAuth: [] }], body: schemas.ChangePasswordBody, response: { 200: schemas.MessageResponse } } }, async (request) =>
      accounts.changePassword(ctx, originOf(request), request.actor!, request.body, request.locale),
    );

    app.get('/auth/sessions', { config: { auth: 'required' }, schema: { tags, summary: 'My active sessions', security: [{ bearerAuth: [] }], response: { 200: schemas.SessionList } } }, async (request) =>
      sessions.listSessions(ctx, request.actor!),
    );

    app.delete('/auth/sessions/:id', { config: { auth: 'required' }, schema: { tags, summary: 'Sign one of my sessions out', security: [{ bearerAuth: [] }], params: schemas.SessionParams } }, async (request, reply) => {
      await sessions.revokeOwnSession(ctx, originOf(request), request.actor!, request.params.id);
      return reply.code(204).send();
    });
  };
}
