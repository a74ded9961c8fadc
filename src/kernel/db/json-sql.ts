import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** What a JSON field is made of: a column (written as JSON writes its type) or an expression. */
export type JsonField = AnyPgColumn | SQL;

const KEY = /^[a-z_][a-z0-9_]*$/;

/**
 * `json_build_object('key', value, …)::text`: a resource written as JSON by the database, for
 * list pages whose items go out as they come in (see `paginate`'s `json` option). The keys are
 * those of the item schema (`Fields` makes the compiler hold them to it); values are columns or
 * expressions that already have the API's form (text dates, {@link isoInstant}, money text).
 */
export function jsonObject<Item>(fields: { [K in keyof Item]-?: JsonField }): SQL<string> {
  const parts = Object.entries(fields as Record<string, JsonField>).map(([key, value]) => {
    if (!KEY.test(key)) throw new Error(`JSON key ${key} is not a plain name`);
    return sql`${sql.raw(`'${key}'`)}, ${value}`;
  });
  return sql<string>`json_build_object(${sql.join(parts, sql`, `)})::text`;
}

/**
 * A `timestamp with time zone` as `Date.prototype.toISOString()` writes it
 * (`2026-11-28T09:30:00.000Z`), null for null. Exact for the millisecond columns of this schema.
 */
export const isoInstant = (column: AnyPgColumn): SQL<string | null> =>
  sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
