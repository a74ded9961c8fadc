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
 * How values go into JSON text. Written by concatenation rather than json_build_object, which
 * looks up each argument's output function again on every row (it doubled the database's CPU
 * time for a page of 50 invoices).
 */
export const json = {
  /** Any text, escaped by PostgreSQL. */
  string: (value: Value, options?: FieldOptions) => field(value, (v) => [sql`to_json(${v})::text`], options),
  /**
   * Text that never needs escaping, quoted as it is (cheaper than `string`): generated ids,
   * codes and enum values the application checks, dates, numbers written as text.
   */
  plain: (value: Value, options?: FieldOptions) => field(value, (v) => ['"', sql`(${v})`, '"'], options),
  /** A number or a boolean: its text is its JSON. */
  literal: (value: Value, options?: FieldOptions) => field(value, (v) => [sql`(${v})::text`], options),
  /**
   * A `timestamp with time zone` column as `Date.prototype.toISOString()` writes it
   * (`2026-11-28T09:30:00.000Z`). Exact for the millisecond columns of this schema.
   */
  instant: (column: AnyPgColumn) =>
    field(column, (v) => ['"', sql`to_char(${v} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`, '"'], { notNull: column.notNull }),
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
 * in (see `sendPage`). The keys are those of the item schema (the compiler holds them to it);
 * values are written as {@link json} says, already in the API's form (text dates, money text).
 */
export function jsonObject<Item>(fields: { [K in keyof Item]-?: JsonField }): SQL<string> {
  const pieces = Object.entries(fields as Record<string, JsonField>).flatMap(([key, { pieces }], i) => {
    if (!KEY.test(key)) throw new Error(`JSON key ${key} is not a plain name`);
    return [`${i === 0 ? '{' : ','}"${key}":`, ...pieces];
  });
  return concat([...pieces, '}']) as SQL<string>;
}
