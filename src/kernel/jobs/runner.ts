import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';

export type FetchedJob = PgBoss.JobWithMetadata<unknown>;

/** The reason a run's signal is aborted. */
export class JobInterruption extends Error {
  constructor(
    readonly kind: 'timeout' | 'cancelled' | 'shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'JobInterruption';
  }
}

export interface QueueRunnerOptions {
  concurrency: number;
  pollIntervalMs: number;
  /** Claims up to `limit` due jobs (pg-boss: `FOR UPDATE SKIP LOCKED`, so no two instances get one job). */
  fetch(limit: number): Promise<FetchedJob[]>;
  /** Runs one job to its end, completing or failing it; it must settle soon after `signal` aborts. */
  run(job: FetchedJob, signal: AbortSignal): Promise<void>;
  onError(error: unknown): void;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Keeps up to `concurrency` jobs of one queue running on this instance. It fetches as many jobs as
 * there are free slots, then sleeps until a slot frees, `wake()` says jobs are due (a NOTIFY from
 * whichever instance enqueued them), or the poll interval passes (scheduled jobs and retries).
 * Each run gets an AbortSignal that fires at the job's timeout, on cancellation and on shutdown.
 */
export class QueueRunner {
  private readonly active = new Map<string, ActiveRun>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly options: QueueRunnerOptions) {}

  start(): void {
    this.loop ??= this.fetchLoop();
  }

  /** Look for jobs now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Aborts this job's run if it runs here. */
  interrupt(jobId: string, reason: JobInterruption): void {
    this.active.get(jobId)?.controller.abort(reason);
  }

  /**
   * Stops fetching, lets running jobs finish for up to `graceMs`, then interrupts the rest (they
   * are failed, hence retried elsewhere) and waits for them to settle.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    const settled = () => Promise.all([...this.active.values()].map((run) => run.done));
    if (this.active.size === 0) return;
    const grace = new AbortController();
    const inTime = await Promise.race([settled().then(() => true), sleep(graceMs, false, { signal: grace.signal }).catch(() => false)]);
    grace.abort();
    if (!inTime) {
      for (const run of this.active.values()) run.controller.abort(new JobInterruption('shutdown', 'Interrupted: the server shut down'));
    }
    await settled();
  }

  private async fetchLoop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      const free = this.options.concurrency - this.active.size;
      let fetched = 0;
      if (free > 0) {
        try {
          const jobs = await this.options.fetch(free);
          fetched = jobs.length;
          // Jobs fetched while stopping are run too: they are already marked active.
          for (const job of jobs) this.execute(job);
        } catch (error) {
          this.options.onError(error);
        }
      }
      // A full batch means more may be waiting: fetch again once a slot is free.
      if (!this.stopping && !(free > 0 && fetched === free)) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollIntervalMs);
      this.wakeUp = done;
    });
  }

  private execute(job: FetchedJob): void {
    const controller = new AbortController();
    const seconds = Number(job.expireInSeconds);
    const timer = setTimeout(() => controller.abort(new JobInterruption('timeout', `Timed out after ${seconds} s`)), seconds * 1000);
    const done = this.options
      .run(job, controller.signal)
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        clearTimeout(timer);
        this.active.delete(job.id);
        this.wake();
      });
    this.active.set(job.id, { controller, done });
  }
}
