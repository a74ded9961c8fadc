import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nAccept-Language: en\r\n\r\n`;

describe('graceful shutdown', () => {
  it('lets in-flight requests finish, refuses new ones with 503, then closes the database', async () => {
    const app = await createTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };

    // One keep-alive connection: a slow request in flight, then another on the same socket.
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    socket.write(get('/api/v1/widgets-faults/slow?ms=700'));
    await new Promise((resolve) => setTimeout(resolve, 150));

    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The listening socket is closed at once: a new connection is refused outright.
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health/`)).rejects.toThrow();
    socket.write(get('/api/v1/health/'));

    await closing;
    await ended;
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toContain('{"slept_ms":700}');
    expect(second).toMatch(/^HTTP\/1\.1 503/);
    expect(second).toContain('application/problem+json');
    expect(second).toContain('The server is shutting down; retry on another instance.');
    await expect(app.kernel.database.ping()).rejects.toThrow();
  });
});
