import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import cluster from 'node:cluster';
import type { LoggerOptions } from 'pino';

const SECRET_FIELDS = [
  'password', 'new_password', 'current_password', 'old_password', 'confirm_password',
  'token', 'access_token', 'refresh_token', 'id_token', 'secret', 'api_key', 'client_secret',
  'authorization', 'cookie', 'set-cookie', 'x-api-key', 'private_key', 'smtp_url', 'database_url',
];

const normalize = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
// Matched whatever the spelling: `smtp_url`, `smtpUrl` and `SMTP-URL` are one key.
const SECRET_KEYS = new Set([...SECRET_FIELDS, 'secret_key', 'key_hash', 'password_hash'].map(normalize));
const MAX_DEPTH = 4;

/**
 * A copy of a log object with every secret field censored, down to MAX_DEPTH levels. Runs only
 * when a line is written (pino's `formatters.log`), not for every request's child logger as
 * pino's path-based `redact` does.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEYS.has(normalize(key)) ? '[REDACTED]' : redactSecrets(item, depth + 1);
  }
  return copy;
}

const SECRET_QUERY = new RegExp(`([?&](?:${SECRET_FIELDS.map((f) => f.replace('-', '\\-')).join('|')}|key|code|signature)=)[^&]*`, 'gi');

/** Removes secret values from a URL's query string before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]');
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    // With WEB_CONCURRENCY above 1, which worker wrote the line.
    base: cluster.isWorker ? { service: 'deskbase', worker: cluster.worker!.id } : { service: 'deskbase' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }), log: (object) => redactSecrets(object) as Record<string, unknown> },
  };
}

/** One structured line per request: id, method, route template, status and duration. */
export const requestLogPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    // Building the line (and scanning the URL) is skipped when its level is off.
    // (Fastify's no-op logger, used when logging is off, has no isLevelEnabled.)
    if ((request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) === false) return;
    request.log[level](
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: redactUrl(request.url),
        status,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        ip: request.ip,
        user_agent: request.headers['user-agent'],
        actor: request.actor?.id,
      },
      'request completed',
    );
  });
});
