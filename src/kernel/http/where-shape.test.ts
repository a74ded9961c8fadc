import { and, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { widgets } from '../../../test/support/widgets/tables';
import { whereShape } from './pagination';

const dialect = new PgDialect();

/** Conditions as list services write them, each built twice with other values. */
const conditions: [string, (n: number) => SQL | undefined][] = [
  ['tenant', (n) => eq(widgets.organizationId, `org_${n}`)],
  ['tenant and filters', (n) => and(eq(widgets.organizationId, `org_${n}`), eq(widgets.color, n ? 'red' : 'blue'), ilike(widgets.name, `%${n}%`))],
  ['a timestamp its column encodes', (n) => and(eq(widgets.organizationId, 'org_a'), gt(widgets.createdAt, new Date(Date.UTC(2026, 0, 1 + n))))],
  ['or, null test, nested template with a plain value', (n) => or(isNull(widgets.color), sql`${widgets.quantity} > ${n * 10} and ${widgets.version} = ${n}`)],
  ['an absent filter', (n) => and(eq(widgets.organizationId, `org_${n}`), undefined, eq(widgets.quantity, n))],
];

describe('whereShape', () => {
  it.each(conditions)('binds what Drizzle binds, and gives one key whatever the values: %s', (_, build) => {
    const [a, b] = [build(1)!, build(2)!];
    const [shapeA, shapeB] = [whereShape(a), whereShape(b)];
    expect(shapeA).toBeDefined();
    expect(shapeA!.params).toEqual(dialect.sqlToQuery(a).params);
    expect(shapeB!.params).toEqual(dialect.sqlToQuery(b).params);
    expect(shapeA!.params).not.toEqual(shapeB!.params);
    expect(shapeA!.key).toBe(shapeB!.key);
  });

  it('gives conditions of another shape another key', () => {
    const keys = conditions.map(([, build]) => whereShape(build(1)!)!.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(whereShape(eq(widgets.name, 'x'))!.key).not.toBe(whereShape(eq(widgets.color, 'x'))!.key);
    expect(whereShape(sql`${widgets.name} = ${'x'}`)!.key).not.toBe(whereShape(sql`${widgets.name} <> ${'x'}`)!.key);
    // Raw text is part of the shape: each raw value is a shape of its own.
    expect(whereShape(sql`${widgets.quantity} > ${sql.raw('1')}`)!.key).not.toBe(whereShape(sql`${widgets.quantity} > ${sql.raw('2')}`)!.key);
  });

  it('leaves to Drizzle what it does not walk: lists, placeholders, inlined parameters', () => {
    expect(whereShape(inArray(widgets.color, ['red', 'blue']))).toBeUndefined();
    expect(whereShape(eq(widgets.name, sql.placeholder('name')))).toBeUndefined();
    expect(whereShape(sql`${widgets.name} = ${'x'}`.inlineParams())).toBeUndefined();
    expect(whereShape(and(eq(widgets.organizationId, 'org_a'), sql`${widgets.name} = ${'x'}`.inlineParams())!)).toBeUndefined();
  });
});
