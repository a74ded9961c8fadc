import type { Readable } from 'node:stream';

/** Inclusive byte offsets, as in HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where the bytes of files live: the local disk or an S3-compatible store. Keys are made by the
 * FileStore (`<organization>/<shard>/<file id>`), never taken from user input.
 */
export interface FileStorage {
  readonly kind: 'local' | 's3';
  /**
   * Stores the whole stream under key. The object appears only once the stream has ended
   * successfully; if the stream fails (too large, wrong type, client gone), nothing is left.
   */
  write(key: string, body: Readable, contentType: string): Promise<void>;
  /** The bytes (or one range of them); throws StoredObjectMissing when the key holds nothing. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes the object; deleting a missing one is not an error. */
  remove(key: string): Promise<void>;
  /** Releases connections (S3); called when the app closes. */
  close?(): void;
}

export class StoredObjectMissing extends Error {
  constructor(key: string) {
    super(`No stored object under ${key}`);
    this.name = 'StoredObjectMissing';
  }
}
