import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with the next request; the default answers 200. */
export type Behaviour = (response: ServerResponse, request: Received) => void;

/** A real HTTP receiver on 127.0.0.1 whose answers a test scripts one request at a time. */
export async function startReceiver() {
  const received: Received[] = [];
  const script: Behaviour[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      const behaviour = script.shift() ?? ((res) => res.writeHead(200).end('ok'));
      behaviour(response, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    /** Forgets what was received and any answers still queued. */
    reset() {
      received.length = 0;
      script.length = 0;
    },
    /** Queues answers for the next requests, in order. */
    queue(...behaviours: Behaviour[]) {
      script.push(...behaviours);
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export const answer = (status: number, body = '', headers: Record<string, string> = {}): Behaviour => (response) => response.writeHead(status, headers).end(body);
/** Closes the connection without any answer. */
export const hangUp: Behaviour = (response) => response.socket?.destroy();
/** Answers after `ms`, too late for a short timeout. */
export const slow = (ms: number): Behaviour => (response) => void setTimeout(() => response.writeHead(200).end('late'), ms);
