import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { Code, DecimalInput, Description, Instant, Name, Nullable } from './common';

export const TAX_TYPES = ['GST', 'VAT', 'SALES_TAX', 'SERVICE_TAX', 'OTHER'] as const;
export const TaxType = Type.Union(TAX_TYPES.map((t) => Type.Literal(t)));
export const SUPPLY_TYPES = ['intra_state', 'inter_state'] as const;
export const SupplyType = Type.Union(SUPPLY_TYPES.map((t) => Type.Literal(t)), {
  description: 'Indian GST: `intra_state` (CGST + SGST, the default) or `inter_state` (IGST). Other tax types apply the same components to both.',
});
const AppliesTo = Type.Union([Type.Literal('all'), Type.Literal('intra_state'), Type.Literal('inter_state')]);
const DateOnly = Type.String({ format: 'date', examples: ['2024-04-01'] });

const TaxComponent = Type.Object(
  {
    name: Type.String({ description: 'Lower case: `cgst`, `sgst`, `igst`, `vat`, …' }),
    rate: Type.String({ description: 'Percent.', examples: ['9.00'] }),
    applies_to: AppliesTo,
  },
  { additionalProperties: false },
);

export const TaxCode = Type.Object(
  {
    id: Type.String({ examples: ['tax_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    organization_id: Type.String(),
    name: Type.String(),
    code: Type.String(),
    tax_type: TaxType,
    rate: Type.String({ description: 'Total rate in percent.', examples: ['18.00'] }),
    components: Type.Array(TaxComponent, { description: 'For each supply type, the rates of the components that apply add up to `rate`.' }),
    hsn_sac_code: Nullable(Type.String()),
    hsn_sac_type: Nullable(Type.Union([Type.Literal('HSN'), Type.Literal('SAC')])),
    description: Nullable(Type.String()),
    effective_from: DateOnly,
    effective_to: Nullable(Type.String({ format: 'date', description: 'Last day in force (inclusive); null: open-ended.' })),
    is_active: Type.Boolean(),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'BillingTaxCode', additionalProperties: false },
);
export type TaxCode = Static<typeof TaxCode>;

const ComponentInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 30, pattern: '^[A-Za-z][A-Za-z0-9_]*$', description: 'Stored in lower case.' }),
    rate: DecimalInput('Percent, 0-100, up to 5 decimals.', '9'),
    applies_to: Type.Optional(AppliesTo),
  },
  { additionalProperties: false, description: '`applies_to` defaults to `intra_state` for cgst/sgst/utgst, `inter_state` for igst, `all` otherwise.' },
);

const fields = {
  name: Name,
  code: Code,
  tax_type: TaxType,
  rate: DecimalInput('Percent, 0-100, up to 4 decimals.', '18'),
  components: Type.Optional(
    Type.Array(ComponentInput, {
      minItems: 1,
      maxItems: 10,
      description: 'Omitted: derived from the rate (GST: cgst and sgst at half the rate each for intra-state supplies, igst at the full rate for inter-state ones; otherwise one component named after the tax type).',
    }),
  ),
  hsn_sac_code: Type.Optional(Nullable(Type.String({ maxLength: 8, description: 'HSN (goods): 4, 6 or 8 digits; SAC (services): 6 digits starting with 99.', examples: ['8517', '998314'] }))),
  description: Type.Optional(Description),
  effective_from: Type.Optional(Type.String({ format: 'date', description: 'First day in force; default today (UTC).' })),
  effective_to: Type.Optional(Nullable(Type.String({ format: 'date', description: 'Last day in force (inclusive).' }))),
  is_active: Type.Optional(Type.Boolean()),
};

export const CreateTaxCode = Type.Object(fields, {
  additionalProperties: false,
  description: 'A code may be created again for a later period (a new rate from a date); periods of one code never overlap (409 TAX_CODE_EXISTS).',
});
export type CreateTaxCode = Static<typeof CreateTaxCode>;

export const UpdateTaxCode = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type UpdateTaxCode = Static<typeof UpdateTaxCode>;

export const ListTaxCodesQuery = listQuerySchema(['code', 'name', 'effective_from', 'created_at'], {
  tax_type: Type.Optional(TaxType),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Every period of this code (case-insensitive).' })),
  in_force_on: Type.Optional(Type.String({ format: 'date', description: 'Only the active codes in force on this date.' })),
  is_active: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Free-text search in name, code, HSN/SAC code and description.' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Same as `q` (seed 000’s name).' })),
}, 'code');
export type ListTaxCodesQuery = Static<typeof ListTaxCodesQuery>;

export const TaxCodePage = pageSchema(TaxCode);

export const CalculateTaxBody = Type.Object(
  {
    amount: DecimalInput('Taxable amount (a line total), with at most the currency’s minor digits.', '1000.00'),
    tax_code_id: Type.String({ maxLength: 64 }),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217; default USD.' })),
    supply_type: Type.Optional(SupplyType),
    date: Type.Optional(Type.String({ format: 'date', description: 'Document date: the version of this tax code’s code in force on it applies (422 TAX_CODE_NOT_IN_FORCE when none). Omitted: the given tax code as it is.' })),
  },
  { additionalProperties: false },
);
export type CalculateTaxBody = Static<typeof CalculateTaxBody>;

const ROUNDING = 'Each component is `amount × component rate ÷ 100` rounded half-up (0.5 away from zero) to the currency’s minor unit (2 digits for INR and USD)';

export const TaxCalculation = Type.Object(
  {
    amount: Type.String({ examples: ['1000.00'] }),
    currency: Type.String({ examples: ['INR'] }),
    tax_code_id: Type.String({ description: 'As requested.' }),
    applied_tax_code_id: Type.String({ description: 'The tax code applied: the requested one, or the version of its code in force on `date`.' }),
    code: Type.String(),
    rate: Type.String({ examples: ['18.00'] }),
    supply_type: SupplyType,
    calculated_tax: Type.String({ description: `The sum of \`tax_breakdown\`. ${ROUNDING}; the total is the sum of the rounded components.`, examples: ['180.00'] }),
    tax_breakdown: Type.Record(Type.String(), Type.String(), { description: `Tax per component name. ${ROUNDING}.`, examples: [{ cgst: '90.00', sgst: '90.00' }] }),
    total_amount: Type.String({ description: '`amount + calculated_tax`, exact (both are already rounded).', examples: ['1180.00'] }),
  },
  { additionalProperties: false },
);
