/**
 * The pre-flight and verification API (ADR 0039): request a pre-flight of a change's patches
 * on its hosts, read the latest one per host, read the verification of its installs.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import { preflightReport, requestPreflight } from './preflight.ts';
import { PreflightReport } from './preflight-schema.ts';
import { verificationReport } from './verification.ts';
import { VerificationReport } from './verification-schema.ts';

const tags = ['changes'];
const Params = z.strictObject({
  id: z.string().min(1).max(100).describe('change id, or its number (CHG-0042 or 42)'),
});

export function registerPreflightRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/v1/changes/:id/preflight',
    {
      config: { access: { anyOf: ['changes:request', 'changes:implement'] } },
      schema: {
        operationId: 'requestChangePreflight',
        tags,
        summary:
          'Pre-flight the change’s patches on every host in scope (a simulation by each host’s agent)',
        params: Params,
        response: { 202: PreflightReport, 404: Problem, 409: Problem },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await requestPreflight(ctx, request.params.id, 'on-demand', auditSource(request))),
  );

  api.get(
    '/api/v1/changes/:id/preflight',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getChangePreflight',
        tags,
        summary:
          'The latest pre-flight per host: pending, passed, failed (removal, conflict) or no-agent, with the simulation',
        params: Params,
        response: { 200: PreflightReport, 404: Problem },
      },
    },
    async (request) => preflightReport(ctx, request.params.id),
  );

  api.get(
    '/api/v1/changes/:id/verification',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getChangeVerification',
        tags,
        summary:
          'The verification of the change’s installs per host: versions confirmed, reboot pending',
        params: Params,
        response: { 200: VerificationReport, 404: Problem },
      },
    },
    async (request) => verificationReport(ctx, request.params.id),
  );
}
