import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { LoggerOptions } from 'pino';

const SECRET_FIELDS = [
  'password', 'new_password', 'current_password', 'old_password', 'confirm_password',
  'token', 'access_token', 'refresh_token', 'id_token', 'secret', 'api_key', 'client_secret',
  'authorization', 'cookie', 'set-cookie', 'x-api-key', 'private_key', 'smtp_url', 'database_url',
];

/** Paths pino censors: secret fields at the top level and up to two levels deep, and auth headers. */
export const REDACT_PATHS = [
  ...SECRET_FIELDS.map((f) => `["${f}"]`),
  ...SECRET_FIELDS.map((f) => `*["${f}"]`),
  ...SECRET_FIELDS.map((f) => `*.*["${f}"]`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

const SECRET_QUERY = new RegExp(`([?&](?:${SECRET_FIELDS.map((f) => f.replace('-', '\\-')).join('|')}|key|code|signature)=)[^&]*`, 'gi');

/** Removes secret values from a URL's query string before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[REDACTED]');
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    base: { service: 'deskbase' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** One structured line per request: id, method, route template, status and duration. */
export const requestLogPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
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
