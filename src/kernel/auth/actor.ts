import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Who is calling. Set by the identity module's authentication hook; null for anonymous calls. */
export interface Actor {
  type: 'user' | 'api_key' | 'system';
  id: string;
  organizationId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export const actorPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('actor', null);
});
