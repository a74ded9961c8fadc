import type { FastifyReply, FastifyRequest } from 'fastify';
import { ifNoneMatchHits } from '../http/etag';
import { ProblemError } from '../http/problem';
import { isText } from './detect';
import { contentDisposition } from './filename';
import { parseRange } from './range';
import type { FileStore, StoredFile } from './store';

/**
 * Answers a download: the ETag is the SHA-256 (the bytes of an id never change), `If-None-Match`
 * gives 304, one `Range` gives 206 (`If-Range` honoured), a range past the end gives 416. The
 * bytes stream from storage to the socket; nothing holds the whole file.
 */
export async function sendFile(files: FileStore, file: StoredFile, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const etag = `"${file.sha256}"`;
  reply.header('etag', etag).header('accept-ranges', 'bytes').header('cache-control', 'private, no-cache').header('last-modified', file.createdAt.toUTCString());
  if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();

  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || String(ifRange).trim() === etag ? parseRange(request.headers.range, file.size) : undefined;
  if (range === 'unsatisfiable') {
    throw new ProblemError(416, 'RANGE_NOT_SATISFIABLE', { params: { size: file.size }, headers: { 'content-range': `bytes */${file.size}` } });
  }
  // Opened before the remaining headers are set, so a 404 from storage carries none of them.
  // HEAD gets the headers alone; storage is not even opened.
  const body = request.method === 'HEAD' ? undefined : await files.open(file, range);
  // Text was checked to be UTF-8 when stored, so the charset is known.
  reply.type(isText(file.contentType) ? `${file.contentType}; charset=utf-8` : file.contentType);
  reply.header('content-disposition', contentDisposition(file.filename));
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`).header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', file.size);
  }
  return reply.send(body);
}
