import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../audit/audit';
import { registerMessages } from '../i18n/index';
import type { createJobEventStreams } from './event-stream';
import { Job, JobEventStream, JobPage, JobParams, ListJobsQuery } from './schemas';
import type { JobService } from './service';

registerMessages({
  en: {
    'problem.JOB_NOT_FOUND.title': 'Job not found',
    'problem.JOB_NOT_FOUND.detail': 'No job with this id exists that you can see.',
    'problem.JOB_NOT_CANCELLABLE.title': 'Job cannot be cancelled',
    'problem.JOB_NOT_CANCELLABLE.detail': 'The job is already {status}: only queued, running or retrying jobs can be cancelled.',
    'problem.JOB_NOT_RETRYABLE.title': 'Job cannot be retried',
    'problem.JOB_NOT_RETRYABLE.detail': 'The job is {status}: only failed jobs can be retried.',
    'problem.JOB_NOT_RETRYABLE.archived': 'The job failed more than 12 hours ago and was archived: it can no longer be retried.',
  },
  km: {
    'problem.JOB_NOT_FOUND.title': 'រកមិនឃើញការងារ',
    'problem.JOB_NOT_FOUND.detail': 'គ្មានការងារដែលមានលេខសម្គាល់នេះដែលអ្នកអាចមើលបានទេ។',
    'problem.JOB_NOT_CANCELLABLE.title': 'មិនអាចបោះបង់ការងារបានទេ',
    'problem.JOB_NOT_CANCELLABLE.detail': 'ការងារនេះស្ថិតក្នុងស្ថានភាព {status} រួចហើយ៖ មានតែការងារដែលកំពុងរង់ចាំ កំពុងដំណើរការ ឬកំពុងព្យាយាមម្តងទៀតប៉ុណ្ណោះដែលអាចបោះបង់បាន។',
    'problem.JOB_NOT_RETRYABLE.title': 'មិនអាចដំណើរការការងារម្តងទៀតបានទេ',
    'problem.JOB_NOT_RETRYABLE.detail': 'ការងារនេះស្ថិតក្នុងស្ថានភាព {status}៖ មានតែការងារដែលបរាជ័យប៉ុណ្ណោះដែលអាចដំណើរការម្តងទៀតបាន។',
    'problem.JOB_NOT_RETRYABLE.archived': 'ការងារនេះបានបរាជ័យលើសពី 12 ម៉ោងមុន ហើយត្រូវបានទុកក្នុងបណ្ណសារ៖ វាមិនអាចដំណើរការម្តងទៀតបានទៀតទេ។',
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

  app.post(
    '/jobs/:id/cancel',
    {
      config: { permission: 'job:cancel' },
      schema: {
        tags,
        summary: 'Cancel a queued, running or retrying job',
        description: 'A running job sees its signal abort on whichever instance runs it. 409 `JOB_NOT_CANCELLABLE` once the job is completed, failed or cancelled.',
        params: JobParams,
        response: { 200: Job },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await jobs.cancelAs(request.actor!, originOf(request), request.params.id)),
  );

  app.post(
    '/jobs/:id/retry',
    {
      config: { permission: 'job:retry' },
      schema: {
        tags,
        summary: 'Send a failed job back to its queue for one more attempt',
        description: 'Answers 202 with the job, now `retrying`; follow it with `GET /jobs/{id}` or its events. 409 `JOB_NOT_RETRYABLE` unless the job is `failed`.',
        params: JobParams,
        response: { 202: Job },
      },
    },
    async (request, reply) => reply.code(202).header('cache-control', 'no-store').send(await jobs.retryAs(request.actor!, originOf(request), request.params.id)),
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
