import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ProblemError } from '../../kernel/http/problem';
import type { Secrets } from '../../kernel/secrets';

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface AccessClaims {
  sub: string;
  org: string;
  role: string;
  sid: string;
  type: 'access';
  jti: string;
}

export interface RefreshClaims {
  sub: string;
  org: string;
  sid: string;
  type: 'refresh';
  jti: string;
  exp: number;
}

const VERIFIED_CACHE_SIZE = 20_000;

// PKCS#8 wrapper of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Access and refresh JWTs signed with Ed25519 (EdDSA). The key is derived from SECRET_KEY, so
 * every instance sharing it verifies every token; the algorithm is fixed here, never taken
 * from the token, so `alg: none` or HS256 tokens are refused.
 */
export class TokenService {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly verifiedAccess = new Map<string, AccessClaims & { exp: number }>();

  constructor(private readonly secrets: Secrets, readonly settings: TokenSettings) {
    const seed = secrets.key('jwt-ed25519');
    this.privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.privateKey);
  }

  private sign(claims: Record<string, unknown>, ttlSeconds: number, now: Date) {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.privateKey);
  }

  /** A new access token and refresh token; the refresh token never outlives the session (absolute lifetime). */
  async issuePair(user: { id: string; organizationId: string; role: string }, sessionId: string, now: Date, sessionExpiresAt: Date) {
    const refreshJti = randomUUID();
    const refreshTtl = Math.max(1, Math.floor((sessionExpiresAt.getTime() - now.getTime()) / 1000));
    const [accessToken, refreshToken] = await Promise.all([
      this.sign({ sub: user.id, org: user.organizationId, role: user.role, sid: sessionId, type: 'access', jti: randomUUID() }, this.settings.accessTtlSeconds, now),
      this.sign({ sub: user.id, org: user.organizationId, sid: sessionId, type: 'refresh', jti: refreshJti }, refreshTtl, now),
    ]);
    return { accessToken, refreshToken, refreshJti, expiresIn: this.settings.accessTtlSeconds };
  }

  /** Verifies signature, algorithm, issuer, audience, expiry and token type. */
  async verify<T extends AccessClaims | RefreshClaims>(token: string, type: T['type'], now: Date): Promise<T> {
    // An Ed25519 verification costs ~0.2 ms here, the largest part of an authenticated request;
    // a token already verified needs only its expiry checked again (revocation is checked apart).
    const known = type === 'access' ? this.verifiedAccess.get(token) : undefined;
    if (known) {
      if (known.exp * 1000 > now.getTime()) return known as T;
      this.verifiedAccess.delete(token);
      throw new ProblemError(401, 'TOKEN_EXPIRED', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
    const claims = await this.verifySignature<T>(token, type, now);
    if (type === 'access') {
      if (this.verifiedAccess.size >= VERIFIED_CACHE_SIZE) this.verifiedAccess.clear();
      this.verifiedAccess.set(token, claims as AccessClaims & { exp: number });
    }
    return claims;
  }

  private async verifySignature<T extends AccessClaims | RefreshClaims>(token: string, type: T['type'], now: Date): Promise<T> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['EdDSA'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        currentDate: now,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      if (payload.type !== type || typeof payload.sid !== 'string' || typeof payload.org !== 'string') throw new Error('wrong type');
      return payload as unknown as T;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new ProblemError(401, 'TOKEN_EXPIRED', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      throw new ProblemError(401, 'UNAUTHORIZED', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }
  }

  /** Encrypts a token pair kept briefly for the refresh grace window (AES-256-GCM). */
  seal(value: object): string {
    return this.secrets.encrypt('session-seal', JSON.stringify(value));
  }

  unseal<T>(sealed: string): T {
    return JSON.parse(this.secrets.decrypt('session-seal', sealed)) as T;
  }
}
