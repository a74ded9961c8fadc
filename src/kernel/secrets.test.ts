import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secrets } from './secrets';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'deskbase-secrets-'));

describe('secrets', () => {
  it('generates a master key once, readable only by its owner, and reuses it', () => {
    const dataDir = freshDir();
    const first = Secrets.load({ secretKey: undefined, dataDir });
    const file = path.join(dataDir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(48);
    const second = Secrets.load({ secretKey: undefined, dataDir });
    expect(second.key('cursor').equals(first.key('cursor'))).toBe(true);
  });

  it('derives distinct 32-byte keys per purpose', () => {
    const secrets = Secrets.load({ secretKey: 'k'.repeat(40), dataDir: freshDir() });
    expect(secrets.key('cursor')).toHaveLength(32);
    expect(secrets.key('cursor').equals(secrets.key('jwt'))).toBe(false);
  });

  it('gives every instance that shares SECRET_KEY the same keys, and writes no file', () => {
    const a = freshDir();
    const one = Secrets.load({ secretKey: 'shared-secret-'.repeat(3), dataDir: a });
    const two = Secrets.load({ secretKey: 'shared-secret-'.repeat(3), dataDir: freshDir() });
    expect(one.sign('cursor', 'data')).toBe(two.sign('cursor', 'data'));
    expect(() => statSync(path.join(a, 'secret.key'))).toThrow();
  });

  it('signs exactly as HMAC-SHA256 under the purpose key, for short, multi-block and non-ASCII data', () => {
    const secrets = Secrets.load({ secretKey: 'k'.repeat(40), dataDir: freshDir() });
    for (const purpose of ['cursor', 'file-link']) {
      // Up to 341 UTF-16 units the data is hashed from the purpose's own buffer, longer data from a new one.
      for (const data of ['', 'data', 'x'.repeat(64), 'WyJjcmVhdGVkX2F0Il0.'.repeat(9), 'ខ្មែរ · naïve 🙂', 'ខ'.repeat(341), 'ខ'.repeat(342), 'x'.repeat(5000), 'short again']) {
        expect(secrets.sign(purpose, data)).toBe(createHmac('sha256', secrets.key(purpose)).update(data, 'utf8').digest('base64url'));
      }
    }
    expect(secrets.sign('cursor', 'data')).not.toBe(secrets.sign('file-link', 'data'));
  });

  it('verifies a signature or its prefix of the agreed length, and nothing else', () => {
    const secrets = Secrets.load({ secretKey: 'k'.repeat(40), dataDir: freshDir() });
    const signature = secrets.sign('cursor', 'body');
    expect(secrets.verify('cursor', 'body', signature)).toBe(true);
    expect(secrets.verify('cursor', 'body', signature.slice(0, 22), 22)).toBe(true);
    const altered = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    for (const at of [0, 21, 42]) expect(secrets.verify('cursor', 'body', altered(signature, at))).toBe(false);
    expect(secrets.verify('cursor', 'body', signature.slice(0, 22))).toBe(false); // shorter than agreed
    expect(secrets.verify('cursor', 'body', signature.slice(0, 21), 22)).toBe(false);
    expect(secrets.verify('cursor', 'body', `${signature}A`)).toBe(false);
    expect(secrets.verify('cursor', 'body', '')).toBe(false);
    expect(secrets.verify('cursor', 'bodY', signature)).toBe(false);
    expect(secrets.verify('file-link', 'body', signature)).toBe(false);
  });

  it('encrypts per purpose and refuses a tampered or foreign ciphertext', () => {
    const secrets = Secrets.load({ secretKey: 'k'.repeat(40), dataDir: freshDir() });
    const sealed = secrets.encrypt('webhook-secret', 'whsec_value');
    expect(sealed).not.toContain('whsec_value');
    expect(secrets.encrypt('webhook-secret', 'whsec_value')).not.toBe(sealed); // a fresh IV each time
    expect(secrets.decrypt('webhook-secret', sealed)).toBe('whsec_value');
    expect(() => secrets.decrypt('session-seal', sealed)).toThrow();
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => secrets.decrypt('webhook-secret', raw.toString('base64'))).toThrow();
  });
});
