/**
 * Autopilot API: rules (read with changes:read; create, replace, delete, pause, resume and
 * run-now with changes:manage) and their runs. A rule is named by its id or its name.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import {
  createRule,
  deleteRule,
  getRule,
  getRun,
  listRules,
  listRuns,
  pauseRule,
  replaceRule,
  requestRun,
  resumeRule,
} from './autopilot.ts';
import {
  AutopilotRule,
  AutopilotRuleDefinition,
  AutopilotRuleList,
  AutopilotRuleParams,
  AutopilotRun,
  AutopilotRunList,
  AutopilotRunQuery,
  PauseBody,
  ResumeBody,
} from './autopilot-schema.ts';

const tags = ['autopilot'];
const RunParams = z.strictObject({ id: z.string().min(1).max(100).describe('the run id') });

export function registerAutopilotRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/autopilot/rules',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listAutopilotRules',
        tags,
        summary: 'Every autopilot rule, by name',
        response: { 200: AutopilotRuleList },
      },
    },
    async () => ({ rules: await listRules(ctx) }),
  );
  api.post(
    '/api/v1/autopilot/rules',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'createAutopilotRule',
        tags,
        summary: 'Create an autopilot rule (it runs on its schedule from the next hour)',
        body: AutopilotRuleDefinition,
        response: { 201: AutopilotRule, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createRule(ctx, auditSource(request), request.body)),
  );
  api.get(
    '/api/v1/autopilot/rules/:id',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getAutopilotRule',
        tags,
        summary: 'One autopilot rule (by id or name)',
        params: AutopilotRuleParams,
        response: { 200: AutopilotRule },
      },
    },
    (request) => getRule(ctx, request.params.id),
  );
  api.put(
    '/api/v1/autopilot/rules/:id',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'replaceAutopilotRule',
        tags,
        summary: "Replace a rule's definition (its pause switch and history stay)",
        params: AutopilotRuleParams,
        body: AutopilotRuleDefinition,
        response: { 200: AutopilotRule, 409: Problem },
      },
    },
    (request) => replaceRule(ctx, auditSource(request), request.params.id, request.body),
  );
  api.delete(
    '/api/v1/autopilot/rules/:id',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'deleteAutopilotRule',
        tags,
        summary: 'Delete a rule with its runs (the changes it made stay)',
        params: AutopilotRuleParams,
        response: { 204: z.null().describe('deleted') },
      },
    },
    async (request, reply) => {
      await deleteRule(ctx, auditSource(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  api.post(
    '/api/v1/autopilot/rules/:id/pause',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'pauseAutopilotRule',
        tags,
        summary: 'Pause a rule: it neither runs on its schedule nor on request until resumed',
        params: AutopilotRuleParams,
        body: PauseBody,
        response: { 200: AutopilotRule, 409: Problem },
      },
    },
    (request) =>
      pauseRule(
        ctx,
        auditSource(request),
        request.params.id,
        request.body.reason ?? 'paused by hand',
      ),
  );
  api.post(
    '/api/v1/autopilot/rules/:id/resume',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'resumeAutopilotRule',
        tags,
        summary: 'Resume a paused rule (also one that paused itself after a failed change)',
        params: AutopilotRuleParams,
        body: ResumeBody,
        response: { 200: AutopilotRule, 409: Problem },
      },
    },
    (request) => resumeRule(ctx, auditSource(request), request.params.id, request.body.reason),
  );
  api.post(
    '/api/v1/autopilot/rules/:id/run',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'runAutopilotRule',
        tags,
        summary:
          'Run a rule now: enqueues a run and returns it (queued); the run records its result',
        params: AutopilotRuleParams,
        response: { 202: AutopilotRun, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await requestRun(ctx, auditSource(request), request.params.id)),
  );
  api.get(
    '/api/v1/autopilot/runs',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listAutopilotRuns',
        tags,
        summary: 'Autopilot runs, newest first',
        querystring: AutopilotRunQuery,
        response: { 200: AutopilotRunList },
      },
    },
    (request) => listRuns(ctx, request.query),
  );
  api.get(
    '/api/v1/autopilot/runs/:id',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getAutopilotRun',
        tags,
        summary: 'One autopilot run: the changes it created, what it held back and skipped',
        params: RunParams,
        response: { 200: AutopilotRun },
      },
    },
    (request) => getRun(ctx, request.params.id),
  );
}
