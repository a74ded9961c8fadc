import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ProblemError } from '../http/problem';
import { detectType, isAllowedType, isText, SAMPLE_BYTES, TextChecker } from './detect';

export interface UploadRules {
  filename: string;
  allowedTypes: readonly string[];
  maxBytes: number;
}

export interface InspectedUpload {
  contentType: string;
  /** The same bytes, to hand to storage: hashed, counted and checked as they flow. */
  body: Readable;
  /** Size and SHA-256, once body has been read to its end. */
  summary(): { size: number; sha256: string };
}

export const tooLarge = (maxBytes: number) => new ProblemError(413, 'PAYLOAD_TOO_LARGE', { detailKey: 'problem.FILE_TOO_LARGE.detail', params: { limit: maxBytes } });
const notAllowed = (type: string, allowed: readonly string[]) =>
  new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', { detailKey: 'problem.FILE_TYPE_NOT_ALLOWED.detail', params: { type, allowed: allowed.join(', ') } });
const notText = () => new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', { detailKey: 'problem.FILE_NOT_TEXT.detail' });

/**
 * Reads the first SAMPLE_BYTES of an upload to detect its type, and refuses a type the caller
 * does not allow before anything is stored. The rest is never held: each chunk passes through
 * the hash and the byte count on its way to storage, and the body fails (so storage discards
 * what it wrote) as soon as the limit is passed or a "text" file turns out not to be text.
 * On any failure the caller destroys the source: the rest of it is not wanted.
 */
export async function inspectUpload(source: Readable, rules: UploadRules): Promise<InspectedUpload> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < SAMPLE_BYTES && headBytes <= rules.maxBytes) {
    const next = await chunks.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }
  const sample = Buffer.concat(head);
  if (sample.length === 0) throw new ProblemError(422, 'FILE_EMPTY');
  if (sample.length > rules.maxBytes) throw tooLarge(rules.maxBytes);
  const contentType = await detectType(sample.subarray(0, SAMPLE_BYTES), rules.filename);
  if (!isAllowedType(contentType, rules.allowedTypes)) throw notAllowed(contentType, rules.allowedTypes);

  const hash = createHash('sha256');
  const text = isText(contentType) ? new TextChecker() : undefined;
  let size = 0;
  const pass = (chunk: Buffer) => {
    size += chunk.length;
    if (size > rules.maxBytes) throw tooLarge(rules.maxBytes);
    if (text && !text.accepts(chunk)) throw notText();
    hash.update(chunk);
    return chunk;
  };
  async function* body() {
    yield pass(sample);
    while (!ended) {
      const next = await chunks.next();
      if (next.done) break;
      yield pass(next.value);
    }
    if (text && !text.acceptsEnd()) throw notText();
  }
  let digest: string | undefined;
  return {
    contentType,
    body: Readable.from(body(), { objectMode: false }),
    summary: () => ({ size, sha256: (digest ??= hash.digest('hex')) }),
  };
}
