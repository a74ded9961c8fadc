import { and, count, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../audit/audit';
import type { Actor } from '../auth/actor';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import { assertVersion } from '../http/etag';
import { paginate } from '../http/pagination';
import { notFound, ProblemError, validationFailed } from '../http/problem';
import type { Kernel } from '../kernel';
import type { CreateWebhookBody, ListWebhooksQuery, UpdateWebhookBody, WebhookEndpoint, WebhookEndpointWithSecret } from './schemas';
import { generateSecret } from './signing';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './tables';
import { assertPublicTarget, TargetRefused, urlProblem } from './target';

type Row = typeof webhookEndpoints.$inferSelect;

const SECRET_PURPOSE = 'webhook-secret';
const ROTATION_OVERLAP_MS = 24 * 3600_000;
export const MAX_ENDPOINTS_PER_ORGANIZATION = 50;

export const presentEndpoint = (row: Row): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.eventTypes,
  enabled: row.enabled,
  disabled_reason: row.disabledReason,
  failing_since: row.failingSince?.toISOString() ?? null,
  previous_secret_expires_at: row.previousSecretExpiresAt?.toISOString() ?? null,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/** The secrets that sign now: the current one, and the previous one during a rotation's overlap. */
export function signingSecrets(kernel: Kernel, row: Row, now: Date): string[] {
  const current = kernel.secrets.decrypt(SECRET_PURPOSE, row.secretSealed);
  const overlapping = row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now;
  return overlapping ? [current, kernel.secrets.decrypt(SECRET_PURPOSE, row.previousSecretSealed!)] : [current];
}

const scoped = (actor: Actor, id: string) => and(eq(webhookEndpoints.organizationId, actor.organizationId), eq(webhookEndpoints.id, id));

/** The endpoint CRUD of /api/v1/webhooks; every change is audited in its transaction. */
export function endpointService(kernel: Kernel) {
  const allowPrivate = () => kernel.config.webhooks.allowPrivateTargets;

  async function checkUrl(url: string) {
    const problem = urlProblem(url);
    if (problem) throw validationFailed([{ field: 'url', message: `The URL is not accepted: ${problem}.` }]);
    try {
      await assertPublicTarget(url, allowPrivate());
    } catch (error) {
      if (!(error instanceof TargetRefused)) throw error;
      throw validationFailed([{ field: 'url', message: `The URL is not accepted: ${error.message}.` }]);
    }
  }

  async function load(tx: Executor, actor: Actor, id: string, lock = false): Promise<Row> {
    const query = tx.select().from(webhookEndpoints).where(scoped(actor, id));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound('WEBHOOK_NOT_FOUND');
    return row;
  }

  const audit = (tx: Executor, origin: RequestOrigin, actor: Actor, action: string, id: string, metadata: Record<string, unknown> = {}) =>
    recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'webhook_endpoint', resourceId: id, metadata });

  return {
    load,

    async create(tx: Executor, origin: RequestOrigin, actor: Actor, input: CreateWebhookBody): Promise<WebhookEndpointWithSecret> {
      await checkUrl(input.url);
      const [existing] = await tx.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.organizationId, actor.organizationId));
      if ((existing?.n ?? 0) >= MAX_ENDPOINTS_PER_ORGANIZATION) throw new ProblemError(409, 'WEBHOOK_LIMIT_REACHED', { params: { max: MAX_ENDPOINTS_PER_ORGANIZATION } });
      const secret = generateSecret();
      const now = kernel.now();
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({
          id: newId('whk'),
          organizationId: actor.organizationId,
          url: input.url,
          description: input.description ?? '',
          eventTypes: input.events,
          enabled: input.enabled ?? true,
          secretSealed: kernel.secrets.encrypt(SECRET_PURPOSE, secret),
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await audit(tx, origin, actor, 'webhook.created', row!.id, { url: input.url, events: input.events });
      return { ...presentEndpoint(row!), secret };
    },

    async list(tx: Executor, actor: Actor, query: ListWebhooksQuery) {
      const t = webhookEndpoints;
      const page = await paginate({
        executor: tx,
        table: t,
        where: and(eq(t.organizationId, actor.organizationId), query.enabled === undefined ? undefined : eq(t.enabled, query.enabled)),
        sortColumns: { created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(presentEndpoint) };
    },

    async get(tx: Executor, actor: Actor, id: string): Promise<WebhookEndpoint> {
      return presentEndpoint(await load(tx, actor, id));
    },

    async update(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, input: UpdateWebhookBody, expectedVersion?: number[]): Promise<WebhookEndpoint> {
      if (input.url !== undefined) await checkUrl(input.url);
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      const reenabled = input.enabled === true && !current.enabled;
      const [row] = await tx
        .update(webhookEndpoints)
        .set({
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.events !== undefined ? { eventTypes: input.events } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(reenabled ? { disabledReason: null, failingSince: null } : {}),
          version: sql`${webhookEndpoints.version} + 1`,
          updatedAt: kernel.now(),
        })
        .where(scoped(actor, id))
        .returning();
      await audit(tx, origin, actor, 'webhook.updated', id, { fields: Object.keys(input) });
      return presentEndpoint(row!);
    },

    async remove(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]): Promise<void> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      await tx.delete(webhookEndpoints).where(scoped(actor, id));
      // Its history goes with it; pending deliveries would only fail.
      const deliveries = tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id));
      await tx.delete(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveries));
      await tx.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id));
      await audit(tx, origin, actor, 'webhook.deleted', id, { url: current.url });
    },

    /** A new secret; the old one keeps signing for 24 h so receivers can switch without losing events. */
    async rotateSecret(tx: Executor, origin: RequestOrigin, actor: Actor, id: string) {
      const current = await load(tx, actor, id, true);
      const secret = generateSecret();
      const now = kernel.now();
      const expiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      await tx
        .update(webhookEndpoints)
        .set({ secretSealed: kernel.secrets.encrypt(SECRET_PURPOSE, secret), previousSecretSealed: current.secretSealed, previousSecretExpiresAt: expiresAt, version: sql`${webhookEndpoints.version} + 1`, updatedAt: now })
        .where(scoped(actor, id));
      await audit(tx, origin, actor, 'webhook.secret_rotated', id);
      return { secret, previous_secret_expires_at: expiresAt.toISOString() };
    },
  };
}

/** The organization's enabled webhook endpoints: its live integrations. */
export async function countEnabledEndpoints(executor: Executor, organizationId: string): Promise<number> {
  const [row] = await executor
    .select({ n: sql<number>`count(*)::int` })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.organizationId, organizationId), eq(webhookEndpoints.enabled, true)));
  return row?.n ?? 0;
}
