import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import type { Actor } from '../auth/actor';

export type PolicyName = 'auth' | 'profile' | 'admin' | 'bulk' | 'upload' | 'default';

/** One request budget: `limit` requests per `durationSeconds`, counted per IP or per caller. */
export interface Policy {
  name: PolicyName;
  limit: number;
  durationSeconds: number;
  /** `ip`: always by client address (sign-in and the like happen before anyone is known). */
  keyBy: 'ip' | 'actor';
}

export type Policies = Record<PolicyName, Policy>;

/** Seed 003 §10.1 (and seed 004's upload budget), with the numbers from the configuration. */
export function policiesFrom(config: Config['rateLimit']): Policies {
  return {
    auth: { name: 'auth', limit: config.authPerMinute, durationSeconds: 60, keyBy: 'ip' },
    profile: { name: 'profile', limit: config.profilePerMinute, durationSeconds: 60, keyBy: 'actor' },
    admin: { name: 'admin', limit: config.adminPerMinute, durationSeconds: 60, keyBy: 'actor' },
    bulk: { name: 'bulk', limit: config.bulkPerHour, durationSeconds: 3600, keyBy: 'actor' },
    upload: { name: 'upload', limit: config.uploadPerHour, durationSeconds: 3600, keyBy: 'actor' },
    default: { name: 'default', limit: config.defaultPerMinute, durationSeconds: 60, keyBy: 'actor' },
  };
}

// Probes and tooling must answer even when a client is over its budget.
const NEVER_LIMITED = /^\/(?:api\/v1\/health|metrics|docs|openapi\.json)(?:\/|$)/;

/** The policy that counts this request, or null when it is not limited. */
export function policyNameOf(request: FastifyRequest): PolicyName | null {
  // Browsers send CORS preflights on their own; counting them would halve every budget.
  if (request.method === 'OPTIONS') return null;
  // The route template when a route matched (robust to odd URLs), the raw path for a 404.
  const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '/';
  if (NEVER_LIMITED.test(path)) return null;
  const declared = request.routeOptions.config.rateLimit;
  if (declared !== undefined) return declared || null;
  return path.startsWith('/api/v1/') ? 'default' : null;
}

/** Counter key within the policy's key space: the caller when known, else the client address. */
export function keyOf(policy: Policy, request: FastifyRequest): string {
  const actor = request.actor;
  return policy.keyBy === 'actor' && actor ? `actor:${actor.id}` : `ip:${request.ip}`;
}

/**
 * The budget of one caller under one policy. The default is the configured limit; an
 * organization's tier (standard, premium, enterprise) plugs in through `withTierMultipliers`.
 * It runs on every limited request: keep it cheap (cache any lookup).
 */
export type LimitFor = (policy: Policy, actor: Actor | null) => number | Promise<number>;

export const configuredLimit: LimitFor = (policy) => policy.limit;

/**
 * A LimitFor that multiplies the per-caller policies by the caller's tier (e.g.
 * `{ standard: 1, premium: 5, enterprise: 20 }`, seeds 000/004). Per-IP policies (sign-in) and
 * anonymous callers keep the configured limit: a tier belongs to an organization.
 */
export function withTierMultipliers(
  multipliers: Record<string, number>,
  tierOf: (actor: Actor) => string | undefined | Promise<string | undefined>,
): LimitFor {
  return async (policy, actor) => {
    if (!actor || policy.keyBy === 'ip') return policy.limit;
    const multiplier = multipliers[(await tierOf(actor)) ?? 'standard'] ?? 1;
    return Math.max(1, Math.round(policy.limit * multiplier));
  };
}
