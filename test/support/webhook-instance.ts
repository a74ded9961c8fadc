/**
 * One server instance that only delivers webhooks, for the crash test (test/postgres): the
 * kernel on DATABASE_URL with a short lease, so a delivery claimed by a killed instance is due
 * again after WEBHOOK_LEASE_MS. Prints READY once its deliverer runs.
 */
import { buildApp } from '../../src/app';
import { loadConfigOrExit, openConfiguredDatabase } from '../../src/cli/boot';

const config = loadConfigOrExit();
const database = await openConfiguredDatabase(config);
await buildApp({ config, database, modules: [], logger: false, webhooks: { leaseMs: Number(process.env.WEBHOOK_LEASE_MS ?? 1500), concurrency: 8 } });
process.stdout.write('READY\n');
