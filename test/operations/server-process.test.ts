import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

interface Running {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
  exit: Promise<number | null>;
}

/** Starts `npm start`'s command in a child process with its own DATA_DIR on the embedded database. */
function startServer(dataDir: string, env: Record<string, string> = {}): Running {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...inherited, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => reject(new Error(`server exited before listening:\n${output}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, url, exit };
}

describe('the server process', () => {
  it('starts on a fresh embedded database, stops cleanly on SIGTERM, and reuses its data on the next start', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'deskbase-start-'));
    const first = startServer(dataDir);
    const url = await first.url;
    const health = await fetch(`${url}/api/v1/health/ready`);
    expect(health.status).toBe(200);
    expect(first.output()).toContain('"migrations":["0000_kernel",');
    const key = readFileSync(path.join(dataDir, 'secret.key'), 'utf8');

    // A second process on the same directory is refused before it can corrupt the database.
    const intruder = startServer(dataDir);
    expect(await intruder.exit).toBe(1);
    expect(intruder.output()).toContain(`is in use by process ${first.child.pid}`);

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.output()).toContain('shut down cleanly');

    const second = startServer(dataDir);
    const secondUrl = await second.url;
    expect((await fetch(`${secondUrl}/api/v1/health/ready`)).status).toBe(200);
    expect(second.output()).not.toContain('database migrated');
    expect(readFileSync(path.join(dataDir, 'secret.key'), 'utf8')).toBe(key);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 90_000);

  it('refuses to start with a clear message for each bad setting', async () => {
    const server = startServer(mkdtempSync(path.join(tmpdir(), 'deskbase-bad-')), { PORT: 'http', LOG_LEVEL: 'chatty' });
    expect(await server.exit).toBe(1);
    expect(server.output()).toContain('PORT must be a whole number between 0 and 65535 (got "http")');
    expect(server.output()).toContain('LOG_LEVEL must be one of');
  });
});
