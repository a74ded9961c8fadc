import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { NO_ORIGIN } from '../../src/kernel/audit/audit';
import { emitEvent } from '../../src/kernel/events/outbox';
import { endpointService } from '../../src/kernel/webhooks/endpoints';
import { createTestApp } from '../support/app';
import { startReceiver } from '../webhooks/receiver';

describe('event order across concurrent transactions', () => {
  it("makes an organization's second event-writing transaction wait for the first to commit, and sequences its events in that order; other organizations do not wait", async () => {
    const receiver = await startReceiver();
    const app = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' }, webhooks: { pollIntervalMs: 0 } });
    const { database } = app.kernel;
    const actor = { type: 'user' as const, id: 'usr_order', organizationId: 'org_order', role: 'admin', permissions: ['*:*'] };
    await database.transaction((tx) => endpointService(app.kernel).create(tx, NO_ORIGIN, actor, { url: receiver.url, events: ['order.*'] }));

    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let emitted!: () => void;
    const firstEmitted = new Promise<void>((resolve) => (emitted = resolve));
    const first = database.transaction(async (tx) => {
      await emitEvent(tx, { organizationId: 'org_order', type: 'order.first', data: {} });
      emitted();
      await released;
    });
    await firstEmitted;
    let secondDone = false;
    const second = database.transaction((tx) => emitEvent(tx, { organizationId: 'org_order', type: 'order.second', data: {} })).then(() => (secondDone = true));
    // Another organization's event is not held up.
    await database.transaction((tx) => emitEvent(tx, { organizationId: 'org_elsewhere', type: 'order.other', data: {} }));
    await sleep(200);
    expect(secondDone).toBe(false);

    release();
    await Promise.all([first, second]);
    // Sequence numbers follow commit order; the dispatcher creates deliveries in that order.
    const sequenced = await database.query<{ type: string }>("SELECT type FROM outbox_events WHERE organization_id = 'org_order' ORDER BY sequence");
    expect(sequenced.map((e) => e.type)).toEqual(['order.first', 'order.second']);
    await app.webhooks.runOnce();
    // Both arrive; deliveries due at the same instant travel concurrently, so arrival order is not promised.
    expect(receiver.received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['order.first', 'order.second']);
    await app.close();
    await receiver.close();
  });
});
