import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../http/pagination';
import { QUEUE_NAME } from './types';

const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const STATUSES = ['queued', 'running', 'retrying', 'completed', 'failed', 'cancelled'] as const;

export const Job = Type.Object(
  {
    id: Type.String({ examples: ['job_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    queue: Type.String({ description: 'The kind of work, e.g. `identity.gdpr_export`.' }),
    status: Type.Union(STATUSES.map((s) => Type.Literal(s)), {
      description:
        '`queued`: waiting for `run_at` or a free worker; `retrying`: an attempt failed, the next one waits its backoff; ' +
        '`failed`: every attempt failed (the dead letter), `error` holds the last failure; `completed`, `cancelled`: final.',
    }),
    priority: Type.Union(['low', 'normal', 'high', 'urgent'].map((p) => Type.Literal(p))),
    progress: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent done, as last reported by the running attempt.' }),
    step: Nullable(Type.String({ description: 'What the running attempt is doing.' })),
    attempts: Type.Integer({ description: 'Attempts started so far.' }),
    max_attempts: Type.Integer(),
    result: Type.Unknown({ description: 'What the job produced (any JSON), once `completed`; null otherwise.' }),
    error: Type.Union([Type.Object({ message: Type.String() }, { additionalProperties: false }), Type.Null()], {
      description: 'The last failure, while `retrying` and once `failed`.',
    }),
    created_at: Timestamp,
    run_at: Type.String({ format: 'date-time', description: 'Not started before this instant (scheduled jobs, retries).' }),
    started_at: Nullable(Type.String({ format: 'date-time', description: 'Start of the latest attempt.' })),
    finished_at: Nullable(Type.String({ format: 'date-time', description: 'When it completed, failed for good or was cancelled.' })),
    updated_at: Timestamp,
  },
  { $id: 'Job', additionalProperties: false },
);

export const JobParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

export const ListJobsQuery = listQuerySchema(
  ['created_at'],
  {
    status: Type.Optional(
      Type.Array(Type.Union(STATUSES.map((s) => Type.Literal(s))), {
        minItems: 1,
        maxItems: STATUSES.length,
        description: 'Only jobs in this status; repeat the parameter for several (`status=queued&status=running`).',
      }),
    ),
    queue: Type.Optional(Type.String({ pattern: QUEUE_NAME.source, maxLength: 100, description: 'Only jobs of this queue, e.g. `identity.gdpr_export`.' })),
    created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after this instant.' })),
    created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Created strictly before this instant.' })),
  },
  '-created_at',
);
export type ListJobsQuery = Static<typeof ListJobsQuery>;

export const JobPage = pageSchema(Job);

export const JobEventStream = {
  description:
    'Server-sent events. Each connection starts with a `status` event holding the job as `GET /jobs/{id}` answers it; ' +
    'then `progress` events (same shape) as the job reports progress, `status` events on each state change, and a ' +
    '`: heartbeat` comment every 15 s. The stream ends after the final status (`completed`, `failed`, `cancelled`). ' +
    'Each event carries the job whole, so a reconnecting client loses nothing and needs no `Last-Event-ID`.',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
};
