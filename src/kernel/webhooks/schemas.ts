import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../http/pagination';

const Instant = Type.String({ format: 'date-time' });
const OptionalInstant = Type.Union([Instant, Type.Null()]);

/** `invoice.paid`, `invoice.*` or `*`. */
export const EVENT_PATTERN = '^(\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?)$';
const EventPattern = Type.String({ pattern: EVENT_PATTERN, maxLength: 100, examples: ['invoice.*', 'user.registered'] });

const endpointFields = {
  id: Type.String({ examples: ['whk_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String(), { description: 'Event types; `invoice.*` matches every invoice event, `*` every event.' }),
  enabled: Type.Boolean(),
  disabled_reason: Type.Union([Type.String(), Type.Null()], { description: 'Why the platform disabled it (410 Gone, five days of failures).' }),
  failing_since: Type.Union([Instant, Type.Null()], { description: 'First failed attempt since the last success.' }),
  previous_secret_expires_at: Type.Union([Instant, Type.Null()], { description: 'Until then the previous secret signs alongside the current one.' }),
  version: Type.Integer(),
  created_at: Instant,
  updated_at: Instant,
};

export const WebhookEndpoint = Type.Object(endpointFields, { $id: 'WebhookEndpoint', additionalProperties: false });
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const WebhookEndpointWithSecret = Type.Object(
  { ...endpointFields, secret: Type.String({ description: 'Shown once: keep it to verify signatures.', examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }) },
  { $id: 'WebhookEndpointWithSecret', additionalProperties: false },
);
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecret>;

const editable = {
  url: Type.String({ minLength: 8, maxLength: 2048 }),
  events: Type.Array(EventPattern, { minItems: 1, maxItems: 100, uniqueItems: true }),
  description: Type.String({ maxLength: 500 }),
  enabled: Type.Boolean({ description: 'Re-enabling an endpoint the platform disabled clears the reason.' }),
};

export const CreateWebhookBody = Type.Object(
  { url: editable.url, events: editable.events, description: Type.Optional(editable.description), enabled: Type.Optional(editable.enabled) },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Partial(Type.Object(editable), { additionalProperties: false, minProperties: 1 });
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

export const ListWebhooksQuery = listQuerySchema(['created_at'], { enabled: Type.Optional(Type.Boolean()) }, '-created_at');
export type ListWebhooksQuery = Static<typeof ListWebhooksQuery>;
export const WebhookEndpointPage = pageSchema(WebhookEndpoint);

export const RotatedSecret = Type.Object(
  { secret: Type.String(), previous_secret_expires_at: Instant },
  { additionalProperties: false, description: 'The new secret, shown once; the previous one keeps signing until `previous_secret_expires_at`.' },
);

const Attempt = Type.Object(
  {
    attempt: Type.Integer(),
    attempted_at: Instant,
    status_code: Type.Union([Type.Integer(), Type.Null()]),
    response_body: Type.Union([Type.String(), Type.Null()], { description: 'First 1 KB of the answer.' }),
    duration_ms: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
    succeeded: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ description: 'The `webhook-id` header of every attempt.' }),
    endpoint_id: Type.String(),
    event_id: Type.Union([Type.String(), Type.Null()]),
    event_type: Type.String(),
    status: DeliveryStatus,
    attempts: Type.Integer(),
    next_attempt_at: OptionalInstant,
    last_status_code: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Type.Union([Type.String(), Type.Null()]),
    created_at: Instant,
    completed_at: OptionalInstant,
    attempt_log: Type.Array(Attempt),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
);
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const ListDeliveriesQuery = listQuerySchema(['created_at'], { status: Type.Optional(DeliveryStatus) }, '-created_at');
export type ListDeliveriesQuery = Static<typeof ListDeliveriesQuery>;
export const WebhookDeliveryPage = pageSchema(WebhookDelivery);

export const WebhookParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const DeliveryParams = Type.Object({ id: Type.String({ maxLength: 64 }), delivery_id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
