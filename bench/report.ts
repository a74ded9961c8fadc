import type { BackupFigures } from './backups';
import type { Measurement } from './load';
import type { WebhookFigures } from './webhooks';

export interface ScenarioResult {
  name: string;
  path: string;
  measurement: Measurement;
}

export interface DatabaseReport {
  label: string;
  dbVersion: string;
  seeded: { rows: number; ms: number } | null;
  walkMs: number;
  /** One request creating 1,000 users (seed 003 §5.1). */
  bulk?: { rowsPerSecond: number; ms: number };
  scenarios: ScenarioResult[];
  /** PostgreSQL only: the list page's query through `pg` alone, no HTTP (bench/ceilings.ts). */
  driverQps?: number;
  webhooks?: WebhookFigures;
  /** Report requests one after another on the 100,000 seeded invoices (bench/run.ts REPORTS). */
  reports?: { name: string; p50Ms: number; maxMs: number }[];
  /** One backup of the whole database after the reports, then its restore (bench/backups.ts). */
  backups?: BackupFigures;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function table(headers: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (rightAligned[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const met = (ok: boolean) => (ok ? 'MET' : 'NOT MET');

/** The server's CPU time per completed request, the figure that least depends on the machine's other load. */
function cpuPerRequest(m: Measurement): string {
  return m.cpu.server === null || m.total === 0 ? '?' : `${fmt(((m.cpu.server / 100) * m.durationSeconds * 1e6) / m.total)} µs`;
}

export const find = (report: DatabaseReport, name: string) => report.scenarios.find((s) => s.name === name)?.measurement;

/**
 * Markdown table of one database's scenarios, plus the deep/first ratio and the targets, each
 * also scaled by `machineScale` (this machine's pure Fastify figure over the reference machine's).
 */
export function renderReport(report: DatabaseReport, targetRps: number, targetP99Ms: number, machineScale: number): string {
  const bare = find(report, 'baseline');
  const rows = report.scenarios.map(({ name, path, measurement: m }) => [
    name,
    path,
    fmt(m.requestsPerSecond),
    fmt(m.p50, 0),
    fmt(m.p99, 0),
    `${m.errors}/${m.non2xx}`,
    bare && bare.requestsPerSecond > 0 ? `${fmt((m.requestsPerSecond / bare.requestsPerSecond) * 100)}%` : '-',
    [m.cpu.server, m.cpu.loadgen, m.cpu.postgres, m.cpu.other].map((v) => (v === null ? '?' : String(v))).join(' / '),
  ]);
  const out = [
    `### ${report.label}`,
    '',
    `Database: ${report.dbVersion}`,
    report.seeded ? `Seeded ${fmt(report.seeded.rows)} widgets in ${fmt(report.seeded.ms)} ms (INSERT ... SELECT generate_series + ANALYZE); cursor walk of 900 pages took ${fmt(report.walkMs)} ms.` : '',
    '',
    table(
      ['scenario', 'path', 'req/s (avg)', 'p50 ms', 'p99 ms', 'errors/non-2xx', 'of baseline', 'CPU % server / autocannon / postgres / other'],
      rows,
      [false, false, true, true, true, true, true, true],
    ),
    '',
    'CPU: percent of one core during the measured run (the machine has ' + (report.scenarios[0]?.measurement.cpu.cores ?? '?') + ' cores; "other" is every other process).',
    '',
  ];
  const first = find(report, 'list first page');
  const deep = find(report, 'list deep page');
  if (first && deep && first.requestsPerSecond > 0) {
    const ratio = deep.requestsPerSecond / first.requestsPerSecond;
    const rounds = first.rounds > 1 ? ` (measured in ${first.rounds} alternating rounds each; p99 is the worst round's)` : '';
    out.push(`deep/first ratio: req/s ${ratio.toFixed(3)}, p99 ${first.p99 > 0 ? (deep.p99 / first.p99).toFixed(2) : '-'}${rounds}`);
    out.push(`server CPU per request: first page ${cpuPerRequest(first)}, deep page ${cpuPerRequest(deep)}`);
    out.push(
      `target: list first page >= ${fmt(targetRps)} req/s: ${fmt(first.requestsPerSecond)} -> ${met(first.requestsPerSecond >= targetRps)}` +
        ` (scaled to this machine: ${fmt(targetRps * machineScale)} -> ${met(first.requestsPerSecond >= targetRps * machineScale)})`,
      `target: list p99 < ${targetP99Ms} ms: first ${fmt(first.p99)} ms, deep ${fmt(deep.p99)} ms -> ${met(first.p99 < targetP99Ms && deep.p99 < targetP99Ms)}`,
      `target: deep page within 10% of first page (req/s): ${(ratio * 100).toFixed(1)}% -> ${met(ratio >= 0.9)}`,
    );
    const generic = find(report, 'list first page, generic path');
    if (generic) out.push(`the same page through the generic path (rows, presenter, serializer): ${fmt(generic.requestsPerSecond)} req/s, ${fmt((generic.requestsPerSecond / first.requestsPerSecond) * 100)}% of the stored items' (scaled target ${fmt(targetRps * machineScale)})`);
  }
  if (report.driverQps !== undefined) {
    out.push(`ceiling: the list query through pg alone (no HTTP, same pool, ${fmt(report.driverQps)} queries/s); the list page reaches ${first ? fmt((first.requestsPerSecond / report.driverQps) * 100) : '-'}% of it`);
  }
  const profile = find(report, 'profile (authenticated)');
  if (profile) {
    out.push(
      `target (PostgreSQL): authenticated profile >= 10,000 req/s: ${fmt(profile.requestsPerSecond)} -> ${met(profile.requestsPerSecond >= 10_000)}` +
        ` (scaled to this machine: ${fmt(10_000 * machineScale)} -> ${met(profile.requestsPerSecond >= 10_000 * machineScale)})`,
    );
  }
  const login = find(report, 'login');
  if (login) out.push(`target: login p50 < 50 ms: ${fmt(login.p50)} ms (${fmt(login.requestsPerSecond)} logins/s at 2 connections) -> ${met(login.p50 < 50)}`);
  if (report.webhooks) {
    const w = report.webhooks;
    out.push(
      `webhooks: ${fmt(w.backlog)} events committed at once delivered at ${fmt(w.deliveriesPerSecond)} deliveries/s`,
      `target: API call to receiver p99 < 1 s at ${w.ratePerSecond} events/s: p50 ${fmt(w.latencyP50Ms)} ms, p99 ${fmt(w.latencyP99Ms)} ms, max ${fmt(w.latencyMaxMs)} ms (${fmt(w.delivered)} of ${fmt(w.sent)}) -> ${met(w.latencyP99Ms < 1000 && w.failedCalls === 0)}`,
    );
    if (w.failedCalls > 0) out.push(`WARNING: ${fmt(w.failedCalls)} of ${fmt(w.sent)} API calls failed (first: ${w.firstFailure})`);
  }
  const invoices = find(report, 'invoices by status');
  if (invoices) {
    out.push(
      `target (PostgreSQL): 50 invoices filtered by status from 100,000 >= 4,000 req/s: ${fmt(invoices.requestsPerSecond)} -> ${met(invoices.requestsPerSecond >= 4_000)}` +
        ` (scaled to this machine: ${fmt(4_000 * machineScale)} -> ${met(invoices.requestsPerSecond >= 4_000 * machineScale)})`,
    );
  }
  const created = find(report, 'create invoice (20 lines)');
  if (created) out.push(`invoice creation (20 lines, draft with totals, audit and event): ${fmt(created.requestsPerSecond)} invoices/s, p99 ${fmt(created.p99)} ms`);
  for (const r of report.reports ?? []) out.push(`report ${r.name}: p50 ${fmt(r.p50Ms)} ms, max ${fmt(r.maxMs)} ms (target < 1,000 ms) -> ${met(r.maxMs < 1000)}`);
  if (report.backups) {
    const b = report.backups;
    out.push(
      `backup of ${fmt(b.rows)} rows (${fmt(b.sizeBytes / 1e6, 1)} MB encrypted): ${fmt(b.backupWallMs)} ms (${fmt(b.backupServerMs)} ms from started_at to completed_at); restore: ${fmt(b.restoreWallMs)} ms` +
        ` -> ${b.verified ? `${fmt(b.invoicesAfter)} invoices after it, as before` : `FAILED: ${fmt(b.invoicesAfter)} invoices after it, ${fmt(b.invoicesBefore)} before`}`,
    );
  }
  if (report.bulk) out.push(`bulk creation of 1,000 users in one request: ${fmt(report.bulk.ms)} ms, ${fmt(report.bulk.rowsPerSecond)} rows/s`);
  return out.filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n');
}
