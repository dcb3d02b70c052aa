/**
 * The test-evidence API (docs/adr/0034-change-evidence.md): record automated results or a
 * manual sign-off, attach files to it (the raw body, streamed, any media type), list the
 * evidence and download a file (always as an attachment, never rendered).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import {
  addEvidence,
  attachFile,
  attachmentFile,
  contentDisposition,
  listEvidence,
} from './evidence.ts';
import {
  AttachmentParams,
  AttachmentQuery,
  EvidenceAttachment,
  EvidenceBody,
  EvidenceList,
  EvidenceParams,
  EvidenceRecord,
} from './evidence-schema.ts';
import { ChangeIdParams } from './schema.ts';

const tags = ['changes'];
/** Recording evidence: the requester's side or the implementer's (a tester is either). */
const addAccess = { anyOf: ['changes:request', 'changes:implement'] } as const;

export function registerEvidenceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/v1/changes/:id/evidence',
    {
      config: { access: addAccess },
      schema: {
        operationId: 'addChangeEvidence',
        tags,
        summary:
          'Record test evidence: automated results, or your manual sign-off (not a plan edit: approvals stand)',
        params: ChangeIdParams,
        body: EvidenceBody,
        response: { 201: EvidenceRecord, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await addEvidence(ctx, request.params.id, request.body, auditSource(request))),
  );

  api.get(
    '/api/v1/changes/:id/evidence',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listChangeEvidence',
        tags,
        summary: "The change's test evidence, oldest first, with its attached files",
        params: ChangeIdParams,
        response: { 200: EvidenceList, 404: Problem },
      },
    },
    async (request) => listEvidence(ctx, request.params.id),
  );

  api.get(
    '/api/v1/changes/:id/evidence/:evidenceId/attachments/:attachmentId',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'downloadChangeEvidenceAttachment',
        tags,
        summary:
          'An attached file as uploaded (always a download; harmless types only, else octets)',
        params: AttachmentParams,
        response: { 200: z.string().describe('the file'), 404: Problem },
      },
    },
    async (request, reply) => {
      const { id, evidenceId, attachmentId } = request.params;
      const file = await attachmentFile(ctx, id, evidenceId, attachmentId);
      return (
        reply
          .type(file.mediaType)
          .header('content-disposition', contentDisposition(file.name))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .header('x-patchgate-sha256', file.sha256)
          // The bytes as stored: Fastify sends a Buffer as it is (the schema describes it for OpenAPI).
          .send(file.content as unknown as string)
      );
    },
  );

  // The file is the raw body, whatever its media type: nothing is read before the handler,
  // which streams it under the per-file limit (PATCHGATE_MAX_EVIDENCE_BYTES).
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => {
      parsed(null, payload);
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/changes/:id/evidence/:evidenceId/attachments',
      {
        config: { access: addAccess },
        bodyLimit: ctx.config.maxEvidenceBytes,
        schema: {
          operationId: 'attachChangeEvidenceFile',
          tags,
          summary: 'Attach a file (the raw request body) to test evidence you recorded',
          description:
            'The body is the file itself, any media type (kept as declared; downloads serve only harmless types as such). At most PATCHGATE_MAX_EVIDENCE_BYTES per file (413 otherwise, nothing stored) and 50 files per change.',
          consumes: ['application/octet-stream', '*/*'],
          params: EvidenceParams,
          querystring: AttachmentQuery,
          response: { 201: EvidenceAttachment, 404: Problem, 409: Problem },
        },
      },
      async (request, reply) => {
        const { id, evidenceId } = request.params;
        const attachment = await attachFile(
          ctx,
          request,
          id,
          evidenceId,
          request.query.name,
          auditSource(request),
        );
        return reply.status(201).send(attachment);
      },
    );
    done();
  });
}
