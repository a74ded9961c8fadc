import { describe, expect, it } from 'vitest';
import { cleanFilename, contentDisposition } from './filename';

describe('cleanFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\ann\\q1.xlsx', 'q1.xlsx'],
    ['line\r\nbreak.txt', 'line break.txt'],
    ['bell\u0007.txt', 'bell.txt'],
    ['tab\tand  spaces .txt', 'tab and spaces .txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['e\u0301te\u0301.txt', 'été.txt'],
    ['broken\ud800.txt', 'broken\ufffd.txt'],
    ['', 'file'],
    ['..', 'file'],
    ['dir/', 'file'],
    ['   ', 'file'],
  ])('%j → %j', (given, expected) => {
    expect(cleanFilename(given)).toBe(expected);
  });

  it('keeps at most 255 characters, never half of one', () => {
    const name = cleanFilename('😀'.repeat(300));
    expect([...name]).toHaveLength(255);
    expect(name).toBe('😀'.repeat(255));
  });
});

describe('contentDisposition', () => {
  it('quotes a plain ASCII name', () => {
    expect(contentDisposition('report 2024.pdf')).toBe('attachment; filename="report 2024.pdf"');
  });

  it('adds filename* (RFC 8187) with an ASCII fallback for a non-ASCII name', () => {
    expect(contentDisposition('របាយការណ៍.pdf')).toBe(
      `attachment; filename="_________.pdf"; filename*=UTF-8''${encodeURIComponent('របាយការណ៍')}.pdf`,
    );
    expect(contentDisposition('naïve.txt')).toBe("attachment; filename=\"na_ve.txt\"; filename*=UTF-8''na%C3%AFve.txt");
  });

  it('never lets quotes, backslashes or percent signs into the quoted fallback', () => {
    expect(contentDisposition('say "hi"\\ 100%.txt')).toBe(
      "attachment; filename=\"say _hi__ 100_.txt\"; filename*=UTF-8''say%20%22hi%22%5C%20100%25.txt",
    );
    expect(contentDisposition("it's (v2)*.txt")).toBe("attachment; filename=\"it's (v2)*.txt\"");
    expect(contentDisposition("ü it's (v2)*.txt")).toContain("filename*=UTF-8''%C3%BC%20it%27s%20%28v2%29%2A.txt");
  });
});
