import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Where the machine's CPU went during a measurement (Linux /proc; elsewhere only the load
 * generator's own share is known). The server, autocannon and PostgreSQL share the same cores,
 * so this tells whether a figure is bound by the server, by the load generator, by the database
 * or disturbed by other processes. Values are CPU-seconds; shares are "% of one core".
 */
const TICK = 100; // USER_HZ: /proc reports clock ticks of 1/100 s on Linux

export interface CpuSnapshot {
  at: number;
  machineBusy: number | null;
  server: number | null;
  loadgen: number;
  postgres: number | null;
}

export interface CpuShares {
  /** Percent of one core over the interval; null where /proc is not available. */
  server: number | null;
  loadgen: number;
  postgres: number | null;
  machine: number | null;
  /** Everything else on the machine: a high value means the figures were disturbed. */
  other: number | null;
  cores: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function machineBusy(): number | null {
  const line = read('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICK;
}

/** utime + stime of one process, in seconds. */
function processCpu(pid: number): { comm: string; parent: number; seconds: number } | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state), fields[1] field 4 (ppid); utime and stime are fields 14 and 15.
  return { comm, parent: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / TICK };
}

/**
 * CPU seconds of every `postgres` process, and of the server with its child processes (the
 * workers when it runs with WEB_CONCURRENCY above 1; tsx's esbuild service otherwise).
 */
function processTotals(serverPid: number | undefined): { server: number | null; postgres: number | null } {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return { server: serverPid ? (processCpu(serverPid)?.seconds ?? null) : null, postgres: null };
  }
  let postgres = 0;
  let server: number | null = null;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const cpu = processCpu(pid);
    if (!cpu) continue;
    if (cpu.comm === 'postgres') postgres += cpu.seconds;
    else if (serverPid && (pid === serverPid || cpu.parent === serverPid)) server = (server ?? 0) + cpu.seconds;
  }
  return { server, postgres };
}

export function cpuSnapshot(serverPid: number | undefined): CpuSnapshot {
  const own = process.cpuUsage();
  const { server, postgres } = processTotals(serverPid);
  return { at: performance.now(), machineBusy: machineBusy(), server, loadgen: (own.user + own.system) / 1e6, postgres };
}

export function cpuShares(from: CpuSnapshot, to: CpuSnapshot): CpuShares {
  return cpuSharesOver([[from, to]]);
}

/** Shares over several intervals taken together (rounds of one scenario with others in between). */
export function cpuSharesOver(intervals: [from: CpuSnapshot, to: CpuSnapshot][]): CpuShares {
  const seconds = intervals.reduce((total, [from, to]) => total + (to.at - from.at), 0) / 1000;
  const spent = (pick: (s: CpuSnapshot) => number | null): number | null => {
    let total = 0;
    for (const [from, to] of intervals) {
      const a = pick(from);
      const b = pick(to);
      if (a === null || b === null) return null;
      // A postgres backend that exited meanwhile makes a sum drop: never count a negative share.
      total += Math.max(0, b - a);
    }
    return total;
  };
  const pct = (pick: (s: CpuSnapshot) => number | null) => {
    const cpu = spent(pick);
    return cpu === null || seconds <= 0 ? null : Math.round((cpu / seconds) * 100);
  };
  const server = pct((s) => s.server);
  const loadgen = pct((s) => s.loadgen) ?? 0;
  const postgres = pct((s) => s.postgres);
  const machine = pct((s) => s.machineBusy);
  const other = machine === null || server === null ? null : Math.max(0, machine - server - loadgen - (postgres ?? 0));
  return { server, loadgen, postgres, machine, other, cores: os.cpus().length };
}

/** Busy share of the whole machine over `ms` (percent of one core), or null without /proc. */
export async function machineLoad(ms = 2_000): Promise<number | null> {
  const from = cpuSnapshot(undefined);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return cpuShares(from, cpuSnapshot(undefined)).machine;
}
