import type { Kernel } from '../../kernel/kernel';
import type { Executor } from '../../kernel/db/database';
import type { Profile } from './present';
import { RoleResolver } from './role-resolver';
import { TokenService } from './tokens';

/** What the identity services need from the mail service (kernel/mail), kept narrow. */
export interface Mailer {
  send(tx: Executor, message: { organizationId: string; type: string; to: string; locale?: string; variables: Record<string, unknown>; bulk?: boolean }): Promise<string>;
  /** Deletes the stored mail sent to an address (GDPR erasure); returns how many. */
  forgetRecipient(tx: Executor, address: string): Promise<number>;
}

export interface IdentityContext {
  kernel: Kernel;
  tokens: TokenService;
  mailer: Mailer;
  sessions: SessionCache;
  roles: RoleResolver;
}

interface CachedSession {
  userId: string;
  organizationId: string;
  role: string;
  department: string | null;
  alive: boolean;
  /** The user's profile as GET /profile/me shows it, read with the session (null if gone). */
  profile: Profile | null;
  until: number;
}

/**
 * Per-instance cache of "is this session alive, and who is it": a hit costs a Map lookup.
 * Entries live TTL_MS at most; revocations and changes to the user evict at once, on every
 * instance (invalidation.ts), so the profile read with the session is never staler than that.
 */
export class SessionCache {
  static readonly TTL_MS = 2000;
  private readonly entries = new Map<string, CachedSession>();

  get(sessionId: string, now: number): CachedSession | undefined {
    const entry = this.entries.get(sessionId);
    if (entry && entry.until > now) return entry;
    this.entries.delete(sessionId);
    return undefined;
  }

  /** The cached profile of a live session of this user, if any. */
  profileOf(sessionId: string, userId: string, now: number): Profile | undefined {
    const entry = this.get(sessionId, now);
    return entry?.alive && entry.userId === userId ? (entry.profile ?? undefined) : undefined;
  }

  set(sessionId: string, value: Omit<CachedSession, 'until'>, now: number): void {
    if (this.entries.size > 50_000) this.entries.clear();
    this.entries.set(sessionId, { ...value, until: now + SessionCache.TTL_MS });
  }

  evict(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  evictUser(userId: string): void {
    for (const [id, entry] of this.entries) if (entry.userId === userId) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }
}

export function createIdentityContext(kernel: Kernel, mailer: Mailer): IdentityContext {
  const tokens = new TokenService(kernel.secrets, {
    issuer: kernel.config.publicUrl,
    audience: 'deskbase-api',
    accessTtlSeconds: kernel.config.identity.accessTokenTtlSeconds,
    refreshTtlSeconds: kernel.config.identity.refreshTokenTtlSeconds,
  });
  return { kernel, tokens, mailer, sessions: new SessionCache(), roles: new RoleResolver() };
}
