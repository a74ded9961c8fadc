import fp from 'fastify-plugin';
import path from 'node:path';
import { Counter, type Registry } from 'prom-client';
import './messages';
import { fileRoutes } from './routes';
import type { FileStorage } from './storage';
import { LocalDiskStorage } from './storage-local';
import { createFileStore, type FileStore, type FileStoreObserver } from './store';
import type { Config } from '../../config';

export { presentFile, type FileActor, type FileStore, type SaveFileInput, type StoredFile } from './store';
export type { ByteRange } from './storage';

declare module 'fastify' {
  interface FastifyInstance {
    files: FileStore;
  }
}

const DAY_MS = 86_400_000;

/** S3 when S3_BUCKET is set, otherwise DATA_DIR/files. The AWS SDK (half a second to load) is loaded only for S3. */
export async function storageFor(config: Config): Promise<FileStorage> {
  const { s3, maxBytes } = config.files;
  if (!s3) return new LocalDiskStorage(path.join(config.dataDir, 'files'));
  const { S3Storage } = await import('./storage-s3');
  return new S3Storage(s3, maxBytes);
}

function fileMetrics(registry: Registry): FileStoreObserver {
  const uploads = new Counter({ name: 'file_uploads_total', help: 'Files offered for storage, by outcome: stored, or the refusal code', labelNames: ['outcome'], registers: [registry] });
  const storedBytes = new Counter({ name: 'file_stored_bytes_total', help: 'Bytes of files stored', registers: [registry] });
  const servedBytes = new Counter({ name: 'file_served_bytes_total', help: 'Bytes of files opened for download (whole files or ranges)', registers: [registry] });
  return {
    stored: (bytes) => {
      uploads.inc({ outcome: 'stored' });
      storedBytes.inc(bytes);
    },
    notStored: (code) => uploads.inc({ outcome: code }),
    served: (bytes) => servedBytes.inc(bytes),
  };
}

/**
 * Decorates the app with `files` (the FileStore every module uses) and serves /api/v1/files.
 * Register it after the metrics plugin and before the modules.
 */
export const filesPlugin = fp(
  async (app) => {
    const storage = await storageFor(app.kernel.config);
    const files = createFileStore(app.kernel, storage, { observer: fileMetrics(app.metrics), log: app.log });
    app.decorate('files', files);
    if (storage instanceof LocalDiskStorage) {
      // File times are the system clock's, not the app's (injectable) one.
      app.addHook('onReady', async () => {
        await storage.removeAbandonedUploads(new Date(Date.now() - DAY_MS));
      });
    }
    app.addHook('onClose', async () => storage.close?.());
    await app.register(fileRoutes(files, app.kernel.config.files.maxBytes), { prefix: '/api/v1' });
  },
  { name: 'deskbase-files' },
);
