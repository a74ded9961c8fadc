import { today } from '../dates';
import { and, desc, eq, gte, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import { isId, newId } from '../../../kernel/db/ids';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import { conflict, ProblemError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import { Dec, DEFAULT_CURRENCY, formatMoney, formatRate, minorDigits, roundMoney } from '../money';
import { loaderOf } from '../rows';
import { assertUnreferenced, Checks, keepRows, lockFor, PERCENT, recordChange, referencedIn, textFilter, type Caller, type Referrers } from './common';
import type { CalculateTaxBody, CreateTaxCode, ListTaxCodesQuery, TaxCode, UpdateTaxCode } from './tax-codes.schemas';
import { billingCategories, billingTaxCodes as t, type StoredTaxComponent } from './tables';

type Row = typeof t.$inferSelect;
export type SupplyType = 'intra_state' | 'inter_state';
type ComponentInput = NonNullable<CreateTaxCode['components']>[number];

const COMPONENT_RATE = { ...PERCENT, places: 5 };

/** HSN (goods: 4, 6 or 8 digits, chapters 01-98) or SAC (services: 6 digits starting with 99); null if neither. */
export function hsnSacKind(code: string): 'HSN' | 'SAC' | null {
  if (/^99\d{4}$/.test(code)) return 'SAC';
  if (/^\d{4}(\d{2}){0,2}$/.test(code) && !code.startsWith('99') && !code.startsWith('00')) return 'HSN';
  return null;
}

/** The components a tax code gets when none are given. */
export function defaultComponents(taxType: string, rate: Dec): StoredTaxComponent[] {
  if (taxType === 'GST') {
    const half = rate.dividedBy(2).toFixed();
    return [
      { name: 'cgst', rate: half, applies_to: 'intra_state' },
      { name: 'sgst', rate: half, applies_to: 'intra_state' },
      { name: 'igst', rate: rate.toFixed(), applies_to: 'inter_state' },
    ];
  }
  return [{ name: taxType.toLowerCase(), rate: rate.toFixed(), applies_to: 'all' }];
}

const defaultAppliesTo = (name: string): StoredTaxComponent['applies_to'] =>
  ['cgst', 'sgst', 'utgst'].includes(name) ? 'intra_state' : name === 'igst' ? 'inter_state' : 'all';

const applies = (component: StoredTaxComponent, supply: SupplyType) => component.applies_to === 'all' || component.applies_to === supply;

export interface TaxComputation {
  calculatedTax: Dec;
  breakdown: Record<string, Dec>;
}

/**
 * Tax on one amount: each component that applies to the supply type is rounded half-up to the
 * currency's minor unit, and the tax is the sum of the rounded components.
 */
export function computeTax(taxCode: Pick<TaxCode, 'components'>, amount: Dec, currency: string, supply: SupplyType = 'intra_state'): TaxComputation {
  const breakdown: Record<string, Dec> = {};
  let calculatedTax = new Dec(0);
  for (const component of taxCode.components) {
    if (!applies(component, supply)) continue;
    const tax = roundMoney(amount.times(component.rate).dividedBy(100), currency);
    breakdown[component.name] = tax;
    calculatedTax = calculatedTax.plus(tax);
  }
  return { calculatedTax, breakdown };
}

const present = (row: Row): TaxCode => ({
  id: row.id,
  organization_id: row.organizationId,
  name: row.name,
  code: row.code,
  tax_type: row.taxType as TaxCode['tax_type'],
  rate: formatRate(row.rate),
  components: row.components.map((c) => ({ name: c.name, rate: formatRate(c.rate), applies_to: c.applies_to })),
  hsn_sac_code: row.hsnSacCode,
  hsn_sac_type: row.hsnSacCode ? hsnSacKind(row.hsnSacCode) : null,
  description: row.description,
  effective_from: row.effectiveFrom,
  effective_to: row.effectiveTo,
  is_active: row.isActive,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

const sameCode = (code: string) => sql`lower(${t.code}) = lower(${code})`;
const inForceOn = (date: string) => and(eq(t.isActive, true), lte(t.effectiveFrom, date), or(isNull(t.effectiveTo), gte(t.effectiveTo, date)));

/**
 * The tax codes in force on `date` (YYYY-MM-DD) for an organization, for many at once (at most
 * two queries): each of `codesOrIds` is a code (`GST18`, case-insensitive) or a tax code id, whose
 * code is then looked up, and maps to the latest version of that code covering the date, or null.
 * Only active versions count. Invoices and credit notes resolve all their lines' tax codes with one
 * call and store the answers' ids on document lines: the rows are kept until the caller's
 * transaction ends (FOR KEY SHARE, see `keepRows`), so none is deleted under a line being written.
 */
export async function taxCodesInForce(tx: Executor, organizationId: string, codesOrIds: string[], date: string): Promise<Map<string, TaxCode | null>> {
  const keys = [...new Set(codesOrIds)];
  const found = new Map<string, TaxCode | null>(keys.map((key) => [key, null]));
  const codeOf = new Map(keys.filter((key) => !isId(key, 'tax')).map((key) => [key, key]));
  const ids = keys.filter((key) => isId(key, 'tax'));
  if (ids.length > 0) {
    const rows = await tx.select({ id: t.id, code: t.code }).from(t).where(and(eq(t.organizationId, organizationId), inArray(t.id, ids)));
    for (const row of rows) codeOf.set(row.id, row.code);
  }
  const codes = [...new Set([...codeOf.values()].map((code) => code.toLowerCase()))];
  if (codes.length === 0) return found;
  const versions = await tx
    .select()
    .from(t)
    .where(and(eq(t.organizationId, organizationId), inArray(sql`lower(${t.code})`, codes), inForceOn(date)))
    .orderBy(desc(t.effectiveFrom))
    .for('key share');
  const latest = new Map<string, Row>();
  for (const row of versions) if (!latest.has(row.code.toLowerCase())) latest.set(row.code.toLowerCase(), row);
  for (const [key, code] of codeOf) {
    const row = latest.get(code.toLowerCase());
    found.set(key, row ? present(row) : null);
  }
  return found;
}

/** The tax code in force on `date` for one code or id (`taxCodesInForce` of one), or null. */
export async function taxCodeInForce(tx: Executor, organizationId: string, codeOrId: string, date: string): Promise<TaxCode | null> {
  return (await taxCodesInForce(tx, organizationId, [codeOrId], date)).get(codeOrId) ?? null;
}

/** The organization's tax codes among `ids`, kept until the caller's transaction ends (it stores their ids; see `keepRows`). */
export const keepTaxCodes = (tx: Executor, organizationId: string, ids: (string | null | undefined)[]): Promise<Map<string, Row>> => keepRows<Row>(tx, t, t, organizationId, ids);

/** Whether a category names the tax code as its default. */
const categoriesUse = referencedIn(billingCategories, billingCategories, billingCategories.defaultTaxCodeId);

/**
 * Tax codes (seed 000): GST with CGST/SGST/IGST, VAT, sales and service tax, effective periods.
 * `referrers`: the parts of billing outside master data that store tax code ids (document lines…).
 */
export function taxCodeService(kernel: Kernel, referrers: Referrers) {
  const load = loaderOf<Row>(t, t, 'TAX_CODE_NOT_FOUND');
  const users: Referrers = { categories: categoriesUse, ...referrers };


  /** Validates the resulting tax code as a whole; answers the stored rate and components. */
  function validated(caller: Caller, next: { taxType: string; rate: string | number; components?: ComponentInput[]; storedComponents?: StoredTaxComponent[]; hsnSacCode: string | null; effectiveFrom: string; effectiveTo: string | null }) {
    const checks = new Checks(caller.locale);
    const rate = checks.decimal('rate', next.rate, PERCENT);
    let components: StoredTaxComponent[];
    if (next.components) {
      components = next.components.map((c, i) => ({
        name: c.name.toLowerCase(),
        rate: checks.decimal(`components[${i}].rate`, c.rate, COMPONENT_RATE).toFixed(),
        applies_to: c.applies_to ?? defaultAppliesTo(c.name.toLowerCase()),
      }));
      const names = components.map((c) => c.name);
      if (new Set(names).size !== names.length) checks.fail('components', 'validation.uniqueItems');
    } else {
      components = next.storedComponents ?? defaultComponents(next.taxType, rate);
    }
    if (checks.errors.length === 0) {
      for (const supply of ['intra_state', 'inter_state'] as const) {
        const sum = components.filter((c) => applies(c, supply)).reduce((total, c) => total.plus(c.rate), new Dec(0));
        if (!sum.eq(rate)) {
          checks.fail('components', 'validation.billing.components_sum', { supply, sum: formatRate(sum), rate: formatRate(rate) });
          break;
        }
      }
    }
    if (next.hsnSacCode !== null && hsnSacKind(next.hsnSacCode) === null) checks.fail('hsn_sac_code', 'validation.billing.hsn_sac');
    if (next.effectiveTo !== null && next.effectiveTo < next.effectiveFrom) checks.fail('effective_to', 'validation.billing.effective_to');
    checks.throwIfAny();
    return { rate: rate.toFixed(), components };
  }

  /** Periods of one code never overlap; writes of one code take turns until commit. */
  async function assertNoOverlap(tx: Executor, caller: Caller, code: string, from: string, to: string | null, except?: string) {
    const org = caller.actor.organizationId;
    await lockFor(tx, `tax-code:${org}:${code.toLowerCase()}`);
    const [overlapping] = await tx
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.organizationId, org), sameCode(code), except ? ne(t.id, except) : undefined, or(isNull(t.effectiveTo), gte(t.effectiveTo, from)), to ? lte(t.effectiveFrom, to) : undefined))
      .limit(1);
    if (overlapping) throw conflict('TAX_CODE_EXISTS', { params: { code } });
  }

  return {
    load,

    async create(tx: Executor, caller: Caller, input: CreateTaxCode): Promise<TaxCode> {
      const effectiveFrom = input.effective_from ?? today(kernel);
      const effectiveTo = input.effective_to ?? null;
      const hsnSacCode = input.hsn_sac_code ?? null;
      const { rate, components } = validated(caller, { taxType: input.tax_type, rate: input.rate, components: input.components, hsnSacCode, effectiveFrom, effectiveTo });
      await assertNoOverlap(tx, caller, input.code, effectiveFrom, effectiveTo);
      const now = kernel.now();
      const [row] = await tx
        .insert(t)
        .values({
          id: newId('tax'),
          organizationId: caller.actor.organizationId,
          name: input.name,
          code: input.code,
          taxType: input.tax_type,
          rate,
          components,
          hsnSacCode,
          description: input.description ?? null,
          effectiveFrom,
          effectiveTo,
          isActive: input.is_active ?? true,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const taxCode = present(row!);
      await recordChange(tx, caller, 'tax_code', 'created', taxCode);
      return taxCode;
    },

    async get(tx: Executor, caller: Caller, id: string): Promise<TaxCode> {
      return present(await load(tx, caller.actor.organizationId, id));
    },

    async list(tx: Executor, caller: Caller, query: ListTaxCodesQuery) {
      const where: SQL | undefined = and(
        eq(t.organizationId, caller.actor.organizationId),
        query.tax_type ? eq(t.taxType, query.tax_type) : undefined,
        query.code ? sameCode(query.code) : undefined,
        query.in_force_on ? inForceOn(query.in_force_on) : undefined,
        query.is_active !== undefined ? eq(t.isActive, query.is_active) : undefined,
        textFilter(query, [t.name, t.code, t.hsnSacCode, t.description]),
      );
      const page = await paginate({
        executor: tx,
        table: t,
        where,
        sortColumns: { code: t.code, name: t.name, effective_from: t.effectiveFrom, created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(present) };
    },

    /** A new rate or tax type without components re-derives them; every rule is checked on the result. */
    async update(tx: Executor, caller: Caller, id: string, input: UpdateTaxCode, expectedVersion?: number[]): Promise<TaxCode> {
      const org = caller.actor.organizationId;
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      const taxType = input.tax_type ?? current.taxType;
      const rateInput = input.rate ?? current.rate;
      const rederive = input.components === undefined && (input.rate !== undefined || input.tax_type !== undefined);
      const next = {
        code: input.code ?? current.code,
        hsnSacCode: input.hsn_sac_code !== undefined ? input.hsn_sac_code : current.hsnSacCode,
        effectiveFrom: input.effective_from ?? current.effectiveFrom,
        effectiveTo: input.effective_to !== undefined ? input.effective_to : current.effectiveTo,
      };
      const { rate, components } = validated(caller, {
        taxType,
        rate: rateInput,
        components: input.components,
        storedComponents: rederive ? undefined : current.components,
        hsnSacCode: next.hsnSacCode,
        effectiveFrom: next.effectiveFrom,
        effectiveTo: next.effectiveTo,
      });
      await assertNoOverlap(tx, caller, next.code, next.effectiveFrom, next.effectiveTo, id);
      const [row] = await tx
        .update(t)
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
          code: next.code,
          taxType,
          rate,
          components,
          hsnSacCode: next.hsnSacCode,
          effectiveFrom: next.effectiveFrom,
          effectiveTo: next.effectiveTo,
          version: sql`${t.version} + 1`,
          updatedAt: kernel.now(),
        })
        .where(and(eq(t.organizationId, org), eq(t.id, id)))
        .returning();
      const taxCode = present(row!);
      await recordChange(tx, caller, 'tax_code', 'updated', taxCode, { fields: Object.keys(input) });
      return taxCode;
    },

    /** A tax code still named by a category, a document line or a schedule cannot be deleted (409 TAX_CODE_IN_USE). */
    async remove(tx: Executor, caller: Caller, id: string, expectedVersion?: number[]): Promise<void> {
      const org = caller.actor.organizationId;
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      await assertUnreferenced(tx, org, id, 'TAX_CODE_IN_USE', users);
      await tx.delete(t).where(and(eq(t.organizationId, org), eq(t.id, id)));
      await recordChange(tx, caller, 'tax_code', 'deleted', present(current));
    },

    async calculate(tx: Executor, caller: Caller, input: CalculateTaxBody) {
      const currency = input.currency ?? DEFAULT_CURRENCY;
      const checks = new Checks(caller.locale);
      const amount = checks.decimal('amount', input.amount, { min: '-999999999999999', max: '999999999999999', places: minorDigits(currency) });
      checks.throwIfAny();
      const org = caller.actor.organizationId;
      const requested = present(await load(tx, org, input.tax_code_id));
      const applied = input.date ? await taxCodeInForce(tx, org, requested.code, input.date) : requested;
      if (!applied) throw new ProblemError(422, 'TAX_CODE_NOT_IN_FORCE', { params: { code: requested.code, date: input.date } });
      const supply = input.supply_type ?? 'intra_state';
      const { calculatedTax, breakdown } = computeTax(applied, amount, currency, supply);
      return {
        amount: formatMoney(amount, currency),
        currency,
        tax_code_id: requested.id,
        applied_tax_code_id: applied.id,
        code: applied.code,
        rate: applied.rate,
        supply_type: supply,
        calculated_tax: formatMoney(calculatedTax, currency),
        tax_breakdown: Object.fromEntries(Object.entries(breakdown).map(([name, tax]) => [name, formatMoney(tax, currency)])),
        total_amount: formatMoney(amount.plus(calculatedTax), currency),
      };
    },
  };
}
