import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * The encrypted envelope of a backup file (docs/backups.md):
 *
 *   "DSKBKUP1" ‖ u32 header length ‖ header (JSON) ‖ chunk ‖ chunk ‖ … ‖ last chunk
 *
 * Each chunk is 64 KiB of plaintext (the last one at most that) sealed with AES-256-GCM, followed
 * by its 16-byte tag. The nonce is the header's 7-byte prefix ‖ the chunk's number (u32) ‖ 1 for
 * the last chunk, 0 otherwise, and every chunk authenticates the header: chunks cannot be
 * reordered, dropped, cut off at the end or moved between files without the decryption failing
 * (the STREAM construction, as in age and Tink). No plaintext leaves a chunk before its tag is checked.
 */
export const MAGIC = Buffer.from('DSKBKUP1', 'ascii');
const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 4096;

export interface SealedHeader {
  cipher: 'aes-256-gcm';
  /** Which key sealed it (keys.ts keyIdOf): the reader picks that key, or says it is missing. */
  key_id: string;
  chunk_bytes: number;
  nonce_prefix: string;
}

/** A backup file that is not one, was changed, or was cut short: nothing of it may be used. */
export class BackupUnreadable extends Error {
  constructor(
    readonly code: 'BACKUP_CORRUPT' | 'BACKUP_KEY_MISSING',
    message: string,
  ) {
    super(message);
    this.name = 'BackupUnreadable';
  }
}

/** The error for a backup that is damaged or was altered, saying where. */
export const corrupt = (why: string) => new BackupUnreadable('BACKUP_CORRUPT', `The backup file is damaged or was modified (${why})`);

function nonceOf(prefix: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0, 0, 7);
  nonce.writeUInt32BE(index, 7);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** Encrypts a stream into the envelope above, under `key` (32 bytes) known as `keyId`. */
export function sealStream(key: Buffer, keyId: string): Transform {
  const prefix = randomBytes(7);
  const header: SealedHeader = { cipher: 'aes-256-gcm', key_id: keyId, chunk_bytes: CHUNK_BYTES, nonce_prefix: prefix.toString('base64') };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;

  const seal = (plaintext: Buffer, last: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonceOf(prefix, index++, last));
    cipher.setAAD(headerBytes);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  };

  return new Transform({
    construct(callback) {
      this.push(Buffer.concat([MAGIC, length, headerBytes]));
      callback();
    },
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      // A chunk is sealed as "not last" only once more bytes are known to follow it.
      if (pendingBytes > CHUNK_BYTES) {
        let buffered = Buffer.concat(pending);
        while (buffered.length > CHUNK_BYTES) {
          this.push(seal(buffered.subarray(0, CHUNK_BYTES), false));
          buffered = buffered.subarray(CHUNK_BYTES);
        }
        pending = [buffered];
        pendingBytes = buffered.length;
      }
      callback();
    },
    flush(callback) {
      this.push(seal(Buffer.concat(pending), true));
      callback();
    },
  });
}

/**
 * Decrypts a sealed stream, asking `keyFor` for the key named in its header. Fails with
 * BackupUnreadable on anything but an intact file sealed by a key it has.
 */
export function openStream(keyFor: (keyId: string) => Buffer | undefined, onHeader?: (header: SealedHeader) => void): Transform {
  let buffered: Buffer = Buffer.alloc(0);
  let state: { key: Buffer; prefix: Buffer; aad: Buffer; chunkBytes: number } | undefined;
  let index = 0;

  const open = (sealed: Buffer, last: boolean) => {
    const { key, prefix, aad } = state!;
    const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(prefix, index++, last));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw corrupt(last ? 'its end is missing or altered' : `chunk ${index} does not authenticate`);
    }
  };

  const readHeader = (): boolean => {
    if (buffered.length < MAGIC.length + 4) return false;
    if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('not a Deskbase backup');
    const length = buffered.readUInt32BE(MAGIC.length);
    if (length > MAX_HEADER_BYTES) throw corrupt('header too large');
    if (buffered.length < MAGIC.length + 4 + length) return false;
    const aad = Buffer.from(buffered.subarray(MAGIC.length + 4, MAGIC.length + 4 + length));
    let header: SealedHeader;
    try {
      header = JSON.parse(aad.toString('utf8')) as SealedHeader;
    } catch {
      throw corrupt('unreadable header');
    }
    if (header?.cipher !== 'aes-256-gcm' || header.chunk_bytes !== CHUNK_BYTES || typeof header.key_id !== 'string' || typeof header.nonce_prefix !== 'string') throw corrupt('unknown header');
    const key = keyFor(header.key_id);
    if (!key) throw new BackupUnreadable('BACKUP_KEY_MISSING', `The backup was encrypted with key ${header.key_id}, which this server does not have`);
    onHeader?.(header);
    state = { key, prefix: Buffer.from(header.nonce_prefix, 'base64'), aad, chunkBytes: header.chunk_bytes };
    buffered = buffered.subarray(MAGIC.length + 4 + length);
    return true;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        if (!state && !readHeader()) return callback();
        const sealedBytes = state!.chunkBytes + TAG_BYTES;
        // Strictly more than a chunk: the one at the front is not the last.
        while (buffered.length > sealedBytes) {
          this.push(open(buffered.subarray(0, sealedBytes), false));
          buffered = buffered.subarray(sealedBytes);
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        if (!state) throw corrupt(buffered.length ? 'header cut short' : 'empty file');
        if (buffered.length < TAG_BYTES) throw corrupt('its end is missing');
        this.push(open(buffered, true));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
