import { escapeLike } from '../../../src/kernel/db/like';
import { and, eq, ilike, sql } from 'drizzle-orm';
import type { Actor } from '../../../src/kernel/auth/actor';
import type { Executor } from '../../../src/kernel/db/database';
import { newId } from '../../../src/kernel/db/ids';
import { assertVersion } from '../../../src/kernel/http/etag';
import { paginate, paginateItems, type StoredRow } from '../../../src/kernel/http/pagination';
import { notFound } from '../../../src/kernel/http/problem';
import type { Kernel } from '../../../src/kernel/kernel';
import type { CreateWidget, ListWidgetsQuery, UpdateWidget, Widget } from './schemas';
import { widgets } from './tables';

type Row = StoredRow<typeof widgets>;

/** A widget as the API shows it; the stored list item (tables.ts) writes the same JSON. */
export const presentWidget = (row: Row): Widget => ({
  id: row.id,
  name: row.name,
  color: row.color as Widget['color'],
  quantity: row.quantity,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/** The shape every module service follows: (executor, actor, input), tenant-scoped, no HTTP. */
export function widgetService(kernel: Kernel) {
  const scoped = (actor: Actor, id: string) => and(eq(widgets.organizationId, actor.organizationId), eq(widgets.id, id));

  const pageOptions = (tx: Executor, actor: Actor, query: ListWidgetsQuery) => ({
    executor: tx,
    table: widgets,
    where: and(
      eq(widgets.organizationId, actor.organizationId),
      query.color ? eq(widgets.color, query.color) : undefined,
      query.q ? ilike(widgets.name, `%${escapeLike(query.q)}%`) : undefined,
    ),
    sortColumns: { created_at: widgets.createdAt, name: widgets.name },
    idColumn: widgets.id,
    params: query,
    cursors: kernel.cursors,
  });

  async function load(tx: Executor, actor: Actor, id: string, lock = false): Promise<Row> {
    const query = tx.select().from(widgets).where(scoped(actor, id));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound('WIDGET_NOT_FOUND');
    return row;
  }

  return {
    async create(tx: Executor, actor: Actor, input: CreateWidget): Promise<Widget> {
      const now = kernel.now();
      const [row] = await tx
        .insert(widgets)
        .values({ id: newId('wdg'), organizationId: actor.organizationId, name: input.name, color: input.color ?? null, quantity: input.quantity ?? 0, createdAt: now, updatedAt: now })
        .returning();
      return presentWidget(row!);
    },

    async get(tx: Executor, actor: Actor, id: string): Promise<Widget> {
      return presentWidget(await load(tx, actor, id));
    },

    /** A page of stored list items (`widgets.list_item`), for `sendPage`: the kernel's list fast path. */
    async list(tx: Executor, actor: Actor, query: ListWidgetsQuery) {
      return paginateItems({ ...pageOptions(tx, actor, query), item: widgets.listItem });
    },

    /**
     * The same page through the generic path (whole rows, the presenter, the schema serializer),
     * which most lists use: the bench measures both, and a test holds their pages equal.
     */
    async listRows(tx: Executor, actor: Actor, query: ListWidgetsQuery) {
      const page = await paginate(pageOptions(tx, actor, query));
      return { ...page, items: page.items.map(presentWidget) };
    },

    async update(tx: Executor, actor: Actor, id: string, input: UpdateWidget, expectedVersion?: number[]): Promise<Widget> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      const [row] = await tx
        .update(widgets)
        .set({ ...input, version: sql`${widgets.version} + 1`, updatedAt: kernel.now() })
        .where(scoped(actor, id))
        .returning();
      return presentWidget(row!);
    },

    async remove(tx: Executor, actor: Actor, id: string, expectedVersion?: number[]): Promise<void> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      await tx.delete(widgets).where(scoped(actor, id));
    },
  };
}
