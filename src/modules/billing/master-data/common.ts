import { escapeLike } from '../../../kernel/db/like';
import { Type, type TSchema } from '@sinclair/typebox';
import { and, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { FastifyRequest } from 'fastify';
import { originOf, recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { sqlState } from '../../../kernel/db/errors';
import { emitEvent } from '../../../kernel/events/outbox';
import { conflict, validationFailed, type FieldError } from '../../../kernel/http/problem';
import { translate, type Locale } from '../../../kernel/i18n/index';
import { readDecimal, type Dec, type DecimalFault, type DecimalRule } from '../money';

/** Who asks, from where, in which language: what every master data service function receives. */
export interface Caller {
  actor: Actor;
  origin: RequestOrigin;
  locale: Locale;
}

export const callerOf = (request: FastifyRequest): Caller => ({ actor: request.actor!, origin: originOf(request), locale: request.locale });

export const READ = { permission: 'master_data:read' };
export const WRITE = { permission: 'master_data:write' };
export const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];

// ---- schema pieces -------------------------------------------------------------------------

export const Instant = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** Letters, digits, `_`, `-`, `.`; unique per organization, case-insensitively. */
export const Code = Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', examples: ['ELEC'] });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const Description = Nullable(Type.String({ maxLength: 2000 }));
/**
 * An opaque reference to a record of a module that does not exist yet (accounts, companies):
 * a string or an integer (seed 000 writes `101`), stored and answered as a string.
 */
export const Reference = Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Integer({ minimum: 0 }), Type.Null()]);
export const referenceOf = (value: string | number | null | undefined): string | null | undefined =>
  value === undefined || value === null ? value : String(value);
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** Input of an exact decimal: a decimal string or a JSON number. */
export const DecimalInput = (description: string, example: string) =>
  Type.Union([Type.String({ pattern: '^-?[0-9]{1,20}(\\.[0-9]{1,20})?$', maxLength: 42 }), Type.Number()], { description: `${description} Decimal string or number.`, examples: [example] });

// ---- decimal validation ------------------------------------------------------------------------

export type { DecimalRule };

/** How master data words each decimal fault (localized). */
const FAULT_KEYS: Record<DecimalFault['kind'], string> = {
  format: 'validation.pattern',
  minimum: 'validation.minimum',
  above: 'validation.exclusiveMinimum',
  maximum: 'validation.maximum',
  places: 'validation.billing.decimals',
};

/** Collects field errors of business validation; `throwIfAny` answers them all at once (422). */
export class Checks {
  readonly errors: FieldError[] = [];
  constructor(readonly locale: Locale) {}

  fail(field: string, key: string, params: Record<string, unknown> = {}): void {
    this.errors.push({ field, message: translate(this.locale, key, params) });
  }

  /** The decimal (`readDecimal`); its first fault, if any, becomes this field's error. */
  decimal(field: string, input: string | number, rule: DecimalRule): Dec {
    const { value, faults } = readDecimal(input, rule);
    const fault = faults[0];
    if (fault) this.fail(field, FAULT_KEYS[fault.kind], fault.kind === 'places' ? { digits: fault.places } : fault.kind === 'format' ? {} : { limit: fault.limit });
    return value;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw validationFailed(this.errors);
  }
}

export const PERCENT: DecimalRule = { min: '0', max: '100', places: 4 };

// ---- writes --------------------------------------------------------------------------------

/** The audit entry and the outbox event of one change, in the change's transaction. */
export async function recordChange(tx: Executor, caller: Caller, resourceType: string, action: string, resource: { id: string } & Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  const { actor } = caller;
  await recordAudit(tx, caller.origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: `${resourceType}.${action}`, resourceType, resourceId: resource.id, metadata });
  await emitEvent(tx, { organizationId: actor.organizationId, type: `${resourceType}.${action}`, data: resource });
}

/** Runs a write and turns a unique violation into a 409 with a specific code. */
export async function uniquely<T>(code: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlState(error) === '23505') throw conflict(code);
    throw error;
  }
}

/** Serializes writes that must see each other (same tree, same tax code) until commit. */
export async function lockFor(tx: Executor, scope: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${0x62696c6c}, hashtext(${scope}))`);
}

// ---- references ----------------------------------------------------------------------------
//
// Other rows hold master data ids (a client its payment terms, an invoice line its unit and tax
// code…). A delete locks its row FOR UPDATE, then asks every referrer (assertUnreferenced); a
// write that stores a reference first keeps the row FOR KEY SHARE (keepRows), which such a
// delete waits for and which waits for such a delete. So either the reference commits first and
// the delete sees it (409), or the delete commits first and the write finds no row (422).

/** Whether a row of the organization (a client, an invoice…) refers to the master data row `id`. */
export type Referrer = (tx: Executor, organizationId: string, id: string) => Promise<boolean>;

/** Who may refer to one kind of master data, by the name the 409 answers as `used_by`. */
export type Referrers = Record<string, Referrer>;

/** The referrer that looks for a row of `table` of the organization holding the id in `column`. */
export const referencedIn =
  (table: PgTable, columns: { organizationId: AnyPgColumn }, column: AnyPgColumn): Referrer =>
  async (tx, organizationId, id) => {
    const [row] = await tx.select({ found: sql<number>`1` }).from(table).where(and(eq(columns.organizationId, organizationId), eq(column, id))).limit(1);
    return row !== undefined;
  };

/**
 * 409 `code` (with `used_by`: the first referrer that still refers to it) unless nothing refers to
 * the row. Call it with the row locked FOR UPDATE.
 */
export async function assertUnreferenced(tx: Executor, organizationId: string, id: string, code: string, referrers: Referrers): Promise<void> {
  for (const [usedBy, refers] of Object.entries(referrers)) {
    if (await refers(tx, organizationId, id)) throw conflict(code, { extensions: { used_by: usedBy } });
  }
}

/**
 * The rows of `table` among `ids` that the organization has, kept from being deleted until the
 * caller's transaction ends (FOR KEY SHARE): what a write that stores references to them reads.
 */
export async function keepRows<Row>(tx: Executor, table: PgTable, columns: { id: AnyPgColumn; organizationId: AnyPgColumn }, organizationId: string, ids: (string | null | undefined)[]): Promise<Map<string, Row>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))].sort();
  if (wanted.length === 0) return new Map();
  const rows = (await tx
    .select()
    .from(table)
    .where(and(eq(columns.organizationId, organizationId), inArray(columns.id, wanted)))
    .orderBy(columns.id)
    .for('key share')) as (Row & { id: string })[];
  return new Map(rows.map((row) => [row.id, row]));
}


/** `q` (API.md) or `search` (seed 000) as a case-insensitive substring of any of the columns. */
export function textFilter(query: { q?: string; search?: string }, columns: AnyPgColumn[]): SQL | undefined {
  const text = query.q ?? query.search;
  if (!text) return undefined;
  const pattern = `%${escapeLike(text)}%`;
  return or(...columns.map((column) => ilike(column, pattern)));
}
