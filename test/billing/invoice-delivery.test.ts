import type { ParsedMail } from 'mailparser';
import { extractText } from 'unpdf';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../src/kernel/mail/testing';
import { invoiceDeliveryOf } from '../../src/modules/billing/delivery/index';
import { call, createBillingWorld, requestsOn, type BillingWorld } from './harness';

let smtp: TestSmtpServer;
let world: BillingWorld;
let acme: string;
let silent: string;

const { get, post } = requestsOn(() => world, 'managerA');
const delivery = () => invoiceDeliveryOf(world.app.kernel)!;

async function created(url: string, body: object, token = world.adminA) {
  const response = await post(url, body, token);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function openInvoice(clientId: string, extra: object = {}) {
  const draft = await created('/invoices', { client_id: clientId, lines: [{ description: 'Consulting', quantity: 2, unit_price: '150.25' }], ...extra });
  const finalized = await post(`/invoices/${draft.id}/finalize`, {});
  expect(finalized.statusCode, finalized.body).toBe(200);
  return finalized.json();
}

const mailsTo = (address: string) => smtp.received.filter((m) => !Array.isArray(m.to) && m.to?.value.some((v) => v.address === address));

async function mailTo(address: string, count = 1): Promise<ParsedMail> {
  return vi.waitFor(
    () => {
      const found = mailsTo(address);
      if (found.length < count) throw new Error(`no mail for ${address} yet`);
      return found[count - 1]!;
    },
    { timeout: 10_000, interval: 50 },
  );
}

const activity = async (id: string) => {
  const response = await get(`/invoices/${id}/activity?limit=100`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as { type: string; recipient: string | null; email: { message_id: string; status: string | null; error: string | null } | null; details: Record<string, unknown> }[];
};

async function eventCount(type: string, invoiceId: string): Promise<number> {
  const rows = await world.app.kernel.database.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox_events WHERE type = $1 AND data->>'id' = $2", [type, invoiceId]);
  return Number(rows[0]!.n);
}

const viewToken = (mail: ParsedMail) => /\/api\/v1\/public\/invoices\/view\?token=(ivt_[\w-]+)/.exec(mail.text ?? '')?.[1];

beforeAll(async () => {
  smtp = await startSmtpServer();
  world = await createBillingWorld({
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Books <billing@books.example>', MAIL_RETRY_LIMIT: '1', MAIL_RETRY_DELAY_SECONDS: '1', PUBLIC_URL: 'https://desk.example.com' },
    jobs: { pollIntervalMs: 100, shutdownGraceMs: 1000 },
    mail: { retryBackoff: false },
  });
  const settings = await call(world.app, world.adminA, 'PATCH', '/api/v1/billing/settings', { legal_name: 'Books & Co', address: { line1: '1 Main St', city: 'Austin', state: 'TX', country: 'US' }, base_currency: 'USD' });
  expect(settings.statusCode, settings.body).toBe(200);
  const address = { line1: '5 Oak St', city: 'Springfield', state: 'IL', country: 'US' };
  acme = (await created('/clients', { name: 'Acme Corp', email: 'billing@acme.example', currency: 'USD', billing_address: address })).id;
  silent = (await created('/clients', { name: 'No Mail Ltd', currency: 'USD', billing_address: address })).id;
});
afterAll(async () => {
  await world.app.close();
  await smtp.close();
});
afterEach(() => {
  smtp.refuseRecipient = null;
});

describe('sending an invoice', () => {
  it('emails the customer the PDF and a view link, sets sent_at once and shows the delivery on the timeline', async () => {
    const invoice = await openInvoice(acme);
    const response = await post(`/invoices/${invoice.id}/send`, { message: 'Thanks for your business!' });
    expect(response.statusCode, response.body).toBe(200);
    const sent = response.json();
    expect(sent.sent_at).not.toBeNull();

    const mail = await mailTo('billing@acme.example');
    expect(mail.subject).toBe(`Invoice ${invoice.number} from Books & Co`);
    expect(mail.text).toContain('Dear Acme Corp');
    expect(mail.text).toContain('300.50 USD');
    expect(mail.text).toContain('Thanks for your business!');
    expect(viewToken(mail)).toMatch(/^ivt_/);
    expect(mail.attachments).toHaveLength(1);
    const [pdf] = mail.attachments;
    expect(pdf!.filename).toBe(`invoice-${invoice.number}.pdf`);
    expect(pdf!.contentType).toBe('application/pdf');
    const { text } = await extractText(new Uint8Array(pdf!.content), { mergePages: true });
    expect(text).toContain(invoice.number);
    expect(text).toContain('Acme Corp');

    const entries = await vi.waitFor(
      async () => {
        const items = await activity(invoice.id);
        if (items.find((i) => i.type === 'sent')?.email?.status !== 'sent') throw new Error('not delivered yet');
        return items;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(entries.map((e) => e.type)).toEqual(['created', 'finalized', 'sent']);
    expect(entries[2]).toMatchObject({ recipient: 'billing@acme.example', email: { status: 'sent', error: null } });
    expect(await delivery().checkDeliveries()).toMatchObject({ failed: 0 });
    expect((await activity(invoice.id)).map((e) => e.type)).toEqual(['created', 'finalized', 'sent', 'email_delivered']);
    expect(await eventCount('invoice.sent', invoice.id)).toBe(1);

    // A second copy, to another address: a new message, sent_at unchanged.
    const again = await post(`/invoices/${invoice.id}/send`, { to: ['ap@acme.example'], cc: ['boss@acme.example'], locale: 'km' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().sent_at).toBe(sent.sent_at);
    expect((await mailTo('ap@acme.example')).subject).toBe(`វិក្កយបត្រ ${invoice.number} ពី Books & Co`);
    await mailTo('boss@acme.example');
    expect((await activity(invoice.id)).filter((e) => e.type === 'sent').map((e) => e.recipient)).toEqual(['billing@acme.example', 'ap@acme.example', 'boss@acme.example']);
  });

  it('uses the organization’s own wording of the invoice email', async () => {
    const custom = await call(
      world.app,
      world.adminA,
      'PUT',
      '/api/v1/email/templates/invoice/en',
      { subject: 'Your bill {{number}} is ready', text: 'Hi {{customer_name}}, pay {{total}} {{currency}}: {{view_link}}', html: '<p>Hi {{customer_name}}, <a href="{{view_link}}">your bill</a></p>' },
      { 'if-match': '"v0"' },
    );
    expect(custom.statusCode, custom.body).toBe(200);
    try {
      const invoice = await openInvoice(acme);
      expect((await post(`/invoices/${invoice.id}/send`, { to: ['custom@acme.example'] })).statusCode).toBe(200);
      const mail = await mailTo('custom@acme.example');
      expect(mail.subject).toBe(`Your bill ${invoice.number} is ready`);
      expect(mail.text).toContain('Hi Acme Corp, pay 300.50 USD: https://desk.example.com/api/v1/public/invoices/view?token=ivt_');
      expect(mail.attachments[0]?.filename).toBe(`invoice-${invoice.number}.pdf`);
    } finally {
      await call(world.app, world.adminA, 'DELETE', '/api/v1/email/templates/invoice/en');
    }
  });

  it('refuses a draft (409), a missing recipient (422), another organization (404) and a plain user (403)', async () => {
    const draft = await created('/invoices', { client_id: acme, lines: [{ description: 'Draft', quantity: 1, unit_price: 10 }] });
    const refused = await post(`/invoices/${draft.id}/send`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('INVALID_STATE_TRANSITION');

    const nobody = await openInvoice(silent);
    const missing = await post(`/invoices/${nobody.id}/send`, {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toMatchObject({ code: 'INVOICE_NO_RECIPIENT', errors: [{ field: 'to' }] });
    expect((await post(`/invoices/${nobody.id}/send`, { to: ['not-an-address'] })).statusCode).toBe(422);

    const invoice = await openInvoice(acme);
    expect((await post(`/invoices/${invoice.id}/send`, {}, world.adminB)).statusCode).toBe(404);
    expect((await get(`/invoices/${invoice.id}/activity`, world.adminB)).statusCode).toBe(404);
    expect((await post(`/invoices/${invoice.id}/send`, {}, world.userA)).statusCode).toBe(403);
    expect((await get(`/invoices/${invoice.id}`)).json().sent_at).toBeNull();
  });

  it('alerts the sender by email when the invoice email bounces', async () => {
    const invoice = await openInvoice(acme);
    smtp.refuseRecipient = { code: 550, message: 'No such user here' };
    expect((await post(`/invoices/${invoice.id}/send`, { to: ['ghost@acme.example'] })).statusCode).toBe(200);
    await vi.waitFor(
      async () => {
        if ((await activity(invoice.id)).find((e) => e.type === 'sent')?.email?.status !== 'bounced') throw new Error('not bounced yet');
      },
      { timeout: 10_000, interval: 100 },
    );
    smtp.refuseRecipient = null;
    await delivery().checkDeliveries();
    await delivery().checkDeliveries();
    const alert = await mailTo('manager@books.example');
    expect(alert.subject).toBe(`Invoice ${invoice.number} could not be delivered to ghost@acme.example`);
    expect(alert.text).toContain('550');
    const entries = await activity(invoice.id);
    expect(entries.filter((e) => e.type === 'email_bounced')).toHaveLength(1);
    expect(entries.find((e) => e.type === 'email_bounced')).toMatchObject({ recipient: 'ghost@acme.example', details: { alerted: 'manager@books.example' } });
    expect(mailsTo('manager@books.example')).toHaveLength(1);
  });
});

describe('the view link', () => {
  it('serves the PDF without credentials, records the first view only, and 404s a wrong token', async () => {
    const invoice = await openInvoice(acme);
    expect((await post(`/invoices/${invoice.id}/send`, { to: ['viewer@acme.example'] })).statusCode).toBe(200);
    const token = viewToken(await mailTo('viewer@acme.example'))!;
    const url = `/api/v1/public/invoices/view?token=${token}`;

    const first = await world.app.inject({ method: 'GET', url });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['cache-control']).toBe('private, no-store');
    expect((await extractText(new Uint8Array(first.rawPayload), { mergePages: true })).text).toContain(invoice.number);
    const viewedAt = (await get(`/invoices/${invoice.id}`)).json().viewed_at;
    expect(viewedAt).not.toBeNull();

    expect((await world.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    expect((await get(`/invoices/${invoice.id}`)).json().viewed_at).toBe(viewedAt);
    expect(await eventCount('invoice.viewed', invoice.id)).toBe(1);
    expect((await activity(invoice.id)).filter((e) => e.type === 'viewed')).toHaveLength(1);

    for (const bad of [`ivt_${'A'.repeat(43)}`, 'nonsense', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')]) {
      const response = await world.app.inject({ method: 'GET', url: `/api/v1/public/invoices/view?token=${bad}` });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe('INVOICE_LINK_NOT_FOUND');
    }
  });
});

describe('overdue invoices', () => {
  it('flags an open invoice past its due date once, however often the job runs, and unflags it when voided', async () => {
    const late = await openInvoice(acme, { issue_date: '2020-01-01', due_date: '2020-01-31' });
    const current = await openInvoice(acme, { due_date: '2999-12-31' });
    const runs = await Promise.all([delivery().flagOverdue(), delivery().flagOverdue()]);
    await delivery().flagOverdue();
    expect(runs.reduce((sum, r) => sum + r.flagged, 0)).toBeGreaterThanOrEqual(1);
    expect((await get(`/invoices/${late.id}`)).json().overdue).toBe(true);
    expect((await get(`/invoices/${current.id}`)).json().overdue).toBe(false);
    expect(await eventCount('invoice.overdue', late.id)).toBe(1);
    expect(await eventCount('invoice.overdue', current.id)).toBe(0);
    expect((await activity(late.id)).filter((e) => e.type === 'overdue')).toHaveLength(1);
    expect((await get('/invoices?overdue=true&limit=100')).json().items.map((i: { id: string }) => i.id)).toContain(late.id);

    const voided = await post(`/invoices/${late.id}/void`, { reason: 'Sent by mistake' });
    expect(voided.json()).toMatchObject({ status: 'void', overdue: false });
    expect((await activity(late.id)).map((e) => e.type)).toEqual(['created', 'finalized', 'overdue', 'voided']);
  });
});
