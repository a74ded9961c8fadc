/**
 * Test-only helpers for the mail tests (never imported by the server): a real SMTP server on
 * 127.0.0.1 that parses what it receives, and an app module with a fake authenticator.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Module } from '../../app';
import type { Actor } from '../auth/actor';
import { fakeAuthModule } from '../auth/testing';

export const SMTP_USER = 'deskbase';
export const SMTP_PASSWORD = 'pa55-w0rd-never-logged';

export interface TestSmtpServer {
  /** SMTP_URL for this server, with the credentials it accepts. */
  url: string;
  port: number;
  received: ParsedMail[];
  /** RCPT TO commands seen, accepted or not: one per delivery attempt. */
  recipientsTried: number;
  /** When set, every RCPT TO is refused with this reply. */
  refuseRecipient: { code: number; message: string } | null;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    url: '',
    port: 0,
    received: [],
    recipientsTried: 0,
    refuseRecipient: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    // Plain text on loopback: no certificate to trust, and AUTH allowed without TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      state.recipientsTried++;
      const refusal = state.refuseRecipient;
      if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          state.received.push(parsed);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${state.port}`;
  return state;
}

const actor = (organizationId: string, permissions: string[]): Actor => ({
  type: 'user',
  id: `usr_${organizationId}`,
  organizationId,
  role: 'admin',
  permissions,
});

/** Bearer tokens the fake authenticator knows. */
export const TEST_TOKENS: Record<string, Actor> = {
  'admin-a': actor('org_a', ['email:read']),
  'clerk-a': actor('org_a', ['invoice:read']),
  'admin-b': actor('org_b', ['*:*']),
};

export const bearer = (token: keyof typeof TEST_TOKENS) => ({ authorization: `Bearer ${token}` });

/** Stands in for the identity module: maps the test tokens to actors. */
export const mailTestModule = (): Module => fakeAuthModule('mail-test', TEST_TOKENS);
