import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { adminQuery, postgresUrl } from '../support/database';

const name = `deskbase_test_cluster_${randomBytes(4).toString('hex')}`;
const started: ChildProcess[] = [];
// A failed assertion must not leave a server running: its workers exit with the primary.
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** `npm start`'s command with WEB_CONCURRENCY=2 on a fresh PostgreSQL database. */
function startCluster(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: postgresUrl(name),
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'deskbase-cluster-')),
      WEB_CONCURRENCY: '2',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function until(condition: () => boolean, what: string, output: () => string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

/** One request on a new connection each time, so that node:cluster hands it to the next worker. */
function request(port: number, method: string, pathname: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path: pathname, agent: false, headers: payload ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The worker processes of the primary `pid` (Linux /proc); tsx's esbuild service is a child too. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('src/main.ts');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('WEB_CONCURRENCY=2 (node:cluster workers on PostgreSQL)', () => {
  it('migrates once, shares rate limits and metrics, replaces a dead worker and stops cleanly', async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
    const server = startCluster({ PORT: '0', RATE_LIMIT_AUTH_PER_MINUTE: '4' });
    await until(() => /Deskbase is up/.test(server.output()), 'the cluster to start', server.output);
    const port = Number(/Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
    const workers = childrenOf(server.child.pid!);
    expect(workers).toHaveLength(2);
    // The primary migrated before forking; one worker created the first admin and showed it once.
    expect(count(server.output(), /"database migrated"/)).toBe(1);
    expect(count(server.output(), /First start: created the super_admin/)).toBe(1);

    // Both workers answer, and the budget is the cluster's: the fifth bad sign-in is refused
    // whichever worker gets it (counting per worker would let 8 through).
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await request(port, 'POST', '/api/v1/auth/login', { email: 'nobody@example.com', password: 'wrong-password-1' })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const loginLines = server.output().split('\n').filter((line) => line.includes('"route":"/api/v1/auth/login"'));
    expect(new Set(loginLines.map((line) => JSON.parse(line).worker))).toEqual(new Set([1, 2]));

    // A scrape, whichever worker answers it, counts the requests of both.
    for (let i = 0; i < 2; i++) {
      const metrics = await request(port, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      const logins = [...metrics.text.matchAll(/^http_requests_total\{method="POST",route="\/api\/v1\/auth\/login",status="(\d+)"\} (\d+)$/gm)];
      expect(Object.fromEntries(logins.map((m) => [m[1], Number(m[2])]))).toEqual({ '401': 4, '429': 2 });
    }

    // A worker killed outright is replaced, and the server keeps answering meanwhile.
    process.kill(workers[0]!, 'SIGKILL');
    await until(() => /worker died; starting a replacement/.test(server.output()), 'the death to be noticed', server.output);
    await until(() => childrenOf(server.child.pid!).length === 2 && count(server.output(), /Server listening at http:\/\/127/g) >= 3, 'a replacement', server.output);
    expect(childrenOf(server.child.pid!)).not.toContain(workers[0]);
    for (let i = 0; i < 6; i++) expect((await request(port, 'GET', '/api/v1/health/ready')).status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('shut down cleanly');
    expect(childrenOf(server.child.pid!)).toEqual([]);
  }, 120_000);

  it('stops with exit code 1 when its workers cannot start', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const server = startCluster({ PORT: String(port) });
      expect(await server.exit).toBe(1);
      expect(server.output()).toContain('a worker exited before it could listen; stopping');
    } finally {
      taken.close();
    }
  }, 60_000);

  it('is refused on the embedded database, with the reason', async () => {
    const server = startCluster({ DATABASE_URL: '' });
    expect(await server.exit).toBe(1);
    expect(server.output()).toContain('WEB_CONCURRENCY above 1 needs DATABASE_URL');
  });
});
