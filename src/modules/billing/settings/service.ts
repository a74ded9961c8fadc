import { eq, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { emitEvent } from '../../../kernel/events/outbox';
import { assertVersion } from '../../../kernel/http/etag';
import { validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import { checkTaxId, normalizeAddress, type AddressInput } from '../addresses';
import { referencedIn } from '../master-data/index';
import { isCurrency } from '../money';
import { patternProblem } from '../numbering';
import type { BillingSettings, UpdateBillingSettingsBody } from './schemas';
import { billingSettings } from './tables';

type Row = typeof billingSettings.$inferSelect;

/** What an organization that never saved its settings gets. */
export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  legal_name: null,
  address: null,
  tax_id: null,
  logo_file_id: null,
  base_currency: 'USD',
  invoice_number_pattern: 'INV-{YYYY}-{SEQ:4}',
  credit_note_number_pattern: 'CN-{YYYY}-{SEQ:4}',
  default_payment_terms_id: null,
  default_notes: '',
  version: 0,
  updated_at: null,
};

const LOGO_TYPES = ['image/png', 'image/jpeg'];

export interface BillingSettingsDeps {
  /** Whether the organization has these payment terms, kept until commit. */
  paymentTermsExist(executor: Executor, organizationId: string, id: string): Promise<boolean>;
  /** The stored file's content type, or null when the organization has no such file. */
  fileType(organizationId: string, id: string): Promise<string | null>;
}

const present = (row: Row): BillingSettings => ({
  legal_name: row.legalName,
  address: row.address,
  tax_id: row.taxId,
  logo_file_id: row.logoFileId,
  base_currency: row.baseCurrency,
  invoice_number_pattern: row.invoiceNumberPattern,
  credit_note_number_pattern: row.creditNoteNumberPattern,
  default_payment_terms_id: row.defaultPaymentTermsId,
  default_notes: row.defaultNotes,
  version: row.version,
  updated_at: row.updatedAt.toISOString(),
});

/** GET/PATCH /billing/settings: one row per organization, created by its first save. */
export function billingSettingsService(kernel: Kernel, deps: BillingSettingsDeps) {
  async function read(executor: Executor, organizationId: string, lock = false): Promise<BillingSettings> {
    const query = executor.select().from(billingSettings).where(eq(billingSettings.organizationId, organizationId));
    const [row] = lock ? await query.for('update') : await query;
    return row ? present(row) : DEFAULT_BILLING_SETTINGS;
  }

  /** A new logo must be one of the organization's PNG or JPEG files. */
  async function logoProblem(organizationId: string, fileId: string): Promise<FieldError | null> {
    const type = await deps.fileType(organizationId, fileId);
    if (type === null) return { field: 'logo_file_id', message: 'no such file in this organization' };
    return LOGO_TYPES.includes(type) ? null : { field: 'logo_file_id', message: `must be a PNG or JPEG image (this file is ${type})` };
  }

  async function check(executor: Executor, organizationId: string, merged: BillingSettings & { address: AddressInput | null }, errors: FieldError[]) {
    const address = merged.address ? normalizeAddress(merged.address, 'address', errors) : null;
    const taxId = address ? checkTaxId(merged.tax_id, address, 'tax_id', errors) : merged.tax_id?.trim() || null;
    const baseCurrency = merged.base_currency.toUpperCase();
    if (!isCurrency(baseCurrency)) errors.push({ field: 'base_currency', message: 'must be an ISO 4217 currency code such as INR or USD' });
    for (const field of ['invoice_number_pattern', 'credit_note_number_pattern'] as const) {
      const problem = patternProblem(merged[field]);
      if (problem) errors.push({ field, message: problem });
    }
    if (merged.invoice_number_pattern === merged.credit_note_number_pattern) errors.push({ field: 'credit_note_number_pattern', message: 'must differ from the invoice number pattern, or the two would issue the same numbers' });
    if (merged.default_payment_terms_id !== null && !(await deps.paymentTermsExist(executor, organizationId, merged.default_payment_terms_id))) {
      errors.push({ field: 'default_payment_terms_id', message: 'no such payment terms in this organization' });
    }
    if (errors.length > 0) throw validationFailed(errors);
    return {
      legalName: merged.legal_name?.trim() ?? null,
      address,
      taxId,
      logoFileId: merged.logo_file_id,
      baseCurrency,
      invoiceNumberPattern: merged.invoice_number_pattern,
      creditNoteNumberPattern: merged.credit_note_number_pattern,
      defaultPaymentTermsId: merged.default_payment_terms_id,
      defaultNotes: merged.default_notes,
    };
  }

  async function save(tx: Executor, origin: RequestOrigin, actor: Actor, values: Awaited<ReturnType<typeof check>>, fields: string[]): Promise<BillingSettings> {
    const organizationId = actor.organizationId;
    const now = kernel.now();
    const [row] = await tx
      .insert(billingSettings)
      .values({ organizationId, ...values, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: billingSettings.organizationId, set: { ...values, version: sql`${billingSettings.version} + 1`, updatedAt: now } })
      .returning();
    const settings = present(row!);
    await recordAudit(tx, origin, { organizationId, actorId: actor.id, actorType: actor.type, action: 'billing_settings.updated', resourceType: 'billing_settings', resourceId: organizationId, metadata: { fields } });
    await emitEvent(tx, { organizationId, type: 'billing_settings.updated', data: settings });
    return settings;
  }

  return {
    read,

    /** Whether the organization's settings name these payment terms as the default. */
    usesPaymentTerms: referencedIn(billingSettings, billingSettings, billingSettings.defaultPaymentTermsId),

    /** Runs its own transaction: the file store reads outside it (one connection on the embedded database). */
    async update(origin: RequestOrigin, actor: Actor, patch: UpdateBillingSettingsBody, expectedVersion?: number[]): Promise<BillingSettings> {
      const organizationId = actor.organizationId;
      const logo = patch.logo_file_id ? await logoProblem(organizationId, patch.logo_file_id) : null;
      return kernel.database.transaction(async (tx) => {
        const current = await read(tx, organizationId, true);
        assertVersion(expectedVersion, current.version);
        const values = await check(tx, organizationId, { ...current, ...patch } as BillingSettings & { address: AddressInput | null }, logo ? [logo] : []);
        return save(tx, origin, actor, values, Object.keys(patch));
      });
    },
  };
}

export type BillingSettingsService = ReturnType<typeof billingSettingsService>;
