import autocannon from 'autocannon';
import { cpuShares, cpuSnapshot, type CpuShares } from './cpu';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
  /** The server's pid, to report its CPU share. */
  serverPid?: number;
  /** Aborted when the server is gone: the run stops at once. */
  signal?: AbortSignal;
}

export interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
  total: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  durationSeconds: number;
  cpu: CpuShares;
}

/** CPU taken by processes other than the server, autocannon and PostgreSQL (% of one core) that makes a figure suspect. */
export const OTHER_CPU_WARNING = 25;

function fire(options: autocannon.Options, signal?: AbortSignal): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => {
      signal?.removeEventListener('abort', stop);
      if (error) reject(error);
      else resolve(result);
    });
    // Stopping early still yields the results gathered so far.
    const stop = () => instance.stop();
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Loud line for any error, timeout or non-2xx response in an autocannon result. */
export function checkResult(label: string, result: autocannon.Result): string[] {
  const problems: string[] = [];
  if (result.errors > 0) problems.push(`${result.errors} errors (${result.timeouts} timeouts)`);
  if (result.non2xx > 0) {
    const codes = Object.entries(result.statusCodeStats)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, { count }]) => `${code}×${count}`)
      .join(', ');
    problems.push(`${result.non2xx} non-2xx responses (${codes})`);
  }
  if (result['2xx'] === 0) problems.push('no 2xx response at all');
  for (const problem of problems) console.log(`WARNING: ${label}: ${problem}`);
  return problems;
}

/** A discarded warm-up run, then the measured run, both at the same concurrency. */
export async function measure(label: string, options: LoadOptions): Promise<Measurement> {
  const base = {
    url: options.url,
    connections: options.connections,
    headers: options.headers,
    timeout: 10,
    ...(options.method ? { method: options.method, body: options.body } : {}),
  };
  if (options.warmupSeconds > 0) {
    const warmup = await fire({ ...base, duration: options.warmupSeconds }, options.signal);
    checkResult(`${label} (warm-up)`, warmup);
  }
  const before = cpuSnapshot(options.serverPid);
  const result = await fire({ ...base, duration: options.durationSeconds }, options.signal);
  const cpu = cpuShares(before, cpuSnapshot(options.serverPid));
  checkResult(label, result);
  if (cpu.other !== null && cpu.other > OTHER_CPU_WARNING) {
    console.log(`WARNING: ${label}: other processes used ${cpu.other}% of a core during the run; the figures are disturbed`);
  }
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = Number(count);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    durationSeconds: result.duration,
    cpu,
  };
}
