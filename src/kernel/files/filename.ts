// Control characters, and the bidirectional marks that make "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Half of a surrogate pair is no character at all (and encodeURIComponent throws on it).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAX_LENGTH = 255;

/**
 * The name a caller gave a file, made safe to store and show: no directory part (either slash),
 * no control or bidi characters, whitespace collapsed, well-formed NFC, at most 255 characters. The name is
 * only ever displayed and sent back in Content-Disposition: storage paths never derive from it.
 */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(LONE_SURROGATE, '\ufffd').normalize('NFC').replace(/\s+/g, ' ').replace(UNSAFE, '').trim();
  const short = [...cleaned].slice(0, MAX_LENGTH).join('').trim();
  return short === '' || short === '.' || short === '..' ? 'file' : short;
}

/**
 * `Content-Disposition: attachment` for a download (RFC 6266): a plain `filename="…"` for printable ASCII
 * names, and otherwise an ASCII fallback plus `filename*=UTF-8''…` (RFC 8187) with the real name.
 * Quotes, backslashes and `%` never reach the quoted fallback, and the encoded form is pure
 * ASCII, so no name can break out of the header.
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  if (fallback === filename) return `attachment; filename="${filename}"`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
