import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerInfo {
  kind: 'embedded' | 'postgres' | 'none';
  dbVersion: string;
  seeded: { rows: number; ms: number } | null;
  pid: number;
}

export interface ServerProcess {
  port: number;
  url: string;
  info: ServerInfo;
  child: ChildProcess;
  /** How the server ended if it exited before stop() was called (killed by someone else, crashed), else null. */
  unexpectedExit(): string | null;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago (the child binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM, up to `graceMs` to exit, then SIGKILL. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await exited(child, graceMs)) return;
  console.error(`[bench] server pid ${child.pid} ignored SIGTERM for ${graceMs} ms: SIGKILL`);
  child.kill('SIGKILL');
  await exited(child, 5_000);
}

/**
 * Starts `node --import tsx <script>` (bench/server.ts unless told) with `env` added to this
 * process's environment (a key set to undefined is removed) and resolves once it prints
 * `BENCH_INFO <json>` and `READY <port>`.
 */
export async function startServer(env: Record<string, string | undefined>, script = 'bench/server.ts', readyTimeoutMs = 180_000): Promise<ServerProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopping = false;
  let unexpected: string | null = null;
  const stop = () => {
    stopping = true;
    return stopChild(child);
  };
  child.once('exit', (code, signal) => {
    if (stopping) return;
    unexpected = signal ? `killed by ${signal}` : `exited with code ${code}`;
    console.log(`WARNING: server pid ${child.pid} ${unexpected} before the bench stopped it`);
  });

  createInterface({ input: child.stderr! }).on('line', (line) => console.error(`[server] ${line}`));
  const lines = createInterface({ input: child.stdout! });

  try {
    const { port, info } = await new Promise<{ port: number; info: ServerInfo }>((resolve, reject) => {
      let info: ServerInfo | undefined;
      const timer = setTimeout(() => reject(new Error(`server not READY within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited before READY (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      lines.on('line', (line) => {
        if (line.startsWith('BENCH_INFO ')) {
          info = JSON.parse(line.slice('BENCH_INFO '.length)) as ServerInfo;
        } else if (/^READY \d+$/.test(line)) {
          clearTimeout(timer);
          if (!info) reject(new Error('server printed READY without BENCH_INFO'));
          else resolve({ port: Number(line.slice(6)), info });
        } else {
          // With LOG_LEVEL=warn only warnings and errors get here.
          console.error(`[server] ${line}`);
        }
      });
    });
    return { port, url: `http://127.0.0.1:${port}`, info, child, stop, unexpectedExit: () => unexpected };
  } catch (error) {
    await stop();
    throw error;
  }
}
