import { inArray } from 'drizzle-orm';
import type { RequestOrigin } from '../../kernel/audit/audit';
import type { Actor } from '../../kernel/auth/actor';
import { newId } from '../../kernel/db/ids';
import { ProblemError } from '../../kernel/http/problem';
import type { Locale } from '../../kernel/i18n/index';
import { validateNewAccount } from './accounts';
import { createUserInTx, type CreateUserInput } from './admin-users';
import type { IdentityContext } from './context';
import { hashPassword } from './passwords';
import { isBuiltInRole, roleRank } from './roles';
import { users } from './tables';
import { emailErrors, normalizeEmail } from './validation';

export interface BulkInput {
  items: (Omit<CreateUserInput, 'role'> & { role?: string })[];
  batch_size?: number;
  fail_fast?: boolean;
}

interface ItemError {
  index: number;
  code: string;
  message: string;
  field?: string;
}

/** Checks every item without writing: field rules, roles, duplicates in the request and in the database. */
async function validateItems(ctx: IdentityContext, actor: Actor, input: BulkInput, locale: Locale): Promise<Map<number, ItemError>> {
  const errors = new Map<number, ItemError>();
  const seen = new Map<string, number>();
  const actorBase = (await ctx.roles.resolve(ctx.kernel.database.db, actor.organizationId, actor.role)).base;
  input.items.forEach((item, index) => {
    const fieldErrors = [...emailErrors('email', item.email, locale), ...validateNewAccount(item, locale)];
    const role = item.role ?? 'user';
    if (!isBuiltInRole(role) || roleRank(role) > roleRank(actorBase)) fieldErrors.push({ field: 'role', message: 'is not a role you may assign' });
    const email = normalizeEmail(item.email);
    if (seen.has(email)) fieldErrors.push({ field: 'email', message: `duplicates item ${seen.get(email)}` });
    else seen.set(email, index);
    const first = fieldErrors[0];
    if (first) errors.set(index, { index, code: 'VALIDATION_ERROR', field: first.field, message: fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ') });
  });
  const emails = [...seen.keys()];
  for (let i = 0; i < emails.length; i += 500) {
    const taken = await ctx.kernel.database.db.select({ email: users.email }).from(users).where(inArray(users.email, emails.slice(i, i + 500)));
    for (const { email } of taken) {
      const index = seen.get(email)!;
      if (!errors.has(index)) errors.set(index, { index, code: 'EMAIL_ALREADY_EXISTS', field: 'email', message: 'an account with this email already exists' });
    }
  }
  return errors;
}

function report(operation: string, total: number, successful: number, errors: ItemError[], started: number) {
  const duration = (performance.now() - started) / 1000;
  return {
    operation_id: newId('bulk'),
    operation,
    total,
    successful,
    failed: errors.length,
    skipped: total - successful - errors.length,
    errors: errors.sort((a, b) => a.index - b.index),
    duration_seconds: Math.round(duration * 1000) / 1000,
    throughput_per_second: duration > 0 ? Math.round((total / duration) * 100) / 100 : total,
    success_rate: total > 0 ? Math.round((successful / total) * 10_000) / 100 : 100,
  };
}

/** Seed 003 §5.2. */
export async function validateUsers(ctx: IdentityContext, actor: Actor, input: BulkInput, locale: Locale) {
  const started = performance.now();
  const errors = await validateItems(ctx, actor, input, locale);
  return report('validate_users', input.items.length, input.items.length - errors.size, [...errors.values()], started);
}

/**
 * Seed 003 §5.1: valid items are created in transactions of `batch_size`; with `fail_fast` the
 * first invalid item stops everything after it (counted as skipped). Users without a password
 * are invited by email.
 */
export async function createUsers(ctx: IdentityContext, origin: RequestOrigin, actor: Actor, input: BulkInput, locale: Locale) {
  const started = performance.now();
  const errors = await validateItems(ctx, actor, input, locale);
  const firstError = Math.min(...errors.keys());
  const limit = input.fail_fast && errors.size > 0 ? firstError : input.items.length;
  const batchSize = input.batch_size ?? 100;
  let successful = 0;
  const candidates = input.items.map((item, index) => ({ item, index })).filter(({ index }) => index < limit && !errors.has(index));
  const hashes = await Promise.all(candidates.map(({ item }) => (item.password ? hashPassword(item.password) : Promise.resolve(undefined))));
  for (let start = 0; start < candidates.length; start += batchSize) {
    const batch = candidates.slice(start, start + batchSize);
    try {
      await ctx.kernel.database.transaction(async (tx) => {
        for (const [offset, { item }] of batch.entries()) {
          await createUserInTx(ctx, tx, origin, actor, { ...item, role: item.role ?? 'user' }, locale, { passwordHash: hashes[start + offset], bulk: true });
        }
      });
      successful += batch.length;
    } catch (error) {
      // A whole batch fails together (e.g. an email registered meanwhile): report each item.
      const code = error instanceof ProblemError ? error.code : 'INTERNAL_ERROR';
      for (const { index } of batch) errors.set(index, { index, code, message: 'the batch holding this item was rolled back' });
      if (input.fail_fast) break;
    }
  }
  const result = report('create_users', input.items.length, successful, [...errors.values()], started);
  return { ...result, skipped: input.items.length - successful - errors.size };
}
