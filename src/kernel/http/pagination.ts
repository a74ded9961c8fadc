import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { and, asc, Column, count, desc, getTableColumns, getTableName, is, Param, Placeholder, SQL, sql, StringChunk } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import { PgDialect, PgTimestamp, type AnyPgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { createHash } from 'node:crypto';
import type { Executor } from '../db/database';
import { decodeTimestamptz } from '../db/timestamps';
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

/** Base64url characters of the MAC a cursor carries: 128 bits of HMAC-SHA256. */
const CURSOR_SIGNATURE_LENGTH = 22;

/** Opaque, tamper-evident cursors: base64url(JSON) + truncated HMAC-SHA256. */
export class CursorCodec {
  constructor(private readonly secrets: Secrets) {}

  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.secrets.sign('cursor', body).slice(0, CURSOR_SIGNATURE_LENGTH)}`;
  }

  decode(cursor: string, sort: string): CursorPayload {
    const [body, signature, ...rest] = cursor.split('.');
    if (!body || !signature || rest.length > 0 || !this.secrets.verify('cursor', body, signature, CURSOR_SIGNATURE_LENGTH)) throw invalidCursor();
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
 * What a page query selects, by the row property it fills: the table's columns, or an item the
 * database writes as JSON with the sort and id columns its cursor is made of.
 */
type Projection = Record<string, AnyPgColumn | SQL>;

/**
 * Keyset pagination: `WHERE (sort_col, id) > (last_value, last_id) ORDER BY sort_col, id LIMIT n+1`.
 * A page 90,000 rows deep costs the same as the first one, given an index on (scope…, sort_col, id).
 *
 * List endpoints run the same few query shapes over and over, so the page query is built by
 * Drizzle once per shape (table, sort and id columns and direction, with or without a cursor, and
 * the text of `where`) and
 * then reused with the request's parameters (see {@link PageQueries}).
 */
export async function paginate<T extends PgTable>(options: KeysetOptions<T>): Promise<Page<StoredRow<T>>> {
  const columns = storedColumnsOf(options.table);
  const plan = planPage(options, () => columns, 'rows');
  const rows = await plan.run(rowsMapper(columns));
  const hasMore = rows.length > options.params.limit;
  if (hasMore) rows.pop();
  const last = rows.at(-1);
  const page: Page<Record<string, unknown>> = {
    items: rows,
    has_more: hasMore,
    next_cursor: hasMore && last ? plan.cursor(last[keyOf(columns, plan.column)], last[keyOf(columns, options.idColumn)]) : null,
  };
  return (await withTotal(options, page)) as Page<StoredRow<T>>;
}

/** The keys of a table's generated columns (derived data such as a stored list item). */
type GeneratedKeys<T extends PgTable> = {
  [K in keyof T['_']['columns']]: T['_']['columns'][K]['_'] extends { generated: { type: 'always' } } ? K : never;
}[keyof T['_']['columns']];

/** A row of `paginate`: the columns written to the table, not those the database derives from them. */
export type StoredRow<T extends PgTable> = Omit<T['$inferSelect'], GeneratedKeys<T>>;

/** A page of `paginateItems`: its items already written as one JSON array, for `sendPage`. */
export interface ItemsPage extends Omit<Page<never>, 'items'> {
  /** The JSON text of the items array (`[…]`). */
  items: string;
}

/**
 * A page of items the database writes as JSON text (`item`: a stored generated column or a
 * `jsonObject` expression), for `sendPage`. The database also joins the page's items and hands
 * over the cursor's two values of its last row: the page comes back as one row of five values
 * instead of a row per item (parsing a row per item was a fifth of the server's CPU per page on
 * PostgreSQL, and more on the embedded database). The projection selects item, sort value and id
 * in that order (Drizzle keeps the object's order), as {@link itemsPageText} names them.
 */
export async function paginateItems<T extends PgTable>(options: KeysetOptions<T> & { item: AnyPgColumn | SQL<string> }): Promise<ItemsPage> {
  const plan = planPage(options, (column) => itemProjection(options.item, column, options.idColumn), 'items');
  const [row] = await plan.run(itemsMapper);
  const { items, fetched, sortValue, id, extraItemBytes } = row!;
  const hasMore = fetched > options.params.limit;
  const decode = (column: AnyPgColumn, value: unknown) => (value === null ? value : decoderOf(column)(value));
  const page: ItemsPage = {
    items: `[${hasMore ? dropLastItem(items!, extraItemBytes!) : (items ?? '')}]`,
    has_more: hasMore,
    next_cursor: hasMore ? plan.cursor(decode(plan.column, sortValue), decode(options.idColumn, id)) : null,
  };
  return withTotal(options, page);
}

/**
 * The items page query around a page query (`select item, sort value, id … limit n+1`): one row
 * with the items joined by commas, the number of rows read (n+1: there is a next page), the sort
 * value and id of the n-th row, as the driver gives the columns themselves, and the size in bytes
 * of the (n+1)-th item, which `paginateItems` cuts off.
 *
 * The aggregates follow the page query's order: the outer query reads that ordered subquery alone
 * (no join, grouping or filter), the case PostgreSQL's documentation gives for feeding aggregates
 * sorted input. Cheaper than numbering the rows (a window over the wide rows) or sorting inside
 * each aggregate, which cost PostgreSQL 100-150 µs more per page of invoices (pgbench); this
 * costs ~15 µs more than the page query alone.
 */
function itemsPageText(pageText: string, pageSize: number): string {
  return (
    `select string_agg(t.item, ','), count(*)::int, (array_agg(t.sort_value))[${pageSize}], (array_agg(t.id))[${pageSize}], ` +
    `(array_agg(octet_length(t.item)))[${pageSize + 1}] from (${pageText}) as t (item, sort_value, id)`
  );
}

interface ItemsRow {
  /** The items joined by commas, null when there is none. */
  items: string | null;
  fetched: number;
  sortValue: unknown;
  id: unknown;
  /** UTF-8 size of the item past the page, when there is one. */
  extraItemBytes: number | null;
}

const itemsMapper = (raw: unknown[][]): ItemsRow[] =>
  raw.map(([items, fetched, sortValue, id, extraItemBytes]) => ({ items: items as string | null, fetched: Number(fetched), sortValue, id, extraItemBytes: extraItemBytes as number | null }));

/** `joined` without its last item, which is `bytes` long in UTF-8, nor the comma before it. */
export function dropLastItem(joined: string, bytes: number): string {
  let i = joined.length;
  for (let left = bytes; left > 0; ) {
    const unit = joined.charCodeAt(--i);
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      i--; // the low half of a surrogate pair: one character of 4 bytes
      left -= 4;
    } else left -= unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
  }
  return joined.slice(0, Math.max(i - 1, 0));
}

async function withTotal<P extends { total?: number }>(options: KeysetOptions<PgTable>, page: P): Promise<P> {
  if (options.params.include_total) {
    const [row] = await options.executor.select({ n: count() }).from(options.table).where(options.where);
    page.total = Number(row?.n ?? 0);
  }
  return page;
}

const itemProjections = new WeakMap<AnyPgColumn | SQL, Map<AnyPgColumn, Projection>>();
/** One projection object per item and sort column: the page query cache knows projections by identity. */
function itemProjection(item: AnyPgColumn | SQL, column: AnyPgColumn, idColumn: AnyPgColumn): Projection {
  let byColumn = itemProjections.get(item);
  if (!byColumn) itemProjections.set(item, (byColumn = new Map()));
  let projection = byColumn.get(column);
  if (!projection) byColumn.set(column, (projection = { item, sortValue: column, id: idColumn }));
  return projection;
}

/** What a page of rows and a page of items share: the sort, the keyset condition, the query's shape. */
function planPage(options: KeysetOptions<PgTable>, projectionFor: (sortColumn: AnyPgColumn) => Projection, kind: PageKind) {
  const { executor, table, params, idColumn } = options;
  const descending = params.sort.startsWith('-');
  const field = descending ? params.sort.slice(1) : params.sort;
  const column = options.sortColumns[field];
  if (!column) throw new ProblemError(400, 'BAD_REQUEST');
  const columns = projectionFor(column);

  const keysetParams = params.cursor ? keysetAfter(options.cursors.decode(params.cursor, params.sort), column) : [];
  const withCursor = keysetParams.length > 0;
  const limit = params.limit + 1;
  const shape = pageQueries.shape(table, columns, orderOf(column, idColumn, descending), withCursor, options.where, limit, kind);

  /** The query built by Drizzle, for a shape not cached yet (or not cacheable): only then is the keyset condition written. */
  const built = () => {
    const keyset = withCursor ? sql`(${column}, ${idColumn}) ${sql.raw(descending ? '<' : '>')} (${keysetParams[0]}, ${keysetParams[1]})` : undefined;
    const order = descending ? [desc(column), desc(idColumn)] : [asc(column), asc(idColumn)];
    return executor.select(columns).from(table).where(and(options.where, keyset)).orderBy(...order).limit(limit).toSQL();
  };
  return {
    column,
    /** Runs the page query: its shape's cached text, or the text Drizzle builds, which the shape then learns. */
    run: <R>(mapRows: RowsMapper<R>): Promise<R[]> => {
      if (shape.query) return shape.query.run(executor, [...shape.whereParams, ...keysetParams], mapRows);
      const query = built();
      shape.learn(query, keysetParams);
      return runText(executor, queryText(kind, query.sql, params.limit), query.params, undefined, mapRows);
    },
    cursor: (sortValue: unknown, id: unknown) => options.cursors.encode([params.sort, toCursorValue(sortValue), String(id)]),
  };
}

/**
 * Sends a page whose items the database wrote as JSON (`paginateItems`) as it is: the page
 * schema still documents the route, but the items are neither parsed nor serialized again (the
 * route's tests check them against that schema).
 */
export function sendPage(reply: FastifyReply, page: ItemsPage): FastifyReply {
  const total = page.total === undefined ? '' : `,"total":${page.total}`;
  const body = `{"items":${page.items},"next_cursor":${JSON.stringify(page.next_cursor)},"has_more":${page.has_more}${total}}`;
  return reply.type('application/json; charset=utf-8').send(body);
}

/** The same dialect as the application's Drizzle databases (default casing): renders `where` alone. */
const dialect = new PgDialect();

type RowsMapper<R> = (raw: unknown[][]) => R[];

/**
 * A query run through the executor's own Drizzle session (the pool, a transaction's client or
 * PGlite), so that the driver configuration (type parsers, array rows) is Drizzle's; `name`
 * makes it a named statement.
 */
function runText<R>(executor: Executor, text: string, params: unknown[], name: string | undefined, mapRows: RowsMapper<R>): Promise<R[]> {
  type Config = { execute: R[]; all: unknown; values: unknown };
  return executor._.session.prepareQuery<Config>({ sql: text, params }, undefined, name, true, mapRows).execute();
}

/** A page query whose text was built once: run again with other parameters. */
class PageQuery {
  /**
   * A named statement: on PostgreSQL each pooled connection parses and plans it once, then only
   * binds and executes it (an unnamed one is parsed and planned on every request, which for a
   * long projection such as an item written as JSON costs more than running it). Named by its
   * text's hash: one text, one name, on every connection and instance.
   */
  private readonly name: string;

  constructor(private readonly text: string) {
    this.name = `page_${createHash('sha256').update(text).digest('base64url').slice(0, 32)}`;
  }

  run<R>(executor: Executor, params: unknown[], mapRows: RowsMapper<R>): Promise<R[]> {
    return runText(executor, this.text, params, this.name, mapRows);
  }
}

const rowsMappers = new WeakMap<Projection, RowsMapper<Record<string, unknown>>>();
/**
 * Decodes rows as Drizzle's mapResultRow does (null stays null, anything else goes through the
 * column's mapFromDriverValue), without its per-field type checks. One per projection.
 */
function rowsMapper(columns: Projection): RowsMapper<Record<string, unknown>> {
  let mapper = rowsMappers.get(columns);
  if (mapper) return mapper;
  // `select(columns)` selects them in this order (Drizzle's orderSelectedFields).
  const entries = Object.entries(columns);
  const keys = entries.map(([key]) => key);
  const decoders = entries.map(([, field]) => (is(field, SQL) ? (value: unknown) => value : decoderOf(field)));
  mapper = (raw) => {
    const rows = new Array<Record<string, unknown>>(raw.length);
    for (let r = 0; r < raw.length; r++) {
      const values = raw[r]!;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const value = values[i];
        row[keys[i]!] = value === null ? value : decoders[i]!(value);
      }
      rows[r] = row;
    }
    return rows;
  };
  rowsMappers.set(columns, mapper);
  return mapper;
}

/**
 * The column's own mapFromDriverValue, except for `timestamp with time zone` columns in Date
 * mode, whose text (Drizzle has the drivers hand it over unparsed) is decoded into the same Date
 * by {@link decodeTimestamptz}, faster, and with its ISO text kept for the presenter.
 */
function decoderOf(column: AnyPgColumn): (value: unknown) => unknown {
  if (is(column, PgTimestamp) && column.withTimezone) {
    return (value) => (typeof value === 'string' ? decodeTimestamptz(value) : value);
  }
  return (value) => column.mapFromDriverValue(value);
}

/** A page of whole rows, or one row with the page's items joined ({@link itemsPageText}). */
type PageKind = 'rows' | 'items';

/** What runs for a page query of `pageSize` rows (plus one) of this kind. */
const queryText = (kind: PageKind, pageText: string, pageSize: number) => (kind === 'items' ? itemsPageText(pageText, pageSize) : pageText);

interface Shape {
  /** Set once the shape's text is known: run it with `[...whereParams, ...keyset params]`. */
  query: PageQuery | undefined;
  whereParams: unknown[];
  /** After a build by Drizzle: keeps its text if its parameters are the ones run() would pass. */
  learn(built: { sql: string; params: unknown[] }, keysetParams: unknown[]): void;
}

/**
 * The texts of page queries, by table and shape. A shape's key holds the text of `where` as
 * Drizzle renders it: values are bound parameters, so requests that differ only by values (the
 * tenant, a filter's value, the cursor) share one entry. A `where` that inlines values
 * (`sql.raw`, inlined params) makes a new shape per value: the number of shapes is capped and
 * past the cap queries are simply built every time, as before.
 *
 * The page size is written into the text, not bound: with `LIMIT $n` PostgreSQL cannot cost a
 * generic plan (it assumes a tenth of the rows) and plans the statement again at every execution,
 * which for a long projection costs as much as running it. A literal limit lets it keep one
 * generic plan per connection after five executions. Clients use a few page sizes, at most 100.
 */
class PageQueries {
  static readonly MAX_SHAPES = 500;
  private readonly byTable = new WeakMap<PgTable, Map<string, PageQuery | null>>();
  private size = 0;

  shape(table: PgTable, columns: Projection, order: string, withCursor: boolean, where: SQL | undefined, limit: number, kind: PageKind): Shape {
    // The walk answers for the usual conditions; anything else is rendered by Drizzle (slower).
    const walked = where ? whereShape(where) : { key: '', params: [] as unknown[] };
    const rendered = walked ? undefined : dialect.sqlToQuery(where!);
    const whereKey = walked ? `w${walked.key}` : `r${rendered!.sql}`;
    const whereParams = walked ? walked.params : rendered!.params;
    const key = `${kind}\u0000${projectionKey(columns)}\u0000${order}\u0000${withCursor ? 1 : 0}\u0000${limit}\u0000${whereKey}`;
    let shapes = this.byTable.get(table);
    const known = shapes?.get(key);
    return {
      query: known ?? undefined,
      whereParams,
      learn: (built, keysetParams) => {
        if (known !== undefined || this.size >= PageQueries.MAX_SHAPES) return;
        if (!shapes) this.byTable.set(table, (shapes = new Map()));
        // Once per shape, against what Drizzle built: the walk's values must be those it binds.
        const whereSql = rendered?.sql ?? (where ? dialect.sqlToQuery(where).sql : '');
        const expected = [...whereParams, ...keysetParams, limit];
        const same = sameValues(built.params, expected) && built.sql.includes(whereSql);
        const limitParam = ` limit $${expected.length}`;
        // An integer or nothing goes into the text (the query schema has checked it; this does not trust that).
        const text = same && Number.isSafeInteger(limit) && built.sql.endsWith(limitParam) ? `${built.sql.slice(0, -limitParam.length)} limit ${limit}` : null;
        shapes.set(key, text === null ? null : new PageQuery(queryText(kind, text, limit - 1)));
        this.size++;
      },
    };
  }
}

const pageQueries = new PageQueries();

const sameValues = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((value, i) => Object.is(value, b[i]));

/** Values Drizzle binds as they are when a template holds them. */
const PLAIN_VALUES = new Set(['string', 'number', 'boolean', 'bigint']);

const columnTexts = new WeakMap<Column, string>();
/** A column as Drizzle writes it in a query (`"table"."column"`), rendered once per column object. */
function columnText(column: Column): string {
  let text = columnTexts.get(column);
  if (text === undefined) columnTexts.set(column, (text = dialect.sqlToQuery(sql`${column}`).sql));
  return text;
}

/**
 * The shape of a `where` (its text with `?` for each bound value) and the values Drizzle binds
 * for it, in order, found by walking its chunks instead of rendering it: list requests build a
 * new `where` each time, and Drizzle's rendering of it cost ~8% of a list request. Only what
 * conditions are made of is walked (text, columns, bound and plain values, nested SQL); any
 * other chunk (a placeholder, a subquery, an array, inlined parameters, a value its column
 * writes as SQL) answers undefined, and the caller renders it with Drizzle.
 */
export function whereShape(where: SQL): { key: string; params: unknown[] } | undefined {
  const params: unknown[] = [];
  let key = '';
  const walk = (chunks: readonly unknown[]): boolean => {
    for (const chunk of chunks) {
      if (chunk === undefined) continue;
      if (chunk instanceof StringChunk) key += chunk.value.join('');
      else if (chunk instanceof SQL) {
        if ((chunk as unknown as { shouldInlineParams: boolean }).shouldInlineParams || !walk(chunk.queryChunks)) return false;
      } else if (chunk instanceof Column) key += columnText(chunk);
      else if (chunk instanceof Param) {
        if (chunk.value instanceof Placeholder) return false;
        const value = chunk.value === null ? null : chunk.encoder.mapToDriverValue(chunk.value);
        if (value instanceof SQL) return false;
        key += '\u0000?';
        params.push(value);
      } else if (chunk === null || chunk instanceof Date || PLAIN_VALUES.has(typeof chunk)) {
        key += '\u0000?';
        params.push(chunk);
      } else return false;
    }
    return true;
  };
  return walk([where]) ? { key, params } : undefined;
}

/**
 * The ORDER BY of a shape by the columns themselves, not the `sort` parameter: two endpoints on
 * one table may give the same sort name to different columns, or page on another id column.
 */
function orderOf(column: AnyPgColumn, idColumn: AnyPgColumn, descending: boolean): string {
  const name = (c: AnyPgColumn) => `${getTableName(c.table)}.${c.name}`;
  return `${descending ? 'desc' : 'asc'} ${name(column)} ${name(idColumn)}`;
}

/** What Drizzle binds for the keyset condition after a cursor's row: the column's driver value, and the id as it is. */
function keysetAfter([, value, id]: CursorPayload, column: AnyPgColumn): unknown[] {
  return [column.dataType === 'date' ? instantDriverValue(value) : column.mapToDriverValue(value), id];
}

/** An instant as `toCursorValue` writes it (`Date.prototype.toISOString`, years 0000-9999). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * What a date column binds for a cursor's instant: its ISO text, as the column's
 * mapToDriverValue writes a Date. Text in that form is bound as it is, without a Date made and
 * written back (the cursor's signature vouches for it); anything else goes through a Date.
 */
function instantDriverValue(value: CursorValue): string {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return value;
  const instant = new Date(String(value));
  if (Number.isNaN(instant.getTime())) throw new ProblemError(400, 'INVALID_CURSOR');
  return instant.toISOString();
}

function toCursorValue(value: unknown): CursorValue {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/** The property name of a column in selected rows. */
function keyOf(columns: Projection, column: AnyPgColumn): string {
  const entry = Object.entries(columns).find(([, c]) => c === column);
  if (!entry) throw new Error(`Column ${column.name} is not among the selected columns`);
  return entry[0];
}

const storedColumns = new WeakMap<PgTable, Projection>();
/**
 * The table's columns but its generated ones (a stored list item is `paginateItems`' to read),
 * one object per table so that it can key a cache (`getTableColumns` builds a new one per call).
 */
function storedColumnsOf(table: PgTable): Projection {
  let columns = storedColumns.get(table);
  if (!columns) {
    columns = Object.fromEntries(Object.entries(getTableColumns(table)).filter(([, column]) => !column.generated));
    storedColumns.set(table, columns);
  }
  return columns;
}

const projectionKeys = new WeakMap<Projection, string>();
/** Which columns, under which names: part of a shape's key (projections are module constants). */
function projectionKey(columns: Projection): string {
  let key = projectionKeys.get(columns);
  if (key === undefined) {
    key = Object.entries(columns).map(([name, field]) => `${name}=${is(field, SQL) ? dialect.sqlToQuery(field).sql : field.name}`).join(',');
    projectionKeys.set(columns, key);
  }
  return key;
}
