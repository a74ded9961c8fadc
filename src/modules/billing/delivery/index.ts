import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../../kernel/kernel';
import { invoiceDeliveryRoutes } from './routes';
import type { InvoiceDeliveryService } from './service';

export const DELIVERY_CHECK_QUEUE = 'billing.invoice_delivery_check';
export const OVERDUE_QUEUE = 'billing.invoice_overdue';

const services = new WeakMap<Kernel, InvoiceDeliveryService>();

/** The app's delivery service, to run its jobs on demand (tests, maintenance scripts). */
export const invoiceDeliveryOf = (kernel: Kernel): InvoiceDeliveryService | undefined => services.get(kernel);

/** Declares the delivery check (every minute) and the overdue flagging (hourly) jobs, and the routes. */
export async function registerInvoiceDelivery(app: FastifyInstance, delivery: InvoiceDeliveryService): Promise<void> {
  services.set(app.kernel, delivery);
  app.jobs.work(DELIVERY_CHECK_QUEUE, { retryLimit: 1, timeoutSeconds: 300 }, () => delivery.checkDeliveries());
  app.jobs.work(OVERDUE_QUEUE, { retryLimit: 2, timeoutSeconds: 900 }, () => delivery.flagOverdue());
  void app.jobs.schedule(DELIVERY_CHECK_QUEUE, '* * * * *');
  void app.jobs.schedule(OVERDUE_QUEUE, '5 * * * *');
  await app.register(invoiceDeliveryRoutes(delivery));
}
