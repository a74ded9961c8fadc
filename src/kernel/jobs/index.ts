import fp from 'fastify-plugin';
import { createJobEventStreams } from './event-stream';
import { jobRoutes } from './routes';
import { createJobService, type JobService, type JobServiceOptions } from './service';

export type { JobService, JobServiceOptions } from './service';
export type { EnqueueOptions, JobContext, JobHandler, JobPriority, JobStatus, JobView, ScheduleOptions, WorkOptions } from './types';

export interface JobsPluginOptions extends JobServiceOptions {
  /** Interval of SSE heartbeats (default 15 s; tests shorten it). */
  heartbeatMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobService;
  }
}

/**
 * Decorates the app with `jobs` (the queue every module uses), starts pg-boss and the workers once
 * the app is ready, stops them before the database closes, and serves /api/v1/jobs.
 * Register it before the modules, which declare their queues with `app.jobs.work()`.
 */
export const jobsPlugin = fp<JobsPluginOptions>(
  async (app, options) => {
    const jobs = createJobService(app.kernel, { log: app.log, ...options });
    const streams = createJobEventStreams(jobs, { heartbeatMs: options.heartbeatMs, onError: (error) => app.log.error({ err: error }, 'job event stream failed') });
    app.decorate('jobs', jobs);
    app.addHook('onReady', async () => jobs.start());
    // preClose runs while in-flight requests drain and before the database closes (onClose):
    // open streams would hold the server open, running jobs need the database to finish.
    app.addHook('preClose', async () => {
      streams.closeAll();
      await jobs.stop();
    });
    await app.register(jobRoutes, { prefix: '/api/v1', jobs, streams });
  },
  { name: 'deskbase-jobs' },
);
