import type { Config } from '../config';
import type { Database, Executor } from './db/database';
import { CursorCodec } from './http/pagination';
import { Secrets } from './secrets';

/** Who to tell about an organization's operational problems; the identity module provides it. */
export interface OrganizationContacts {
  /** Read with the caller's executor: inside a transaction on the embedded database, another read would wait for it. */
  administrators(executor: Executor, organizationId: string): Promise<{ email: string; firstName?: string }[]>;
  /** One active person of the organization (to tell them about something they did), or undefined. */
  person?(executor: Executor, organizationId: string, userId: string): Promise<{ email: string; firstName?: string; locale?: string } | undefined>;
}

/** The machinery every module receives: one database, one clock, one set of keys. */
export interface Kernel {
  config: Config;
  database: Database;
  secrets: Secrets;
  cursors: CursorCodec;
  /** The one clock; tests inject a fixed one. */
  now: () => Date;
  /** Set by the module that knows the people (identity); kernel services only read it. */
  contacts?: OrganizationContacts;
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
