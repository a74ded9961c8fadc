import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from '../http/problem';
import { openCounters } from './counters';
import { configuredLimit, keyOf, policiesFrom, policyNameOf, type LimitFor, type Policy, type PolicyName } from './policies';

export { withTierMultipliers, type LimitFor, type Policy, type PolicyName } from './policies';

export interface RateLimitRegistry {
  /** Replaces how a caller's budget is computed, e.g. `withTierMultipliers(...)` (docs/rate-limits.md). */
  useLimitFor(limitFor: LimitFor): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimitRegistry;
  }
  interface FastifyContextConfig {
    /** Policy that counts this route's requests; false: never limited. Unset under /api/v1: 'default'. */
    rateLimit?: PolicyName | false;
  }
}

export interface RateLimitOptions {
  /** Namespace of the counters (shared by every instance on one Redis); tests use a unique one. */
  keyPrefix?: string;
  /** Changes to the configured policies; tests shorten windows with it. */
  policies?: Partial<Record<PolicyName, Partial<Pick<Policy, 'limit' | 'durationSeconds'>>>>;
}

/**
 * Per-route request budgets (seed 003 §10.1) with the IETF `RateLimit-*` headers and 429 over
 * the limit. Registered after authPlugin: its onRequest hook runs once `request.actor` is known.
 */
export const rateLimitPlugin = fp<RateLimitOptions>(async (app: FastifyInstance, options) => {
  let limitFor: LimitFor = configuredLimit;
  // Decorated even when disabled, so a module may plug in its tiers unconditionally.
  app.decorate('rateLimits', {
    useLimitFor(value: LimitFor) {
      limitFor = value;
    },
  });
  const settings = app.kernel.config.rateLimit;
  if (!settings.enabled) return;

  const policies = policiesFrom(settings);
  for (const [name, change] of Object.entries(options.policies ?? {})) Object.assign(policies[name as PolicyName], change);
  const counters = await openCounters({
    policies,
    keyPrefix: options.keyPrefix ?? 'deskbase:ratelimit',
    redisUrl: app.kernel.config.redisUrl,
    log: app.log,
  });
  app.addHook('onClose', async () => counters.close());

  app.addHook('onRequest', async (request, reply) => {
    const name = policyNameOf(request);
    if (!name) return;
    const policy = policies[name];
    const [limit, usage] = await Promise.all([limitFor(policy, request.actor), counters.consume(policy, keyOf(policy, request))]);
    const resetSeconds = Math.max(1, Math.ceil(usage.msBeforeReset / 1000));
    reply.header('ratelimit-limit', limit);
    reply.header('ratelimit-remaining', Math.max(0, limit - usage.consumed));
    reply.header('ratelimit-reset', resetSeconds);
    if (usage.consumed > limit) {
      throw new ProblemError(429, 'RATE_LIMITED', { params: { seconds: resetSeconds }, headers: { 'retry-after': String(resetSeconds) } });
    }
  });
});
