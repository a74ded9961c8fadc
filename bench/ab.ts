/**
 * Interleaved A/B comparison of two checkouts on one PostgreSQL database:
 *
 *   node --import tsx bench/ab.ts <dir A> <dir B> [rounds]
 *
 * Starts `bench/server.ts` of each checkout (both with their own node_modules, or a symlink to
 * one) on the same throwaway database `deskbase_ab_<random>` (dropped afterwards), seeded once
 * with 100,000 widgets, with the same SECRET_KEY (so a cursor signed by one is valid for the
 * other). Then, for each round, loads the first and the deep list page on A and on B, one server
 * at a time, alternating the order (A B B A ...), and reports per run the req/s and the CPU time
 * the server process spent per request (utime + stime from /proc, divided by the requests
 * autocannon completed). CPU per request is the figure to compare: it barely depends on what
 * else runs on the machine, unlike req/s.
 *
 * AB_SCENARIO=invoices compares `GET /api/v1/invoices?status=open&limit=50` instead, on 100,000
 * seeded invoices (as npm run bench does), signed in as a bootstrap admin (one PUBLIC_URL for all
 * three servers: it is the tokens' issuer).
 *
 * Environment: AB_SECONDS (default 5 per run, after a 1 s warm-up), AB_CONNECTIONS (50),
 * BENCH_DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * AB_POOL_MAX (20, as in npm run bench; AB_POOL_MAX_A / AB_POOL_MAX_B set one server's, e.g. to
 * compare pool sizes with the same directory twice), AB_CPU_PROF=<dir> (A and B write V8 CPU
 * profiles there when they stop, to open in Chrome DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { postJson, seedInvoices } from './api';
import { freePort, stopChild } from './child';
import { cpuShares, cpuSnapshot } from './cpu';

const [dirA = '', dirB = '', roundsArg] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node --import tsx bench/ab.ts <dir A> <dir B> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsArg ?? 4);
const SECONDS = Number(process.env.AB_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 50);
const POOL_MAX = process.env.AB_POOL_MAX ?? '20';
const ADMIN_URL = process.env.BENCH_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
const LIST = '/api/v1/widgets?limit=50&sort=created_at';
const SCENARIO = process.env.AB_SCENARIO ?? 'widgets';
const CPU_PROF = process.env.AB_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.AB_CPU_PROF)}`] : [];
const ADMIN = { email: 'ab-admin@example.com', password: 'Ab-Admin-Pass-1!' };
const INVOICES = '/api/v1/invoices?status=open&limit=50';

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
}

async function start(name: string, dir: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(name === 'seed' ? [] : CPU_PROF), '--import', 'tsx', 'bench/server.ts'], {
    cwd: path.resolve(dir),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_DEFAULT_PER_MINUTE: '1000000', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr! }).on('line', (line) => console.error(`[${name}] ${line}`));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before READY`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (/^READY \d+$/.test(line)) resolve();
    });
  });
  return { name, child, url: `http://127.0.0.1:${port}` };
}

/** Headers sent with every request of the load (the bearer token of the invoices scenario). */
const headers: Record<string, string> = {};

function fire(url: string, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration, timeout: 10 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Signs in on the seeding server and gives it a client with 100,000 invoices; answers the bearer token. */
async function signInAndSeedInvoices(url: string): Promise<string> {
  const { access_token: token } = await postJson<{ access_token: string }>(`${url}/api/v1/auth/login`, ADMIN);
  await seedInvoices(url, token, 100_000);
  return token;
}

async function getText(url: string): Promise<string> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} -> ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

async function run(server: Server, url: string) {
  await fire(url, 1);
  const before = cpuSnapshot(server.child.pid);
  const result = await fire(url, SECONDS);
  const after = cpuSnapshot(server.child.pid);
  const shares = cpuShares(before, after);
  if (result.non2xx || result.errors) throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const total = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    serverUsPerReq: ((after.server! - before.server!) * 1e6) / total,
    pgUsPerReq: ((after.postgres! - before.postgres!) * 1e6) / total,
    other: shares.other,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The first page and the page 90,000 rows deep (both servers walk to it: the same work warms both
 * up alike); a page sorted by -name is only compared.
 */
async function widgetScenarios(a: Server, b: Server): Promise<{ measured: (readonly [string, string])[]; compared: string[] }> {
  const walk = async (server: Server) => {
    let next = '';
    for (let i = 0; i < 900; i++) {
      const page = JSON.parse(await getText(`${server.url}/api/v1/widgets?limit=100&sort=created_at${next ? `&cursor=${encodeURIComponent(next)}` : ''}`)) as { next_cursor: string };
      next = page.next_cursor;
    }
    return next;
  };
  const cursor = await walk(a);
  if ((await walk(b)) !== cursor) throw new Error('A and B walk to different cursors');
  const measured = [['first', LIST] as const, ['deep', `${LIST}&cursor=${encodeURIComponent(cursor)}`] as const];
  return { measured, compared: [LIST.replace('created_at', '-name')] };
}

async function main() {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const dbName = `deskbase_ab_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const target = new URL(ADMIN_URL);
  target.pathname = `/${dbName}`;
  const dataDirs: string[] = [];
  const servers: Server[] = [];
  const cleanup = async () => {
    for (const server of servers) await stopChild(server.child);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const secret = randomBytes(48).toString('base64');
    const envFor = (seed: boolean, poolMax = POOL_MAX) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deskbase-ab-'));
      dataDirs.push(dataDir);
      const widgets = seed && SCENARIO === 'widgets' ? '100000' : '0';
      return { DATABASE_URL: target.toString(), DB_POOL_MAX: poolMax, DATA_DIR: dataDir, SECRET_KEY: secret, BENCH_SEED_ROWS: widgets, PUBLIC_URL: 'http://ab.localhost', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };
    };
    // Seeded by a server of its own, so that A and B start from the same state.
    const seeder = await start('seed', dirA, envFor(true));
    if (SCENARIO === 'invoices') headers.authorization = `Bearer ${await signInAndSeedInvoices(seeder.url)}`;
    await stopChild(seeder.child);
    servers.push(await start('A', dirA, envFor(false, process.env.AB_POOL_MAX_A ?? POOL_MAX)));
    servers.push(await start('B', dirB, envFor(false, process.env.AB_POOL_MAX_B ?? POOL_MAX)));
    const [a, b] = servers as [Server, Server];

    const { measured: scenarios, compared } = SCENARIO === 'invoices' ? { measured: [['invoices', INVOICES] as const], compared: [] } : await widgetScenarios(a, b);
    for (const p of [...scenarios.map(([, path]) => path), ...compared]) {
      const [ta, tb] = [await getText(a.url + p), await getText(b.url + p)];
      if (ta !== tb) throw new Error(`A and B answer ${p} differently`);
    }
    console.log(`A and B answer ${[...scenarios.map(([name]) => name), ...compared].join(', ')} byte-for-byte the same`);

    const results: Record<string, { rps: number[]; us: number[]; pg: number[] }> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [a, b] : [b, a];
      for (const [scenario, p] of scenarios) {
        for (const server of order) {
          const r = await run(server, server.url + p);
          const key = `${scenario} ${server.name}`;
          (results[key] ??= { rps: [], us: [], pg: [] }).rps.push(r.rps);
          results[key].us.push(r.serverUsPerReq);
          results[key].pg.push(r.pgUsPerReq);
          console.log(`round ${round + 1} ${key}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, server ${Math.round(r.serverUsPerReq)} µs CPU/req, postgres ${Math.round(r.pgUsPerReq)} µs/req, other ${r.other}%`);
        }
      }
    }
    console.log('\nmedians:');
    for (const [key, r] of Object.entries(results)) {
      console.log(`${key}: ${Math.round(median(r.rps))} req/s, server ${Math.round(median(r.us))} µs CPU/req, postgres ${Math.round(median(r.pg))} µs/req`);
    }
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
