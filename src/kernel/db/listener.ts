import pg from 'pg';

/** `null` means "messages may have been missed" (the connection dropped): drop every cache. */
export type NotificationHandler = (payload: string | null) => void;

/**
 * LISTEN on a dedicated PostgreSQL connection (a pooled one would be handed to other queries).
 * It reconnects by itself; after a reconnect every handler receives `null`, since NOTIFYs sent
 * while it was away are lost.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly url: string) {}

  async listen(channel: string, handler: NotificationHandler): Promise<void> {
    const existing = this.handlers.get(channel);
    if (existing) {
      existing.add(handler);
      return;
    }
    this.handlers.set(channel, new Set([handler]));
    if (this.client) await this.client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    else await this.connect(false);
  }

  private async connect(reconnecting: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'deskbase-listener' });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', () => this.scheduleReconnect(client));
    client.on('end', () => this.scheduleReconnect(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.client = client;
      if (reconnecting) for (const set of this.handlers.values()) for (const handler of set) handler(null);
    } catch (error) {
      await client.end().catch(() => {});
      if (!reconnecting) throw error;
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: pg.Client) {
    if (this.closed || this.retry || (this.client && this.client !== client)) return;
    this.client = undefined;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect(true);
    }, 1000);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
  }
}
