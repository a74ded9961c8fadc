/**
 * Test support (imported only by the rate-limit tests): an app with limits on and routes that
 * declare each policy, authenticated by a stand-in that reads the actor from the token.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { createTestApp } from '../../../test/support/app';
import type { Actor } from '../auth/actor';
import type { RateLimitOptions } from './index';

export interface RateLimitTestAppOptions extends RateLimitOptions {
  env?: Record<string, string>;
  logger?: FastifyServerOptions['logger'];
}

/** `Authorization: Bearer usr_alice` is user usr_alice of org_test; `usr_bob.org_premium` names the organization. */
function actorFromToken(token: string): Actor {
  const [id = token, organizationId = 'org_test'] = token.split('.');
  return { type: 'user', id, organizationId, role: 'user', permissions: ['*:*'] };
}

export function buildRateLimitTestApp(options: RateLimitTestAppOptions = {}): Promise<FastifyInstance> {
  return createTestApp({
    env: { RATE_LIMIT_ENABLED: 'true', ...options.env },
    logger: options.logger,
    rateLimit: { keyPrefix: options.keyPrefix, policies: options.policies },
    modules: [
      {
        name: 'rate-limit-test',
        plugin: async (app) => {
          app.auth.use({ bearer: async (token) => actorFromToken(token), apiKey: async (key) => actorFromToken(key) });
          const ok = async () => ({ ok: true });
          app.post('/test/sign-in', { config: { rateLimit: 'auth' } }, ok);
          app.get('/test/profile', { config: { auth: 'required', rateLimit: 'profile' } }, ok);
          app.get('/test/admin', { config: { auth: 'required', rateLimit: 'admin' } }, ok);
          app.post('/test/bulk', { config: { auth: 'required', rateLimit: 'bulk' } }, ok);
          app.get('/test/anything', ok);
          app.get('/test/unlimited', { config: { rateLimit: false } }, ok);
        },
      },
    ],
  });
}
