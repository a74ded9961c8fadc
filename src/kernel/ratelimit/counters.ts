import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Policies, Policy, PolicyName } from './policies';

export interface Usage {
  /** Requests counted in the current window, this one included. */
  consumed: number;
  msBeforeReset: number;
}

/** Fixed-window request counters, one key space per policy. */
export interface Counters {
  consume(policy: Policy, key: string): Promise<Usage>;
  close(): Promise<void>;
}

// The limiters only count: the plugin compares with the caller's own limit, so one counter
// serves every tier, and a limiter never rejects on its own.
const COUNT_ONLY = Number.MAX_SAFE_INTEGER;

export interface CounterOptions {
  policies: Policies;
  /** Namespace of the keys; `<prefix>:<policy>:<ip:…|actor:…>`. */
  keyPrefix: string;
  redisUrl: string | undefined;
  log: FastifyBaseLogger;
}

/** In memory on one instance; in Redis when REDIS_URL is set, with memory as insurance while it is away. */
export async function openCounters(options: CounterOptions): Promise<Counters> {
  const redis = options.redisUrl ? await connectRedis(options.redisUrl, options.keyPrefix, options.log) : undefined;
  const limiters = new Map<PolicyName, RateLimiterAbstract>();
  for (const policy of Object.values(options.policies)) {
    const shape = { keyPrefix: `${options.keyPrefix}:${policy.name}`, points: COUNT_ONLY, duration: policy.durationSeconds };
    const memory = new RateLimiterMemory(shape);
    limiters.set(
      policy.name,
      // rejectIfRedisNotReady: while Redis is away, go to the insurance at once instead of waiting.
      redis ? new RateLimiterRedis({ ...shape, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory,
    );
  }
  return {
    async consume(policy, key) {
      const result = await limiters.get(policy.name)!.consume(key);
      return { consumed: result.consumedPoints, msBeforeReset: result.msBeforeNext };
    },
    async close() {
      if (!redis) return;
      // quit() waits for pending replies; it refuses when Redis is away, then just drop the socket.
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function connectRedis(url: string, name: string, log: FastifyBaseLogger): Promise<Redis> {
  const password = decodeURIComponent(new URL(url).password);
  const redacted = (text: string) => (password ? text.split(password).join('***') : text);
  const redis = new Redis(url, {
    connectionName: name,
    // Fail fast while Redis is away or slow, so the insurance counts instead of requests waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 500,
  });
  // One warning per outage (ioredis reports every reconnection attempt), never the URL: it may hold a password.
  let reachable = true;
  redis.on('error', (error: NodeJS.ErrnoException) => {
    if (!reachable) return;
    reachable = false;
    log.warn({ code: error.code, reason: redacted(error.message) }, 'rate limits: Redis unreachable, counting in memory on this instance');
  });
  redis.on('ready', () => {
    if (!reachable) log.info('rate limits: Redis reachable again, counting there');
    reachable = true;
  });
  await firstAttempt(redis, 2000);
  return redis;
}

/** Waits for the first connection attempt to end either way, so counting starts in Redis when it can. */
function firstAttempt(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done).off('error', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done).once('error', done);
  });
}
