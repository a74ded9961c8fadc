import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../../kernel/kernel';
import { recurringInvoiceRoutes } from './routes';
import type { RecurringInvoiceService } from './service';

export const RECURRING_QUEUE = 'billing.recurring_invoices';

const services = new WeakMap<Kernel, RecurringInvoiceService>();

/** The app's recurring invoice service, to run the job on demand (tests, maintenance scripts). */
export const recurringInvoicesOf = (kernel: Kernel): RecurringInvoiceService | undefined => services.get(kernel);

/** Declares the hourly generation job and the routes. */
export async function registerRecurringInvoices(app: FastifyInstance, schedules: RecurringInvoiceService): Promise<void> {
  services.set(app.kernel, schedules);
  // Two runs at once (two instances, a manual run) are harmless: the (schedule, period) key lets each period through once.
  app.jobs.work(RECURRING_QUEUE, { retryLimit: 2, timeoutSeconds: 1800 }, () => schedules.runDue());
  void app.jobs.schedule(RECURRING_QUEUE, '15 * * * *');
  await app.register(recurringInvoiceRoutes(schedules));
}
