import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Module } from '../../src/app';
import type { Actor } from '../../src/kernel/auth/actor';
import { ProblemError } from '../../src/kernel/http/problem';

const actor = (id: string, organizationId: string, permissions: string[]): Actor => ({ type: 'user', id, organizationId, role: 'user', permissions });

/** Bearer tokens the fake authenticator knows. */
const TOKENS: Record<string, Actor> = {
  alice: actor('usr_alice', 'org_a', ['file:*']),
  reader: actor('usr_reader', 'org_a', ['file:read']),
  bob: actor('usr_bob', 'org_b', ['file:*']),
};

export const bearer = (token: keyof typeof TOKENS) => ({ authorization: `Bearer ${token}` });

/** Stands in for the identity module: maps the test tokens to actors. */
export function filesTestModule(): Module {
  return {
    name: 'files-test',
    plugin: fp(async (app) => {
      const unauthorized = () => new ProblemError(401, 'UNAUTHORIZED');
      app.auth.use({
        bearer: async (token) => {
          const found = TOKENS[token];
          if (!found) throw unauthorized();
          return found;
        },
        apiKey: async () => {
          throw unauthorized();
        },
      });
    }),
  };
}

/** fetch's Response, with json() typed as loosely as app.inject's so tests read fields directly. */
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/** fetch, for a server listening on a real socket. */
export const request = (url: string, init?: RequestInit) => fetch(url, init) as Promise<TestResponse>;

/** Listens on a free loopback port (streaming needs a real socket); returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function upload(base: string, token: keyof typeof TOKENS, filename: string, content: Uint8Array | string, field = 'file') {
  const form = new FormData();
  form.append(field, new Blob([content]), filename);
  return request(`${base}/api/v1/files`, { method: 'POST', headers: bearer(token), body: form });
}

/** Every file under DATA_DIR/files, partial uploads included. */
export function storedFiles(app: FastifyInstance): string[] {
  const root = path.join(app.kernel.config.dataDir, 'files');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  } catch {
    return [];
  }
}

export async function fileRows(app: FastifyInstance): Promise<string[]> {
  const rows = await app.kernel.database.query<{ id: string }>('SELECT id FROM files ORDER BY id');
  return rows.map((r) => r.id);
}

// Content with real signatures, made here rather than shipped as binaries.
export const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.from('0000000d4944415478da63f8cfc0f01f0005000201b0a4e3e40000000049454e44ae426082', 'hex'),
]);
export const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('This program cannot be run in DOS mode.')]);
