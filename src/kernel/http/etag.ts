import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ProblemError } from './problem';

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Sends a versioned resource with its ETag; a GET whose If-None-Match names that ETag gets
     * 304 without a body.
     */
    sendResource(resource: { version: number }, status?: number): FastifyReply;
  }
}

export const etagOf = (version: number) => `"v${version}"`;

const listOf = (header: string) => header.split(',').map((tag) => tag.trim().replace(/^W\//, ''));

/** True when an If-None-Match header names etag (weak comparison) or is `*`: the caller's copy is current. */
export const ifNoneMatchHits = (header: string | undefined, etag: string) =>
  header !== undefined && (header.trim() === '*' || listOf(header).includes(etag));

function sendResource(this: FastifyReply, resource: { version: number }, status = 200): FastifyReply {
  const etag = etagOf(resource.version);
  this.header('etag', etag);
  if (this.request.method === 'GET' && ifNoneMatchHits(this.request.headers['if-none-match'], etag)) {
    return this.code(304).send();
  }
  return this.code(status).send(resource);
}

/**
 * The version the caller's If-Match demands, or undefined when it sent none (or `*`).
 * A value that names no version can never match: 412.
 */
export function ifMatchVersion(request: FastifyRequest): number[] | undefined {
  const header = request.headers['if-match'];
  if (!header || header.trim() === '*') return undefined;
  const versions = listOf(header).map((tag) => /^"v(\d{1,9})"$/.exec(tag)?.[1]);
  if (versions.some((v) => v === undefined)) {
    throw new ProblemError(412, 'PRECONDITION_FAILED', { params: { version: '?' } });
  }
  return versions.map(Number);
}

/** Throws 412 when the caller's If-Match does not name the stored version. */
export function assertVersion(expected: number[] | undefined, actual: number): void {
  if (expected && !expected.includes(actual)) {
    throw new ProblemError(412, 'PRECONDITION_FAILED', { params: { version: actual } });
  }
}

export const etagPlugin = fp(async (app: FastifyInstance) => {
  app.decorateReply('sendResource', sendResource);
});
