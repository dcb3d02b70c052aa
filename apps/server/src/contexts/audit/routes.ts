/** Audit API: query the log (auditors), verify the chain. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { verifyAuditChain } from './audit-log.ts';

export const AuditEvent = z
  .object({
    seq: z.number().int().describe('position in the chain, from 1'),
    id: z.string().describe('event id'),
    occurredAt: z.string().describe('when, ISO 8601 UTC'),
    actor: z.object({
      type: z.enum(['user', 'token', 'system']),
      id: z.string().nullable(),
      name: z.string(),
    }),
    action: z.string().describe('what happened, e.g. asset.created'),
    subject: z.object({ type: z.string(), id: z.string().nullable() }),
    before: z.unknown().nullable().describe('state before the change'),
    after: z.unknown().nullable().describe('state after the change'),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .describe('One audit event');

const AuditQuery = z.strictObject({
  action: z.string().optional().describe('exact action, e.g. finding.triaged'),
  subjectType: z.string().optional().describe('subject type, e.g. asset'),
  subjectId: z.string().optional().describe('subject id'),
  actorId: z.string().optional().describe('user id of the actor'),
  since: z.iso.datetime().optional().describe('events at or after this time'),
  until: z.iso.datetime().optional().describe('events before this time'),
  afterSeq: z.coerce.number().int().min(0).optional().describe('cursor: events after this seq'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size, at most 1000'),
});

const Verification = z.object({
  ok: z.boolean(),
  events: z.number().int(),
  lastHash: z.string(),
  brokenAt: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
});

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

export function registerAuditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/audit/events',
    {
      config: { access: 'audit:read' },
      schema: {
        operationId: 'listAuditEvents',
        tags: ['audit'],
        summary: 'Query the audit log, oldest first, with a seq cursor',
        querystring: AuditQuery,
        response: {
          200: z.object({ events: z.array(AuditEvent), nextAfterSeq: z.number().int().nullable() }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      let query = ctx.database.db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('seq')
        .limit(q.limit + 1);
      if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      if (q.subjectType !== undefined) query = query.where('subject_type', '=', q.subjectType);
      if (q.subjectId !== undefined) query = query.where('subject_id', '=', q.subjectId);
      if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
      if (q.since !== undefined)
        query = query.where('occurred_at', '>=', new Date(q.since).toISOString());
      if (q.until !== undefined)
        query = query.where('occurred_at', '<', new Date(q.until).toISOString());
      const rows = await query.execute();
      const page = rows.slice(0, q.limit);
      return {
        events: page.map((row) => ({
          seq: Number(row.seq),
          id: row.id,
          occurredAt: row.occurred_at,
          actor: {
            type: row.actor_type as 'user' | 'token' | 'system',
            id: row.actor_id,
            name: row.actor_name,
          },
          action: row.action,
          subject: { type: row.subject_type, id: row.subject_id },
          before: parseJson(row.before_json),
          after: parseJson(row.after_json),
          requestId: row.request_id,
          ip: row.ip,
          prevHash: row.prev_hash,
          hash: row.hash,
        })),
        nextAfterSeq: rows.length > q.limit ? Number(page.at(-1)?.seq) : null,
      };
    },
  );

  api.get(
    '/api/v1/audit/verification',
    {
      config: { access: 'audit:read' },
      schema: {
        operationId: 'verifyAuditChain',
        tags: ['audit'],
        summary: 'Recompute the hash chain and report the first event that breaks it',
        response: { 200: Verification },
      },
    },
    async () => verifyAuditChain(ctx.database.db),
  );
}
