import type { ByteRange } from './storage';

/**
 * The one range a `Range: bytes=…` header asks for (RFC 9110 §14), resolved against the size:
 * `bytes=0-99`, `bytes=100-` (to the end) or `bytes=-100` (the last 100 bytes).
 * - undefined: serve the whole file. That covers no header, other units, several ranges and
 *   malformed values, all of which RFC 9110 lets a server ignore.
 * - 'unsatisfiable': a well-formed range that starts at or past the end (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return undefined;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
