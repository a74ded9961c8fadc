import { fileTypeFromBuffer } from 'file-type';

/** Bytes read before deciding a file's type: enough for every magic number and an OOXML's first entries. */
export const SAMPLE_BYTES = 64 * 1024;

export const OCTET_STREAM = 'application/octet-stream';

/** Text formats that differ only by convention, told apart by the name once the bytes are known to be text. */
const TEXT_TYPES_BY_EXTENSION: Record<string, string> = { csv: 'text/csv' };

/**
 * The media type of a file from its first bytes, never from its name or the client's
 * Content-Type. Formats with a signature (PDF, PNG, JPEG, ZIP and the Office formats inside
 * it, executables, …) are recognised by `file-type`. Content without one is text when it is
 * valid UTF-8 without NUL bytes (`text/csv` if the name ends in .csv, otherwise `text/plain`);
 * anything else is `application/octet-stream`. The FileStore re-checks the text rule over the
 * whole content, not just this sample.
 */
export async function detectType(sample: Uint8Array, filename: string): Promise<string> {
  const found = await fileTypeFromBuffer(sample);
  if (found) return found.mime;
  if (sample.length > 0 && new TextChecker().accepts(sample)) {
    return TEXT_TYPES_BY_EXTENSION[extensionOf(filename)] ?? 'text/plain';
  }
  return OCTET_STREAM;
}

export const isText = (type: string) => type.startsWith('text/');

/** Streaming UTF-8 check: a character split across two chunks is fine, a NUL or a bad sequence is not. */
export class TextChecker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  accepts(chunk: Uint8Array): boolean {
    if (chunk.includes(0)) return false;
    try {
      this.decoder.decode(chunk, { stream: true });
      return true;
    } catch {
      return false;
    }
  }

  /** False when the content stopped in the middle of a character. */
  acceptsEnd(): boolean {
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}

// True when type matches one of the patterns: `application/pdf`, a family (`image/*`) or `*/*`.
// Parameters (`; charset=…`) are not part of detected types, so none are compared.
export function isAllowedType(type: string, patterns: readonly string[]): boolean {
  const family = type.slice(0, type.indexOf('/'));
  return patterns.some((pattern) => pattern === '*/*' || pattern === type || pattern === `${family}/*`);
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}
