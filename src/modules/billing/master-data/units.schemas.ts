import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { DecimalInput, Description, Instant, Name, Nullable, Reference } from './common';

export const UNIT_TYPES = ['quantity', 'weight', 'volume', 'length', 'area', 'time', 'custom'] as const;
export const UnitType = Type.Union(UNIT_TYPES.map((t) => Type.Literal(t)));

export const Unit = Type.Object(
  {
    id: Type.String({ examples: ['unit_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    organization_id: Type.String(),
    company_id: Nullable(Type.String()),
    name: Type.String(),
    symbol: Type.String(),
    unit_type: UnitType,
    description: Nullable(Type.String()),
    is_base_unit: Type.Boolean(),
    conversion_factor: Type.String({ description: 'How many base units of its type one of this unit is (exact decimal; 1 for the base unit).', examples: ['0.001'] }),
    decimal_places: Type.Integer({ description: 'Digits kept in quantities of this unit; conversions into it round half-up to them.' }),
    is_active: Type.Boolean(),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'BillingUnit', additionalProperties: false },
);
export type Unit = Static<typeof Unit>;

const fields = {
  name: Name,
  symbol: Type.String({ minLength: 1, maxLength: 20, description: 'Unique per organization (case-sensitive: `mg` is not `Mg`).', examples: ['kg'] }),
  unit_type: UnitType,
  description: Type.Optional(Description),
  is_base_unit: Type.Optional(Type.Boolean({ description: 'At most one base unit per unit type (409 BASE_UNIT_EXISTS); its factor is 1.' })),
  conversion_factor: Type.Optional(DecimalInput('Base units per one of this unit, > 0, up to 16 decimals; required for a derived unit, 1 for a base unit.', '0.001')),
  decimal_places: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'Default 2.' })),
  is_active: Type.Optional(Type.Boolean()),
  company_id: Type.Optional(Reference),
};

export const CreateUnit = Type.Object(fields, { additionalProperties: false });
export type CreateUnit = Static<typeof CreateUnit>;

export const UpdateUnit = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type UpdateUnit = Static<typeof UpdateUnit>;

export const ListUnitsQuery = listQuerySchema(['name', 'symbol', 'created_at'], {
  unit_type: Type.Optional(UnitType),
  is_base_unit: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Free-text search in name, symbol and description.' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Same as `q` (seed 000’s name).' })),
}, 'name');
export type ListUnitsQuery = Static<typeof ListUnitsQuery>;

export const UnitPage = pageSchema(Unit);

export const ConvertBody = Type.Object(
  {
    from_unit_id: Type.String({ maxLength: 64 }),
    to_unit_id: Type.String({ maxLength: 64 }),
    value: DecimalInput('Quantity in the `from` unit, up to 16 decimals.', '1000'),
  },
  { additionalProperties: false },
);
export type ConvertBody = Static<typeof ConvertBody>;

export const Conversion = Type.Object(
  {
    from_unit_id: Type.String(),
    to_unit_id: Type.String(),
    value: Type.String({ description: 'The quantity converted, as given.' }),
    converted_value: Type.String({
      description: '`value × from.conversion_factor ÷ to.conversion_factor`, computed exactly, then rounded half-up (0.5 away from zero) to the target unit’s `decimal_places`.',
      examples: ['1.000'],
    }),
    to_unit_symbol: Type.String(),
  },
  { additionalProperties: false },
);
