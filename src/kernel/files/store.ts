import { and, eq, gte, lt } from 'drizzle-orm';
import type { Readable } from 'node:stream';
import { NO_ORIGIN, recordAudit, type RequestOrigin } from '../audit/audit';
import type { Executor } from '../db/database';
import { isId, newId } from '../db/ids';
import { emitEvent } from '../events/outbox';
import { paginate } from '../http/pagination';
import { notFound, ProblemError } from '../http/problem';
import type { Kernel } from '../kernel';
import { cleanFilename } from './filename';
import { inspectUpload } from './inspect';
import { FileLinks } from './links';
import type { FileResource, ListFilesQuery } from './schemas';
import { StoredObjectMissing, type ByteRange, type FileStorage } from './storage';
import { files } from './tables';

export type StoredFile = typeof files.$inferSelect;

export interface SaveFileInput {
  organizationId: string;
  /** The user storing it; null for files the platform makes itself (an invoice PDF). */
  createdBy: string | null;
  /** The caller's name for it; cleaned, never used as a path. */
  filename: string;
  /** The content, read once and never held whole. */
  stream: Readable;
  /** Types accepted for this call, instead of FILE_ALLOWED_TYPES (`application/pdf`, `image/*`). */
  allowedTypes?: readonly string[];
  /** Size limit for this call, instead of FILE_MAX_BYTES. */
  maxBytes?: number;
  /** Where the request came from, for the audit entry. */
  origin?: RequestOrigin;
}

/** Who deletes or shares a file, for the audit entry; actorId null for the platform itself. */
export interface FileActor {
  actorId: string | null;
  origin?: RequestOrigin;
}

/** What the store reports, for metrics (wired to Prometheus in index.ts). */
export interface FileStoreObserver {
  stored(bytes: number): void;
  /** An upload that ended without a file: the problem code (PAYLOAD_TOO_LARGE, …) or INTERNAL_ERROR. */
  notStored(code: string): void;
  served(bytes: number): void;
}

export interface FileStoreOptions {
  observer?: FileStoreObserver;
  log?: { error(details: object, message: string): void };
}

const DEFAULT_LINK_SECONDS = 3600;
const fileNotFound = () => notFound('FILE_NOT_FOUND');

export const presentFile = (file: StoredFile): FileResource => ({
  id: file.id,
  filename: file.filename,
  content_type: file.contentType,
  size: file.size,
  sha256: file.sha256,
  created_by: file.createdBy,
  version: file.version,
  created_at: file.createdAt.toISOString(),
  updated_at: file.updatedAt.toISOString(),
});

/**
 * The platform's one file service; modules store and serve files only through it. Bytes go to
 * the storage backend (local disk or S3), metadata to the `files` table, always scoped to one
 * organization: another organization's file id answers 404 like a missing one.
 */
export function createFileStore(kernel: Kernel, storage: FileStorage, options: FileStoreOptions = {}) {
  const { config, database } = kernel;
  const links = new FileLinks(kernel.secrets, config.publicUrl);
  const observer = options.observer;

  /**
   * Streams a file to storage while detecting its type, hashing and counting it, then records it
   * (with its audit entry and `file.created` event) in tx, or in a transaction of its own.
   * Throws 413 over the size limit, 415 for a type not allowed, 422 when empty; nothing is kept then.
   * Pass tx only when the content is already at hand (a generated PDF): a transaction held open
   * during a slow upload blocks others (the embedded database has a single connection). For an
   * upload, save without one and reference the returned id afterwards.
   */
  async function save(tx: Executor | undefined, input: SaveFileInput): Promise<StoredFile> {
    const filename = cleanFilename(input.filename);
    const id = newId('fil');
    // The last two characters of an id are random: 1,024 directories per organization at most.
    const key = `${input.organizationId}/${id.slice(-2)}/${id}`;
    let written = false;
    try {
      const upload = await inspectUpload(input.stream, {
        filename,
        allowedTypes: input.allowedTypes ?? config.files.allowedTypes,
        maxBytes: input.maxBytes ?? config.files.maxBytes,
      });
      await storage.write(key, upload.body, upload.contentType);
      written = true;
      const { size, sha256 } = upload.summary();
      const now = kernel.now();
      const record = async (executor: Executor) => {
        const [row] = await executor
          .insert(files)
          .values({ id, organizationId: input.organizationId, createdBy: input.createdBy, filename, contentType: upload.contentType, size, sha256, storageKey: key, createdAt: now, updatedAt: now })
          .returning();
        await recordAudit(executor, input.origin ?? NO_ORIGIN, {
          organizationId: input.organizationId,
          actorId: input.createdBy,
          action: 'file.uploaded',
          resourceType: 'file',
          resourceId: id,
          metadata: { filename, content_type: upload.contentType, size, sha256 },
        });
        await emitEvent(executor, { organizationId: input.organizationId, type: 'file.created', data: presentFile(row!) });
        return row!;
      };
      const file = tx ? await record(tx) : await database.transaction(record);
      observer?.stored(size);
      return file;
    } catch (error) {
      input.stream.destroy();
      // The bytes are there but the row is not: remove them, so nothing unreachable stays behind.
      if (written) await storage.remove(key).catch((cause: unknown) => options.log?.error({ err: cause, key }, 'could not remove the bytes of a file that was not recorded'));
      observer?.notStored(error instanceof ProblemError ? error.code : 'INTERNAL_ERROR');
      throw error;
    }
  }

  /** The file's metadata; 404 when it does not exist in this organization. */
  async function get(organizationId: string, id: string): Promise<StoredFile> {
    if (!isId(id, 'fil')) throw fileNotFound();
    const [row] = await database.db.select().from(files).where(and(eq(files.organizationId, organizationId), eq(files.id, id)));
    if (!row) throw fileNotFound();
    return row;
  }

  /** The file's bytes, or one range of them (inclusive offsets, already checked against its size). */
  async function open(file: StoredFile, range?: ByteRange): Promise<Readable> {
    try {
      const body = await storage.read(file.storageKey, range);
      observer?.served(range ? range.end - range.start + 1 : file.size);
      return body;
    } catch (error) {
      if (!(error instanceof StoredObjectMissing)) throw error;
      // Removed by a concurrent delete, or lost: the caller gets a 404 either way; an operator should know.
      options.log?.error({ file_id: file.id, key: file.storageKey }, 'the bytes of a recorded file are missing');
      throw fileNotFound();
    }
  }

  /** The organization's files, newest first by default (keyset pagination). */
  async function list(organizationId: string, query: ListFilesQuery) {
    const t = files;
    const page = await paginate({
      executor: database.db,
      table: t,
      where: and(
        eq(t.organizationId, organizationId),
        query.content_type ? eq(t.contentType, query.content_type) : undefined,
        query.created_by ? eq(t.createdBy, query.created_by) : undefined,
        query.created_after ? gte(t.createdAt, new Date(query.created_after)) : undefined,
        query.created_before ? lt(t.createdAt, new Date(query.created_before)) : undefined,
      ),
      sortColumns: { created_at: t.createdAt },
      idColumn: t.id,
      params: query,
      cursors: kernel.cursors,
    });
    return { ...page, items: page.items.map(presentFile) };
  }

  /**
   * Deletes the file: its row (with the audit entry and `file.deleted` event) in a transaction of
   * its own, then its bytes once that has committed, so a rollback never leaves a row without bytes.
   */
  async function remove(organizationId: string, id: string, by: FileActor = { actorId: null }): Promise<void> {
    if (!isId(id, 'fil')) throw fileNotFound();
    const file = await database.transaction(async (tx) => {
      const [row] = await tx.delete(files).where(and(eq(files.organizationId, organizationId), eq(files.id, id))).returning();
      if (!row) throw fileNotFound();
      await recordAudit(tx, by.origin ?? NO_ORIGIN, {
        organizationId,
        actorId: by.actorId,
        action: 'file.deleted',
        resourceType: 'file',
        resourceId: id,
        metadata: { filename: row.filename, size: row.size, sha256: row.sha256 },
      });
      await emitEvent(tx, { organizationId, type: 'file.deleted', data: { id, deleted_at: kernel.now().toISOString() } });
      return row;
    });
    await storage.remove(file.storageKey).catch((error: unknown) => {
      // The file is gone for everyone; only the bytes remain, unreachable. Worth an operator's look.
      options.log?.error({ err: error, file_id: id, key: file.storageKey }, 'could not remove the bytes of a deleted file');
    });
  }

  /**
   * A link that downloads the file without credentials until it expires (at most
   * FILE_LINK_MAX_SECONDS). Audited as `file.shared`: a link leaves the organization's control.
   */
  async function signedUrl(organizationId: string, id: string, expiresInSeconds = DEFAULT_LINK_SECONDS, by: FileActor = { actorId: null }): Promise<{ url: string; expiresAt: Date }> {
    const max = config.files.linkMaxSeconds;
    if (expiresInSeconds > max) {
      throw new ProblemError(422, 'VALIDATION_ERROR', { detailKey: 'problem.FILE_LINK_TOO_LONG.detail', params: { max }, errors: [{ field: 'expires_in', message: `must be at most ${max}` }] });
    }
    const file = await get(organizationId, id);
    const expiresAt = new Date(Math.floor(kernel.now().getTime() / 1000) * 1000 + expiresInSeconds * 1000);
    await recordAudit(database.db, by.origin ?? NO_ORIGIN, {
      organizationId,
      actorId: by.actorId,
      action: 'file.shared',
      resourceType: 'file',
      resourceId: id,
      metadata: { filename: file.filename, expires_at: expiresAt.toISOString() },
    });
    return { url: links.url(file.id, expiresAt), expiresAt };
  }

  /** The file a signed link points to: 403 when the link is altered or expired, 404 when the file is gone. */
  async function getByLink(id: string, expires: number, signature: string): Promise<StoredFile> {
    const verdict = links.check(id, expires, signature, kernel.now());
    if (verdict !== 'valid') throw new ProblemError(403, verdict === 'expired' ? 'FILE_LINK_EXPIRED' : 'FILE_LINK_INVALID');
    const [row] = await database.db.select().from(files).where(eq(files.id, id));
    if (!row) throw fileNotFound();
    return row;
  }

  // `backend`: the raw storage, for backups, which copy every file's bytes.
  return { storage: storage.kind, backend: storage, save, get, open, list, remove, signedUrl, getByLink };
}

export type FileStore = ReturnType<typeof createFileStore>;
