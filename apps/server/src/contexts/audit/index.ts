/** The audit context's public face: append (inside a change's transaction), verify, actors. */
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from './audit-log.ts';

export type { AuditActor, AuditEventInput, ChainVerification } from './audit-log.ts';
export type { SubjectEvent } from './audit-log.ts';
export { appendAuditEvent, auditEventsOf, systemActor, verifyAuditChain } from './audit-log.ts';
export { registerAuditRoutes } from './routes.ts';
export { canonicalJson } from './chain.ts';
export type { AuditLogVerification, CheckpointResult, CheckpointSummary } from './checkpointer.ts';
export {
  checkpointerFor,
  loadOrCreateCheckpointKey,
  startPeriodicCheckpoints,
  verifyAuditLog,
} from './checkpointer.ts';

/**
 * Who asked for a change, and through which request: what every context's write functions take
 * and pass on to `appendAuditEvent`. The one definition (jobs, advisories and inventory had
 * their own copies).
 */
export interface RequestSource {
  readonly actor: AuditActor;
  readonly requestId?: string | null;
  readonly ip?: string | null;
}

/** The actor and request fields of an event made by an HTTP request. */
export function auditSource(request: FastifyRequest): RequestSource & {
  requestId: string;
  ip: string;
} {
  const principal = request.principal;
  const actor: AuditActor =
    principal === undefined
      ? { type: 'system', id: null, name: 'anonymous' }
      : {
          // A user acting through an API token is recorded as `token`, as before.
          type: principal.credential === 'token' ? 'token' : principal.kind,
          id: principal.id,
          name: principal.name,
        };
  return { actor, requestId: request.id, ip: request.ip };
}
// The reports context's change report (issue 11): an excerpt with its hash-chain proof.
export type { AuditExcerpt, ChainedEvent } from './excerpt.ts';
export { auditExcerptOf } from './excerpt.ts';
// The dashboard context's activity stream: the log's events, only the columns it may show.
export type { ActivityEvent, ActivityFilter } from './activity.ts';
export { activityAfter, lastActivitySeq } from './activity.ts';
