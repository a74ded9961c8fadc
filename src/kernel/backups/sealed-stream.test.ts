import { randomBytes } from 'node:crypto';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BackupUnreadable, MAGIC, openStream, sealStream, type SealedHeader } from './sealed-stream';

const CHUNK = 64 * 1024;
const SEALED_CHUNK = CHUNK + 16;
const KEY = randomBytes(32);
const KEY_ID = 'k-test-0001';
const keyFor = (id: string) => (id === KEY_ID ? KEY : undefined);

/** Cuts a buffer into pieces of the given sizes, cycling through them (odd sizes cross chunk edges). */
function pieces(data: Buffer, sizes = [1, 7, 4093, 65_537, 12_345]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(data.subarray(at, at + size));
    at += size;
  }
  return out;
}

async function run(input: Buffer[], transform: Transform, emitted: Buffer[] = []): Promise<Buffer> {
  await pipeline(Readable.from(input), transform, async function* (source: AsyncIterable<string | Buffer>) {
    for await (const chunk of source) emitted.push(Buffer.from(chunk));
  });
  return Buffer.concat(emitted);
}

const seal = (plaintext: Buffer, key = KEY, keyId = KEY_ID) => run(pieces(plaintext), sealStream(key, keyId));
const open = (sealed: Buffer, lookup = keyFor, emitted: Buffer[] = [], onHeader?: (h: SealedHeader) => void) =>
  run(pieces(sealed, [5, 999, 70_000, 3]), openStream(lookup, onHeader), emitted);

/** Where the chunks start: after "DSKBKUP1", the u32 length and the JSON header. */
const bodyStart = (sealed: Buffer) => MAGIC.length + 4 + sealed.readUInt32BE(MAGIC.length);

async function failure(promise: Promise<unknown>): Promise<BackupUnreadable> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackupUnreadable);
  return error as BackupUnreadable;
}
const expectCorrupt = async (promise: Promise<unknown>) => expect((await failure(promise)).code).toBe('BACKUP_CORRUPT');

const flipped = (data: Buffer, at: number) => {
  const copy = Buffer.from(data);
  copy[at]! ^= 0x01;
  return copy;
};

describe('sealStream / openStream round trip', () => {
  it.each([
    ['empty input', 0],
    ['less than one chunk', 1000],
    ['exactly one chunk', CHUNK],
    ['one chunk and one byte', CHUNK + 1],
    ['exactly two chunks', 2 * CHUNK],
    ['a few hundred KiB', 300 * 1024 + 17],
  ])('restores %s byte for byte', async (_name, size) => {
    const plaintext = randomBytes(size);
    const sealed = await seal(plaintext);
    const body = sealed.length - bodyStart(sealed);
    // Every full chunk is sealed whole, the remainder (possibly empty) as the last chunk.
    expect(body).toBe(Math.max(1, Math.ceil(size / CHUNK)) * 16 + size);
    expect((await open(sealed)).equals(plaintext)).toBe(true);
  });

  it('writes a header naming the key and the cipher, and hands it to onHeader', async () => {
    const sealed = await seal(Buffer.from('hello'));
    expect(sealed.subarray(0, 8).toString('ascii')).toBe('DSKBKUP1');
    const header = JSON.parse(sealed.subarray(12, bodyStart(sealed)).toString('utf8')) as SealedHeader;
    expect(header).toMatchObject({ cipher: 'aes-256-gcm', key_id: KEY_ID, chunk_bytes: CHUNK });
    expect(Buffer.from(header.nonce_prefix, 'base64')).toHaveLength(7);
    const seen: SealedHeader[] = [];
    expect((await open(sealed, keyFor, [], (h) => seen.push(h))).toString()).toBe('hello');
    expect(seen).toEqual([header]);
  });

  it('does not reveal the plaintext, and two seals of the same input differ', async () => {
    const plaintext = Buffer.from('confidential customer record '.repeat(5000));
    const [a, b] = [await seal(plaintext), await seal(plaintext)];
    expect(a.includes(Buffer.from('confidential customer record'))).toBe(false);
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(false);
    // Not only the tags (which cover the header): the ciphertext itself, or the nonces repeat.
    const firstCiphertext = (x: Buffer) => x.subarray(bodyStart(x), bodyStart(x) + CHUNK);
    expect(firstCiphertext(a).equals(firstCiphertext(b))).toBe(false);
  });
});

describe('openStream refuses', () => {
  it('a backup sealed by a key it does not have (BACKUP_KEY_MISSING), naming the key', async () => {
    const sealed = await seal(randomBytes(100));
    const error = await failure(open(sealed, () => undefined));
    expect(error.code).toBe('BACKUP_KEY_MISSING');
    expect(error.message).toContain(KEY_ID);
  });

  it('a key with the right id but the wrong bytes', async () => {
    const sealed = await seal(randomBytes(100));
    await expectCorrupt(open(sealed, () => randomBytes(32)));
  });

  describe('a changed byte', () => {
    const plaintext = randomBytes(3 * CHUNK + 500);
    const sealedOnce = seal(plaintext);

    it('in the magic, in the nonce prefix, or in the key id of the header (which every chunk authenticates)', async () => {
      const sealed = await sealedOnce;
      const text = sealed.toString('latin1');
      const prefixAt = text.indexOf('"nonce_prefix":"') + '"nonce_prefix":"'.length;
      const keyIdAt = text.indexOf(KEY_ID);
      const anyKey = () => KEY; // so that a changed key id is caught by authentication, not by lookup
      await expectCorrupt(open(flipped(sealed, 0), anyKey));
      await expectCorrupt(open(flipped(sealed, prefixAt), anyKey)); // a base64 letter for another
      await expectCorrupt(open(flipped(sealed, keyIdAt + 2), anyKey));
      await expectCorrupt(open(flipped(sealed, MAGIC.length + 3), anyKey)); // the header's length
    });

    it('in a middle chunk, or in the last chunk’s tag', async () => {
      const sealed = await sealedOnce;
      await expectCorrupt(open(flipped(sealed, bodyStart(sealed) + SEALED_CHUNK + 1234)));
      await expectCorrupt(open(flipped(sealed, sealed.length - 1)));
      await expectCorrupt(open(flipped(sealed, sealed.length - 16)));
    });
  });

  describe('a file cut short or extended', () => {
    const plaintext = randomBytes(2 * CHUNK + 500); // three chunks: two full, one of 500 bytes
    const sealedOnce = seal(plaintext);

    it('cut in the middle of a chunk', async () => {
      const sealed = await sealedOnce;
      await expectCorrupt(open(sealed.subarray(0, bodyStart(sealed) + SEALED_CHUNK + 1000)));
    });

    it('cut exactly at a chunk boundary (the final chunk dropped whole)', async () => {
      const sealed = await sealedOnce;
      expect(sealed.length).toBe(bodyStart(sealed) + 2 * SEALED_CHUNK + 516);
      await expectCorrupt(open(sealed.subarray(0, bodyStart(sealed) + 2 * SEALED_CHUNK)));
      await expectCorrupt(open(sealed.subarray(0, bodyStart(sealed) + SEALED_CHUNK)));
      await expectCorrupt(open(sealed.subarray(0, bodyStart(sealed)))); // header only
    });

    it('cut by its last byte', async () => {
      const sealed = await sealedOnce;
      await expectCorrupt(open(sealed.subarray(0, sealed.length - 1)));
    });

    it('cut when the last chunk is a full one', async () => {
      const sealed = await seal(randomBytes(2 * CHUNK));
      await expectCorrupt(open(sealed.subarray(0, bodyStart(sealed) + SEALED_CHUNK)));
    });

    it('with bytes appended', async () => {
      const sealed = await sealedOnce;
      await expectCorrupt(open(Buffer.concat([sealed, Buffer.from([0])])));
      await expectCorrupt(open(Buffer.concat([sealed, randomBytes(SEALED_CHUNK + 3)])));
      const full = await seal(randomBytes(CHUNK)); // whose last chunk is a full one
      await expectCorrupt(open(Buffer.concat([full, randomBytes(10)])));
    });
  });

  it('two chunks swapped', async () => {
    const sealed = await seal(randomBytes(3 * CHUNK + 10));
    const start = bodyStart(sealed);
    const chunkAt = (i: number) => sealed.subarray(start + i * SEALED_CHUNK, start + (i + 1) * SEALED_CHUNK);
    const swapped = Buffer.concat([sealed.subarray(0, start), chunkAt(1), chunkAt(0), sealed.subarray(start + 2 * SEALED_CHUNK)]);
    expect(swapped.length).toBe(sealed.length);
    await expectCorrupt(open(swapped));
  });

  it('a chunk moved from another backup sealed with the same key', async () => {
    const [a, b] = [await seal(randomBytes(2 * CHUNK + 5)), await seal(randomBytes(2 * CHUNK + 5))];
    const mixed = Buffer.concat([a.subarray(0, bodyStart(a)), b.subarray(bodyStart(b), bodyStart(b) + SEALED_CHUNK), a.subarray(bodyStart(a) + SEALED_CHUNK)]);
    await expectCorrupt(open(mixed));
  });

  it('files that are not backups', async () => {
    await expectCorrupt(open(Buffer.alloc(0)));
    await expectCorrupt(open(randomBytes(5)));
    await expectCorrupt(open(randomBytes(200_000)));
    await expectCorrupt(open(Buffer.from('DSKBKUP1')));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(1_000_000);
    await expectCorrupt(open(Buffer.concat([MAGIC, length, randomBytes(100)]))); // header too large
    length.writeUInt32BE(5);
    await expectCorrupt(open(Buffer.concat([MAGIC, length, Buffer.from('{"a":'), randomBytes(100)]))); // not JSON
    length.writeUInt32BE(4);
    await expectCorrupt(open(Buffer.concat([MAGIC, length, Buffer.from('null'), randomBytes(100)]))); // JSON, not an object
    const other = Buffer.from(JSON.stringify({ cipher: 'aes-128-cbc', key_id: KEY_ID, chunk_bytes: CHUNK, nonce_prefix: 'AAAAAAAAAA==' }));
    length.writeUInt32BE(other.length);
    await expectCorrupt(open(Buffer.concat([MAGIC, length, other, randomBytes(100)])));
  });
});

describe('openStream emits nothing of a chunk that does not authenticate', () => {
  it.each([
    ['the last chunk', 3],
    ['a middle chunk', 1],
  ])('when %s is tampered with, only whole authentic chunks before it come out', async (_name, tampered) => {
    const plaintext = randomBytes(3 * CHUNK + 777); // chunks 0, 1, 2 full; chunk 3 of 777 bytes
    const sealed = await seal(plaintext);
    const emitted: Buffer[] = [];
    await expectCorrupt(open(flipped(sealed, bodyStart(sealed) + tampered * SEALED_CHUNK + 100), keyFor, emitted));
    const out = Buffer.concat(emitted);
    expect(out.length % CHUNK).toBe(0);
    expect(out.length).toBeLessThanOrEqual(tampered * CHUNK);
    expect(out.equals(plaintext.subarray(0, out.length))).toBe(true);
  });

  it('when fed in small pieces, authentic chunks do come out before the failure (and only they)', async () => {
    const plaintext = randomBytes(2 * CHUNK + 50);
    const sealed = await seal(plaintext);
    const emitted: Buffer[] = [];
    const error = await failure(
      run(pieces(flipped(sealed, sealed.length - 3), [1024]), openStream(keyFor), emitted),
    );
    expect(error.code).toBe('BACKUP_CORRUPT');
    const out = Buffer.concat(emitted);
    expect(out.equals(plaintext.subarray(0, out.length))).toBe(true);
    expect(out.length).toBe(2 * CHUNK);
  });
});
