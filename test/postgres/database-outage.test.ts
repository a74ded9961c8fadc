import { sql } from 'drizzle-orm';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/kernel/db/database';
import { createTestApp } from '../support/app';
import { adminQuery, openTestDatabase, postgresUrl } from '../support/database';
import type { FastifyInstance } from 'fastify';

/** A TCP relay in front of PostgreSQL that the test can cut and restore, like a network outage. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(port = 0) {
    this.server = createServer((client) => {
      const upstream = connect(5432, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async down() {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const relay = new Relay();
let app: FastifyInstance;
let databaseName = '';

beforeAll(async () => {
  // Clone a migrated database, then reach it only through the relay.
  const direct = await openTestDatabase();
  databaseName = (direct as unknown as { testDatabaseName: string }).testDatabaseName;
  await relay.up();
  const url = new URL(postgresUrl(databaseName));
  url.port = String(relay.port);
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', poolMax: 3, statementTimeoutMs: 5000, onPoolError: () => {} });
  const close = database.close;
  database.close = async () => {
    await close();
    await direct.close();
  };
  app = await createTestApp({ database });
});
// The app first, while the relay still carries its connections: closing through a cut relay left
// the pool and the job queue waiting on dead sockets past the hook's timeout once, on a loaded machine.
afterAll(async () => {
  await app.close();
  await relay.down();
});

describe('a database that disappears and returns', () => {
  it('turns requests into 503 problem+json and readiness into failing, then recovers by itself', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 'before the outage' } });
    expect(created.statusCode).toBe(201);

    await relay.down();
    const list = await app.inject({ url: '/api/v1/widgets' });
    expect(list.statusCode).toBe(503);
    expect(list.headers['content-type']).toContain('application/problem+json');
    expect(list.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(list.headers['retry-after']).toBe('5');
    expect(list.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);

    const write = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 'during the outage' } });
    expect(write.statusCode).toBe(503);
    const ready = await app.inject({ url: '/api/v1/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().reasons).toEqual(['database unreachable']);
    expect((await app.inject({ url: '/api/v1/health/db' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/api/v1/health/' })).statusCode).toBe(200);

    await relay.up(relay.port);
    expect((await app.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
    const after = (await app.inject({ url: '/api/v1/widgets?include_total=true' })).json();
    expect(after.total).toBe(1);
    expect(after.items[0].name).toBe('before the outage');
  });

  it('fails a transaction whose connection drops between two queries, without crashing the process', async () => {
    const { database } = app.kernel;
    // The transaction holds its pooled client idle while the network goes away under it.
    const cut = database.transaction(async (tx) => {
      await tx.execute(sql`SELECT 1`);
      await relay.down();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tx.execute(sql`SELECT 2`);
    });
    await expect(cut).rejects.toThrow();
    await relay.up(relay.port);
    expect((await app.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
  });

  it('survives its connections being terminated on the server side', async () => {
    expect((await app.inject({ url: '/api/v1/widgets' })).statusCode).toBe(200);
    const { rows } = await adminQuery('SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1', [databaseName]);
    expect(rows.length).toBeGreaterThan(0);
    // The first request may meet a dead pooled connection (503); the pool then replaces it.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.inject({ url: '/api/v1/widgets' })).statusCode);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });
});
