import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Referrers } from './common';
import { Category, CategoryPage, CreateCategory, ListCategoriesQuery, UpdateCategory } from './categories.schemas';
import { categoryService } from './categories.service';
import { registerResource } from './crud-routes';

/** /master-data/categories (PUT as seed 000 names it, PATCH as API.md adds). */
export const categoryRoutes: FastifyPluginAsyncTypebox<{ referrers: Referrers }> = async (app, { referrers }) => {
  registerResource(app, {
    base: '/master-data/categories',
    tags: ['master data: categories'],
    one: 'a category',
    many: 'categories',
    schemas: { resource: Category, page: CategoryPage, create: CreateCategory, update: UpdateCategory, list: ListCategoriesQuery },
    service: categoryService(app.kernel, referrers),
    put: true,
  });
};
