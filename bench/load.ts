import autocannon from 'autocannon';
import { cpuShares, cpuSharesOver, cpuSnapshot, type CpuShares, type CpuSnapshot } from './cpu';

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
  /** How many measured rounds the figures come from (see measureInterleaved). */
  rounds: number;
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

interface Round {
  result: autocannon.Result;
  before: CpuSnapshot;
  after: CpuSnapshot;
}

function request(options: LoadOptions): autocannon.Options {
  return {
    url: options.url,
    connections: options.connections,
    headers: options.headers,
    timeout: 10,
    ...(options.method ? { method: options.method, body: options.body } : {}),
  };
}

async function warmUp(label: string, options: LoadOptions): Promise<void> {
  if (options.warmupSeconds <= 0) return;
  checkResult(`${label} (warm-up)`, await fire({ ...request(options), duration: options.warmupSeconds }, options.signal));
}

async function round(label: string, options: LoadOptions, seconds: number): Promise<Round> {
  const before = cpuSnapshot(options.serverPid);
  const result = await fire({ ...request(options), duration: seconds }, options.signal);
  const after = cpuSnapshot(options.serverPid);
  checkResult(label, result);
  return { result, before, after };
}

/** Each round of measureInterleaved: half a scenario's duration, at least a second. */
export const roundSeconds = (durationSeconds: number) => Math.max(1, Math.round(durationSeconds / 2));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/**
 * One measurement from one or more rounds: req/s over their summed duration, CPU over their summed
 * intervals, p50 the rounds' median and p99 and max the worst round's (autocannon gives
 * percentiles, not its histogram, so a p99 over all rounds cannot be computed; the worst never flatters).
 */
function combine(label: string, rounds: Round[]): Measurement {
  const results = rounds.map((r) => r.result);
  const sum = (pick: (r: autocannon.Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  const cpu = cpuSharesOver(rounds.map((r) => [r.before, r.after]));
  if (cpu.other !== null && cpu.other > OTHER_CPU_WARNING) {
    console.log(`WARNING: ${label}: other processes used ${cpu.other}% of a core during the run; the figures are disturbed`);
  }
  const statusCodes: Record<string, number> = {};
  for (const r of results) {
    for (const [code, { count }] of Object.entries(r.statusCodeStats)) statusCodes[code] = (statusCodes[code] ?? 0) + Number(count);
  }
  const durationSeconds = sum((r) => r.duration);
  const total = sum((r) => r.requests.total);
  return {
    requestsPerSecond: durationSeconds > 0 ? total / durationSeconds : 0,
    p50: median(results.map((r) => r.latency.p50)),
    p97_5: Math.max(...results.map((r) => r.latency.p97_5)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    max: Math.max(...results.map((r) => r.latency.max)),
    total,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    statusCodes,
    durationSeconds,
    cpu,
    rounds: rounds.length,
  };
}

/** A discarded warm-up run, then the measured run, both at the same concurrency. */
export async function measure(label: string, options: LoadOptions): Promise<Measurement> {
  await warmUp(label, options);
  return combine(label, [await round(label, options, options.durationSeconds)]);
}

/**
 * Measures scenarios whose figures are compared with each other (the first and the deep list
 * page) in alternating rounds (A B, B A, A B, ...), each round lasting half of `durationSeconds`,
 * so that a machine that speeds up or slows down during the run weighs on each of them alike.
 */
export async function measureInterleaved(
  scenarios: { label: string; options: LoadOptions }[],
  rounds: number,
): Promise<Measurement[]> {
  for (const { label, options } of scenarios) await warmUp(label, options);
  const measured: Round[][] = scenarios.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = scenarios.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const { label, options } = scenarios[i]!;
      const done = await round(`${label} (round ${r + 1})`, options, roundSeconds(options.durationSeconds));
      measured[i]!.push(done);
      const cpu = cpuShares(done.before, done.after);
      console.log(`[bench]   round ${r + 1}, ${label}: ${Math.round(done.result.requests.average)} req/s, p99 ${done.result.latency.p99} ms (CPU % server ${cpu.server ?? '?'}, postgres ${cpu.postgres ?? '?'})`);
    }
  }
  return scenarios.map(({ label }, i) => combine(label, measured[i]!));
}
