// A bare Fastify route with no plugins: the framework's ceiling on this machine, for comparison.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT ?? 3996), host: '127.0.0.1' });
process.stdout.write('READY\n');
