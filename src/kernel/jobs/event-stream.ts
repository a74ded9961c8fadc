import { PassThrough, type Readable } from 'node:stream';
import type { JobNotice } from './notifications';
import type { JobSnapshot, JobWatcher } from './service';
import { FINAL_STATUSES, type JobView } from './types';

export interface JobEventSource {
  reread(jobId: string): Promise<JobSnapshot | null>;
  watch(jobId: string, watcher: JobWatcher): () => void;
}

export interface JobEventStreamsOptions {
  heartbeatMs?: number;
  /** Called when reading the job fails (the stream ends; the client reconnects). */
  onError(error: unknown): void;
}

const frame = (event: string, version: number, job: JobView) => `id: ${version}\nevent: ${event}\ndata: ${JSON.stringify(job)}\n\n`;

/**
 * Server-sent events of single jobs (`GET /jobs/{id}/events`). Notices come from every instance
 * (LISTEN/NOTIFY); each heartbeat also reads the job again, which catches the changes nobody
 * announces (a job taken back from a crashed instance) and notices lost while the listener
 * reconnected.
 */
export function createJobEventStreams(source: JobEventSource, options: JobEventStreamsOptions) {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const open = new Set<PassThrough>();
  let closing = false;

  function stream(first: JobSnapshot): Readable {
    const out = new PassThrough();
    const { id } = first.view;
    let sent = first;
    // Reads and writes happen one after the other, in the order notices arrived.
    let chain = Promise.resolve();
    const end = () => {
      if (!out.writableEnded) out.end();
    };
    const serially = (work: () => Promise<void> | void) => {
      chain = chain.then(work).catch((error: unknown) => {
        options.onError(error);
        end();
      });
    };
    const write = (text: string) => {
      if (!out.writableEnded) out.write(text);
    };
    const send = (event: 'status' | 'progress', next: JobSnapshot) => {
      sent = next;
      write(frame(event, next.version, next.view));
      if (FINAL_STATUSES.includes(next.view.status)) end();
    };
    const refresh = async () => {
      if (out.writableEnded) return;
      const next = await source.reread(id);
      if (!next) return end();
      if (next.version !== sent.version || next.view.status !== sent.view.status) send('status', next);
    };
    const onNotice = (notice: JobNotice | null) =>
      serially(() => {
        if (notice?.kind !== 'progress') return refresh();
        if (out.writableEnded || notice.version <= sent.version) return;
        const view = { ...sent.view, progress: notice.progress, step: notice.step, updated_at: new Date(notice.updated_at).toISOString() };
        send('progress', { view, version: notice.version });
      });

    // Reconnect after 2 s (browsers default to about 3).
    write('retry: 2000\n\n');
    send('status', first);
    // Already final, or shutting down (no stream may hold the server open): the current state only.
    if (closing) end();
    if (out.writableEnded) return out;
    // The route read `first` before this watch began: read again once watching, so nothing is lost.
    const unwatch = source.watch(id, onNotice);
    const heartbeat = setInterval(() => {
      write(': heartbeat\n\n');
      serially(refresh);
    }, heartbeatMs);
    open.add(out);
    out.on('close', () => {
      unwatch();
      clearInterval(heartbeat);
      open.delete(out);
    });
    serially(refresh);
    return out;
  }

  /** Ends every stream (server shutting down): clients reconnect to another instance. */
  function closeAll(): void {
    closing = true;
    for (const out of open) if (!out.writableEnded) out.end();
  }

  return { stream, closeAll };
}
