/** Test-only (never imported by the server): stands in for the identity module's authenticator. */
import fp from 'fastify-plugin';
import type { Module } from '../../app';
import { ProblemError } from '../http/problem';
import type { Actor } from './actor';

/** A module whose authenticator knows exactly these bearer tokens; anything else is a 401. */
export function fakeAuthModule(name: string, tokens: Record<string, Actor>): Module {
  return {
    name,
    plugin: fp(async (app) => {
      const unauthorized = () => new ProblemError(401, 'UNAUTHORIZED');
      app.auth.use({
        bearer: async (token) => {
          const found = tokens[token];
          if (!found) throw unauthorized();
          return found;
        },
        apiKey: async () => {
          throw unauthorized();
        },
      });
    }),
  };
}
