import fp from 'fastify-plugin';
import type { PdfDocumentModel, RenderedPdf } from './model';
import type { RenderedPdfStream, RenderOptions } from './render';

export * from './model';
export type { RenderedPdfStream, RenderOptions } from './render';

// pdfkit takes ~0.15 s to import: it is loaded on the first render, not when the app starts.
const renderer = () => import('./render');

/** Renders a document to a Buffer; rejects with PdfModelError on a bad model. */
export async function renderPdf(model: PdfDocumentModel, options?: RenderOptions): Promise<RenderedPdf> {
  return (await renderer()).renderPdf(model, options);
}

/** Renders a document as a stream; the page count is known before the first byte. */
export async function renderPdfStream(model: PdfDocumentModel, options?: RenderOptions): Promise<RenderedPdfStream> {
  return (await renderer()).renderPdfStream(model, options);
}

/** The platform's one PDF service, dated by the kernel's clock. */
export interface PdfService {
  render(model: PdfDocumentModel): Promise<RenderedPdf>;
  stream(model: PdfDocumentModel): Promise<RenderedPdfStream>;
}

export function createPdfService(now: () => Date): PdfService {
  return {
    render: (model) => renderPdf(model, { now }),
    stream: (model) => renderPdfStream(model, { now }),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    pdf: PdfService;
  }
}

/**
 * Decorates the app with `pdf`, the service modules render documents with. It has no routes: a
 * module serves its own PDFs. pdfkit and the fonts load on the first render (about 0.3 s), not at
 * start-up.
 */
export const pdfPlugin = fp(
  async (app) => {
    app.decorate('pdf', createPdfService(() => app.kernel.now()));
  },
  { name: 'deskbase-pdf' },
);
