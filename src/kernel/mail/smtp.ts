import nodemailer, { type NodemailerError } from 'nodemailer';

export interface SmtpMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export interface SmtpAccepted {
  messageId: string;
  /** The server's reply to the message, e.g. `250 2.0.0 Ok: queued as 4F2…`. */
  response: string;
}

/** Why a delivery failed, already stripped of credentials: safe to store and to log. */
export class SmtpFailure extends Error {
  constructor(
    message: string,
    /** The server refused this message for good (5xx to the envelope or the data): retrying cannot help. */
    readonly permanent: boolean,
    readonly response: string | null,
    /** Permanently refused at RCPT TO: the address itself is rejected (a hard bounce). */
    readonly bounced = false,
  ) {
    super(message);
    this.name = 'SmtpFailure';
  }
}

export interface SmtpSender {
  send(message: SmtpMessage): Promise<SmtpAccepted>;
  close(): void;
}

/** Sends through the server named by SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`). */
export function createSmtpSender(url: string): SmtpSender {
  const transport = nodemailer.createTransport({
    url,
    // Bounded, so a delivery always ends long before a retry could claim the same message.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Attachments arrive as bytes; message content must never make the server read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  const secrets = secretsIn(url);
  return {
    async send(message) {
      try {
        const info = await transport.sendMail(message);
        return { messageId: info.messageId, response: String(info.response ?? '') };
      } catch (error) {
        // Whatever went wrong leaves as an SmtpFailure, so no raw error (and no secret) travels further.
        throw toFailure(error instanceof Error ? (error as NodemailerError) : new Error(String(error)), secrets);
      }
    },
    close: () => transport.close(),
  };
}

/** The URL itself and its password, raw and decoded: never to appear in a stored or logged error. */
function secretsIn(url: string): string[] {
  const password = URL.canParse(url) ? new URL(url).password : '';
  const decoded = (() => {
    try {
      return decodeURIComponent(password);
    } catch {
      return password;
    }
  })();
  return [url, password, decoded].filter((s) => s.length >= 3);
}

const redact = (text: string, secrets: string[]) => secrets.reduce((t, s) => t.split(s).join('[REDACTED]'), text);

function toFailure(error: NodemailerError, secrets: string[]): SmtpFailure {
  const code = error.code ? ` (${error.code})` : '';
  const refused = error.code === 'EENVELOPE' || error.code === 'EMESSAGE';
  // Refusals without a reply are nodemailer's own checks (bad address, too large): as final as a 5xx.
  const permanent = refused && (error.responseCode === undefined || error.permanent === true);
  const response = error.response ? redact(String(error.response), secrets) : null;
  const detail = response && !error.message.includes(response) ? `: ${response}` : '';
  const bounced = permanent && error.command === 'RCPT TO';
  return new SmtpFailure(redact(`${error.message}${detail}${code}`, secrets).slice(0, 1000), permanent, response, bounced);
}
