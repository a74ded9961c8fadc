/**
 * Test support (imported only by the rate-limit tests): the kernel pieces of src/app.ts in the
 * same order, with rateLimitPlugin registered at the root right after authPlugin, plus routes
 * that declare each policy. buildApp cannot take a root plugin, hence this small twin.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTestDatabase } from '../../../test/support/database';
import { loadConfig } from '../../config';
import { actorPlugin, type Actor } from '../auth/actor';
import { authPlugin } from '../auth/authenticate';
import { errorsPlugin } from '../http/errors';
import { openApiPlugin } from '../http/openapi';
import { requestContextPlugin, requestIdFrom } from '../http/request-context';
import { installValidators } from '../http/validator';
import { createKernel } from '../kernel';
import { healthRoutes } from '../observability/health';
import { metricsPlugin } from '../observability/metrics';
import { rateLimitPlugin, type RateLimitOptions } from './index';

export interface RateLimitTestAppOptions extends RateLimitOptions {
  env?: Record<string, string>;
  logger?: FastifyServerOptions['logger'];
}

/** `Authorization: Bearer usr_alice` is user usr_alice of org_test; `usr_bob.org_premium` names the organization. */
function actorFromToken(token: string): Actor {
  const [id = token, organizationId = 'org_test'] = token.split('.');
  return { type: 'user', id, organizationId, role: 'user', permissions: ['*:*'] };
}

export async function buildRateLimitTestApp(options: RateLimitTestAppOptions = {}): Promise<FastifyInstance> {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'deskbase-ratelimit-')),
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...options.env,
  });
  const database = await openTestDatabase();
  const app = Fastify({ logger: options.logger ?? false, genReqId: (req) => requestIdFrom(req), trustProxy: config.trustProxy });
  app.decorate('kernel', createKernel(config, database));
  installValidators(app);

  await app.register(requestContextPlugin);
  await app.register(errorsPlugin);
  await app.register(actorPlugin);
  await app.register(authPlugin);
  await app.register(rateLimitPlugin, { keyPrefix: options.keyPrefix, policies: options.policies });
  await app.register(metricsPlugin);
  await app.register(openApiPlugin);
  app.addHook('onClose', async () => database.close());
  app.auth.use({ bearer: async (token) => actorFromToken(token), apiKey: async (key) => actorFromToken(key) });

  await app.register(healthRoutes, { prefix: '/api/v1/health' });
  await app.register(
    async (routes) => {
      const ok = async () => ({ ok: true });
      routes.post('/test/sign-in', { config: { rateLimit: 'auth' } }, ok);
      routes.get('/test/profile', { config: { auth: 'required', rateLimit: 'profile' } }, ok);
      routes.get('/test/admin', { config: { auth: 'required', rateLimit: 'admin' } }, ok);
      routes.post('/test/bulk', { config: { auth: 'required', rateLimit: 'bulk' } }, ok);
      routes.get('/test/anything', ok);
      routes.get('/test/unlimited', { config: { rateLimit: false } }, ok);
    },
    { prefix: '/api/v1' },
  );
  await app.ready();
  return app;
}
