/** Audit API: query the log (auditors), verify the chain. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { ApiError, Problem } from '../../http/problems.ts';
import { checkpointerFor, verifyAuditLog } from './checkpointer.ts';

export const AuditEvent = z
  .object({
    seq: z.number().int().describe('position in the chain, from 1'),
    id: z.string().describe('event id'),
    occurredAt: z.string().describe('when, ISO 8601 UTC'),
    actor: z.object({
      type: z.enum(['user', 'token', 'system', 'agent']).describe('agent: an enrolled host agent'),
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
  beforeSeq: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('cursor for order=desc: events before this seq'),
  order: z
    .enum(['asc', 'desc'])
    .default('asc')
    .describe('asc: oldest first (follow nextAfterSeq); desc: newest first (follow nextBeforeSeq)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size, at most 1000'),
});

const CheckpointHead = z
  .object({
    number: z.number().int().describe('its line number in the checkpoint file, from 1'),
    seq: z.number().int().describe('the last event it covers (0: an empty log)'),
    hash: z.string().describe('that event\u2019s hash, as signed'),
    takenAt: z.string().describe('when it was signed, ISO 8601 UTC'),
  })
  .describe('a signed chain head');

const Verification = z
  .object({
    ok: z
      .boolean()
      .describe('the chain holds, agrees with every signed checkpoint, and they all verify'),
    events: z.number().int().describe('events verified before the first break (all when ok)'),
    lastHash: z.string().describe('the hash of the last verified event'),
    brokenAt: z
      .object({ seq: z.number().int(), reason: z.string() })
      .optional()
      .describe('the first event that does not verify, and why'),
    checkpoints: z
      .object({
        count: z.number().int().describe('signed checkpoints that verify'),
        keyId: z.string().nullable().describe('the signing key\u2019s id; null when none exists'),
        last: CheckpointHead.nullable().describe('the latest checkpoint'),
        eventsAfterLast: z
          .number()
          .int()
          .describe('events after the latest checkpoint: protected by the chain alone'),
        problems: z
          .array(z.string())
          .describe('what is wrong with the checkpoint file or key (a changed or removed line…)'),
      })
      .describe('checkpoints anchored outside the database (audit readme: the trust model)'),
  })
  .describe('the audit log\u2019s verification');

const CheckpointTaken = z
  .object({
    checkpoint: CheckpointHead,
    keyId: z.string().describe('the signing key\u2019s id'),
    webhook: z
      .enum(['delivered', 'failed'])
      .optional()
      .describe('the copy POSTed to PATCHGATE_AUDIT_CHECKPOINT_WEBHOOK, when one is set'),
  })
  .describe('a checkpoint just signed and appended to the checkpoint file');

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
        summary: 'Query the audit log, oldest (or newest) first, with a seq cursor',
        querystring: AuditQuery,
        response: {
          200: z.object({
            events: z.array(AuditEvent),
            nextAfterSeq: z
              .number()
              .int()
              .nullable()
              .describe('order=asc: afterSeq of the next page; null at the end'),
            nextBeforeSeq: z
              .number()
              .int()
              .nullable()
              .describe('order=desc: beforeSeq of the next page; null at the end'),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      let query = ctx.database.db
        .selectFrom('audit_events')
        .selectAll()
        .orderBy('seq', q.order)
        .limit(q.limit + 1);
      if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
      if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
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
        nextAfterSeq: q.order === 'asc' && rows.length > q.limit ? Number(page.at(-1)?.seq) : null,
        nextBeforeSeq:
          q.order === 'desc' && rows.length > q.limit ? Number(page.at(-1)?.seq) : null,
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
        summary:
          'Recompute the hash chain, check it against the signed checkpoints, and report the first event that breaks it',
        response: { 200: Verification },
      },
    },
    async () => verifyAuditLog(ctx.database.db, ctx.config),
  );

  api.post(
    '/api/v1/audit/checkpoints',
    {
      // Anchoring the current head reveals nothing and changes nothing in the database.
      config: { access: 'audit:read' },
      schema: {
        operationId: 'createAuditCheckpoint',
        tags: ['audit'],
        summary:
          'Sign the chain\u2019s current head now and append it to the checkpoint file (and the webhook); 409 if the log does not verify',
        response: { 201: CheckpointTaken, 409: Problem },
      },
    },
    async (_request, reply) => {
      const result = await checkpointerFor(ctx.config, ctx.clock, ctx.logger).take(ctx.database.db);
      if (result.status === 'refused') {
        throw new ApiError(
          409,
          'audit_log_broken',
          'The audit log does not verify',
          `No checkpoint was signed: ${result.reason}`,
        );
      }
      const { checkpoint } = result;
      return reply.status(201).send({
        checkpoint: {
          number: checkpoint.n,
          seq: checkpoint.seq,
          hash: checkpoint.hash,
          takenAt: checkpoint.takenAt,
        },
        keyId: checkpoint.keyId,
        ...(result.webhook !== undefined && { webhook: result.webhook }),
      });
    },
  );
}
