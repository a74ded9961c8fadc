import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_ORIGIN } from '../../src/kernel/audit/audit';
import { loadConfig } from '../../src/config';
import { emitEvent } from '../../src/kernel/events/outbox';
import { createKernel } from '../../src/kernel/kernel';
import { endpointService } from '../../src/kernel/webhooks/endpoints';
import { openTestDatabase, postgresUrl } from '../support/database';
import { startReceiver } from '../webhooks/receiver';

const EVENTS = 300;
const env = { SECRET_KEY: 'a-shared-secret-for-the-crash-test-0123456789', ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true', LOG_LEVEL: 'silent' };
const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

function startInstance(databaseUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/webhook-instance.ts'], {
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'deskbase-hook-')) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolve(child));
    child.on('exit', (code) => reject(new Error(`instance exited with ${code} before READY`)));
  });
}

async function until(condition: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await condition()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return condition();
}

describe('webhook delivery across a crash', () => {
  it('delivers every event after an instance is killed with SIGKILL mid-delivery, duplicates only with the same webhook-id', async () => {
    const receiver = await startReceiver();
    // Slow answers keep deliveries in flight when the kill comes.
    receiver.queue(...Array.from({ length: EVENTS * 2 }, () => (response: import('node:http').ServerResponse) => void setTimeout(() => response.writeHead(204).end(), 20)));
    const database = await openTestDatabase();
    const url = postgresUrl((database as unknown as { testDatabaseName: string }).testDatabaseName);
    const kernel = createKernel(loadConfig({ ...env, DATABASE_URL: url, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'deskbase-hook-')) }), database);
    const actor = { type: 'user' as const, id: 'usr_crash', organizationId: 'org_crash', role: 'admin', permissions: ['*:*'] };
    await database.transaction((tx) => endpointService(kernel).create(tx, NO_ORIGIN, actor, { url: receiver.url, events: ['crash.*'] }));
    await database.transaction(async (tx) => {
      for (let n = 0; n < EVENTS; n++) await emitEvent(tx, { organizationId: 'org_crash', type: 'crash.test', data: { n } });
    });

    const first = await startInstance(url);
    expect(await until(() => receiver.received.length >= EVENTS / 5, 30_000)).toBe(true);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const beforeRestart = new Set(receiver.received.map((r) => r.headers['webhook-id'])).size;
    expect(beforeRestart).toBeLessThan(EVENTS);

    const second = await startInstance(url);
    const distinct = () => new Set(receiver.received.map((r) => r.headers['webhook-id'])).size;
    expect(await until(() => distinct() === EVENTS, 60_000)).toBe(true);
    // ... and records every success (the last answers may still be in flight).
    const unfinished = async () => Number((await database.query<{ n: string }>("SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'succeeded'"))[0]!.n);
    expect(await until(async () => (await unfinished()) === 0, 10_000)).toBe(true);
    second.kill('SIGTERM');

    const byId = new Map<string, Set<string>>();
    for (const r of receiver.received) byId.set(String(r.headers['webhook-id']), (byId.get(String(r.headers['webhook-id'])) ?? new Set()).add(r.body));
    expect([...byId.values()].every((bodies) => bodies.size === 1)).toBe(true); // a duplicate is the same message
    const numbers = [...byId.values()].map((bodies) => JSON.parse([...bodies][0]!).data.n as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: EVENTS }, (_, n) => n));
    await receiver.close();
    await database.close();
  }, 120_000);
});
