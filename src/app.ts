import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config';
import { actorPlugin } from './kernel/auth/actor';
import { authPlugin } from './kernel/auth/authenticate';
import type { Database } from './kernel/db/database';
import { errorsPlugin } from './kernel/http/errors';
import { etagPlugin } from './kernel/http/etag';
import { idempotencyPlugin } from './kernel/http/idempotency';
import { openApiPlugin } from './kernel/http/openapi';
import { ProblemError } from './kernel/http/problem';
import { requestContextPlugin, requestIdFrom } from './kernel/http/request-context';
import { compressionPlugin, securityPlugin } from './kernel/http/security';
import { installValidators } from './kernel/http/validator';
import { createKernel } from './kernel/kernel';
import { healthRoutes } from './kernel/observability/health';
import { loggerOptions, requestLogPlugin } from './kernel/observability/logger';
import { metricsPlugin } from './kernel/observability/metrics';
import { jobsPlugin, type JobsPluginOptions } from './kernel/jobs/index';
import { filesPlugin } from './kernel/files/index';
import { backupsPlugin } from './kernel/backups/index';
import { mailPlugin, type MailServiceOptions } from './kernel/mail/index';
import { pdfPlugin } from './kernel/pdf/index';
import { rateLimitPlugin, type RateLimitOptions } from './kernel/ratelimit/index';
import { webhooksPlugin, type DeliveryOptions } from './kernel/webhooks/index';

/** A domain module: one Fastify plugin mounted under /api/v1. */
export interface Module {
  name: string;
  plugin: FastifyPluginAsync;
}

export interface AppOptions {
  config: Config;
  database: Database;
  modules?: Module[];
  /** Overrides the logger (tests pass a stream or false). */
  logger?: FastifyServerOptions['logger'];
  now?: () => Date;
  /** Counter namespace and policy overrides (tests). */
  rateLimit?: RateLimitOptions;
  /** Webhook delivery overrides (tests: short retry waits and timeouts, no poller). */
  webhooks?: DeliveryOptions;
  /** Job queue timing overrides (tests). */
  jobs?: JobsPluginOptions;
  /** Mail delivery overrides (tests: retries without backoff). */
  mail?: MailServiceOptions;
}

/** The modules `npm start` serves, in order. */
export const productionModules = async (): Promise<Module[]> => [
  (await import('./modules/identity/index')).identityModule,
  (await import('./modules/billing/index')).billingModule,
  (await import('./modules/analytics/index')).analyticsModule,
];

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    genReqId: (req) => requestIdFrom(req),
    // Fastify's two lines per request are replaced by one (observability/logger.ts).
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: false,
    // A first start creates the job queue's schema on the way (jobs.start() in onReady): on a
    // busy machine that took more than Fastify's default of 10 s. A start that hangs still fails.
    pluginTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('kernel', createKernel(config, database, options.now));
  installValidators(app);
  // Only JSON bodies are accepted by default; a module that takes files registers multipart itself.
  app.removeContentTypeParser(['text/plain']);

  await app.register(requestContextPlugin);
  await app.register(errorsPlugin);
  await app.register(securityPlugin);
  await app.register(actorPlugin);
  await app.register(authPlugin);
  await app.register(rateLimitPlugin, options.rateLimit ?? {});
  await app.register(requestLogPlugin);
  await app.register(metricsPlugin);
  await app.register(idempotencyPlugin);
  await app.register(compressionPlugin);
  await app.register(etagPlugin);
  await app.register(openApiPlugin);
  // The job queue (app.jobs) and the mail service (app.mail), before the modules that use them.
  await app.register(jobsPlugin, options.jobs ?? {});
  await app.register(mailPlugin, options.mail ?? {});
  await app.register(webhooksPlugin, options.webhooks ?? {});
  // The file store (app.files) and /api/v1/files, before the modules that store files.
  await app.register(filesPlugin);
  // Backups copy the files' bytes and run as jobs: after both.
  await app.register(backupsPlugin);
  // The PDF service (app.pdf), before the modules that render documents.
  await app.register(pdfPlugin);

  // Requests arriving while the server drains are refused cleanly; in-flight ones finish.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw new ProblemError(503, 'SERVICE_UNAVAILABLE', { detailKey: 'problem.SHUTTING_DOWN.detail', headers: { 'retry-after': '1' } });
    }
  });
  app.addHook('onClose', async () => {
    await database.close();
  });

  await app.register(healthRoutes, { prefix: '/api/v1/health' });
  for (const module of options.modules ?? (await productionModules())) {
    await app.register(module.plugin, { prefix: '/api/v1' });
  }
  await app.ready();
  return app;
}
