import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/support/app';
import { PdfModelError, renderPdf, renderPdfStream } from './index';
import { extractPdf, FIXED_NOW, sampleDocument } from './testing';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp({ now: () => FIXED_NOW });
});
afterAll(() => app.close());

describe('app.pdf', () => {
  it('renders with the kernel clock', async () => {
    const { buffer, pages } = await app.pdf.render(sampleDocument(5));
    expect(pages).toBe(1);
    const { info, pages: text } = await extractPdf(buffer);
    expect(info.CreationDate).toBe('D:20260314092653Z');
    expect(text[0]).toContain('Page 1 of 1');
  });

  it('streams, with the page count first', async () => {
    const { stream, pages } = await app.pdf.stream(sampleDocument(60));
    expect(pages).toBe(3);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('rejects a bad model with a PdfModelError', async () => {
    await expect(app.pdf.render({ pageSize: 'A3' as 'A4', blocks: [] })).rejects.toBeInstanceOf(PdfModelError);
  });
});

describe('the plain functions', () => {
  it('render without an app (system clock unless one is given)', async () => {
    const { pages } = await renderPdf(sampleDocument(1), { now: () => FIXED_NOW });
    expect(pages).toBe(1);
    expect((await renderPdfStream(sampleDocument(1))).pages).toBe(1);
  });
});
