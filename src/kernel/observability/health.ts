import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { ProblemError } from '../http/problem';
import { VERSION } from '../version';

type Status = 'healthy' | 'degraded' | 'unhealthy';

const Identity = {
  timestamp: Type.String({ format: 'date-time' }),
  environment: Type.String(),
  service: Type.String(),
  version: Type.String(),
};
const Check = Type.Object({ status: Type.String(), message: Type.Optional(Type.String()) }, { additionalProperties: true });

/** CPU use of the whole machine between two calls (os.cpus() counters), as a percentage. */
function cpuSampler() {
  const totals = () =>
    os.cpus().reduce(
      (acc, cpu) => {
        const t = cpu.times;
        acc.idle += t.idle;
        acc.total += t.user + t.nice + t.sys + t.irq + t.idle;
        return acc;
      },
      { idle: 0, total: 0 },
    );
  let last = totals();
  let lastPercent = 0;
  return () => {
    const now = totals();
    const total = now.total - last.total;
    if (total > 0) {
      lastPercent = Math.round((1 - (now.idle - last.idle) / total) * 1000) / 10;
      last = now;
    }
    return lastPercent;
  };
}

/** Linux's MemAvailable counts reclaimable cache as available, unlike os.freemem(). */
function availableMemory(): number {
  try {
    const match = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Health endpoints of seed 003 §7, under /api/v1/health. Never rate-limited, never authenticated. */
export async function healthRoutes(app: FastifyInstance) {
  const { config, database } = app.kernel;
  const started = Date.now();
  const cpuPercent = cpuSampler();
  const identity = () => ({
    timestamp: app.kernel.now().toISOString(),
    environment: config.env,
    service: 'deskbase',
    version: VERSION,
  });
  const memory = () => {
    const total = os.totalmem();
    const free = availableMemory();
    return { usage_percent: round1(((total - free) / total) * 100), available_mb: round1(free / 1048576) };
  };
  const disk = async () => {
    const stats = await statfs(config.dataDir).catch(() => statfs('.'));
    return { usage_percent: round1((1 - stats.bavail / stats.blocks) * 100) };
  };
  const databaseCheck = async () => {
    try {
      return { connected: true, response_time_ms: await database.ping() };
    } catch {
      return { connected: false, response_time_ms: null };
    }
  };
  const tags = ['health'];

  app.get('/', {
    schema: { tags, summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('healthy'), ...Identity }) } },
  }, async () => ({ status: 'healthy' as const, ...identity() }));

  app.get('/ready', {
    schema: {
      tags,
      summary: 'Readiness: the database answers and every migration is applied',
      description: 'Fails with 503 problem+json (listing the failing checks) while migrations are pending or the database is unreachable.',
      response: { 200: Type.Object({ status: Type.Literal('ready'), ...Identity }) },
    },
  }, async () => {
    const reasons: string[] = [];
    try {
      const pending = await database.pendingMigrations();
      if (pending.length > 0) reasons.push(`${pending.length} pending migration(s)`);
    } catch {
      reasons.push('database unreachable');
    }
    if (reasons.length > 0) {
      throw new ProblemError(503, 'SERVICE_UNAVAILABLE', {
        detailKey: 'problem.NOT_READY.detail',
        params: { reasons: reasons.join(', ') },
        headers: { 'retry-after': '5' },
        extensions: { health_status: 'not_ready', reasons },
      });
    }
    return { status: 'ready' as const, ...identity() };
  });

  app.get('/detailed', {
    schema: {
      tags,
      summary: 'Every component with its state',
      response: {
        200: Type.Object({
          status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded'), Type.Literal('unhealthy')]),
          ...Identity,
          uptime_seconds: Type.Number(),
          checks: Type.Record(Type.String(), Check),
        }),
      },
    },
  }, async () => {
    const [db, diskUse] = await Promise.all([databaseCheck(), disk()]);
    const mem = memory();
    const cpu = cpuPercent();
    const level = (value: number, warn: number, fail: number): Status => (value >= fail ? 'unhealthy' : value >= warn ? 'degraded' : 'healthy');
    const configurationChecks = [
      { name: 'database', status: 'passed', message: database.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite' },
      { name: 'smtp', status: config.smtpUrl ? 'passed' : 'warning', message: config.smtpUrl ? 'SMTP configured' : 'SMTP_URL not set: mail goes to the development mailbox' },
      { name: 'secret_key', status: config.secretKey ? 'passed' : 'warning', message: config.secretKey ? 'SECRET_KEY set' : 'generated key in DATA_DIR: set SECRET_KEY when running several instances' },
      { name: 'public_url', status: config.publicUrl.startsWith('https://') || config.env !== 'production' ? 'passed' : 'warning', message: config.publicUrl },
    ];
    const checks = {
      api: { status: 'healthy', message: 'API is operational' },
      database: db.connected
        ? { status: 'healthy', message: 'Database connection available', response_time_ms: db.response_time_ms, type: database.kind }
        : { status: 'unhealthy', message: 'Database unreachable', type: database.kind },
      memory: { status: level(mem.usage_percent, 90, 98), ...mem },
      cpu: { status: level(cpu, 90, 101), usage_percent: cpu },
      disk: { status: level(diskUse.usage_percent, 90, 98), ...diskUse },
      configuration: { status: configurationChecks.some((c) => c.status !== 'passed') ? 'warning' : 'passed', checks: configurationChecks },
    };
    const states = Object.values(checks).map((c) => c.status);
    const status: Status = states.includes('unhealthy') ? 'unhealthy' : states.includes('degraded') ? 'degraded' : 'healthy';
    const uptime = round1((Date.now() - started) / 1000);
    if (status === 'unhealthy') {
      throw new ProblemError(503, 'SERVICE_UNAVAILABLE', { extensions: { health_status: status, uptime_seconds: uptime, checks } });
    }
    return { status, ...identity(), uptime_seconds: uptime, checks };
  });

  app.get('/db', {
    schema: {
      tags,
      summary: 'Database round trip',
      response: {
        200: Type.Object({ status: Type.Literal('healthy'), timestamp: Type.String({ format: 'date-time' }), database_type: Type.String(), connected: Type.Boolean(), response_time_ms: Type.Number() }),
      },
    },
  }, async () => {
    const check = await databaseCheck();
    const databaseType = database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded PostgreSQL)';
    if (!check.connected) {
      throw new ProblemError(503, 'SERVICE_UNAVAILABLE', { headers: { 'retry-after': '5' }, extensions: { database_type: databaseType, connected: false } });
    }
    return { status: 'healthy' as const, timestamp: identity().timestamp, database_type: databaseType, connected: true, response_time_ms: check.response_time_ms ?? 0 };
  });

  app.get('/system', {
    schema: {
      tags,
      summary: 'CPU, memory and disk use',
      response: {
        200: Type.Object({
          status: Type.String(),
          timestamp: Type.String({ format: 'date-time' }),
          cpu_usage_percent: Type.Number(),
          memory_usage_percent: Type.Number(),
          disk_usage_percent: Type.Number(),
          available_memory_mb: Type.Number(),
        }),
      },
    },
  }, async () => {
    const mem = memory();
    const diskUse = await disk();
    const cpu = cpuPercent();
    const worst = Math.max(mem.usage_percent, diskUse.usage_percent);
    return {
      status: worst >= 98 ? 'unhealthy' : worst >= 90 ? 'degraded' : 'healthy',
      timestamp: identity().timestamp,
      cpu_usage_percent: cpu,
      memory_usage_percent: mem.usage_percent,
      disk_usage_percent: diskUse.usage_percent,
      available_memory_mb: mem.available_mb,
    };
  });
}
