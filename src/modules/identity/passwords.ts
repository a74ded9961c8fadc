import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

// OWASP's Argon2id baseline (m=19 MiB, t=2, p=1); @node-rs/argon2 hashes on its own thread pool.
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };
// Verified against when the email is unknown, so that case costs what a wrong password costs.
let dummyHash: Promise<string> | undefined;

export const hashPassword = (password: string) => argonHash(password, ARGON2_OPTIONS);

export interface PasswordCheck {
  valid: boolean;
  /** True when the stored hash is bcrypt or weaker Argon2 parameters: rehash it now. */
  needsRehash: boolean;
}

/** Verifies Argon2id and imported bcrypt hashes (`$2a$`, `$2b$`, `$2y$`). */
export async function verifyPassword(stored: string | null, password: string): Promise<PasswordCheck> {
  if (!stored) {
    dummyHash ??= hashPassword('not-a-real-password');
    await argonVerify(await dummyHash, password).catch(() => false);
    return { valid: false, needsRehash: false };
  }
  if (/^\$2[aby]\$/.test(stored)) {
    return { valid: await bcrypt.compare(password, stored), needsRehash: true };
  }
  const valid = await argonVerify(stored, password).catch(() => false);
  return { valid, needsRehash: valid && !stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$') };
}

/** Seed 003 §11.1, plus the length cap every password hasher needs. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push('validation.password.min_length');
  if (password.length > 128) problems.push('validation.password.max_length');
  if (!/[A-Z]/.test(password)) problems.push('validation.password.uppercase');
  if (!/[a-z]/.test(password)) problems.push('validation.password.lowercase');
  if (!/[0-9]/.test(password)) problems.push('validation.password.digit');
  if (!/[^A-Za-z0-9]/.test(password)) problems.push('validation.password.special');
  return problems;
}
