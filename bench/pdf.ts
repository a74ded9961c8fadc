/**
 * PDF rendering throughput, in-process (no HTTP, no database), also run by `npm run bench`:
 *   node --import tsx bench/pdf.ts
 * Renders the invoice-like fixture of src/kernel/pdf/testing.ts back to back for BENCH_PDF_SECONDS
 * (default 1.5) per scenario after a warm-up: a one-page document (10 rows) and a three-page one
 * (75 rows), giving the event loop a turn between documents as a server would. Prints one JSON line:
 * documents per second, ms per document (mean, p50, p99, and CPU ms), and how long the event loop was held
 * (p99 and max of its delay; drawing yields between pages once a slice passes 8 ms).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { renderPdf } from '../src/kernel/pdf/render';
import { FIXED_NOW, sampleDocument } from '../src/kernel/pdf/testing';

const SECONDS = Number(process.env.BENCH_PDF_SECONDS ?? 1.5);
const now = () => FIXED_NOW;

async function scenario(rows: number, expectedPages: number) {
  const model = sampleDocument(rows);
  for (let n = 0; n < 20; n++) await renderPdf(model, { now }); // warm-up: fonts, JIT, word cache
  const durations: number[] = [];
  let bytes = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    const began = performance.now();
    const { buffer, pages } = await renderPdf(model, { now });
    durations.push(performance.now() - began);
    if (pages !== expectedPages) throw new Error(`expected ${expectedPages} pages, got ${pages}`);
    bytes = buffer.length;
    await nextTurn();
  }
  const elapsed = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  loop.disable();
  durations.sort((a, b) => a - b);
  const at = (q: number) => Math.round(durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]! * 10) / 10;
  return {
    rows,
    pages: expectedPages,
    bytes,
    documents: durations.length,
    per_second: Math.round((durations.length / elapsed) * 1000),
    ms_mean: Math.round((elapsed / durations.length) * 10) / 10,
    ms_p50: at(0.5),
    ms_p99: at(0.99),
    // CPU time of this process per document: less disturbed than wall time by other load on the machine.
    cpu_ms_per_document: Math.round((user + system) / 100 / durations.length) / 10,
    per_cpu_second: Math.round((durations.length / (user + system)) * 1e6),
    // Event-loop delay (beyond the 1 ms timer resolution): how long other work would have waited.
    event_loop_delay_p99_ms: Math.round(loop.percentile(99) / 1e5) / 10,
    event_loop_delay_max_ms: Math.round(loop.max / 1e5) / 10,
  };
}

async function main() {
  const cold = performance.now();
  await renderPdf(sampleDocument(1), { now });
  const firstMs = Math.round(performance.now() - cold);
  const onePage = await scenario(10, 1);
  const threePages = await scenario(75, 3);
  console.log(JSON.stringify({ first_render_ms: firstMs, one_page: onePage, three_pages: threePages }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
