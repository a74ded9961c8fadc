/**
 * `npm run bench`: starts bench/server.ts as a separate process on a fresh embedded database and
 * (when reachable) on a throwaway PostgreSQL database, seeds 100,000 widgets, and loads four
 * endpoints with autocannon from this process. See bench/README.md.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { driverQueriesPerSecond, pureFastify } from './ceilings';
import { measureWebhooks } from './webhooks';
import { postJson, seedInvoices } from './api';
import { measureBackupRestore, type BackupFigures } from './backups';
import { ROOT, freePort, startServer, type ServerProcess } from './child';
import { machineLoad } from './cpu';
import { measure, measureInterleaved, OTHER_CPU_WARNING, roundSeconds, type LoadOptions, type Measurement } from './load';
import { renderReport, type DatabaseReport, type ScenarioResult } from './report';

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    console.error(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const DURATION = intEnv('BENCH_DURATION', 10, 1, 3600);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 50, 1, 10_000);
const WARMUP_SECONDS = 2;
const SEED_ROWS = 100_000;
const WALK_LIMIT = 100;
const WALK_PAGES = 900; // 900 pages of 100: the cursor sits 90,000 rows deep
const PAGE_LIMIT = 50;
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
const PG_POOL_MAX = 20;
/** WEB_CONCURRENCY of the third pass: one worker per core of the bench machine. */
const CLUSTER_WORKERS = 2;
const RATE_LIMIT_PER_MINUTE = 1_000_000; // the highest RATE_LIMIT_DEFAULT_PER_MINUTE accepts
const TARGET_PG_RPS = 5_000;
const TARGET_P99_MS = 50;
/** One-page PDFs a second the PDF service should render on one core. */
const TARGET_PDF_PER_SECOND = 50;
/** The bare Fastify figure of the machine the targets were set on (the issues quote it). */
const REFERENCE_FASTIFY_RPS = 80_000;

const LIST = `/api/v1/widgets?limit=${PAGE_LIMIT}&sort=created_at`;
/** The same page through the generic path: whole rows, the presenter, the schema serializer. */
const LIST_ROWS = LIST.replace('/widgets?', '/widget-rows?');
const ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Admin-Pass-1!' };
const LOGIN_CONNECTIONS = 2; // as many as Argon2 worker threads: the figure is latency, not queueing
const BULK_USERS = 1000;

/**
 * Creates BULK_USERS users in one request (seed 003 §5.1) and returns rows per second. The users
 * get no password, as in the seed's example: each is invited by email (with passwords, Argon2id
 * hashing, about 20 ms of a core each, bounds the rate instead).
 */
async function bulkCreate(url: string, token: string): Promise<{ rowsPerSecond: number; ms: number }> {
  const items = Array.from({ length: BULK_USERS }, (_, i) => ({ email: `bulk${i}@bench.example`, first_name: 'Bulk', last_name: 'User' }));
  const start = performance.now();
  const report = await postJson<{ successful: number }>(`${url}/api/v1/bulk/users/create`, { items, batch_size: 250 }, { authorization: `Bearer ${token}` });
  const ms = performance.now() - start;
  if (report.successful !== BULK_USERS) throw new Error(`bulk create: ${report.successful} of ${BULK_USERS} created`);
  return { rowsPerSecond: Math.round((BULK_USERS / ms) * 1000), ms: Math.round(ms) };
}

const INVOICE_ROWS = 100_000;

/** A client, a GST tax code and 100,000 seeded invoices; answers the body of a 20-line draft. */
async function prepareBilling(url: string, token: string) {
  // A base currency, as an organization that reports has: the chart, dashboard and forecast use it.
  const settings = await fetch(`${url}/api/v1/billing/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ legal_name: 'Bench Books', address: { line1: '1 Road', city: 'Bengaluru', state: 'KA', country: 'IN' }, base_currency: 'INR' }),
  });
  if (!settings.ok) throw new Error(`PATCH /billing/settings -> ${settings.status}: ${await settings.text()}`);
  const tax = await postJson<{ id: string }>(`${url}/api/v1/master-data/tax-codes`, { name: 'GST 18%', code: 'GST18', tax_type: 'GST', rate: 18, effective_from: '2020-01-01' }, { authorization: `Bearer ${token}` });
  const { clientId, seeded } = await seedInvoices(url, token, INVOICE_ROWS);
  const lines = Array.from({ length: 20 }, (_, i) => ({ description: `Item ${i + 1}`, quantity: `${i + 1}.5`, unit_price: '33.335', discount_percent: '2.5', tax_code_id: tax.id, hsn_sac_code: '998314' }));
  return { seeded, invoiceBody: JSON.stringify({ client_id: clientId, lines }) };
}

/** Latency of report requests, one after another (issue 6: each under 1 s on 100,000 invoices). */
const REPORTS = [
  { name: 'tax summary, a year (50,000 issued invoices)', path: '/api/v1/reports/tax-summary?from=2026-01-01&to=2026-12-31' },
  { name: 'tax summary, a quarter', path: '/api/v1/reports/tax-summary?from=2026-04-01&to=2026-06-30' },
  { name: 'AR aging as of 2026-12-31 (50,000 issued invoices, 25,000 paid)', path: '/api/v1/reports/ar-aging?as_of=2026-12-31' },
  { name: 'AR aging as of 2026-06-30', path: '/api/v1/reports/ar-aging?as_of=2026-06-30' },
  { name: 'revenue per month over 2026', path: '/api/v1/reports/revenue?from=2026-01-01&to=2026-12-31&interval=month' },
  { name: 'revenue per day over 2026', path: '/api/v1/reports/revenue?from=2026-01-01&to=2026-12-31&interval=day' },
  { name: 'clients (behaviour, top 50)', path: '/api/v1/reports/clients' },
  { name: 'revenue chart (SVG, per month over 2026)', path: '/api/v1/reports/revenue/chart?from=2026-01-01&to=2026-12-31' },
  { name: 'executive dashboard (last 30 days)', path: '/api/v1/analytics/executive-dashboard' },
  { name: 'revenue forecast (3 months)', path: '/api/v1/analytics/forecast/revenue' },
  { name: 'churn risk', path: '/api/v1/analytics/churn-risk' },
];
async function reportLatencies(url: string, token: string): Promise<{ name: string; p50Ms: number; maxMs: number }[]> {
  const figures = [];
  for (const report of REPORTS) {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      const response = await fetch(url + report.path, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`GET ${report.path} -> ${response.status}`);
      if (i > 0) times.push(performance.now() - start); // the first one warms the plan and the JIT
    }
    times.sort((a, b) => a - b);
    figures.push({ name: report.name, p50Ms: Math.round(times[Math.floor(times.length / 2)]!), maxMs: Math.round(times.at(-1)!) });
  }
  return figures;
}

/** Cleanups still owed (child process, temp dir, throwaway database), run also on Ctrl-C. */
const cleanups: (() => Promise<void> | void)[] = [];
async function runCleanups() {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    try {
      await cleanup();
    } catch (error) {
      console.error(`[bench] cleanup failed: ${error instanceof Error ? error.message : error}`);
    }
  }
}
/** Runs fn, then cleanup, which also runs (once) if the bench is interrupted meanwhile. */
async function withCleanup<T>(run: () => Promise<void> | void, fn: () => Promise<T>): Promise<T> {
  let done: Promise<void> | undefined;
  const cleanup = () => (done ??= Promise.resolve().then(run));
  cleanups.push(cleanup);
  try {
    return await fn();
  } finally {
    const index = cleanups.lastIndexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
    await cleanup();
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n[bench] ${signal}: cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}

interface Page {
  items: { id: string; name: string }[];
  next_cursor: string | null;
  has_more: boolean;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} -> ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

const pad = (i: number) => `widget ${String(i).padStart(6, '0')}`;

function expectPage(page: Page, firstIndex: number, what: string) {
  const names = page.items.map((item) => item.name);
  const expected = Array.from({ length: PAGE_LIMIT }, (_, i) => pad(firstIndex + i));
  if (names.length !== PAGE_LIMIT || names.some((name, i) => name !== expected[i])) {
    throw new Error(`${what}: expected ${PAGE_LIMIT} items ${expected[0]}..${expected.at(-1)}, got ${names.length} items ${names[0]}..${names.at(-1)}`);
  }
  console.log(`[bench] ${what}: ${names.length} items, ${names[0]} .. ${names.at(-1)}, has_more=${page.has_more}`);
}

/** Follows next_cursor from the start, WALK_PAGES pages of WALK_LIMIT: a cursor 90,000 rows deep. */
async function deepCursor(base: string): Promise<{ cursor: string; ms: number }> {
  const start = performance.now();
  let cursor: string | null = null;
  for (let i = 0; i < WALK_PAGES; i++) {
    const query: string = `/api/v1/widgets?limit=${WALK_LIMIT}&sort=created_at${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: Page = await getJson<Page>(base + query);
    if (page.items.length !== WALK_LIMIT || !page.next_cursor) throw new Error(`cursor walk stopped at page ${i + 1}`);
    cursor = page.next_cursor;
  }
  return { cursor: cursor!, ms: Math.round(performance.now() - start) };
}

/** Scenarios of the pass with WEB_CONCURRENCY=2: the read paths whose bound is the server's thread. */
const CLUSTER_SCENARIOS = new Set(['baseline', 'health', 'list first page', 'list deep page', 'list first page, generic path', 'profile (authenticated)', 'invoices by status']);

interface Scenario {
  name: string;
  path: string;
  connections?: number;
  method?: 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Consecutive scenarios with the same key are measured in alternating rounds (measureInterleaved). */
  interleave?: string;
}

/** Rounds of the interleaved scenarios: each gets twice the measured time of the others. */
const INTERLEAVED_ROUNDS = 4;

/** The scenarios in order, those sharing an `interleave` key grouped into one step. */
function interleavedSteps(scenarios: Scenario[]): Scenario[][] {
  const steps: Scenario[][] = [];
  for (const scenario of scenarios) {
    const last = steps.at(-1);
    if (scenario.interleave && last?.[0]?.interleave === scenario.interleave) last.push(scenario);
    else steps.push([scenario]);
  }
  return steps;
}

/** `cluster`: run with WEB_CONCURRENCY=2 and measure only CLUSTER_SCENARIOS (no bulk, webhook or driver figures). */
async function benchServer(label: string, env: Record<string, string | undefined>, cluster = false): Promise<DatabaseReport> {
  console.log(`\n=== ${label} ===`);
  const load = await machineLoad();
  if (load !== null && load > OTHER_CPU_WARNING) {
    console.log(`WARNING: the machine is already busy (${load}% of a core used by other processes before the server starts); figures will be disturbed`);
  }
  const port = await freePort();
  const started = performance.now();
  const server: ServerProcess = await startServer({
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    BENCH_SEED_ROWS: String(SEED_ROWS),
    // One client sends everything: keep the rate limiter in the path (in memory, as on a single
    // instance) but with a budget the load cannot exhaust, instead of measuring 429s.
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_DEFAULT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
    RATE_LIMIT_AUTH_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
    RATE_LIMIT_PROFILE_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true', // the receiver is on 127.0.0.1
    REDIS_URL: undefined,
  });
  return withCleanup(
    () => server.stop(),
    async () => {
      const { info, url } = server;
      console.log(`[bench] server pid ${info.pid} READY on ${url} after ${Math.round(performance.now() - started)} ms (${info.kind})`);
      console.log(`[bench] database: ${info.dbVersion}`);
      if (!info.seeded || info.seeded.rows !== SEED_ROWS) throw new Error(`expected ${SEED_ROWS} seeded rows, got ${info.seeded?.rows}`);
      console.log(`[bench] seeded ${info.seeded.rows} widgets in ${info.seeded.ms} ms`);

      // Every measured URL answers 2xx once before any load.
      await getJson(`${url}/bench/bare`);
      await getJson(`${url}/api/v1/health/`);
      expectPage(await getJson<Page>(url + LIST), 1, 'first page');
      expectPage(await getJson<Page>(url + LIST_ROWS), 1, 'first page, generic path');
      const walk = await deepCursor(url);
      console.log(`[bench] cursor walk: ${WALK_PAGES} pages of ${WALK_LIMIT} in ${walk.ms} ms`);
      const deepPath = `${LIST}&cursor=${encodeURIComponent(walk.cursor)}`;
      expectPage(await getJson<Page>(url + deepPath), WALK_PAGES * WALK_LIMIT + 1, 'deep page');

      const serverGone = new AbortController();
      if (server.unexpectedExit()) serverGone.abort();
      else server.child.once('exit', () => serverGone.abort());

      const login = async () => (await postJson<{ access_token: string }>(`${url}/api/v1/auth/login`, ADMIN)).access_token;
      let token = await login();
      const bulk = cluster ? undefined : await bulkCreate(url, token);
      const billing = await prepareBilling(url, token);
      console.log(`[bench] seeded ${INVOICE_ROWS.toLocaleString('en-US')} invoices (2 lines each) in ${billing.seeded.ms} ms`);
      if (bulk) console.log(`[bench] bulk creation: ${BULK_USERS} users in ${bulk.ms} ms (${bulk.rowsPerSecond} rows/s)`);
      const reports = cluster ? undefined : await reportLatencies(url, token);
      for (const report of reports ?? []) console.log(`[bench] ${report.name}: p50 ${report.p50Ms} ms, max ${report.maxMs} ms`);
      // Before the scenarios, so that the backup holds the seeded data alone; the restore puts the
      // same data back. `token` stays the same unless the restore ended its session.
      let backups: BackupFigures | undefined;
      if (!cluster) {
        console.log('[bench] backup of the whole database, then a restore of it over the same database');
        ({ figures: backups, token } = await measureBackupRestore(url, token, login));
        const b = backups;
        console.log(`[bench] backup: ${b.rows} rows of ${b.tables} tables, ${b.files} files, ${(b.sizeBytes / 1e6).toFixed(1)} MB encrypted; ${b.backupWallMs} ms seen by the client, ${b.backupServerMs} ms from started_at to completed_at`);
        console.log(`[bench] restore: ${b.restoreWallMs} ms seen by the client; ${b.invoicesAfter} invoices after it, ${b.invoicesBefore} before the backup${b.verified ? '' : ' -> FAILED'}; the token made before the backup ${b.sessionSurvived ? 'still works' : 'was refused (logged in again)'}`);
      }
      const allScenarios: Scenario[] = [
        { name: 'baseline', path: '/bench/bare' },
        { name: 'health', path: '/api/v1/health/' },
        { name: 'list first page', path: LIST, interleave: 'list' },
        { name: 'list deep page', path: deepPath, interleave: 'list' },
        { name: 'list first page, generic path', path: LIST_ROWS },
        // Authenticated: JWT verification, the cached session and role checks, one indexed read.
        { name: 'profile (authenticated)', path: '/api/v1/profile/me', headers: { authorization: `Bearer ${token}` } },
        // Argon2id verification dominates; few connections, since the figure that matters is latency.
        { name: 'login', path: '/api/v1/auth/login', connections: LOGIN_CONNECTIONS, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) },
        // 50 open invoices (of 100,000, a quarter open) with their lines, newest first.
        { name: 'invoices by status', path: '/api/v1/invoices?status=open&limit=50', headers: { authorization: `Bearer ${token}` } },
        // A draft of 20 lines: validation, tax codes in force, exact totals, 21 rows, audit and event.
        { name: 'create invoice (20 lines)', path: '/api/v1/invoices', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: billing.invoiceBody },
      ];
      const scenarios = cluster ? allScenarios.filter((scenario) => CLUSTER_SCENARIOS.has(scenario.name)) : allScenarios;
      const results: ScenarioResult[] = [];
      const options = (scenario: Scenario): LoadOptions => ({
        url: url + scenario.path,
        connections: scenario.connections ?? CONNECTIONS,
        headers: scenario.headers,
        method: scenario.method,
        body: scenario.body,
        durationSeconds: DURATION,
        warmupSeconds: WARMUP_SECONDS,
        serverPid: server.child.pid,
        signal: serverGone.signal,
      });
      for (const step of interleavedSteps(scenarios)) {
        const names = step.map((scenario) => scenario.name).join(' and ');
        console.log(
          step.length === 1
            ? `[bench] ${names}: ${WARMUP_SECONDS} s warm-up + ${DURATION} s at ${step[0]!.connections ?? CONNECTIONS} connections`
            : `[bench] ${names}, interleaved: ${WARMUP_SECONDS} s warm-up each, then ${INTERLEAVED_ROUNDS} rounds of ${roundSeconds(DURATION)} s each at ${CONNECTIONS} connections`,
        );
        const measurements =
          step.length === 1
            ? [await measure(`${label} / ${names}`, options(step[0]!))]
            : await measureInterleaved(step.map((scenario) => ({ label: `${label} / ${scenario.name}`, options: options(scenario) })), INTERLEAVED_ROUNDS);
        const gone = server.unexpectedExit();
        if (gone) throw new Error(`the server process ${gone} during "${names}"; its figures are void`);
        step.forEach((scenario, i) => {
          const measurement = measurements[i]!;
          const { cpu } = measurement;
          console.log(
            `[bench] ${scenario.name}: ${Math.round(measurement.requestsPerSecond)} req/s, p50 ${measurement.p50} ms, p99 ${measurement.p99} ms ` +
              `(CPU % of a core: server ${cpu.server ?? '?'}, autocannon ${cpu.loadgen}, postgres ${cpu.postgres ?? '?'}, other ${cpu.other ?? '?'})`,
          );
          results.push({
            name: scenario.name,
            path: scenario.name === 'list deep page' ? `${LIST}&cursor=<90,000 deep>` : scenario.path,
            measurement,
          });
        });
      }
      if (cluster) return { label, dbVersion: info.dbVersion, seeded: info.seeded, walkMs: walk.ms, scenarios: results };
      let driverQps: number | undefined;
      if (env.DATABASE_URL) {
        console.log(`[bench] driver ceiling: the list query through pg alone, ${DURATION} s at ${CONNECTIONS} concurrent queries, pool of ${PG_POOL_MAX}`);
        driverQps = await driverQueriesPerSecond(env.DATABASE_URL, { poolMax: PG_POOL_MAX, concurrency: CONNECTIONS, seconds: DURATION, warmupSeconds: WARMUP_SECONDS, limit: PAGE_LIMIT });
        console.log(`[bench] driver ceiling: ${Math.round(driverQps)} queries/s`);
      }
      console.log('[bench] webhooks: 10,000 events committed at once, then 200 API calls a second for 10 s, each committing one event');
      const webhooks = await measureWebhooks(url, await login());
      console.log(`[bench] webhooks: ${Math.round(webhooks.deliveriesPerSecond)} deliveries/s; API call to receiver p50 ${webhooks.latencyP50Ms} ms, p99 ${webhooks.latencyP99Ms} ms`);
      return { label, dbVersion: info.dbVersion, seeded: info.seeded, walkMs: walk.ms, bulk, scenarios: results, driverQps, webhooks, reports, backups };
    },
  );
}

async function benchEmbedded(): Promise<DatabaseReport> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deskbase-bench-'));
  return withCleanup(
    () => rmSync(dataDir, { recursive: true, force: true }),
    () => benchServer('embedded (PGlite)', { DATA_DIR: dataDir, DATABASE_URL: undefined }),
  );
}

async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    console.log(`[bench] PostgreSQL at ${redact(url)} not reachable: ${error instanceof Error ? error.message : error}`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

async function adminQuery(text: string) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * `workers` above 1: the same server with WEB_CONCURRENCY, each worker with its share of the pool
 * (PostgreSQL sees the same 20 connections), rate limits counted in the primary (no Redis).
 */
async function benchPostgres(workers = 1): Promise<DatabaseReport> {
  const name = `deskbase_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  console.log(`[bench] created database ${name}`);
  const target = new URL(PG_ADMIN_URL);
  target.pathname = `/${name}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deskbase-bench-'));
  return withCleanup(
    async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      console.log(`[bench] dropped database ${name}`);
    },
    // DATA_DIR only holds the generated secret.key here; the data lives in PostgreSQL.
    () =>
      workers > 1
        ? benchServer(`PostgreSQL, ${workers} workers`, { DATA_DIR: dataDir, DATABASE_URL: target.toString(), DB_POOL_MAX: String(PG_POOL_MAX / workers), WEB_CONCURRENCY: String(workers) }, true)
        : benchServer('PostgreSQL', { DATA_DIR: dataDir, DATABASE_URL: target.toString(), DB_POOL_MAX: String(PG_POOL_MAX) }),
  );
}

function machine(): string[] {
  const cpus = os.cpus();
  const pglite = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  return [
    `date: ${new Date().toISOString()}`,
    `cpu: ${cpus[0]?.model ?? 'unknown'} x ${cpus.length} cores (autocannon and the server share them)`,
    `memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `node: ${process.version} (${os.platform()} ${os.release()})`,
    `@electric-sql/pglite: ${pglite.version}`,
    `load: ${CONNECTIONS} connections, ${DURATION} s per scenario after a ${WARMUP_SECONDS} s warm-up; ${SEED_ROWS.toLocaleString('en-US')} widgets; page of ${PAGE_LIMIT}`,
  ];
}

async function main() {
  console.log('Deskbase benchmark');
  for (const line of machine()) console.log(line);
  const reports: { report: DatabaseReport; targetRps: number; framework: Measurement }[] = [];
  let failed = false;

  // The VM this runs on changes speed from one minute to the next (pure Fastify from 43,000 to
  // 62,000 req/s within 15 s seen here): each database's figures are scaled by a pure Fastify run
  // made just before them, not by one made minutes earlier.
  const frameworkNow = async () => {
    console.log(`\n=== pure Fastify (no plugin, no database) ===`);
    const framework = await pureFastify(DURATION, WARMUP_SECONDS, CONNECTIONS);
    console.log(`[bench] pure Fastify: ${Math.round(framework.requestsPerSecond)} req/s, p99 ${framework.p99} ms`);
    return framework;
  };

  try {
    const framework = await frameworkNow();
    reports.push({ report: await benchEmbedded(), targetRps: TARGET_PG_RPS / 2, framework });
  } catch (error) {
    failed = true;
    console.log(`ERROR: embedded run failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  }

  if (await postgresReachable(PG_ADMIN_URL)) {
    try {
      const framework = await frameworkNow();
      reports.push({ report: await benchPostgres(), targetRps: TARGET_PG_RPS, framework });
    } catch (error) {
      failed = true;
      console.log(`ERROR: PostgreSQL run failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    }
    try {
      const framework = await frameworkNow();
      reports.push({ report: await benchPostgres(CLUSTER_WORKERS), targetRps: TARGET_PG_RPS, framework });
    } catch (error) {
      failed = true;
      console.log(`ERROR: PostgreSQL run with ${CLUSTER_WORKERS} workers failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    }
  } else {
    console.log('PostgreSQL run SKIPPED (set BENCH_DATABASE_URL to point at a server).');
  }

  const jobFigures: string[] = [];
  for (const target of [undefined, ...(reports.some((r) => r.report.label === 'PostgreSQL') ? [PG_ADMIN_URL] : [])]) {
    console.log(`\n=== job queue, no-op jobs (${target ? 'PostgreSQL' : 'embedded'}) ===`);
    try {
      jobFigures.push(await jobQueueFigures(target));
      console.log(`[bench] ${jobFigures.at(-1)}`);
    } catch (error) {
      failed = true;
      console.log(`ERROR: job queue run failed: ${error instanceof Error ? error.message : error}`);
    }
  }

  console.log('\n=== PDF rendering, in-process (bench/pdf.ts) ===');
  let pdfFigures: string[] = [];
  try {
    pdfFigures = await pdfRenderingFigures();
    for (const figure of pdfFigures) console.log(`[bench] ${figure}`);
  } catch (error) {
    failed = true;
    console.log(`ERROR: PDF rendering run failed: ${error instanceof Error ? error.message : error}`);
  }

  // A restore that did not bring the invoices back is a wrong result, like a wrong page.
  if (reports.some(({ report }) => report.backups?.verified === false)) failed = true;

  console.log('\n=== Results ===\n');
  for (const line of machine()) console.log(line);
  for (const { report, targetRps, framework } of reports) {
    console.log(`\npure Fastify route just before the ${report.label} run: ${Math.round(framework.requestsPerSecond).toLocaleString('en-US')} req/s, p99 ${framework.p99} ms; the targets assume ${REFERENCE_FASTIFY_RPS.toLocaleString('en-US')}`);
    console.log(renderReport(report, targetRps, TARGET_P99_MS, framework.requestsPerSecond / REFERENCE_FASTIFY_RPS));
  }
  if (jobFigures.length > 0) console.log(`\njob queue (bench/jobs.ts, 2,000 no-op jobs, 10 workers, one instance):\n${jobFigures.map((f) => `- ${f}`).join('\n')}`);
  if (pdfFigures.length > 0) console.log(`\nPDF rendering (bench/pdf.ts, invoice-like fixture, one document after another, in-process; target ≥ ${TARGET_PDF_PER_SECOND} one-page PDFs/s):\n${pdfFigures.map((f) => `- ${f}`).join('\n')}`);
  return failed ? 1 : 0;
}

/** Runs bench/jobs.ts (its own process and database) and summarizes its JSON line. */
async function jobQueueFigures(adminUrl: string | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATABASE_URL: adminUrl ?? '' };
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/jobs.ts'], { cwd: ROOT, env, timeout: 300_000 });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { database: string; enqueue_per_second: number; end_to_end_per_second: number };
  return `${result.database}: ${result.end_to_end_per_second.toLocaleString('en-US')} jobs/s end to end, enqueued at ${result.enqueue_per_second.toLocaleString('en-US')}/s`;
}

/** Runs bench/pdf.ts (its own process) and summarizes its JSON line. */
async function pdfRenderingFigures(): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/pdf.ts'], { cwd: ROOT, timeout: 120_000 });
  type Scenario = { pages: number; per_second: number; per_cpu_second: number; ms_p50: number; ms_p99: number; cpu_ms_per_document: number; event_loop_delay_max_ms: number };
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { first_render_ms: number; one_page: Scenario; three_pages: Scenario };
  const line = (name: string, s: Scenario) =>
    `${name}: ${s.per_second.toLocaleString('en-US')} PDFs/s (${s.per_cpu_second.toLocaleString('en-US')} per CPU second), ${s.ms_p50} ms p50 / ${s.ms_p99} ms p99 per document (${s.cpu_ms_per_document} ms CPU), event loop held ${s.event_loop_delay_max_ms} ms at most`;
  return [line('one page', result.one_page), line('three pages', result.three_pages), `first render (fonts loaded and parsed): ${result.first_render_ms} ms`];
}

main()
  .then((code) => process.exit(code))
  .catch(async (error) => {
    console.error(error);
    await runCleanups();
    process.exit(1);
  });
