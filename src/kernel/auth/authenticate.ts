import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { evaluate } from '../access/grants';
import { hasPermission } from '../access/permissions';
import { ProblemError } from '../http/problem';
import type { Actor } from './actor';

/** Turns credentials into an Actor; throws ProblemError 401 for bad ones. Provided by the identity module. */
export interface Authenticator {
  bearer(token: string, request: FastifyRequest): Promise<Actor>;
  apiKey(key: string, request: FastifyRequest): Promise<Actor>;
}

export interface AccessDenial {
  actor: Actor;
  permission: string;
  request: FastifyRequest;
}

export interface AuthRegistry {
  use(authenticator: Authenticator): void;
  /** Called on every 403, e.g. to audit it. */
  onDenied(listener: (denial: AccessDenial) => Promise<void>): void;
  /**
   * The route check, for a permission known only once the request is read (a bulk endpoint's
   * action): throws 403, after the denial listeners ran, unless the request's actor holds it.
   */
  require(request: FastifyRequest, permission: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthRegistry;
  }
  interface FastifyContextConfig {
    /** Permission the caller needs (`invoice:read`); implies authentication. */
    permission?: string;
    /** `required`: any authenticated caller. Default: required when `permission` is set, otherwise none. */
    auth?: 'required' | 'none';
  }
}

const unauthorized = () => new ProblemError(401, 'UNAUTHORIZED', { headers: { 'www-authenticate': 'Bearer' } });

/**
 * Central authentication and authorization: each route declares what it needs in its config,
 * and this hook enforces it before the handler (or even body parsing) runs.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  let authenticator: Authenticator | undefined;
  const deniedListeners: ((denial: AccessDenial) => Promise<void>)[] = [];
  app.decorate('auth', {
    use(value: Authenticator) {
      authenticator = value;
    },
    onDenied(listener: (denial: AccessDenial) => Promise<void>) {
      deniedListeners.push(listener);
    },
    require,
  });

  async function require(request: FastifyRequest, permission: string): Promise<void> {
    const actor = request.actor;
    if (!actor) throw unauthorized();
    const allowed = actor.grants
      ? evaluate(actor.grants, permission, { userId: actor.id, userDepartment: actor.department, ipAddress: request.ip, at: new Date() }).allowed &&
        (actor.type !== 'api_key' || hasPermission(actor.permissions, permission))
      : hasPermission(actor.permissions, permission);
    if (allowed) return;
    await Promise.all(deniedListeners.map((listener) => listener({ actor, permission, request })));
    throw new ProblemError(403, 'INSUFFICIENT_PERMISSIONS', { params: { permission } });
  }

  app.addHook('onRequest', async (request) => {
    const { permission, auth } = request.routeOptions.config;
    const required = Boolean(permission) || auth === 'required';
    const header = request.headers.authorization;
    const apiKey = request.headers['x-api-key'];
    if (!required || !authenticator) {
      if (required) throw unauthorized();
      return;
    }
    if (typeof apiKey === 'string' && apiKey) {
      request.actor = await authenticator.apiKey(apiKey, request);
    } else if (typeof header === 'string' && /^Bearer [\w.~+/-]+=*$/i.test(header)) {
      request.actor = await authenticator.bearer(header.slice(7), request);
    } else {
      throw unauthorized();
    }
    if (permission) await require(request, permission);
  });
});
