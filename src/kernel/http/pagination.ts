import { Type, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { and, asc, count, desc, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { timingSafeEqual } from 'node:crypto';
import type { Executor } from '../db/database';
import type { Secrets } from '../secrets';
import { ProblemError } from './problem';

export const MAX_PAGE_SIZE = 100;

/**
 * Query schema of a list endpoint: `limit`, `cursor`, `include_total`, a whitelisted `sort`
 * (`field` or `-field`) and the endpoint's own filters. Unknown parameters are rejected (400).
 */
export function listQuerySchema<S extends string, F extends TProperties>(sortFields: readonly S[], filters: F, defaultSort: string) {
  const sortValues = sortFields.flatMap((f) => [f, `-${f}`]);
  return Type.Object(
    {
      limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: `Page size, 1-${MAX_PAGE_SIZE}.` }),
      cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'Opaque cursor from `next_cursor` of the previous page.' })),
      sort: Type.Union(sortValues.map((v) => Type.Literal(v)), { default: defaultSort, description: 'Sort field; `-` prefix for descending. Ties break on id.' }),
      include_total: Type.Boolean({ default: false, description: 'Also count all matching items (costs a count query).' }),
      ...filters,
    },
    { additionalProperties: false },
  );
}

export function pageSchema<T extends TSchema>(item: T, name?: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` to get the next page; null on the last page.' }),
      has_more: Type.Boolean(),
      total: Type.Optional(Type.Integer({ description: 'Present only with `include_total=true`.' })),
    },
    name ? { $id: name } : {},
  );
}

export interface PageParams {
  limit: number;
  cursor?: string;
  sort: string;
  include_total?: boolean;
}

export interface Page<Row> {
  items: Row[];
  next_cursor: string | null;
  has_more: boolean;
  total?: number;
}

type CursorValue = string | number | boolean;
type CursorPayload = [sort: string, value: CursorValue, id: string];

// Built only when thrown: an error captures a stack, which valid cursors should not pay for.
const invalidCursor = () => new ProblemError(400, 'INVALID_CURSOR');

/** Opaque, tamper-evident cursors: base64url(JSON) + truncated HMAC-SHA256. */
export class CursorCodec {
  constructor(private readonly secrets: Secrets) {}

  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.secrets.sign('cursor', body).slice(0, 22)}`;
  }

  decode(cursor: string, sort: string): CursorPayload {
    const [body, signature, ...rest] = cursor.split('.');
    if (!body || !signature || rest.length > 0) throw invalidCursor();
    const expected = Buffer.from(this.secrets.sign('cursor', body).slice(0, 22));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (!Array.isArray(payload) || payload.length !== 3 || payload[0] !== sort || typeof payload[2] !== 'string') throw invalidCursor();
    return payload as CursorPayload;
  }
}

export interface KeysetOptions<T extends PgTable> {
  executor: Executor;
  table: T;
  /** The tenant scope and filters; the cursor condition is added to it. */
  where: SQL | undefined;
  /** Sortable fields; each column must be NOT NULL (NULLs have no place in a keyset). */
  sortColumns: Record<string, AnyPgColumn>;
  idColumn: AnyPgColumn;
  params: PageParams;
  cursors: CursorCodec;
}

/**
 * Keyset pagination: `WHERE (sort_col, id) > (last_value, last_id) ORDER BY sort_col, id LIMIT n+1`.
 * A page 90,000 rows deep costs the same as the first one, given an index on (scope…, sort_col, id).
 */
export async function paginate<T extends PgTable>(options: KeysetOptions<T>): Promise<Page<T['$inferSelect']>> {
  const { executor, table, params, idColumn } = options;
  const descending = params.sort.startsWith('-');
  const field = descending ? params.sort.slice(1) : params.sort;
  const column = options.sortColumns[field];
  if (!column) throw new ProblemError(400, 'BAD_REQUEST');

  let keyset: SQL | undefined;
  if (params.cursor) {
    const [, value, lastId] = options.cursors.decode(params.cursor, params.sort);
    const typed = column.dataType === 'date' ? new Date(String(value)) : value;
    if (typed instanceof Date && Number.isNaN(typed.getTime())) throw new ProblemError(400, 'INVALID_CURSOR');
    keyset = descending
      ? sql`(${column}, ${idColumn}) < (${sql.param(typed, column)}, ${lastId})`
      : sql`(${column}, ${idColumn}) > (${sql.param(typed, column)}, ${lastId})`;
  }
  const order = descending ? [desc(column), desc(idColumn)] : [asc(column), asc(idColumn)];
  const rows = (await executor
    .select()
    .from(table as PgTable)
    .where(and(options.where, keyset))
    .orderBy(...order)
    .limit(params.limit + 1)) as T['$inferSelect'][];

  const hasMore = rows.length > params.limit;
  if (hasMore) rows.pop();
  const last = rows.at(-1) as Record<string, unknown> | undefined;
  const page: Page<T['$inferSelect']> = {
    items: rows,
    has_more: hasMore,
    next_cursor:
      hasMore && last
        ? options.cursors.encode([params.sort, toCursorValue(last[keyOf(table, column)]), String(last[keyOf(table, idColumn)])])
        : null,
  };
  if (params.include_total) {
    const [row] = await executor.select({ n: count() }).from(table as PgTable).where(options.where);
    page.total = Number(row?.n ?? 0);
  }
  return page;
}

function toCursorValue(value: unknown): CursorValue {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/** The property name Drizzle uses for a column in selected rows. */
function keyOf(table: PgTable, column: AnyPgColumn): string {
  const entry = Object.entries(getTableColumns(table)).find(([, c]) => c === column);
  if (!entry) throw new Error(`Column ${column.name} does not belong to the paginated table`);
  return entry[0];
}
