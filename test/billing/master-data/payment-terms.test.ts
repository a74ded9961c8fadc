import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dec, installmentsOf } from '../../../src/modules/billing/index';
import { countRows, createMasterDataApp, type Client, type MasterDataFixture } from './support';

let f: MasterDataFixture;
let admin: Client;
beforeAll(async () => {
  f = await createMasterDataApp();
  admin = f.as('admin');
});
afterAll(() => f.app.close());

const base = { name: 'Net 30', code: 'NET30', payment_days: 30 };

describe('payment terms', () => {
  it('refuses an installment schedule whose percentages do not total 100 (422), storing nothing', async () => {
    const before = await countRows(f.app, 'billing_payment_terms');
    const short = await admin.post('/payment-terms', { ...base, payment_schedule: [{ days: 15, percentage: 50 }, { days: 30, percentage: '49.99' }] });
    expect(short.statusCode).toBe(422);
    expect(short.headers['content-type']).toContain('application/problem+json');
    expect(short.json()).toMatchObject({ code: 'VALIDATION_ERROR', errors: [{ field: 'payment_schedule', message: 'percentages add up to 99.99, not 100' }] });
    const order = await admin.post('/payment-terms', { ...base, payment_schedule: [{ days: 30, percentage: 50 }, { days: 15, percentage: 50 }] });
    expect(order.json().errors).toEqual([{ field: 'payment_schedule[1].days', message: 'must be later than the previous installment' }]);
    const late = await admin.post('/payment-terms', { ...base, payment_schedule: [{ days: 10, percentage: 50 }, { days: 45, percentage: 50 }] });
    expect(late.json().errors).toEqual([{ field: 'payment_schedule[1].days', message: 'must be at most 30' }]);
    expect(await countRows(f.app, 'billing_payment_terms')).toBe(before);
  });

  it('checks the early-payment discount, the late penalty and the credit limit', async () => {
    const half = await admin.post('/payment-terms', { ...base, early_payment_discount_rate: 2 });
    expect(half.json().errors).toEqual([{ field: 'early_payment_discount_days', message: 'is required with the other early-payment discount field' }]);
    const notEarly = await admin.post('/payment-terms', { ...base, early_payment_discount_days: 30, early_payment_discount_rate: 2 });
    expect(notEarly.json().errors).toEqual([{ field: 'early_payment_discount_days', message: 'must be fewer than payment_days (30)' }]);
    const cents = await admin.post('/payment-terms', { ...base, credit_limit_amount: '100.001' });
    expect(cents.json().errors).toEqual([{ field: 'credit_limit_amount', message: 'must have at most 2 decimal places' }]);

    const term = await admin.create('/payment-terms', { ...base, early_payment_discount_days: 10, early_payment_discount_rate: '2.5', late_payment_penalty_rate: 1.5, credit_limit_amount: '250000', currency: 'INR' });
    expect(term).toMatchObject({ early_payment_discount_rate: '2.50', late_payment_penalty_rate: '1.50', late_payment_penalty_period: 'month', credit_limit_amount: '250000.00', currency: 'INR', payment_schedule: [], requires_approval: false });
    const duplicate = await admin.post('/payment-terms', { ...base, code: 'net30' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('PAYMENT_TERM_CODE_EXISTS');

    const cleared = await admin.patch(`/payment-terms/${term.id}`, { late_payment_penalty_rate: null, early_payment_discount_days: null, early_payment_discount_rate: null }, { 'if-match': `"v${term.version}"` });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({ late_payment_penalty_rate: null, late_payment_penalty_period: null, early_payment_discount_days: null, version: term.version + 1 });
    const invalid = await admin.patch(`/payment-terms/${term.id}`, { payment_schedule: [{ days: 30, percentage: 120 }] });
    expect(invalid.statusCode).toBe(422);
  });

  it('splits a total into installments that add up to it exactly', () => {
    const schedule = { payment_days: 60, payment_schedule: [{ days: 30, percentage: '33.33' }, { days: 45, percentage: '33.33' }, { days: 60, percentage: '33.34' }] };
    expect(installmentsOf(schedule, '2024-01-31', new Dec('100.01'), 'USD')).toEqual([
      { due_date: '2024-03-01', percentage: '33.33', amount: '33.33' },
      { due_date: '2024-03-16', percentage: '33.33', amount: '33.33' },
      { due_date: '2024-03-31', percentage: '33.34', amount: '33.35' },
    ]);
    expect(installmentsOf({ payment_days: 30, payment_schedule: [] }, '2024-02-15', new Dec('10'), 'USD')).toEqual([{ due_date: '2024-03-16', percentage: '100.00', amount: '10.00' }]);
  });
});
