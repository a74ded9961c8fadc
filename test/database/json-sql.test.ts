import { sql } from 'drizzle-orm';
import { boolean, date, integer, PgDialect, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/kernel/db/database';
import { json, jsonObject } from '../../src/kernel/db/json-sql';
import { openTestDatabase } from '../support/database';

/** Items written as JSON text by the database (list pages send them as they come). */
const things = pgTable('json_sql_things', {
  id: text('id').primaryKey(),
  label: text('label'),
  code: text('code'),
  count: integer('count'),
  flag: boolean('flag').notNull(),
  at: timestamp('at', { precision: 3, withTimezone: true }),
  day: date('day', { mode: 'string' }),
  createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull(),
});

interface Thing {
  id: string;
  label: string | null;
  code: string | null;
  count: number | null;
  flag: boolean;
  at: string | null;
  day: string | null;
  created_at: string;
  doubled: number;
}

const ITEM = jsonObject<Thing>({
  id: json.plain(things.id),
  label: json.string(things.label),
  code: json.plain(things.code),
  count: json.literal(things.count),
  flag: json.literal(things.flag),
  at: json.instant(things.at),
  day: json.date(things.day),
  created_at: json.instant(things.createdAt),
  doubled: json.literal(sql`coalesce(${things.count}, 0) * 2`, { notNull: true }),
});

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  // The item is also a stored generated column: PostgreSQL accepts only immutable expressions there.
  const item = new PgDialect().sqlToQuery(ITEM);
  expect(item.params).toEqual([]);
  await database.query(
    `CREATE TABLE json_sql_things (id text PRIMARY KEY, label text, code text, count integer, flag boolean NOT NULL, at timestamptz(3), day date, created_at timestamptz(3) NOT NULL,
       item text GENERATED ALWAYS AS (${item.sql}) STORED)`,
  );
});
afterAll(() => database.close());

/** The item as a query writes it; the stored column must hold the same text. */
async function itemOf(row: typeof things.$inferInsert): Promise<{ text: string; item: unknown }> {
  await database.db.insert(things).values(row);
  const [written] = await database.db.select({ text: ITEM }).from(things).where(sql`${things.id} = ${row.id}`);
  const [stored] = await database.query<{ item: string }>('SELECT item FROM json_sql_things WHERE id = $1', [row.id]);
  expect(stored!.item).toBe(written!.text);
  return { text: written!.text, item: JSON.parse(written!.text) };
}

describe('jsonObject', () => {
  it('writes text with every character JSON must escape, numbers, booleans and instants as JSON.stringify would', async () => {
    const label = 'quote " backslash \\ slash / newline \n tab \t bell \u0007 nul-free ünïcödé ✓ 𝄞';
    const { text, item } = await itemOf({ id: 'thing_1', label, code: 'C-1', count: -42, flag: true, at: new Date('2026-11-28T09:30:00.5Z'), day: '0987-02-28', createdAt: new Date('1999-12-31T23:59:59.999Z') });
    expect(item).toEqual({ id: 'thing_1', label, code: 'C-1', count: -42, flag: true, at: '2026-11-28T09:30:00.500Z', day: '0987-02-28', created_at: '1999-12-31T23:59:59.999Z', doubled: -84 });
    expect(Object.keys(item as object)).toEqual(['id', 'label', 'code', 'count', 'flag', 'at', 'day', 'created_at', 'doubled']);
    expect(text).not.toMatch(/\s"\s*:|:\s/);
  });

  it('writes null for every kind of field that has no value', async () => {
    const { item } = await itemOf({ id: 'thing_2', label: null, code: null, count: null, flag: false, at: null, day: null, createdAt: new Date('2026-01-01T00:00:00Z') });
    expect(item).toEqual({ id: 'thing_2', label: null, code: null, count: null, flag: false, at: null, day: null, created_at: '2026-01-01T00:00:00.000Z', doubled: 0 });
  });

  it('refuses a key that is not a plain name, before any SQL is written', () => {
    expect(() => jsonObject<{ "a'b": string }>({ "a'b": json.plain(things.id) })).toThrow(/not a plain name/);
  });
});
