import { createCipheriv, createDecipheriv, hash, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One master secret from which every signing and encryption key is derived (HKDF-SHA256),
 * so an operator running several instances sets a single SECRET_KEY. Without it, a random
 * one is generated once and kept in DATA_DIR/secret.key with 0600 permissions.
 */
export class Secrets {
  private readonly derived = new Map<string, PurposeKey>();

  constructor(private readonly master: Buffer) {}

  static load(options: { secretKey: string | undefined; dataDir: string }): Secrets {
    if (options.secretKey) return new Secrets(Buffer.from(options.secretKey, 'utf8'));
    const file = path.join(options.dataDir, 'secret.key');
    try {
      const existing = readFileSync(file, 'utf8').trim();
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      return new Secrets(Buffer.from(existing, 'base64'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    mkdirSync(options.dataDir, { recursive: true });
    const generated = randomBytes(48);
    // 'wx' fails if another process created the file meanwhile: then read theirs.
    try {
      writeFileSync(file, generated.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return Secrets.load(options);
      throw error;
    }
    return new Secrets(generated);
  }

  /** A 32-byte key for one purpose ("cursor", "jwt", ...); different purposes never share keys. */
  key(purpose: string): Buffer {
    return this.derive(purpose).key;
  }

  private derive(purpose: string): PurposeKey {
    let derived = this.derived.get(purpose);
    if (!derived) {
      const key = Buffer.from(hkdfSync('sha256', this.master, 'deskbase', purpose, 32));
      // The key is shorter than SHA-256's 64-byte block: zero-padded, never hashed first.
      const block = Buffer.alloc(SHA256_BLOCK_BYTES);
      key.copy(block);
      const innerBlock = Buffer.alloc(SHA256_BLOCK_BYTES + INLINE_DATA_BYTES);
      block.forEach((byte, i) => (innerBlock[i] = byte ^ 0x36));
      derived = { key, innerBlock, outerPad: Buffer.from(block.map((byte) => byte ^ 0x5c)).toString('latin1') };
      this.derived.set(purpose, derived);
    }
    return derived;
  }

  /** AES-256-GCM under the purpose's key: base64(iv ‖ tag ‖ ciphertext). Tampering makes decrypt throw. */
  encrypt(purpose: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(purpose), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(purpose: string, sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key(purpose), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /**
   * Base64url HMAC-SHA256 (RFC 2104) of data under the purpose's key: SHA-256(outer pad ‖
   * SHA-256(inner pad ‖ data)), two one-shot `crypto.hash` calls over pads made once per purpose.
   * `createHmac` gives the same bytes (the tests compare them) but builds a native object per call:
   * with it, a list page that checks one cursor and signs the next cost 10 µs more server CPU under
   * load (bench/ab.ts, 108 against 98 µs a page; bench/README.md, runs of 2026-11-29). Short data
   * is written after the inner pad in the purpose's own buffer (this runs synchronously, so no two
   * calls share it), and the inner digest comes back as text: neither needs a buffer of its own,
   * and the inner digest no memory outside the JavaScript heap.
   */
  sign(purpose: string, data: string): string {
    const { innerBlock, outerPad } = this.derive(purpose);
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so short data always fits after the pad.
    const innerInput =
      data.length * 3 <= INLINE_DATA_BYTES
        ? innerBlock.subarray(0, SHA256_BLOCK_BYTES + innerBlock.write(data, SHA256_BLOCK_BYTES, 'utf8'))
        : Buffer.concat([innerBlock.subarray(0, SHA256_BLOCK_BYTES), Buffer.from(data, 'utf8')]);
    const innerDigest = hash('sha256', innerInput, 'binary'); // latin1: one character per byte
    return hash('sha256', Buffer.from(outerPad + innerDigest, 'latin1'), 'base64url');
  }

  /**
   * Whether `signature` is `sign(purpose, data)` cut to `length` characters, compared in constant
   * time: the loop reads every character whatever differs (`timingSafeEqual` would need two
   * buffers per check, on every list page that gets a cursor).
   */
  verify(purpose: string, data: string, signature: string, length = FULL_SIGNATURE_LENGTH): boolean {
    if (signature.length !== length) return false;
    const expected = this.sign(purpose, data);
    let difference = 0;
    for (let i = 0; i < length; i++) difference |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
    return difference === 0;
  }
}

const SHA256_BLOCK_BYTES = 64;
/** Room after the inner pad for the data `sign` hashes without allocating (cursors, file links). */
const INLINE_DATA_BYTES = 1024;
/** Base64url characters of a whole SHA-256 MAC. */
const FULL_SIGNATURE_LENGTH = 43;

/** A purpose's 32-byte key, and the key XORed with RFC 2104's ipad (followed by room for data) and opad bytes for `sign`. */
interface PurposeKey {
  key: Buffer;
  innerBlock: Buffer;
  /** The outer pad as latin1 text, one character per byte. */
  outerPad: string;
}
