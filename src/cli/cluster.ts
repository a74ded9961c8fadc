import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { aggregateWorkerMetrics } from '../kernel/observability/cluster-metrics';
import { shareCountersWithWorkers } from '../kernel/ratelimit/counters';

export interface SupervisorOptions {
  workers: number;
  /** How long a stopping worker may drain its requests before it is killed. */
  shutdownTimeoutMs: number;
  log: Logger;
}

export interface Supervisor {
  /** The shared port, once every worker listens; rejects if one fails to start. */
  listening: Promise<number>;
  /** The exit code for the primary, once every worker has exited after a stop. */
  stopped: Promise<number>;
}

// A worker that keeps dying is a bug to fix, not a load to absorb: give up past this rate.
const RESTART_LIMIT = 10;
const RESTART_WINDOW_MS = 60_000;

/**
 * The primary process of WEB_CONCURRENCY above 1. Every worker runs the whole server and they
 * share the port (node:cluster hands each new connection to the next worker). Rate-limit counters
 * and metrics are kept or summed here, so clients and scrapers see one server. A worker that dies
 * is replaced; SIGTERM or SIGINT stops every worker, each draining its requests as a single
 * process does. If the primary itself dies, node:cluster makes the workers exit.
 */
export function superviseWorkers(options: SupervisorOptions): Supervisor {
  const { log } = options;
  shareCountersWithWorkers();
  aggregateWorkerMetrics();

  const live = new Set<Worker>();
  const listened = new Set<Worker>();
  const restarts: number[] = [];
  let stopping = false;
  let failed = false;
  let port = 0;
  let onListening!: (port: number) => void;
  let onStartFailure!: (error: Error) => void;
  let onStopped!: (code: number) => void;
  const listening = new Promise<number>((resolve, reject) => ((onListening = resolve), (onStartFailure = reject)));
  const stopped = new Promise<number>((resolve) => (onStopped = resolve));

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.once('listening', (address) => {
      listened.add(worker);
      port = address.port;
      if (listened.size === options.workers) onListening(port);
    });
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      const wasListening = listened.delete(worker);
      if (stopping) {
        if (code !== 0) failed = true;
        if (live.size === 0) onStopped(failed ? 1 : 0);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
      if (!wasListening || restarts.length > RESTART_LIMIT) {
        const reason = wasListening ? `more than ${RESTART_LIMIT} workers died within a minute` : 'a worker exited before it could listen';
        log.error({ worker: worker.id, code, signal }, `${reason}; stopping`);
        onStartFailure(new Error(reason));
        failed = true;
        stop('failure');
        return;
      }
      log.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker died; starting a replacement');
      fork();
    });
  };

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping the workers: each drains its in-flight requests');
    if (live.size === 0) onStopped(failed ? 1 : 0);
    for (const worker of live) worker.process.kill('SIGTERM');
    // Each worker exits by itself after shutdownTimeoutMs; this only covers one that hangs harder.
    const force = setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL');
    }, options.shutdownTimeoutMs + 5_000);
    force.unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < options.workers; i++) fork();
  listening.catch(() => {});
  return { listening, stopped };
}
