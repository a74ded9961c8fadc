import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, numeric, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../kernel/db/columns';

/** One tax component as stored: `rate` is a decimal string (percent). */
export interface StoredTaxComponent {
  name: string;
  rate: string;
  applies_to: 'all' | 'intra_state' | 'inter_state';
}

/** One installment as stored: `percentage` is a decimal string. */
export interface StoredInstallment {
  days: number;
  percentage: string;
}

/** Categories of products, services, expenses and assets: a tree per organization (seed 000). */
export const billingCategories = pgTable(
  'billing_categories',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    companyId: text('company_id'),
    name: text('name').notNull(),
    code: text('code').notNull(),
    categoryType: text('category_type').notNull(),
    parentCategoryId: text('parent_category_id'),
    /** 0 for a root category. */
    level: integer('level').notNull().default(0),
    /** Ids from the root down to this category: `/cat_a/cat_b/`. */
    path: text('path').notNull(),
    description: text('description'),
    isActive: boolean('is_active').notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    defaultIncomeAccountId: text('default_income_account_id'),
    defaultExpenseAccountId: text('default_expense_account_id'),
    defaultTaxCodeId: text('default_tax_code_id'),
    ...resourceColumns(),
  },
  (t) => [
    uniqueIndex('billing_categories_org_code_idx').on(t.organizationId, sql`lower(${t.code})`),
    index('billing_categories_org_parent_idx').on(t.organizationId, t.parentCategoryId),
    index('billing_categories_org_path_idx').on(t.organizationId, t.path),
    index('billing_categories_org_sort_idx').on(t.organizationId, t.sortOrder, t.id),
    index('billing_categories_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('billing_categories_org_name_idx').on(t.organizationId, t.name, t.id),
  ],
);

/** Units of measurement: `conversion_factor` is how many base units of its type one unit is. */
export const billingUnits = pgTable(
  'billing_units',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    companyId: text('company_id'),
    name: text('name').notNull(),
    symbol: text('symbol').notNull(),
    unitType: text('unit_type').notNull(),
    description: text('description'),
    isBaseUnit: boolean('is_base_unit').notNull().default(false),
    conversionFactor: numeric('conversion_factor', { precision: 32, scale: 16 }).notNull(),
    decimalPlaces: integer('decimal_places').notNull().default(2),
    isActive: boolean('is_active').notNull().default(true),
    ...resourceColumns(),
  },
  (t) => [
    uniqueIndex('billing_units_org_symbol_idx').on(t.organizationId, t.symbol),
    // One base unit per unit type.
    uniqueIndex('billing_units_org_base_idx').on(t.organizationId, t.unitType).where(sql`${t.isBaseUnit}`),
    index('billing_units_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('billing_units_org_name_idx').on(t.organizationId, t.name, t.id),
  ],
);

/**
 * Tax codes. A code may exist several times with periods that do not overlap (a rate change is
 * a new version from a date); the one in force on a document's date applies.
 */
export const billingTaxCodes = pgTable(
  'billing_tax_codes',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    name: text('name').notNull(),
    code: text('code').notNull(),
    taxType: text('tax_type').notNull(),
    rate: numeric('rate', { precision: 9, scale: 4 }).notNull(),
    components: jsonb('components').$type<StoredTaxComponent[]>().notNull(),
    hsnSacCode: text('hsn_sac_code'),
    description: text('description'),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull(),
    /** Last day in force (inclusive); null: open-ended. */
    effectiveTo: date('effective_to', { mode: 'string' }),
    isActive: boolean('is_active').notNull().default(true),
    ...resourceColumns(),
  },
  (t) => [
    index('billing_tax_codes_org_code_idx').on(t.organizationId, sql`lower(${t.code})`, t.effectiveFrom),
    index('billing_tax_codes_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('billing_tax_codes_org_name_idx').on(t.organizationId, t.name, t.id),
  ],
);

/** Payment terms: due days, early-payment discount, late penalty, installments, credit limit. */
export const billingPaymentTerms = pgTable(
  'billing_payment_terms',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    name: text('name').notNull(),
    code: text('code').notNull(),
    description: text('description'),
    paymentDays: integer('payment_days').notNull(),
    earlyPaymentDiscountDays: integer('early_payment_discount_days'),
    earlyPaymentDiscountRate: numeric('early_payment_discount_rate', { precision: 9, scale: 4 }),
    latePaymentPenaltyRate: numeric('late_payment_penalty_rate', { precision: 9, scale: 4 }),
    latePaymentPenaltyPeriod: text('late_payment_penalty_period'),
    paymentSchedule: jsonb('payment_schedule').$type<StoredInstallment[]>().notNull().default([]),
    creditLimitAmount: numeric('credit_limit_amount', { precision: 20, scale: 4 }),
    currency: text('currency').notNull(),
    requiresApproval: boolean('requires_approval').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    ...resourceColumns(),
  },
  (t) => [
    uniqueIndex('billing_payment_terms_org_code_idx').on(t.organizationId, sql`lower(${t.code})`),
    index('billing_payment_terms_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('billing_payment_terms_org_name_idx').on(t.organizationId, t.name, t.id),
  ],
);
