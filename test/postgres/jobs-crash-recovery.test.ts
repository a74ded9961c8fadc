import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase, postgresUrl } from '../support/database';
import { createJobsApp, waitFor, waitForStatus } from '../jobs/harness';
import { CRASH_QUEUE, CRASH_QUEUE_OPTIONS } from './fixtures/crash-queue';

const dataDir = mkdtempSync(path.join(tmpdir(), 'deskbase-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a server killed in the middle of a job', () => {
  it('loses nothing: another instance runs the job again once it expires', async () => {
    const database = await openTestDatabase();
    const name = (database as unknown as { testDatabaseName: string }).testDatabaseName;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/postgres/fixtures/crash-worker.ts'], {
      env: { ...process.env, DATABASE_URL: postgresUrl(name), DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    const started = await waitFor(() => /started (job_\w+) 1/.exec(output), 30_000, `the child to start the job:\n${output}`);
    const id = started[1]!;
    const firstStart = Date.now();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const survivor = await createJobsApp((jobs) => jobs.work(CRASH_QUEUE, CRASH_QUEUE_OPTIONS, async (_data, { attempt }) => ({ recoveredBy: 'survivor', attempt })), { database });
    try {
      // Still `running` on behalf of the dead process until its 2 s timeout passes.
      const job = await waitForStatus(survivor, id, 'completed', 20_000);
      expect(job).toMatchObject({ attempts: 2, max_attempts: 3, result: { recoveredBy: 'survivor', attempt: 2 } });
      expect(Date.parse(job.started_at!) - firstStart).toBeGreaterThanOrEqual(1500);
    } finally {
      await survivor.close();
    }
  }, 60_000);
});
