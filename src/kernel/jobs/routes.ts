import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { registerMessages } from '../i18n/index';
import type { createJobEventStreams } from './event-stream';
import { Job, JobEventStream, JobPage, JobParams, ListJobsQuery } from './schemas';
import type { JobService } from './service';

registerMessages({
  en: {
    'problem.JOB_NOT_FOUND.title': 'Job not found',
    'problem.JOB_NOT_FOUND.detail': 'No job with this id exists that you can see.',
  },
  km: {
    'problem.JOB_NOT_FOUND.title': 'រកមិនឃើញការងារ',
    'problem.JOB_NOT_FOUND.detail': 'គ្មានការងារដែលមានលេខសម្គាល់នេះដែលអ្នកអាចមើលបានទេ។',
  },
});

export interface JobRoutesOptions {
  jobs: JobService;
  streams: ReturnType<typeof createJobEventStreams>;
}

/** Status and progress of long-running work, under /api/v1/jobs. */
export const jobRoutes: FastifyPluginAsyncTypebox<JobRoutesOptions> = async (app, { jobs, streams }) => {
  const tags = ['jobs'];
  const config = { permission: 'job:read' };

  app.get(
    '/jobs',
    {
      config,
      schema: {
        tags,
        summary: "List the organization's jobs you may read, newest first",
        description: 'Your own jobs; every job of the organization with `job:read_all`. Filters combine with AND; repeated `status` values with OR.',
        querystring: ListJobsQuery,
        response: { 200: JobPage },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await jobs.list(request.actor!, request.query)),
  );

  app.get(
    '/jobs/:id',
    { config, schema: { tags, summary: 'Get a job: status, progress, result or error', params: JobParams, response: { 200: Job } } },
    async (request, reply) => {
      const { view } = await jobs.read(request.actor!, request.params.id);
      // A running job changes from one second to the next: never cache it.
      return reply.header('cache-control', 'no-store').send(view);
    },
  );

  app.get(
    '/jobs/:id/events',
    {
      config,
      // Compressing would buffer the events; the stream is small anyway.
      compress: false,
      schema: { tags, summary: "Stream a job's progress (server-sent events)", params: JobParams, response: { 200: JobEventStream } },
    },
    async (request, reply) => {
      const snapshot = await jobs.read(request.actor!, request.params.id);
      return reply
        .type('text/event-stream; charset=utf-8')
        .header('cache-control', 'no-store')
        // Tells nginx-style proxies not to buffer the stream.
        .header('x-accel-buffering', 'no')
        .send(streams.stream(snapshot));
    },
  );
};
