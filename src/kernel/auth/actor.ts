import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Grant } from '../access/grants';

/** Who is calling. Set by the authentication hook (kernel/auth/authenticate.ts); null for anonymous calls. */
export interface Actor {
  type: 'user' | 'api_key' | 'system';
  /** `usr_…` for users and their API keys' owner, `key_…` for the key itself is in `apiKeyId`. */
  id: string;
  organizationId: string;
  role: string;
  /** Effective unconditional permission strings (`invoice:read`, `invoice:*`, `*:*`). */
  permissions: string[];
  /** The role's grants with their conditions (seed 000); when present they decide access. */
  grants?: Grant[];
  sessionId?: string;
  apiKeyId?: string;
  department?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const actorPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('actor', null);
});
