import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../db/columns';

/**
 * One row per stored file; the bytes live in the storage backend under `storage_key`.
 * Files never change once stored (version stays 1): a new upload is a new file.
 */
export const files = pgTable(
  'files',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    /** The user (or API key owner) who stored it; null for files the platform made itself. */
    createdBy: text('created_by'),
    /** The caller's name for it, cleaned (kernel/files/filename.ts); never used as a path. */
    filename: text('filename').notNull(),
    /** Detected from the content, not from the name or the client's Content-Type. */
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    ...resourceColumns(),
  },
  (t) => [index('files_org_created_idx').on(t.organizationId, t.createdAt, t.id)],
);
