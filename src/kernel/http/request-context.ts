import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { randomUUID } from 'node:crypto';
import { negotiateLocale, translate, type Locale } from '../i18n/index';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    /** Translates a message key into the caller's language. */
    t(key: string, params?: Record<string, unknown>): string;
  }
}

const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes a well-formed caller X-Request-ID, otherwise makes one. */
export function requestIdFrom(request: { headers: Record<string, unknown> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : `req_${randomUUID().replace(/-/g, '')}`;
}

function t(this: FastifyRequest, key: string, params?: Record<string, unknown>) {
  return translate(this.locale, key, params);
}

export const requestContextPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('locale', 'en');
  app.decorateRequest('t', t);
  app.addHook('onRequest', async (request, reply) => {
    request.locale = negotiateLocale(request.headers['accept-language']);
    reply.header('x-request-id', request.id);
  });
});
