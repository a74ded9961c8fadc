import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../audit/audit';
import { ProblemError } from '../http/problem';
import { sendFile } from './download';
import { CreateLinkBody, DownloadQuery, DownloadResponses, FileLink, FilePage, FileParams, FileResource, ListFilesQuery, UploadBody } from './schemas';
import { presentFile, type FileStore } from './store';

const tags = ['files'];

/**
 * POST /files in a scope of its own: the only place that parses multipart (streamed, one file).
 * Any other content type reaches the handler unread and is refused there with a clear 415.
 */
const uploadRoute =
  (files: FileStore, maxBytes: number): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // busboy stops one byte past the limit; the FileStore, counting too, answers the 413 first.
    await app.register(multipart, { limits: { files: 1, fileSize: maxBytes + 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 100 } });

    app.post(
      '/files',
      {
        config: { permission: 'file:create', rateLimit: 'upload' },
        schema: { tags, summary: 'Upload a file', consumes: ['multipart/form-data'], body: UploadBody, response: { 201: FileResource } },
        // The body is streamed by the handler: the schema above only documents it.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        const actor = request.actor!;
        try {
          if (!request.isMultipart()) throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', { detailKey: 'problem.MULTIPART_REQUIRED.detail' });
          const part = await request.file();
          if (!part || part.fieldname !== 'file') {
            part?.file.destroy();
            throw new ProblemError(422, 'VALIDATION_ERROR', { errors: [{ field: 'file', message: request.t('validation.required') }] });
          }
          const file = await files.save(undefined, { organizationId: actor.organizationId, createdBy: actor.id, filename: part.filename, stream: part.file, origin: originOf(request) });
          reply.header('location', `/api/v1/files/${file.id}`);
          return reply.sendResource(presentFile(file), 201);
        } catch (error) {
          // Whatever the client is still sending is read and dropped, so that it gets to read this
          // answer (closing the socket on it could make it lose the answer instead).
          request.raw.resume();
          throw error;
        }
      },
    );
  };

/** The file endpoints under /api/v1 (docs/files.md). */
export const fileRoutes =
  (files: FileStore, maxBytes: number): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(uploadRoute(files, maxBytes));

    app.get(
      '/files',
      { config: { permission: 'file:read' }, schema: { tags, summary: 'List files', querystring: ListFilesQuery, response: { 200: FilePage } } },
      async (request) => files.list(request.actor!.organizationId, request.query),
    );

    app.get(
      '/files/:id/metadata',
      { config: { permission: 'file:read' }, schema: { tags, summary: 'Get a file’s metadata', params: FileParams, response: { 200: FileResource } } },
      async (request, reply) => reply.sendResource(presentFile(await files.get(request.actor!.organizationId, request.params.id))),
    );

    // Files are served as stored: no compression, so Range offsets, Content-Length and the
    // SHA-256 ETag describe exactly the bytes sent (and PDFs, images and OOXML are compressed already).
    // HEAD is declared, not derived from GET: Fastify's derived HEAD would read the whole file to discard it.
    app.route({
      method: ['GET', 'HEAD'],
      url: '/files/:id',
      config: { permission: 'file:read' },
      compress: false,
      schema: { tags, summary: 'Download a file (Range supported)', params: FileParams, response: DownloadResponses },
      handler: async (request, reply) => sendFile(files, await files.get(request.actor!.organizationId, request.params.id), request, reply),
    });

    app.route({
      method: ['GET', 'HEAD'],
      url: '/files/:id/download',
      compress: false,
      schema: {
        tags,
        summary: 'Download a file through a signed link, without credentials',
        params: FileParams,
        querystring: DownloadQuery,
        response: DownloadResponses,
        security: [],
      },
      handler: async (request, reply) => sendFile(files, await files.getByLink(request.params.id, request.query.expires, request.query.signature), request, reply),
    });

    app.delete(
      '/files/:id',
      { config: { permission: 'file:delete' }, schema: { tags, summary: 'Delete a file and its bytes', params: FileParams, response: { 204: { type: 'null' } } } },
      async (request, reply) => {
        await files.remove(request.actor!.organizationId, request.params.id, { actorId: request.actor!.id, origin: originOf(request) });
        return reply.code(204).send();
      },
    );

    app.post(
      '/files/:id/links',
      {
        // The link is a credential: it is never stored for an Idempotency-Key replay.
        config: { permission: 'file:share', idempotency: false },
        schema: { tags, summary: 'Create a signed, expiring download link', params: FileParams, body: CreateLinkBody, response: { 201: FileLink } },
      },
      async (request, reply) => {
        const actor = request.actor!;
        const link = await files.signedUrl(actor.organizationId, request.params.id, request.body.expires_in, { actorId: actor.id, origin: originOf(request) });
        return reply.code(201).send({ url: link.url, expires_at: link.expiresAt.toISOString() });
      },
    );
  };
