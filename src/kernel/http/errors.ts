import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay, { type HTTPMethod, type HTTPVersion } from 'find-my-way';
import { isDatabaseUnavailable, sqlState } from '../db/errors';
import { renderProblem, ProblemError } from './problem';
import { fieldErrors } from './validation';

declare module 'fastify' {
  interface FastifyReply {
    /** Sends a ProblemError as localized application/problem+json. */
    problem(error: ProblemError): FastifyReply;
  }
}

/** Maps anything thrown by Fastify, a driver or our code to exactly one ProblemError. */
export function toProblem(error: FastifyError, request: FastifyRequest): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error.validation) {
    const errors = fieldErrors(error.validation, request.locale);
    if (error.validationContext === 'querystring' && error.validation.some((e) => e.keyword === 'additionalProperties')) {
      const unknown = errors.filter((_, i) => error.validation?.[i]?.keyword === 'additionalProperties');
      return new ProblemError(400, 'UNKNOWN_PARAMETER', {
        errors: unknown.map((e) => ({ field: e.field, message: request.t('validation.unknown_parameter') })),
      });
    }
    return new ProblemError(422, 'VALIDATION_ERROR', { errors });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError(400, 'MALFORMED_JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'PAYLOAD_TOO_LARGE', { params: { limit: request.routeOptions.bodyLimit } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', {
        params: { type: String(request.headers['content-type'] ?? '(none)').slice(0, 100) },
      });
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return new ProblemError(400, 'MALFORMED_JSON');
  if (isDatabaseUnavailable(error)) return new ProblemError(503, 'SERVICE_UNAVAILABLE', { headers: { 'retry-after': '5' } });
  if (sqlState(error) === '23505') return new ProblemError(409, 'CONFLICT');
  // Fastify's own client errors (bad URL, bad content length, ...) keep their status.
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500 && error.code?.startsWith('FST_')) {
    return new ProblemError(error.statusCode, error.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST');
  }
  return new ProblemError(500, 'INTERNAL_ERROR');
}

function sendProblem(this: FastifyReply, error: ProblemError): FastifyReply {
  const body = renderProblem(error, this.request.locale, String(this.request.id));
  for (const [name, value] of Object.entries(error.options.headers ?? {})) this.header(name, value);
  // An error must never be cached or tagged as the resource; its text depends on the language.
  this.removeHeader('etag');
  const vary = this.getHeader('vary');
  this.header('vary', vary ? `${String(vary)}, Accept-Language` : 'Accept-Language');
  return this.code(error.status).header('cache-control', 'no-store').type('application/problem+json; charset=utf-8').send(body);
}

/** Error handler, 404 and 405: every error leaves as problem+json, without internals. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.decorateReply('problem', sendProblem);

  // find-my-way is what Fastify routes with; a shadow copy answers "which methods exist for this URL?".
  const shadow = FindMyWay<HTTPVersion.V1>({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethod[];
    for (const method of methods) {
      if (method === 'HEAD' || shadow.hasRoute(method, route.url)) continue;
      shadow.on(method, route.url, () => {});
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500 && !(error instanceof ProblemError)) {
      request.log.error({ err: error, code: problem.code }, 'request failed');
    } else if (problem.status >= 500) {
      // A deliberate 503 (shutting down, not ready): worth a line, not a stack trace.
      request.log.warn({ code: problem.code }, 'request refused');
    } else if (!(error instanceof ProblemError)) {
      request.log.info({ code: problem.code, reason: error.message }, 'request rejected');
    }
    return reply.problem(problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed: string[] = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => shadow.find(m, path) !== null);
    if (allowed.length > 0) {
      if (allowed.includes('GET')) allowed.splice(1, 0, 'HEAD');
      reply.header('allow', allowed.join(', '));
      return reply.problem(
        new ProblemError(405, 'METHOD_NOT_ALLOWED', { params: { method: request.method, allowed: allowed.join(', ') } }),
      );
    }
    return reply.problem(
      new ProblemError(404, 'NOT_FOUND', {
        detailKey: 'problem.ROUTE_NOT_FOUND.detail',
        params: { method: request.method, path: path.slice(0, 200) },
      }),
    );
  });
});
