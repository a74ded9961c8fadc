import { escapeLike } from '../db/like';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { and, eq, gte, like, lt } from 'drizzle-orm';
import { listQuerySchema, pageSchema, paginate } from '../http/pagination';
import { outboxEvents } from './tables';

/** How long events stay listed (and kept: the webhook poller prunes older ones). */
export const EVENT_RETENTION_MS = 30 * 86_400_000;

const Event = Type.Object(
  {
    id: Type.String({ examples: ['evt_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    type: Type.String({ examples: ['user.registered'] }),
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'The resource as the API returns it.' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Event', additionalProperties: false },
);

const ListEventsQuery = listQuerySchema(
  ['created_at'],
  {
    type: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?$', maxLength: 100, description: '`user.registered`, or `user.*` for every user event.' })),
    created_after: Type.Optional(Type.String({ format: 'date-time', description: 'At or after this instant.' })),
    created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Strictly before this instant.' })),
  },
  '-created_at',
);
type ListEventsQuery = Static<typeof ListEventsQuery>;

/** GET /api/v1/events: the organization's domain events of the last 30 days. */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app;
  app.get(
    '/events',
    { config: { permission: 'event:read', rateLimit: 'admin' }, schema: { tags: ['events'], summary: 'List domain events (30 days)', querystring: ListEventsQuery, response: { 200: pageSchema(Event) } } },
    async (request) => {
      const query: ListEventsQuery = request.query;
      const t = outboxEvents;
      const oldest = new Date(kernel.now().getTime() - EVENT_RETENTION_MS);
      const after = query.created_after && new Date(query.created_after) > oldest ? new Date(query.created_after) : oldest;
      const type = query.type?.endsWith('.*') ? like(t.type, `${escapeLike(query.type.slice(0, -1))}%`) : query.type ? eq(t.type, query.type) : undefined;
      const page = await paginate({
        executor: kernel.database.db,
        table: t,
        where: and(eq(t.organizationId, request.actor!.organizationId), type, gte(t.createdAt, after), query.created_before ? lt(t.createdAt, new Date(query.created_before)) : undefined),
        sortColumns: { created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map((e) => ({ id: e.id, type: e.type, data: e.data, created_at: e.createdAt.toISOString() })) };
    },
  );
};
