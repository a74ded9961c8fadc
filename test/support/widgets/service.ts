import { escapeLike } from '../../../src/kernel/db/like';
import { and, eq, ilike, sql } from 'drizzle-orm';
import type { Actor } from '../../../src/kernel/auth/actor';
import type { Executor } from '../../../src/kernel/db/database';
import { newId } from '../../../src/kernel/db/ids';
import { assertVersion } from '../../../src/kernel/http/etag';
import { paginate } from '../../../src/kernel/http/pagination';
import { notFound } from '../../../src/kernel/http/problem';
import type { Kernel } from '../../../src/kernel/kernel';
import type { CreateWidget, ListWidgetsQuery, UpdateWidget, Widget } from './schemas';
import { widgets } from './tables';

type Row = typeof widgets.$inferSelect;

const present = (row: Row): Widget => ({
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
      return present(row!);
    },

    async get(tx: Executor, actor: Actor, id: string): Promise<Widget> {
      return present(await load(tx, actor, id));
    },

    async list(tx: Executor, actor: Actor, query: ListWidgetsQuery) {
      const where = and(
        eq(widgets.organizationId, actor.organizationId),
        query.color ? eq(widgets.color, query.color) : undefined,
        query.q ? ilike(widgets.name, `%${escapeLike(query.q)}%`) : undefined,
      );
      const page = await paginate({
        executor: tx,
        table: widgets,
        where,
        sortColumns: { created_at: widgets.createdAt, name: widgets.name },
        idColumn: widgets.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(present) };
    },

    async update(tx: Executor, actor: Actor, id: string, input: UpdateWidget, expectedVersion?: number[]): Promise<Widget> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      const [row] = await tx
        .update(widgets)
        .set({ ...input, version: sql`${widgets.version} + 1`, updatedAt: kernel.now() })
        .where(scoped(actor, id))
        .returning();
      return present(row!);
    },

    async remove(tx: Executor, actor: Actor, id: string, expectedVersion?: number[]): Promise<void> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      await tx.delete(widgets).where(scoped(actor, id));
    },
  };
}
