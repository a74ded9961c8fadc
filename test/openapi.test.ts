import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionModules } from '../src/app';
import { createTestApp } from './support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const response = await app.inject({ url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is valid for the whole product, every module npm start registers', async () => {
    const product = await createTestApp({ modules: await productionModules() });
    try {
      const document = (await product.inject({ url: '/openapi.json' })).json();
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/invoices', '/api/v1/reports/tax-summary']));
      const result = await new Validator().validate(document);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    } finally {
      await product.close();
    }
  });

  it('is generated from the route schemas, with problem+json errors on every operation', async () => {
    const document = (await app.inject({ url: '/openapi.json' })).json();
    const create = document.paths['/api/v1/widgets'].post;
    expect(create.requestBody.content['application/json'].schema.properties.name).toMatchObject({ type: 'string', maxLength: 100 });
    expect(create.responses['201']).toBeDefined();
    expect(create.responses['4XX'].content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    const list = document.paths['/api/v1/widgets'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'sort', 'include_total', 'q']));
    expect(document.paths['/api/v1/health/ready'].get).toBeDefined();
    expect(document.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code']));
  });

  it('serves the interactive reference at /docs', async () => {
    const response = await app.inject({ url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('swagger-ui');
  });
});
