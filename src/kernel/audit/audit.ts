import type { FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import { auditLogs } from './tables';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Outcome = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  organizationId: string;
  actorId: string | null;
  actorType?: Actor['type'] | 'anonymous';
  action: string;
  resourceType: string;
  resourceId?: string | null;
  outcome?: Outcome;
  severity?: Severity;
  metadata?: Record<string, unknown>;
}

/** Where a request came from, for the audit trail. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export const originOf = (request: FastifyRequest): RequestOrigin => ({
  ip: request.ip ?? null,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 500) : null,
  requestId: String(request.id),
});

export const NO_ORIGIN: RequestOrigin = { ip: null, userAgent: null, requestId: null };

/** Writes one audit entry in the caller's transaction, so it commits or rolls back with the change. */
export async function recordAudit(tx: Executor, origin: RequestOrigin, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLogs).values({
    id: newId('aud'),
    organizationId: entry.organizationId,
    actorId: entry.actorId,
    actorType: entry.actorType ?? (entry.actorId ? 'user' : 'anonymous'),
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    outcome: entry.outcome ?? 'success',
    severity: entry.severity ?? 'low',
    ipAddress: origin.ip,
    userAgent: origin.userAgent,
    requestId: origin.requestId,
    metadata: entry.metadata ?? {},
  });
}
