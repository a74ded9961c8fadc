import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp({ env: { BODY_LIMIT_BYTES: '2048' } });
});
afterAll(() => app.close());

const widgetCount = async () => (await app.inject({ url: '/api/v1/widgets?include_total=true' })).json().total;

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  const body = response.json();
  expect(body).toMatchObject({ status, code, type: `https://deskbase.dev/problems/${code.toLowerCase().replace(/_/g, '-')}` });
  expect(typeof body.title).toBe('string');
  expect(body.request_id).toBe(response.headers['x-request-id']);
  return body;
}

describe('every error is RFC 9457 problem+json', () => {
  it('answers 404 for an unknown route', async () => {
    const body = expectProblem(await app.inject({ url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
    expect(body.detail).toBe('No endpoint matches GET /api/v1/nothing-here.');
    expect(String((await app.inject({ url: '/api/v1/nothing-here' })).headers.vary)).toContain('Accept-Language');
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const response = await app.inject({ method: 'PUT', url: '/api/v1/widgets' });
    expectProblem(response, 405, 'METHOD_NOT_ALLOWED');
    expect(response.headers.allow).toBe('GET, HEAD, POST');
  });

  it('answers 404 for a missing resource with a specific code', async () => {
    expectProblem(await app.inject({ url: '/api/v1/widgets/wdg_01jd6v0v3kf8r9q7w2e5t4y6u8' }), 404, 'WIDGET_NOT_FOUND');
  });

  it('answers 400 for malformed JSON and changes nothing', async () => {
    const before = await widgetCount();
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', headers: { 'content-type': 'application/json' }, payload: '{"name": "x",' });
    const body = expectProblem(response, 400, 'MALFORMED_JSON');
    expect(body.detail).toBe('The request body is not valid JSON.');
    expect(await widgetCount()).toBe(before);
  });

  it('answers 400 for an empty JSON body', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', headers: { 'content-type': 'application/json' }, payload: '' });
    expectProblem(response, 400, 'MALFORMED_JSON');
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets-faults/echo', payload: { text: 'x'.repeat(5000) } });
    const body = expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(body.detail).toBe('The request body exceeds the limit of 2048 bytes.');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const before = await widgetCount();
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', headers: { 'content-type': type }, payload: 'name=x' });
      expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await widgetCount()).toBe(before);
  });

  it('answers 422 with one error per invalid field and changes nothing', async () => {
    const before = await widgetCount();
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { color: 'purple', quantity: '5', extra: true } });
    const body = expectProblem(response, 422, 'VALIDATION_ERROR');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'is required' },
        { field: 'color', message: 'does not match any allowed form' },
        { field: 'quantity', message: 'must be integer' },
        { field: 'extra', message: 'is not allowed' },
      ]),
    );
    expect(body.errors).toHaveLength(4);
    expect(body.detail).toContain('name: is required');
    expect(await widgetCount()).toBe(before);
  });

  it('answers 422 for a number out of range and a string too long', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 'x'.repeat(101), quantity: -1 } });
    const body = expectProblem(response, 422, 'VALIDATION_ERROR');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'name', message: 'must be at most 100 characters long' },
        { field: 'quantity', message: 'must be at least 0' },
      ]),
    );
  });

  it('answers 400 for an unknown query parameter', async () => {
    const body = expectProblem(await app.inject({ url: '/api/v1/widgets?colour=red' }), 400, 'UNKNOWN_PARAMETER');
    expect(body.errors).toEqual([{ field: 'colour', message: 'is not a supported query parameter' }]);
  });

  it('answers 500 without stack traces, SQL or messages', async () => {
    const response = await app.inject({ url: '/api/v1/widgets-faults/crash' });
    const body = expectProblem(response, 500, 'INTERNAL_ERROR');
    expect(response.body).not.toMatch(/password_hash|SELECT|secret|at .*\.ts/);
    expect(body.detail).toContain(body.request_id);
  });
});

describe('X-Request-ID', () => {
  it('echoes a well-formed caller id', async () => {
    const response = await app.inject({ url: '/api/v1/health/', headers: { 'x-request-id': 'abc-123.XYZ:9' } });
    expect(response.headers['x-request-id']).toBe('abc-123.XYZ:9');
  });

  it('replaces a malformed or oversized caller id with its own', async () => {
    for (const given of ['<script>', 'a'.repeat(200), 'bad id']) {
      const response = await app.inject({ url: '/api/v1/health/', headers: { 'x-request-id': given } });
      expect(response.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    }
  });

  it('gives each request a distinct id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(String((await app.inject({ url: '/api/v1/health/' })).headers['x-request-id']));
    expect(ids.size).toBe(5);
  });
});

describe('localized problems', () => {
  it('answers in Khmer when Accept-Language prefers km; codes stay English', async () => {
    const response = await app.inject({ url: '/api/v1/nothing-here', headers: { 'accept-language': 'km-KH,km;q=0.9,en;q=0.5' } });
    const body = expectProblem(response, 404, 'NOT_FOUND');
    expect(body.title).toBe('រកមិនឃើញ');
    expect(body.detail).toBe('គ្មានចំណុចបញ្ចប់ណាត្រូវនឹង GET /api/v1/nothing-here ទេ។');
  });

  it('localizes field-level validation messages', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: {}, headers: { 'accept-language': 'km' } });
    const body = expectProblem(response, 422, 'VALIDATION_ERROR');
    expect(body.title).toBe('ការផ្ទៀងផ្ទាត់ទិន្នន័យបញ្ចូលបានបរាជ័យ');
    expect(body.errors).toEqual([{ field: 'name', message: 'ត្រូវតែបំពេញ' }]);
  });

  it('falls back to English for unsupported languages', async () => {
    const response = await app.inject({ url: '/api/v1/nothing-here', headers: { 'accept-language': 'fr-FR,de;q=0.8' } });
    expect(response.json().title).toBe('Not found');
  });
});
