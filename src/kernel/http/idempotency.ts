import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hash } from 'node:crypto';
import { idempotencyKeys } from '../db/tables';
import { sha256Hex } from '../digest';
import { ProblemError } from './problem';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: { scope: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /** Set false on a POST whose response must never be stored (it carries secrets). */
    idempotency?: boolean;
  }
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

function scopeOf(request: FastifyRequest): string {
  const actor = request.actor;
  return actor ? `${actor.organizationId}:${actor.id}` : `anonymous:${request.ip}`;
}

function hashOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  return sha256Hex(`${request.method} ${path}\n${JSON.stringify(request.body ?? null)}`);
}

/**
 * The same text on every retry of a request that carries the same Idempotency-Key (from the same
 * caller), null without one. Services hand it to outside providers as their own idempotency key:
 * when our transaction fails after a provider acted, the retry (which the 5xx allows) makes the
 * provider answer its first result instead of acting twice.
 */
export function operationKey(request: FastifyRequest): string | null {
  const claim = request.idempotencyClaim;
  if (!claim) return null;
  return hash('sha256', `${claim.scope}\n${request.method} ${request.url.split('?')[0]}\n${claim.key}`, 'base64url').slice(0, 32);
}

/**
 * Idempotency-Key on POST (Stripe's semantics): the first request claims the key, its response
 * (2xx and 4xx) is stored for 24 h and replayed for the same key and body; the same key with a
 * different body is 422; a key still being processed is 409; a 5xx releases the key for a retry.
 */
export const idempotencyPlugin = fp(async (app: FastifyInstance) => {
  const { db } = app.kernel.database;
  app.decorateRequest('idempotencyClaim', null);

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || request.routeOptions.config.idempotency === false) return;
    if (typeof key !== 'string' || !KEY_FORMAT.test(key)) {
      throw new ProblemError(400, 'INVALID_IDEMPOTENCY_KEY', {
        errors: [{ field: 'Idempotency-Key', message: request.t('validation.idempotency_key') }],
      });
    }
    const scope = scopeOf(request);
    const requestHash = hashOf(request);
    const now = app.kernel.now();
    // Expired keys are forgotten, so the claim below can succeed.
    await db
      .delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), lt(idempotencyKeys.createdAt, new Date(now.getTime() - IDEMPOTENCY_TTL_MS))));
    const claimed = await db
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, state: 'processing', createdAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length > 0) {
      request.idempotencyClaim = { scope, key };
      return;
    }
    const [stored] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    // Gone between our claim and this read (a 5xx released it): the caller may simply retry.
    if (!stored || stored.state !== 'completed' || stored.statusCode === null) {
      throw new ProblemError(409, 'CONFLICT', { detailKey: 'problem.IDEMPOTENCY_KEY_IN_USE.detail', headers: { 'retry-after': '1' } });
    }
    if (stored.requestHash !== requestHash) throw new ProblemError(422, 'IDEMPOTENCY_KEY_REUSED');
    reply.headers(stored.headers ?? {}).header('idempotent-replayed', 'true').code(stored.statusCode);
    return reply.send(stored.body ?? undefined);
  });

  // Registered before compression, so the payload here is still the serialized body.
  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    const where = and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.key, claim.key));
    const storable = reply.statusCode < 500 && reply.statusCode !== 429 && (payload === undefined || typeof payload === 'string');
    if (!storable) {
      await db.delete(idempotencyKeys).where(where);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await db
      .update(idempotencyKeys)
      .set({ state: 'completed', statusCode: reply.statusCode, headers, body: (payload as string | undefined) ?? null })
      .where(where);
    return payload;
  });
});

/** Deletes keys older than the 24 h window; returns how many. */
export async function purgeExpiredIdempotencyKeys(app: FastifyInstance): Promise<number> {
  const cutoff = new Date(app.kernel.now().getTime() - IDEMPOTENCY_TTL_MS);
  const deleted = await app.kernel.database.db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, cutoff))
    .returning({ key: idempotencyKeys.key });
  return deleted.length;
}
