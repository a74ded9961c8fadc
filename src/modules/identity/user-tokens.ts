import { and, eq, gt, isNull } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../kernel/digest';
import type { Executor } from '../../kernel/db/database';
import { ProblemError } from '../../kernel/http/problem';
import { userTokens } from './tables';

export type TokenPurpose = 'verify_email' | 'password_reset';

const PREFIX: Record<TokenPurpose, string> = { verify_email: 'ver_', password_reset: 'rst_' };
const LIFETIME_MS: Record<TokenPurpose, number> = { verify_email: 24 * 3600_000, password_reset: 3600_000 };

/** A random single-use token; only its hash is stored. Older unused tokens of the same purpose stop working. */
export async function issueUserToken(tx: Executor, userId: string, purpose: TokenPurpose, now: Date, lifetimeMs = LIFETIME_MS[purpose]): Promise<string> {
  const token = PREFIX[purpose] + randomBytes(32).toString('base64url');
  await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.userId, userId), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt)));
  await tx.insert(userTokens).values({ tokenHash: sha256Hex(token), userId, purpose, expiresAt: new Date(now.getTime() + lifetimeMs), createdAt: now });
  return token;
}

/** Marks the token used and returns its user; 400 INVALID_TOKEN if unknown, used, expired or of another purpose. */
export async function consumeUserToken(tx: Executor, token: string, purpose: TokenPurpose, now: Date): Promise<string> {
  const [row] = await tx
    .update(userTokens)
    .set({ usedAt: now })
    .where(and(eq(userTokens.tokenHash, sha256Hex(token)), eq(userTokens.purpose, purpose), isNull(userTokens.usedAt), gt(userTokens.expiresAt, now)))
    .returning({ userId: userTokens.userId });
  if (!row) throw new ProblemError(400, 'INVALID_TOKEN', { detailKey: `problem.INVALID_TOKEN.${purpose}` });
  return row.userId;
}
