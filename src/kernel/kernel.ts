import type { Config } from '../config';
import type { Database } from './db/database';
import { CursorCodec } from './http/pagination';
import { Secrets } from './secrets';

/** The machinery every module receives: one database, one clock, one set of keys. */
export interface Kernel {
  config: Config;
  database: Database;
  secrets: Secrets;
  cursors: CursorCodec;
  /** The one clock; tests inject a fixed one. */
  now: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    kernel: Kernel;
  }
}

export function createKernel(config: Config, database: Database, now: () => Date = () => new Date()): Kernel {
  const secrets = Secrets.load({ secretKey: config.secretKey, dataDir: config.dataDir });
  return { config, database, secrets, cursors: new CursorCodec(secrets), now };
}
