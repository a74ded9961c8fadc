import { and, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import { conflict, ProblemError } from '../../../kernel/http/problem';
import { translate } from '../../../kernel/i18n/index';
import type { Kernel } from '../../../kernel/kernel';
import { Dec, formatPlain, toDec } from '../money';
import { loaderOf } from '../rows';
import { assertUnreferenced, Checks, keepRows, lockFor, recordChange, referenceOf, textFilter, uniquely, type Caller, type DecimalRule, type Referrers } from './common';
import type { ConvertBody, CreateUnit, ListUnitsQuery, Unit, UpdateUnit } from './units.schemas';
import { billingUnits as t } from './tables';

type Row = typeof t.$inferSelect;

const FACTOR: DecimalRule = { above: '0', max: '9999999999999999', places: 16 };
const QUANTITY: DecimalRule = { min: '-99999999999999999999', max: '99999999999999999999', places: 16 };

const present = (row: Row): Unit => ({
  id: row.id,
  organization_id: row.organizationId,
  company_id: row.companyId,
  name: row.name,
  symbol: row.symbol,
  unit_type: row.unitType as Unit['unit_type'],
  description: row.description,
  is_base_unit: row.isBaseUnit,
  conversion_factor: formatPlain(row.conversionFactor),
  decimal_places: row.decimalPlaces,
  is_active: row.isActive,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

const scoped = (organizationId: string, id: string) => and(eq(t.organizationId, organizationId), eq(t.id, id));

/**
 * `value` in `from` expressed in `to`: exact (`value × from.factor ÷ to.factor`), then rounded
 * half-up to `to`'s decimal places. Units of different types do not convert (422).
 */
export function convertQuantity(value: Dec, from: { unitType: string; conversionFactor: string }, to: { unitType: string; conversionFactor: string; decimalPlaces: number }): Dec {
  if (from.unitType !== to.unitType) throw new ProblemError(422, 'UNIT_TYPE_MISMATCH', { params: { from: from.unitType, to: to.unitType } });
  return value.times(from.conversionFactor).dividedBy(to.conversionFactor).toDecimalPlaces(to.decimalPlaces, Dec.ROUND_HALF_UP);
}

/** The organization's units among `ids`, kept until the caller's transaction ends (it stores their ids; see `keepRows`). */
export const keepUnits = (tx: Executor, organizationId: string, ids: (string | null | undefined)[]): Promise<Map<string, Row>> => keepRows<Row>(tx, t, t, organizationId, ids);

/**
 * Units of measurement (seed 000): one base unit per type, derived units with exact factors.
 * `referrers`: the parts of billing that store unit ids (invoice lines…).
 */
export function unitService(kernel: Kernel, referrers: Referrers) {
  const load = loaderOf<Row>(t, t, 'UNIT_NOT_FOUND');

  /** Unit writes of one organization take turns, so the symbol and base-unit checks cannot race. */
  const unitLock = (tx: Executor, organizationId: string) => lockFor(tx, `units:${organizationId}`);

  async function assertFree(tx: Executor, caller: Caller, next: { symbol: string; unitType: string; isBaseUnit: boolean }, except?: string) {
    const org = caller.actor.organizationId;
    const others = except ? ne(t.id, except) : undefined;
    const [sameSymbol] = await tx.select({ id: t.id }).from(t).where(and(eq(t.organizationId, org), eq(t.symbol, next.symbol), others));
    if (sameSymbol) throw conflict('UNIT_SYMBOL_EXISTS');
    if (next.isBaseUnit) {
      const [base] = await tx.select({ id: t.id }).from(t).where(and(eq(t.organizationId, org), eq(t.unitType, next.unitType), eq(t.isBaseUnit, true), others));
      if (base) throw conflict('BASE_UNIT_EXISTS', { params: { unit_type: next.unitType } });
    }
  }

  /** A base unit that others of its type are defined against stays one, of that type (409 BASE_UNIT_IN_USE). */
  async function assertNoDerived(tx: Executor, organizationId: string, base: Row) {
    if (!base.isBaseUnit) return;
    const [derived] = await tx.select({ id: t.id }).from(t).where(and(eq(t.organizationId, organizationId), eq(t.unitType, base.unitType), ne(t.id, base.id))).limit(1);
    if (derived) throw conflict('BASE_UNIT_IN_USE');
  }

  /** The factor a unit ends up with: 1 for a base unit, a positive exact decimal otherwise. */
  function factorOf(checks: Checks, isBaseUnit: boolean, given: string | number | undefined, current?: string): string {
    if (given === undefined) {
      if (isBaseUnit) {
        if (current !== undefined && !new Dec(current).eq(1)) checks.fail('conversion_factor', 'validation.billing.base_factor');
        return '1';
      }
      if (current === undefined) checks.fail('conversion_factor', 'validation.required');
      return current ?? '1';
    }
    const factor = checks.decimal('conversion_factor', given, FACTOR);
    if (isBaseUnit && !factor.eq(1)) checks.fail('conversion_factor', 'validation.billing.base_factor');
    return factor.toFixed();
  }

  return {
    load,

    async create(tx: Executor, caller: Caller, input: CreateUnit): Promise<Unit> {
      const org = caller.actor.organizationId;
      const isBaseUnit = input.is_base_unit ?? false;
      const checks = new Checks(caller.locale);
      const factor = factorOf(checks, isBaseUnit, input.conversion_factor);
      checks.throwIfAny();
      await unitLock(tx, org);
      await assertFree(tx, caller, { symbol: input.symbol, unitType: input.unit_type, isBaseUnit });
      const now = kernel.now();
      const [row] = await uniquely('UNIT_SYMBOL_EXISTS', () =>
        tx
          .insert(t)
          .values({
            id: newId('unit'),
            organizationId: org,
            companyId: referenceOf(input.company_id) ?? null,
            name: input.name,
            symbol: input.symbol,
            unitType: input.unit_type,
            description: input.description ?? null,
            isBaseUnit,
            conversionFactor: factor,
            decimalPlaces: input.decimal_places ?? 2,
            isActive: input.is_active ?? true,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      );
      const unit = present(row!);
      await recordChange(tx, caller, 'unit', 'created', unit);
      return unit;
    },

    async get(tx: Executor, caller: Caller, id: string): Promise<Unit> {
      return present(await load(tx, caller.actor.organizationId, id));
    },

    async list(tx: Executor, caller: Caller, query: ListUnitsQuery) {
      const page = await paginate({
        executor: tx,
        table: t,
        where: and(
          eq(t.organizationId, caller.actor.organizationId),
          query.unit_type ? eq(t.unitType, query.unit_type) : undefined,
          query.is_base_unit !== undefined ? eq(t.isBaseUnit, query.is_base_unit) : undefined,
          query.is_active !== undefined ? eq(t.isActive, query.is_active) : undefined,
          textFilter(query, [t.name, t.symbol, t.description]),
        ),
        sortColumns: { name: t.name, symbol: t.symbol, created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(present) };
    },

    async update(tx: Executor, caller: Caller, id: string, input: UpdateUnit, expectedVersion?: number[]): Promise<Unit> {
      const org = caller.actor.organizationId;
      await unitLock(tx, org);
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      const next = { symbol: input.symbol ?? current.symbol, unitType: input.unit_type ?? current.unitType, isBaseUnit: input.is_base_unit ?? current.isBaseUnit };
      const checks = new Checks(caller.locale);
      const factor = factorOf(checks, next.isBaseUnit, input.conversion_factor, current.conversionFactor);
      checks.throwIfAny();
      if (next.unitType !== current.unitType || !next.isBaseUnit) await assertNoDerived(tx, org, current);
      await assertFree(tx, caller, next, id);
      const [row] = await uniquely('UNIT_SYMBOL_EXISTS', () =>
        tx
          .update(t)
          .set({
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(input.decimal_places !== undefined ? { decimalPlaces: input.decimal_places } : {}),
            ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
            ...(input.company_id !== undefined ? { companyId: referenceOf(input.company_id) } : {}),
            symbol: next.symbol,
            unitType: next.unitType,
            isBaseUnit: next.isBaseUnit,
            conversionFactor: factor,
            version: sql`${t.version} + 1`,
            updatedAt: kernel.now(),
          })
          .where(scoped(org, id))
          .returning(),
      );
      const unit = present(row!);
      await recordChange(tx, caller, 'unit', 'updated', unit, { fields: Object.keys(input) });
      return unit;
    },

    /**
     * A base unit cannot go while other units of its type remain (409 BASE_UNIT_IN_USE), nor any
     * unit that lines or schedules still name (409 UNIT_IN_USE).
     */
    async remove(tx: Executor, caller: Caller, id: string, expectedVersion?: number[]): Promise<void> {
      const org = caller.actor.organizationId;
      await unitLock(tx, org);
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      await assertNoDerived(tx, org, current);
      await assertUnreferenced(tx, org, id, 'UNIT_IN_USE', referrers);
      await tx.delete(t).where(scoped(org, id));
      await recordChange(tx, caller, 'unit', 'deleted', present(current));
    },

    async convert(tx: Executor, caller: Caller, input: ConvertBody) {
      const checks = new Checks(caller.locale);
      const value = checks.decimal('value', input.value, QUANTITY);
      checks.throwIfAny();
      const org = caller.actor.organizationId;
      const from = await load(tx, org, input.from_unit_id);
      const to = await load(tx, org, input.to_unit_id);
      if (from.unitType !== to.unitType) {
        throw new ProblemError(422, 'UNIT_TYPE_MISMATCH', {
          errors: [{ field: 'to_unit_id', message: translate(caller.locale, 'validation.billing.unit_type_mismatch', { from: from.unitType, to: to.unitType }) }],
        });
      }
      const converted = convertQuantity(value, from, to);
      return { from_unit_id: from.id, to_unit_id: to.id, value: formatPlain(toDec(input.value)), converted_value: converted.toFixed(to.decimalPlaces), to_unit_symbol: to.symbol };
    },
  };
}
