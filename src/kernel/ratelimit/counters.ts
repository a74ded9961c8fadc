import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import cluster from 'node:cluster';
import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
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

/**
 * Call in the primary of a node:cluster (WEB_CONCURRENCY above 1) before forking: without Redis,
 * the workers' counters then live in the primary's memory, so a client's budget is the same
 * whichever worker its connections land on.
 */
export function shareCountersWithWorkers(): void {
  new RateLimiterClusterMaster();
}

/**
 * In memory on one instance; in Redis when REDIS_URL is set, with memory as insurance while it is
 * away; in a cluster worker without Redis, in the primary's memory (IPC), with this worker's
 * memory as insurance should the primary not answer.
 */
export async function openCounters(options: CounterOptions): Promise<Counters> {
  const redis = options.redisUrl ? await connectRedis(options.redisUrl, options.keyPrefix, options.log) : undefined;
  const limiters = new Map<PolicyName, { shared: RateLimiterAbstract; local: RateLimiterMemory }>();
  for (const policy of Object.values(options.policies)) {
    const shape = { keyPrefix: `${options.keyPrefix}:${policy.name}`, points: COUNT_ONLY, duration: policy.durationSeconds };
    const local = new RateLimiterMemory(shape);
    let shared: RateLimiterAbstract = local;
    // rejectIfRedisNotReady: while Redis is away, go to the insurance at once instead of waiting.
    if (redis) shared = new RateLimiterRedis({ ...shape, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: local });
    else if (cluster.isWorker) shared = new RateLimiterCluster({ ...shape, timeoutMs: 500 });
    limiters.set(policy.name, { shared, local });
  }
  return {
    async consume(policy, key) {
      const { shared, local } = limiters.get(policy.name)!;
      const result = await shared.consume(key).catch((error: unknown) => {
        // The primary did not answer in time (counting only: no RateLimiterRes rejection): count here.
        if (shared instanceof RateLimiterCluster && !(error instanceof RateLimiterRes)) return local.consume(key);
        throw error;
      });
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
