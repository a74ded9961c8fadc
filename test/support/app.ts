import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp, type Module } from '../../src/app';
import type { JobsPluginOptions } from '../../src/kernel/jobs/index';
import type { MailServiceOptions } from '../../src/kernel/mail/index';
import type { RateLimitOptions } from '../../src/kernel/ratelimit/index';
import type { DeliveryOptions } from '../../src/kernel/webhooks/index';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/kernel/db/database';
import { openTestDatabase } from './database';
import { widgetsModule } from './widgets/index';

export interface TestAppOptions {
  env?: Record<string, string>;
  modules?: Module[];
  database?: Database;
  logger?: FastifyServerOptions['logger'];
  now?: () => Date;
  rateLimit?: RateLimitOptions;
  webhooks?: DeliveryOptions;
  jobs?: JobsPluginOptions;
  mail?: MailServiceOptions;
}

/** An app on its own fresh database, with the test-only widgets module; close() drops it all. */
export async function createTestApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'deskbase-app-'));
  // Every test request comes from 127.0.0.1: limits are off unless a test turns them on.
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'test', RATE_LIMIT_ENABLED: 'false', ...options.env });
  const database = options.database ?? (await openTestDatabase());
  const app = await buildApp({
    config,
    database,
    modules: options.modules ?? [widgetsModule],
    logger: options.logger ?? false,
    now: options.now,
    rateLimit: options.rateLimit,
    webhooks: options.webhooks,
    jobs: options.jobs,
    mail: options.mail,
  });
  // The app is ready (no more hooks): wrap close() to remove its DATA_DIR afterwards.
  const close = app.close.bind(app);
  return Object.assign(app, {
    close: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  }) as FastifyInstance;
}
