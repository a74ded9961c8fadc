import type PgBoss from 'pg-boss';
import { recordAudit, type RequestOrigin } from '../audit/audit';
import type { Actor } from '../auth/actor';
import type { Executor, Tx } from '../db/database';
import type { Page } from '../http/pagination';
import { conflict, notFound } from '../http/problem';
import type { Kernel } from '../kernel';
import { bossDbOf, createBoss } from './boss';
import { affectedBy, runAttempt, type JobLog } from './execution';
import { jobUuidOf, newJobUuid, publicJobId } from './job-ids';
import { listJobs, visibleTo } from './listing';
import { JOBS_CHANNEL, parseNotice, type JobNotice } from './notifications';
import { presentJob, PRIORITY_VALUES } from './present';
import { JobInterruption, QueueRunner } from './runner';
import { announceStatus, findRun, insertRun, pruneRuns, wakeWorkers, type JobRun } from './runs';
import type { ListJobsQuery } from './schemas';
import { QUEUE_NAME, type EnqueueOptions, type JobHandler, type JobView, type ScheduleOptions, type WorkOptions } from './types';

export interface JobServiceOptions {
  log?: JobLog;
  /** Overrides of the configured timing (tests). */
  pollIntervalMs?: number;
  maintenanceIntervalSeconds?: number;
  cronIntervalSeconds?: number;
  shutdownGraceMs?: number;
}

/** A job as the API shows it, with the version of its run (the `id:` of its server-sent events). */
export interface JobSnapshot {
  view: JobView;
  version: number;
}

/** `null`: notifications may have been missed (the listener reconnected); read the job again. */
export type JobWatcher = (notice: JobNotice | null) => void;

interface Queue {
  name: string;
  options: Required<WorkOptions>;
  runner: QueueRunner;
}

const silent: JobLog = { warn() {}, error() {} };

function checkWorkOptions(name: string, options: WorkOptions): Required<WorkOptions> {
  const checked = { concurrency: 1, timeoutSeconds: 900, retryLimit: 2, retryDelaySeconds: 5, retryBackoff: true, policy: 'standard' as const, ...options };
  const within = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (!QUEUE_NAME.test(name) || name.length > 100) throw new Error(`Invalid job queue name "${name}" (lower case, digits and . _ -)`);
  // pg-boss refuses expirations of 24 hours or more.
  if (!within(checked.concurrency, 1, 1000) || !within(checked.timeoutSeconds, 1, 86_399) || !within(checked.retryLimit, 0, 1000) || !within(checked.retryDelaySeconds, 0, 86_400)) {
    throw new Error(`Invalid options for job queue "${name}"`);
  }
  return checked;
}

/**
 * The durable job queue (docs/jobs.md): pg-boss stores and hands out the jobs, on PostgreSQL or
 * the embedded database; this service adds ownership, progress and its notifications, and runs
 * the workers of the queues declared with `work()` on every instance.
 */
export function createJobService(kernel: Kernel, options: JobServiceOptions = {}) {
  const { database, config } = kernel;
  const log = options.log ?? silent;
  const pollIntervalMs = options.pollIntervalMs ?? config.jobs.pollIntervalMs;
  const shutdownGraceMs = options.shutdownGraceMs ?? config.jobs.shutdownGraceMs;
  const boss = createBoss(database, {
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? config.jobs.maintenanceIntervalSeconds,
    retentionDays: config.jobs.retentionDays,
    cronIntervalSeconds: options.cronIntervalSeconds ?? 30,
  });
  const queues = new Map<string, Queue>();
  const watchers = new Map<string, Set<JobWatcher>>();
  /** Schedules declared before start(), which need pg-boss's tables. */
  const pending: (() => Promise<void>)[] = [];
  let state: 'new' | 'started' | 'stopped' = 'new';

  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  // Emitted on the one instance that ran this round of maintenance.
  boss.on('maintenance', () => void pruneRuns(database.db, config.jobs.retentionDays).catch((error: unknown) => log.error({ err: error }, 'job runs not pruned')));

  const whenStarted = async (work: () => Promise<void>) => {
    if (state === 'started') await work();
    else pending.push(work);
  };

  async function createQueue(queue: Queue): Promise<void> {
    const { policy, retryLimit, retryDelaySeconds, retryBackoff, timeoutSeconds } = queue.options;
    const settings = { name: queue.name, policy, retryLimit, retryDelay: retryDelaySeconds, retryBackoff, expireInSeconds: timeoutSeconds };
    await boss.createQueue(queue.name, settings);
    // createQueue leaves an existing queue alone; the code's current settings win.
    await boss.updateQueue(queue.name, settings);
  }

  /**
   * Declares a queue and the handler that runs its jobs on this instance. Call it while the app
   * registers its plugins (every instance runs the same modules, hence the same workers).
   */
  function work<Data>(name: string, workOptions: WorkOptions, handler: JobHandler<Data>): void {
    if (queues.has(name)) throw new Error(`Job queue "${name}" already has a worker`);
    // Queues are created at start, under the migration lock (see start()).
    if (state !== 'new') throw new Error(`Declare job queue "${name}" while the app registers its plugins`);
    const checked = checkWorkOptions(name, workOptions);
    const runner = new QueueRunner({
      concurrency: checked.concurrency,
      pollIntervalMs,
      fetch: (limit) => boss.fetch(name, { batchSize: limit, includeMetadata: true }),
      run: (job, signal) => runAttempt({ boss, db: database.db, log }, handler as JobHandler, job, signal),
      onError: (error) => log.error({ err: error, queue: name }, 'job worker error'),
    });
    queues.set(name, { name, options: checked, runner });
  }

  /**
   * Adds a job in the caller's transaction: it exists, and workers hear of it, only if that
   * transaction commits. Answers its public id, or null when `singletonKey` kept it out.
   */
  async function enqueue(executor: Executor, queue: string, data: object, enqueueOptions: EnqueueOptions): Promise<string | null> {
    if (!queues.has(queue)) throw new Error(`Unknown job queue "${queue}": declare it with jobs.work() first`);
    const id = newJobUuid();
    const { startAfter, singletonKey, retryLimit, timeoutSeconds } = enqueueOptions;
    const created = await boss.send(queue, data, {
      id,
      db: bossDbOf(executor),
      priority: PRIORITY_VALUES[enqueueOptions.priority ?? 'normal'],
      // pg-boss validates every key present, even one set to undefined.
      ...(startAfter !== undefined && { startAfter }),
      ...(singletonKey !== undefined && { singletonKey }),
      ...(retryLimit !== undefined && { retryLimit }),
      ...(timeoutSeconds !== undefined && { expireInSeconds: timeoutSeconds }),
    });
    if (!created) {
      if (singletonKey !== undefined) return null;
      throw new Error(`Job queue "${queue}" is not created yet: enqueue once the app is ready`);
    }
    // Delayed jobs wake nobody: workers find them by polling once due.
    await insertRun(executor, { id, organizationId: enqueueOptions.organizationId, queue, createdBy: enqueueOptions.createdBy ?? null }, !startAfter);
    return publicJobId(id);
  }

  /** Runs `queue` on a cron schedule (5 fields, minute precision), one schedule per queue. */
  async function schedule(queue: string, cron: string, data: object = {}, scheduleOptions: ScheduleOptions = {}): Promise<void> {
    if (!queues.has(queue)) throw new Error(`Unknown job queue "${queue}": declare it with jobs.work() first`);
    const { timezone = 'UTC', priority = 'normal' } = scheduleOptions;
    await whenStarted(() => boss.schedule(queue, cron, data, { tz: timezone, priority: PRIORITY_VALUES[priority] }));
  }

  async function unschedule(queue: string): Promise<void> {
    await whenStarted(() => boss.unschedule(queue));
  }

  /**
   * Changes a job's state in pg-boss and announces it, in one transaction, with whatever `also`
   * writes (the audit entry of an API call). Answers the run as it now is; null when nothing changed.
   */
  async function transition(run: JobRun, change: (db: PgBoss.Db) => Promise<unknown>, status: string, also?: (tx: Tx, run: JobRun) => Promise<void>): Promise<JobRun | null> {
    return database.transaction(async (tx) => {
      if (affectedBy(await change(bossDbOf(tx))) === 0) return null;
      const announced = await announceStatus(tx, run.id, status);
      await also?.(tx, run);
      return { ...run, ...announced };
    });
  }

  const cancelRun = (run: JobRun, also?: (tx: Tx, run: JobRun) => Promise<void>) => transition(run, (db) => boss.cancel(run.queue, run.id, { db }), 'cancelled', also);

  /** Only a failed job changes (pg-boss retries nothing else); its workers are woken after commit. */
  async function retryRun(run: JobRun, also?: (tx: Tx, run: JobRun) => Promise<void>): Promise<JobRun | null> {
    const retried = await transition(run, (db) => boss.retry(run.queue, run.id, { db }), 'retrying', also);
    if (retried) await wakeWorkers(database.db, run.queue);
    return retried;
  }

  const runOf = async (jobId: string): Promise<JobRun | undefined> => {
    const uuid = jobUuidOf(jobId);
    return uuid ? findRun(database.db, uuid) : undefined;
  };

  /** Cancels a queued or running job (a running one sees its signal abort, on whichever instance). */
  async function cancel(jobId: string): Promise<boolean> {
    const run = await runOf(jobId);
    return run !== undefined && (await cancelRun(run)) !== null;
  }

  /** Sends a failed job (the dead letter) back to its queue for one more attempt. */
  async function retry(jobId: string): Promise<boolean> {
    const run = await runOf(jobId);
    return run !== undefined && (await retryRun(run)) !== null;
  }

  /** Writes the audit entry of an API caller's action on a job, in the transaction of the change. */
  const audited = (actor: Actor, origin: RequestOrigin, action: string) => (tx: Tx, run: JobRun) =>
    recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'job', resourceId: publicJobId(run.id), metadata: { queue: run.queue } });

  /** The run of a job the caller may read (the rule of read()); 404 otherwise. */
  async function visibleRun(actor: Actor, jobId: string): Promise<JobRun> {
    const run = await runOf(jobId);
    if (!run || !visibleTo(actor, run)) throw notFound('JOB_NOT_FOUND');
    return run;
  }

  /** The job behind a run as the API shows it; 404 once pg-boss no longer has it. */
  async function snapshotOrNotFound(run: JobRun): Promise<JobSnapshot> {
    const snapshot = await snapshotOf(run);
    if (!snapshot) throw notFound('JOB_NOT_FOUND');
    return snapshot;
  }

  /**
   * cancel() for an API caller: only a job they may read (404 otherwise, like read()), 409 once it
   * reached a final state; audited. Answers the job as it is now. The job is read once, after the
   * change: what it then is answers, or says why nothing changed.
   */
  async function cancelAs(actor: Actor, origin: RequestOrigin, jobId: string): Promise<JobView> {
    const run = await visibleRun(actor, jobId);
    const cancelled = await cancelRun(run, audited(actor, origin, 'job.cancelled'));
    const { view } = await snapshotOrNotFound(cancelled ?? run);
    if (!cancelled) throw conflict('JOB_NOT_CANCELLABLE', { params: { status: view.status } });
    return view;
  }

  /**
   * retry() for an API caller: only a `failed` job they may read (404 if they may not, 409 in any
   * other state, and for a failed job pg-boss already archived); audited. Read once, like cancelAs.
   */
  async function retryAs(actor: Actor, origin: RequestOrigin, jobId: string): Promise<JobView> {
    const run = await visibleRun(actor, jobId);
    const retried = await retryRun(run, audited(actor, origin, 'job.retried'));
    const { view } = await snapshotOrNotFound(retried ?? run);
    if (!retried) {
      // Still failed, yet pg-boss changed nothing: it is in pgboss.archive, which retry() does not reach.
      throw conflict('JOB_NOT_RETRYABLE', view.status === 'failed' ? { detailKey: 'problem.JOB_NOT_RETRYABLE.archived' } : { params: { status: view.status } });
    }
    return view;
  }

  /** The jobs the caller may read (the rule of read()), a page at a time. */
  function list(actor: Actor, query: ListJobsQuery): Promise<Page<JobView>> {
    return listJobs(database, kernel.cursors, actor, query);
  }

  /** The job behind a run, as the API shows it; null once pg-boss no longer has it. */
  async function snapshotOf(run: JobRun): Promise<JobSnapshot | null> {
    const job = await boss.getJobById<unknown>(run.queue, run.id, { includeArchive: true });
    return job ? { view: presentJob(run, job), version: run.version } : null;
  }

  /**
   * A job the caller may read: one of their organization's, and one they started unless they hold
   * `job:read_all`. Anything else answers 404, exactly like an unknown id.
   */
  async function read(actor: Actor, jobId: string): Promise<JobSnapshot> {
    return snapshotOrNotFound(await visibleRun(actor, jobId));
  }

  /** The current state of a job already authorized by read() (event streams read it again on changes). */
  async function reread(jobId: string): Promise<JobSnapshot | null> {
    const run = await runOf(jobId);
    return run ? snapshotOf(run) : null;
  }

  /** Calls `watcher` with every notice about this job, from any instance; returns the unsubscribe. */
  function watch(jobId: string, watcher: JobWatcher): () => void {
    const uuid = jobUuidOf(jobId);
    if (!uuid) return () => {};
    const set = watchers.get(uuid) ?? new Set();
    watchers.set(uuid, set.add(watcher));
    return () => {
      set.delete(watcher);
      if (set.size === 0 && watchers.get(uuid) === set) watchers.delete(uuid);
    };
  }

  function onNotification(payload: string | null): void {
    if (payload === null) {
      for (const set of watchers.values()) for (const watcher of set) watcher(null);
      return;
    }
    const notice = parseNotice(payload);
    if (!notice) return;
    if (notice.kind === 'enqueued') {
      queues.get(notice.queue)?.runner.wake();
      return;
    }
    if (notice.kind === 'status' && notice.status === 'cancelled') {
      for (const queue of queues.values()) queue.runner.interrupt(notice.id, new JobInterruption('cancelled', 'Cancelled'));
    }
    for (const watcher of watchers.get(notice.id) ?? []) watcher(notice);
  }

  /**
   * Starts pg-boss, which installs or upgrades its schema, and creates the declared queues (each a
   * new partition of pgboss.job): under our migration lock, since pg-boss's own lock does not stop
   * instances starting together from colliding (on CREATE SCHEMA, or in a deadlock on the job table).
   * Then starts the workers.
   */
  async function start(): Promise<void> {
    if (state !== 'new') return;
    await database.exclusive(async () => {
      await boss.start();
      for (const queue of queues.values()) await createQueue(queue);
    });
    await database.listen(JOBS_CHANNEL, onNotification);
    state = 'started';
    for (const work of pending.splice(0)) await work();
    for (const queue of queues.values()) queue.runner.start();
  }

  /** Stops the workers (running jobs get JOBS_SHUTDOWN_GRACE_MS to finish), then pg-boss. */
  async function stop(): Promise<void> {
    if (state !== 'started') {
      state = 'stopped';
      return;
    }
    state = 'stopped';
    await Promise.all([...queues.values()].map((queue) => queue.runner.stop(shutdownGraceMs)));
    await boss.stop({ graceful: false, close: false });
  }

  return { work, enqueue, schedule, unschedule, cancel, retry, cancelAs, retryAs, list, read, reread, watch, start, stop };
}

export type JobService = ReturnType<typeof createJobService>;
