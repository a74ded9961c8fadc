import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileStore } from '../../src/kernel/files/index';
import { ProblemError } from '../../src/kernel/http/problem';
import { createTestApp } from '../support/app';
import { PDF, PNG, storedFiles } from './support';

// The FileStore as other modules use it (app.files), without HTTP.
let app: FastifyInstance;
let files: FileStore;
beforeAll(async () => {
  app = await createTestApp({ modules: [] });
  files = app.files;
});
afterAll(() => app.close());

const stream = (bytes: Buffer) => Readable.from([bytes]);
const problemCode = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof ProblemError ? `${error.status} ${error.code}` : String(error)),
  );

describe('FileStore', () => {
  it('stores a file the platform made (no user), and serves it whole or by range', async () => {
    const file = await files.save(undefined, { organizationId: 'org_m', createdBy: null, filename: 'INV-2026-0001.pdf', stream: stream(PDF) });
    expect(file).toMatchObject({ organizationId: 'org_m', createdBy: null, contentType: 'application/pdf', size: PDF.length });
    expect(await files.get('org_m', file.id)).toEqual(file);
    const chunks: Buffer[] = [];
    for await (const chunk of await files.open(file, { start: 0, end: 4 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('%PDF-');
    const [audit] = await app.kernel.database.query<{ actor_id: string | null; actor_type: string }>('SELECT actor_id, actor_type FROM audit_logs WHERE resource_id = $1', [file.id]);
    expect(audit).toEqual({ actor_id: null, actor_type: 'anonymous' });
  });

  it('applies the caller’s own types and size limit', async () => {
    const onlyPdf = { organizationId: 'org_m', createdBy: 'usr_m', filename: 'scan.pdf', allowedTypes: ['application/pdf'] };
    expect(await problemCode(files.save(undefined, { ...onlyPdf, stream: stream(PNG) }))).toBe('415 UNSUPPORTED_MEDIA_TYPE');
    expect(await problemCode(files.save(undefined, { ...onlyPdf, stream: stream(PDF), maxBytes: 10 }))).toBe('413 PAYLOAD_TOO_LARGE');
    expect(await problemCode(files.save(undefined, { ...onlyPdf, stream: stream(PDF), maxBytes: PDF.length }))).toBe('resolved');
  });

  it('records the file in the caller’s transaction: a rollback leaves no row', async () => {
    let id = '';
    await expect(
      app.kernel.database.transaction(async (tx) => {
        id = (await files.save(tx, { organizationId: 'org_m', createdBy: 'usr_m', filename: 'draft.pdf', stream: stream(PDF) })).id;
        throw new Error('the invoice failed');
      }),
    ).rejects.toThrow('the invoice failed');
    expect(await problemCode(files.get('org_m', id))).toBe('404 FILE_NOT_FOUND');
  });

  it('keeps organizations apart, and removes the bytes with the file', async () => {
    const file = await files.save(undefined, { organizationId: 'org_m', createdBy: 'usr_m', filename: 'a.pdf', stream: stream(PDF) });
    expect(await problemCode(files.get('org_other', file.id))).toBe('404 FILE_NOT_FOUND');
    expect(await problemCode(files.remove('org_other', file.id))).toBe('404 FILE_NOT_FOUND');
    await files.remove('org_m', file.id);
    expect(storedFiles(app).some((f) => f.endsWith(file.id))).toBe(false);
    expect(await problemCode(files.open(file))).toBe('404 FILE_NOT_FOUND');
  });
});
