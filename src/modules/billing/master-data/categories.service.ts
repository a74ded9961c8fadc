import { escapeLike } from '../../../kernel/db/like';
import { and, asc, eq, inArray, like, max, ne, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import { conflict, ProblemError } from '../../../kernel/http/problem';
import { translate } from '../../../kernel/i18n/index';
import type { Kernel } from '../../../kernel/kernel';
import { loaderOf } from '../rows';
import { assertUnreferenced, Checks, keepRows, lockFor, recordChange, referenceOf, textFilter, uniquely, type Caller, type Referrers } from './common';
import type { Category, CreateCategory, ListCategoriesQuery, UpdateCategory } from './categories.schemas';
import { billingCategories as t } from './tables';
import { keepTaxCodes } from './tax-codes.service';

type Row = typeof t.$inferSelect;
type Child = Category['sub_categories'][number];

/** A category sits at most this many levels below a root (level 0 … MAX_LEVEL). */
export const MAX_CATEGORY_LEVEL = 9;

const present = (row: Row, children: Child[]): Category => ({
  id: row.id,
  organization_id: row.organizationId,
  company_id: row.companyId,
  name: row.name,
  code: row.code,
  category_type: row.categoryType as Category['category_type'],
  parent_category_id: row.parentCategoryId,
  level: row.level,
  path: row.path,
  description: row.description,
  is_active: row.isActive,
  sort_order: row.sortOrder,
  default_income_account_id: row.defaultIncomeAccountId,
  default_expense_account_id: row.defaultExpenseAccountId,
  default_tax_code_id: row.defaultTaxCodeId,
  sub_categories: children,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

const scoped = (organizationId: string, id: string) => and(eq(t.organizationId, organizationId), eq(t.id, id));
const treeLock = (tx: Executor, organizationId: string) => lockFor(tx, `categories:${organizationId}`);

/** Direct children of each of the given categories. */
async function childrenOf(tx: Executor, organizationId: string, ids: string[]): Promise<Map<string, Child[]>> {
  const byParent = new Map<string, Child[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byParent;
  const rows = await tx
    .select({ id: t.id, parent: t.parentCategoryId, name: t.name, code: t.code, sort_order: t.sortOrder, is_active: t.isActive })
    .from(t)
    .where(and(eq(t.organizationId, organizationId), inArray(t.parentCategoryId, ids)))
    .orderBy(asc(t.sortOrder), asc(t.name), asc(t.id));
  for (const { parent, ...child } of rows) byParent.get(parent!)?.push(child);
  return byParent;
}

/** Categories (seed 000): a tree per organization with materialized `level` and `path`. */
/** The organization's categories among `ids`, kept from deletion until the caller commits (invoice lines name them). */
export const keepCategories = (tx: Executor, organizationId: string, ids: (string | null | undefined)[]): Promise<Map<string, Row>> => keepRows<Row>(tx, t, t, organizationId, ids);

/** Why a category cannot classify a sale (an invoice line), or undefined when it can. */
export function salesCategoryProblem(category: Row | undefined): string | undefined {
  if (!category) return 'no such category in this organization';
  if (!category.isActive) return 'is inactive';
  if (category.categoryType === 'expense' || category.categoryType === 'asset') return `is an ${category.categoryType} category, not one of products, services or general`;
  return undefined;
}

export function categoryService(kernel: Kernel, referrers: Referrers = {}) {
  const load = loaderOf<Row>(t, t, 'CATEGORY_NOT_FOUND');

  async function presentOne(tx: Executor, row: Row): Promise<Category> {
    return present(row, (await childrenOf(tx, row.organizationId, [row.id])).get(row.id)!);
  }

  /** The parent named by the input, or null; an unknown one is a field error. */
  async function parentOf(tx: Executor, caller: Caller, checks: Checks, parentId: string | null | undefined): Promise<Row | null> {
    if (!parentId) return null;
    const [parent] = await tx.select().from(t).where(scoped(caller.actor.organizationId, parentId));
    if (!parent) checks.fail('parent_category_id', 'validation.billing.unknown_reference');
    return parent ?? null;
  }

  async function checkTaxCode(tx: Executor, caller: Caller, checks: Checks, taxCodeId: string | null | undefined) {
    if (!taxCodeId) return;
    // Kept until commit: the tax code cannot be deleted under the category naming it.
    if (!(await keepTaxCodes(tx, caller.actor.organizationId, [taxCodeId])).has(taxCodeId)) checks.fail('default_tax_code_id', 'validation.billing.unknown_reference');
  }

  const cycle = (caller: Caller) =>
    new ProblemError(422, 'CATEGORY_CYCLE', { errors: [{ field: 'parent_category_id', message: translate(caller.locale, 'validation.billing.category_cycle') }] });
  const tooDeep = (caller: Caller) =>
    new ProblemError(422, 'CATEGORY_TOO_DEEP', { errors: [{ field: 'parent_category_id', message: translate(caller.locale, 'validation.billing.category_depth', { max: MAX_CATEGORY_LEVEL }) }] });

  return {
    load,

    async create(tx: Executor, caller: Caller, input: CreateCategory): Promise<Category> {
      const org = caller.actor.organizationId;
      await treeLock(tx, org);
      const checks = new Checks(caller.locale);
      const parent = await parentOf(tx, caller, checks, input.parent_category_id);
      await checkTaxCode(tx, caller, checks, input.default_tax_code_id);
      checks.throwIfAny();
      const level = parent ? parent.level + 1 : 0;
      if (level > MAX_CATEGORY_LEVEL) throw tooDeep(caller);
      const id = newId('cat');
      const now = kernel.now();
      const [row] = await uniquely('CATEGORY_CODE_EXISTS', () =>
        tx
          .insert(t)
          .values({
            id,
            organizationId: org,
            companyId: referenceOf(input.company_id) ?? null,
            name: input.name,
            code: input.code,
            categoryType: input.category_type,
            parentCategoryId: parent?.id ?? null,
            level,
            path: `${parent?.path ?? '/'}${id}/`,
            description: input.description ?? null,
            isActive: input.is_active ?? true,
            sortOrder: input.sort_order ?? 0,
            defaultIncomeAccountId: referenceOf(input.default_income_account_id) ?? null,
            defaultExpenseAccountId: referenceOf(input.default_expense_account_id) ?? null,
            defaultTaxCodeId: input.default_tax_code_id ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      );
      const category = present(row!, []);
      await recordChange(tx, caller, 'category', 'created', category);
      return category;
    },

    async get(tx: Executor, caller: Caller, id: string): Promise<Category> {
      return presentOne(tx, await load(tx, caller.actor.organizationId, id));
    },

    async list(tx: Executor, caller: Caller, query: ListCategoriesQuery) {
      const org = caller.actor.organizationId;
      const where: SQL | undefined = and(
        eq(t.organizationId, org),
        query.category_type ? eq(t.categoryType, query.category_type) : undefined,
        query.parent_category_id ? eq(t.parentCategoryId, query.parent_category_id) : undefined,
        query.level !== undefined ? eq(t.level, query.level) : undefined,
        query.is_active !== undefined ? eq(t.isActive, query.is_active) : undefined,
        textFilter(query, [t.name, t.code, t.description]),
      );
      const page = await paginate({
        executor: tx,
        table: t,
        where,
        sortColumns: { sort_order: t.sortOrder, name: t.name, code: t.code, created_at: t.createdAt, path: t.path },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      const children = await childrenOf(tx, org, page.items.map((row) => row.id));
      return { ...page, items: page.items.map((row) => present(row, children.get(row.id)!)) };
    },

    /**
     * PATCH (partial) or PUT (`replace`: omitted optional fields return to their defaults).
     * Moving a category rewrites the level and path of its whole subtree in the same transaction.
     */
    async update(tx: Executor, caller: Caller, id: string, input: UpdateCategory, expectedVersion?: number[], replace = false): Promise<Category> {
      const org = caller.actor.organizationId;
      await treeLock(tx, org);
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      const change: UpdateCategory = replace
        ? { parent_category_id: null, description: null, is_active: true, sort_order: 0, default_income_account_id: null, default_expense_account_id: null, default_tax_code_id: null, company_id: null, ...input }
        : input;

      const checks = new Checks(caller.locale);
      const moving = change.parent_category_id !== undefined && (change.parent_category_id ?? null) !== current.parentCategoryId;
      const parent = moving ? await parentOf(tx, caller, checks, change.parent_category_id) : null;
      await checkTaxCode(tx, caller, checks, change.default_tax_code_id);
      checks.throwIfAny();

      const now = kernel.now();
      let moved = 0;
      let placement: Partial<Row> = {};
      if (moving) {
        if (parent && (parent.id === id || parent.path.includes(`/${id}/`))) throw cycle(caller);
        const level = parent ? parent.level + 1 : 0;
        const path = `${parent?.path ?? '/'}${id}/`;
        const subtree = and(eq(t.organizationId, org), like(t.path, `${escapeLike(current.path)}%`));
        const [deepest] = await tx.select({ level: max(t.level) }).from(t).where(subtree);
        if (level + ((deepest?.level ?? current.level) - current.level) > MAX_CATEGORY_LEVEL) throw tooDeep(caller);
        const descendants = await tx
          .update(t)
          .set({
            path: sql`${path} || substr(${t.path}, ${current.path.length + 1})`,
            level: sql`${t.level} + ${level - current.level}`,
            version: sql`${t.version} + 1`,
            updatedAt: now,
          })
          .where(and(subtree, ne(t.id, id)))
          .returning({ id: t.id });
        moved = descendants.length;
        placement = { parentCategoryId: parent?.id ?? null, level, path };
      }

      const [row] = await uniquely('CATEGORY_CODE_EXISTS', () =>
        tx
          .update(t)
          .set({
            ...(change.name !== undefined ? { name: change.name } : {}),
            ...(change.code !== undefined ? { code: change.code } : {}),
            ...(change.category_type !== undefined ? { categoryType: change.category_type } : {}),
            ...(change.description !== undefined ? { description: change.description } : {}),
            ...(change.is_active !== undefined ? { isActive: change.is_active } : {}),
            ...(change.sort_order !== undefined ? { sortOrder: change.sort_order } : {}),
            ...(change.default_income_account_id !== undefined ? { defaultIncomeAccountId: referenceOf(change.default_income_account_id) } : {}),
            ...(change.default_expense_account_id !== undefined ? { defaultExpenseAccountId: referenceOf(change.default_expense_account_id) } : {}),
            ...(change.default_tax_code_id !== undefined ? { defaultTaxCodeId: change.default_tax_code_id } : {}),
            ...(change.company_id !== undefined ? { companyId: referenceOf(change.company_id) } : {}),
            ...placement,
            version: sql`${t.version} + 1`,
            updatedAt: now,
          })
          .where(scoped(org, id))
          .returning(),
      );
      const category = await presentOne(tx, row!);
      await recordChange(tx, caller, 'category', 'updated', category, { fields: Object.keys(input), ...(moving ? { moved_from: current.parentCategoryId, moved_descendants: moved } : {}) });
      return category;
    },

    /** Only a category without sub-categories nor lines naming it can be deleted (409 CATEGORY_HAS_SUBCATEGORIES, CATEGORY_IN_USE). */
    async remove(tx: Executor, caller: Caller, id: string, expectedVersion?: number[]): Promise<void> {
      const org = caller.actor.organizationId;
      await treeLock(tx, org);
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      const [child] = await tx.select({ id: t.id }).from(t).where(and(eq(t.organizationId, org), eq(t.parentCategoryId, id))).limit(1);
      if (child) throw conflict('CATEGORY_HAS_SUBCATEGORIES');
      await assertUnreferenced(tx, org, id, 'CATEGORY_IN_USE', referrers);
      await tx.delete(t).where(scoped(org, id));
      await recordChange(tx, caller, 'category', 'deleted', present(current, []));
    },
  };
}
