import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { DeliveryOptions } from '../../src/kernel/webhooks/deliveries';
import { createIdentityApp, STRONG_PASSWORD } from '../support/identity';
import { startReceiver } from './receiver';

/** A real receiver, and an identity app on a test clock whose webhooks may go to it (127.0.0.1). */
export async function startWebhookApp(now: () => Date, webhooks: DeliveryOptions) {
  const receiver = await startReceiver();
  const app = await createIdentityApp({ env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' }, now, webhooks });
  return { receiver, app };
}

/** A user.registered event: someone registers in the default organization. */
export async function register(app: FastifyInstance, email: string) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: STRONG_PASSWORD, confirm_password: STRONG_PASSWORD, first_name: 'Hook', last_name: 'Tester' } });
  expect(response.statusCode, response.body).toBe(201);
}
