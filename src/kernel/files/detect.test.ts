import { describe, expect, it } from 'vitest';
import { detectType, isAllowedType, SAMPLE_BYTES, TextChecker } from './detect';

const table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (data: Buffer) => {
  let c = 0xffffffff;
  for (const byte of data) c = table[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A ZIP of stored (uncompressed) entries: local headers only, which is what detection reads. */
function zip(entries: [name: string, content: string][]): Buffer {
  return Buffer.concat(
    entries.flatMap(([name, content]) => {
      const data = Buffer.from(content);
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt32LE(crc32(data), 14);
      header.writeUInt32LE(data.length, 18);
      header.writeUInt32LE(data.length, 22);
      header.writeUInt16LE(Buffer.byteLength(name), 26);
      return [header, Buffer.from(name), data];
    }),
  );
}

const contentTypes = (main: string) =>
  `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/x" ContentType="${main}"/></Types>`;
// Larger than the sample, so detection must succeed on the first 64 KB alone.
const DOCX = zip([
  ['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')],
  ['word/document.xml', '<w:document/>'.padEnd(2 * SAMPLE_BYTES, ' ')],
]);
const XLSX = zip([['[Content_Types].xml', contentTypes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')]]);

describe('type detection', () => {
  it.each([
    ['a PDF', Buffer.from('%PDF-1.4\n%âãÏÓ\n'), 'scan.bin', 'application/pdf'],
    ['a JPEG named .png', Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), 'photo.png', 'image/jpeg'],
    ['a DOCX from its first 64 KB', DOCX.subarray(0, SAMPLE_BYTES), 'letter', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['an XLSX named .docx', XLSX, 'sheet.docx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['a plain ZIP', zip([['a.txt', 'hello']]), 'a.docx', 'application/zip'],
    ['an EXE named .pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62)]), 'invoice.pdf', 'application/x-msdownload'],
    ['ASCII text', Buffer.from('hello\n'), 'notes', 'text/plain'],
    ['Khmer UTF-8 text', Buffer.from('សួស្តី ពិភពលោក\n'), 'notes.txt', 'text/plain'],
    ['text named .csv', Buffer.from('a,b\n1,2\n'), 'Data.CSV', 'text/csv'],
    ['HTML, which is only text here', Buffer.from('<!doctype html><script>alert(1)</script>'), 'page.html', 'text/plain'],
    ['binary named .csv', Buffer.from([1, 2, 0, 3]), 'data.csv', 'application/octet-stream'],
    ['UTF-16 text (it has NULs)', Buffer.from('hello', 'utf16le'), 'notes.txt', 'application/octet-stream'],
    ['Latin-1 text (invalid UTF-8)', Buffer.from('caf\xe9 cr\xe8me', 'latin1'), 'menu.txt', 'application/octet-stream'],
  ])('%s → its type', async (_name, sample, filename, expected) => {
    expect(await detectType(sample, filename)).toBe(expected);
  });

  it('accepts a character split between two chunks, but not a file that ends inside one', () => {
    const bytes = Buffer.from('ក');
    const split = new TextChecker();
    expect(split.accepts(bytes.subarray(0, 1))).toBe(true);
    expect(split.accepts(bytes.subarray(1))).toBe(true);
    expect(split.acceptsEnd()).toBe(true);
    const cut = new TextChecker();
    expect(cut.accepts(bytes.subarray(0, 2))).toBe(true);
    expect(cut.acceptsEnd()).toBe(false);
  });
});

describe('allowed types', () => {
  it.each([
    ['application/pdf', ['application/pdf'], true],
    ['image/png', ['image/*'], true],
    ['image/png', ['image/jpeg', 'application/pdf'], false],
    ['application/x-msdownload', ['*/*'], true],
    ['text/csv', ['text/plain'], false],
    ['application/pdf', [], false],
  ])('%s against %j → %s', (type, patterns, allowed) => {
    expect(isAllowedType(type, patterns)).toBe(allowed);
  });
});
