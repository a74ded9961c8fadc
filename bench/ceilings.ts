/**
 * Two ceilings measured in the same run as the scenarios, so each figure can be read against
 * what this machine can do at all: a Fastify route with no plugin (the framework alone), and the
 * list page's query through `pg` with no HTTP (the driver and PostgreSQL alone).
 */
import pg from 'pg';
import { freePort, startServer } from './child';
import { measure, type Measurement } from './load';

export async function pureFastify(durationSeconds: number, warmupSeconds: number, connections: number): Promise<Measurement> {
  const server = await startServer({ PORT: String(await freePort()) }, 'bench/pure-fastify.mjs');
  try {
    return await measure('pure Fastify', { url: `${server.url}/`, connections, durationSeconds, warmupSeconds, serverPid: server.child.pid });
  } finally {
    await server.stop();
  }
}

/** The SQL Drizzle sends for the first list page (bench/README.md), with the same parameters. */
const LIST_SQL =
  'select "widgets"."list_item", "widgets"."created_at", "widgets"."id" from "widgets" ' +
  'where "widgets"."organization_id" = $1 order by "widgets"."created_at" asc, "widgets"."id" asc limit $2';

/** Queries per second of LIST_SQL from `concurrency` loops over a pool of `poolMax`, in this process. */
export async function driverQueriesPerSecond(databaseUrl: string, options: { poolMax: number; concurrency: number; seconds: number; warmupSeconds: number; limit: number }): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolMax });
  const run = async (seconds: number) => {
    let done = 0;
    const until = performance.now() + seconds * 1000;
    const loop = async () => {
      while (performance.now() < until) {
        const result = await pool.query(LIST_SQL, ['org_test', options.limit + 1]);
        if (result.rowCount !== options.limit + 1) throw new Error(`driver ceiling: expected ${options.limit + 1} rows, got ${result.rowCount}`);
        done++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    return done / ((performance.now() - start) / 1000);
  };
  try {
    await run(options.warmupSeconds);
    return await run(options.seconds);
  } finally {
    await pool.end();
  }
}
