import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { Code, Description, Instant, Name, Nullable, Reference } from './common';

export const CATEGORY_TYPES = ['product', 'service', 'expense', 'asset', 'general'] as const;
export const CategoryType = Type.Union(CATEGORY_TYPES.map((t) => Type.Literal(t)));

const SubCategory = Type.Object(
  { id: Type.String(), name: Type.String(), code: Type.String(), sort_order: Type.Integer(), is_active: Type.Boolean() },
  { additionalProperties: false },
);

export const Category = Type.Object(
  {
    id: Type.String({ examples: ['cat_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    organization_id: Type.String(),
    company_id: Nullable(Type.String()),
    name: Type.String(),
    code: Type.String(),
    category_type: CategoryType,
    parent_category_id: Nullable(Type.String()),
    level: Type.Integer({ description: '0 for a root category, its parent’s level + 1 otherwise.' }),
    path: Type.String({ description: 'Ids from the root down to this category, `/cat_…/cat_…/`; kept up to date when a category moves.' }),
    description: Nullable(Type.String()),
    is_active: Type.Boolean(),
    sort_order: Type.Integer(),
    default_income_account_id: Nullable(Type.String()),
    default_expense_account_id: Nullable(Type.String()),
    default_tax_code_id: Nullable(Type.String()),
    sub_categories: Type.Array(SubCategory, { description: 'Direct children, by `sort_order` then name.' }),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'BillingCategory', additionalProperties: false },
);
export type Category = Static<typeof Category>;

const fields = {
  name: Name,
  code: Code,
  category_type: CategoryType,
  parent_category_id: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Moving a category moves its whole subtree; a category cannot move under itself or a descendant (422 CATEGORY_CYCLE).' }))),
  description: Type.Optional(Description),
  is_active: Type.Optional(Type.Boolean()),
  sort_order: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  default_income_account_id: Type.Optional(Reference),
  default_expense_account_id: Type.Optional(Reference),
  default_tax_code_id: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'A tax code of the organization (`tax_…`).' }))),
  company_id: Type.Optional(Reference),
};

export const CreateCategory = Type.Object(fields, { additionalProperties: false });
export type CreateCategory = Static<typeof CreateCategory>;

export const UpdateCategory = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type UpdateCategory = Static<typeof UpdateCategory>;

export const ListCategoriesQuery = listQuerySchema(['sort_order', 'name', 'code', 'created_at', 'path'], {
  category_type: Type.Optional(CategoryType),
  parent_category_id: Type.Optional(Type.String({ maxLength: 64, description: 'Direct children of this category.' })),
  level: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: '`0`: root categories only.' })),
  is_active: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Free-text search in name, code and description.' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Same as `q` (seed 000’s name).' })),
}, 'sort_order');
export type ListCategoriesQuery = Static<typeof ListCategoriesQuery>;

export const CategoryPage = pageSchema(Category);
