/**
 * Backup and restore figures through the API (src/kernel/backups): one encrypted backup of the
 * whole database (POST /api/v1/backups, a job), then a restore of that backup over the same
 * database, each followed until it completes. The invoice total is read before the backup and
 * after the restore: a restore that loses or adds invoices is reported as failed.
 */
import { postJson } from './api';

export interface BackupFigures {
  rows: number;
  tables: number;
  files: number;
  /** Of the encrypted file. */
  sizeBytes: number;
  /** From POST /backups until the client saw `completed`: queueing, the work and up to one poll interval. */
  backupWallMs: number;
  /** The backup's completed_at minus its started_at: the job's work alone, as the server timed it. */
  backupServerMs: number;
  /** From POST /backups/{id}/restore until the client saw the job `completed`. */
  restoreWallMs: number;
  /** GET /api/v1/invoices?include_total=true before the backup and after the restore. */
  invoicesBefore: number;
  invoicesAfter: number;
  /** false when the restore did not bring back the invoice total of the backup's time. */
  verified: boolean;
  /** false when the token made before the backup no longer worked after the restore (the bench logged in again). */
  sessionSurvived: boolean;
}

const POLL_MS = 100;
const TIMEOUT_MS = 10 * 60_000;

interface BackupView {
  id: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  size_bytes: number | null;
  tables: number | null;
  rows: number | null;
  files: number | null;
  error: string | null;
  started_at: string | null;
  completed_at: string | null;
}

interface JobView {
  status: 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled';
  result: { rows?: number } | null;
  error: { message: string } | null;
}

async function get<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} -> ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Reads `url` every POLL_MS until `done` says so; a failure or TIMEOUT_MS throws. */
async function pollUntil<T>(url: string, token: string, what: string, done: (view: T) => boolean): Promise<T> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const view = await get<T>(url, token);
    if (done(view)) return view;
    if (performance.now() > deadline) throw new Error(`${what} not finished within ${TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function invoiceTotal(base: string, token: string): Promise<number> {
  return (await get<{ total: number }>(`${base}/api/v1/invoices?limit=1&include_total=true`, token)).total;
}

/**
 * Backs up the bench server's whole database, restores that backup over it and checks the
 * invoices. `login` gives a fresh token, used if the restore ended the session of `token`; the
 * token that works afterwards is returned with the figures. The bench's own widgets table is not
 * Deskbase's: the backup skips it and the restore leaves it alone, so the list scenarios that
 * follow see the same 100,000 rows; the restore analyzes the tables it loads.
 */
export async function measureBackupRestore(base: string, token: string, login: () => Promise<string>): Promise<{ figures: BackupFigures; token: string }> {
  const auth = { authorization: `Bearer ${token}` };
  const invoicesBefore = await invoiceTotal(base, token);

  const backupStarted = performance.now();
  const { id } = await postJson<{ id: string }>(`${base}/api/v1/backups`, {}, auth);
  const backup = await pollUntil<BackupView>(`${base}/api/v1/backups/${id}`, token, `backup ${id}`, (view) => view.status === 'completed' || view.status === 'failed');
  const backupWallMs = Math.round(performance.now() - backupStarted);
  if (backup.status === 'failed') throw new Error(`backup ${id} failed: ${backup.error}`);

  const restoreStarted = performance.now();
  const { job_id: jobId } = await postJson<{ job_id: string }>(`${base}/api/v1/backups/${id}/restore`, { confirm: id }, auth);
  // The job queue's records are left as they are by a restore: the job stays readable throughout.
  const job = await pollUntil<JobView>(`${base}/api/v1/jobs/${jobId}`, token, `restore job ${jobId}`, (view) => ['completed', 'failed', 'cancelled'].includes(view.status));
  const restoreWallMs = Math.round(performance.now() - restoreStarted);
  if (job.status !== 'completed') throw new Error(`restore of backup ${id} ${job.status}: ${job.error?.message ?? 'no error given'}`);

  // The restored sessions are the backup's, taken after this token's login: it should still work.
  const probe = await fetch(`${base}/api/v1/profile/me`, { headers: auth });
  await probe.arrayBuffer();
  const sessionSurvived = probe.status !== 401;
  if (!sessionSurvived) {
    console.log('[bench] WARNING: the token made before the backup is refused after the restore; logging in again');
    token = await login();
  }
  const invoicesAfter = await invoiceTotal(base, token);
  const verified = invoicesAfter === invoicesBefore;
  if (!verified) console.log(`ERROR: after the restore the API counts ${invoicesAfter} invoices, ${invoicesBefore} before the backup`);
  if (job.result?.rows !== backup.rows) console.log(`[bench] WARNING: the restore loaded ${job.result?.rows} rows, the backup holds ${backup.rows}`);

  const figures: BackupFigures = {
    rows: backup.rows ?? 0,
    tables: backup.tables ?? 0,
    files: backup.files ?? 0,
    sizeBytes: backup.size_bytes ?? 0,
    backupWallMs,
    backupServerMs: Date.parse(backup.completed_at!) - Date.parse(backup.started_at!),
    restoreWallMs,
    invoicesBefore,
    invoicesAfter,
    verified,
    sessionSurvived,
  };
  return { figures, token };
}
