// A bare Fastify route with no plugin at all: the framework's ceiling on this machine, measured
// in the same run as the rest (bench/ceilings.ts). Speaks bench/child.ts's start protocol.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
process.stdout.write(`BENCH_INFO ${JSON.stringify({ kind: 'none', dbVersion: '-', seeded: null, pid: process.pid })}\n`);
process.stdout.write(`READY ${app.server.address().port}\n`);
