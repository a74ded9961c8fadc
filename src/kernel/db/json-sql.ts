import { is, sql, type SQL } from 'drizzle-orm';
import { PgColumn, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** A piece of JSON text: a string is written as it is, an SQL expression gives its text. */
type Piece = string | SQL;

/** One field of an item written as JSON text by the database. */
export interface JsonField {
  readonly pieces: readonly Piece[];
}

type Value = AnyPgColumn | SQL;

/** `notNull` for an expression that is never NULL (a column says it itself). */
interface FieldOptions {
  notNull?: boolean;
}

/** A field made of `pieces`; a value that may be NULL is written `null` then. */
function field(value: Value, pieces: (value: Value) => Piece[], options: FieldOptions = {}): JsonField {
  const notNull = options.notNull ?? (is(value, PgColumn) && value.notNull);
  return { pieces: notNull ? pieces(value) : [sql`coalesce(${concat(pieces(value))}, 'null')`] };
}

/**
 * How values go into JSON text. Every expression is immutable, so that an item can be a stored
 * generated column (computed when its row is written, read as plain text): the three functions
 * below are migration 0018's, immutable wrappers of to_json and to_char, which PostgreSQL marks
 * stable because other types or formats depend on settings; these arguments and formats do not.
 * Concatenation, not json_build_object, which is not immutable either.
 */
export const json = {
  /** Any text, escaped as JSON requires. */
  string: (value: Value, options?: FieldOptions) => field(value, (v) => [sql`deskbase_json_string(${v})`], options),
  /** Text that never needs escaping, quoted as it is: generated ids, codes and enum values the application checks, numbers written as text. */
  plain: (value: Value, options?: FieldOptions) => field(value, (v) => ['"', sql`(${v})::text`, '"'], options),
  /** A number or a boolean: its text is its JSON. */
  literal: (value: Value, options?: FieldOptions) => field(value, (v) => [sql`(${v})::text`], options),
  /** A `date` column as `YYYY-MM-DD`. */
  date: (column: AnyPgColumn) => field(column, (v) => ['"', sql`deskbase_iso_date(${v})`, '"'], { notNull: column.notNull }),
  /**
   * A `timestamp with time zone` column as `Date.prototype.toISOString()` writes it
   * (`2026-11-28T09:30:00.000Z`). Exact for the millisecond columns of this schema.
   */
  instant: (column: AnyPgColumn) => field(column, (v) => ['"', sql`deskbase_iso_instant(${v})`, '"'], { notNull: column.notNull }),
};

/** `a || b || …`, adjacent strings joined first: each `||` copies all the text before it. */
function concat(pieces: readonly Piece[]): SQL {
  const merged: Piece[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if (typeof piece === 'string' && typeof last === 'string') merged[merged.length - 1] = last + piece;
    else merged.push(piece);
  }
  const parts = merged.map((piece) => (typeof piece === 'string' ? sql.raw(`'${piece.replaceAll("'", "''")}'`) : piece));
  return sql`(${sql.join(parts, sql` || `)})`;
}

const KEY = /^[a-z_][a-z0-9_]*$/;

/**
 * An item written as JSON text by the database, for list pages whose items go out as they come
 * in (see `sendPage`), typically as a stored generated column. The keys are those of the item
 * schema (the compiler holds them to it); values are written as {@link json} says, already in the
 * API's form (text dates, money text).
 */
export function jsonObject<Item>(fields: { [K in keyof Item]-?: JsonField }): SQL<string> {
  const pieces = Object.entries(fields as Record<string, JsonField>).flatMap(([key, { pieces }], i) => {
    if (!KEY.test(key)) throw new Error(`JSON key ${key} is not a plain name`);
    return [`${i === 0 ? '{' : ','}"${key}":`, ...pieces];
  });
  return concat([...pieces, '}']) as SQL<string>;
}
