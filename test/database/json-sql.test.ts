import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
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
  createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull(),
});

interface Thing {
  id: string;
  label: string | null;
  code: string | null;
  count: number | null;
  flag: boolean;
  at: string | null;
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
  created_at: json.instant(things.createdAt),
  doubled: json.literal(sql`coalesce(${things.count}, 0) * 2`, { notNull: true }),
});

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await database.query(
    'CREATE TABLE json_sql_things (id text PRIMARY KEY, label text, code text, count integer, flag boolean NOT NULL, at timestamptz(3), created_at timestamptz(3) NOT NULL)',
  );
});
afterAll(() => database.close());

async function itemOf(row: typeof things.$inferInsert): Promise<{ text: string; item: unknown }> {
  await database.db.insert(things).values(row);
  const [written] = await database.db.select({ text: ITEM }).from(things).where(sql`${things.id} = ${row.id}`);
  return { text: written!.text, item: JSON.parse(written!.text) };
}

describe('jsonObject', () => {
  it('writes text with every character JSON must escape, numbers, booleans and instants as JSON.stringify would', async () => {
    const label = 'quote " backslash \\ slash / newline \n tab \t bell \u0007 nul-free ünïcödé ✓ 𝄞';
    const { text, item } = await itemOf({ id: 'thing_1', label, code: 'C-1', count: -42, flag: true, at: new Date('2026-11-28T09:30:00.5Z'), createdAt: new Date('1999-12-31T23:59:59.999Z') });
    expect(item).toEqual({ id: 'thing_1', label, code: 'C-1', count: -42, flag: true, at: '2026-11-28T09:30:00.500Z', created_at: '1999-12-31T23:59:59.999Z', doubled: -84 });
    expect(Object.keys(item as object)).toEqual(['id', 'label', 'code', 'count', 'flag', 'at', 'created_at', 'doubled']);
    expect(text).not.toMatch(/\s"\s*:|:\s/);
  });

  it('writes null for every kind of field that has no value', async () => {
    const { item } = await itemOf({ id: 'thing_2', label: null, code: null, count: null, flag: false, at: null, createdAt: new Date('2026-01-01T00:00:00Z') });
    expect(item).toEqual({ id: 'thing_2', label: null, code: null, count: null, flag: false, at: null, created_at: '2026-01-01T00:00:00.000Z', doubled: 0 });
  });

  it('refuses a key that is not a plain name, before any SQL is written', () => {
    expect(() => jsonObject<{ "a'b": string }>({ "a'b": json.plain(things.id) })).toThrow(/not a plain name/);
  });
});
