/**
 * Change request API: create (by hand or from findings), list, detail, plan versions, every
 * transition (a refusal is a 409 with the state machine's reason), review, risk override,
 * conflicts, next feasible slot, the CAB agenda, export and verification of an export.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import { cabAgenda } from './agenda.ts';
import { ChangeExport, ExportVerification, exportChange, verifyExport } from './export.ts';
import { registerEvidenceRoutes } from './evidence-routes.ts';
import {
  ApiTemplate,
  TemplateBody,
  TemplateList,
  TemplateNameParams,
  getTemplate,
  listTemplates,
  saveTemplate,
} from './templates.ts';
import type { ChangeActor } from './model.ts';
import {
  ActionBody,
  Agenda,
  ApiChange,
  ChangeCreateBody,
  ChangeDetail,
  ChangeEditBody,
  ChangeIdParams,
  ChangeList,
  ChangeListQuery,
  ConflictList,
  DecisionBody,
  NextSlot,
  PlansBody,
  ReviewBody,
  RiskOverrideBody,
  ScheduleBody,
} from './schema.ts';
import type { SimpleAction } from './service.ts';
import {
  actOnChange,
  changeDetail,
  conflictsOfChange,
  createChangeRequest,
  decideChange,
  editChange,
  listChangesPage,
  nextSlotOf,
  overrideRisk,
  revisePlans,
  scheduleChange,
  submitChange,
  writeReview,
} from './service.ts';

const tags = ['changes'];

function by(request: FastifyRequest): ChangeActor {
  return auditSource(request);
}

const refusals = { 404: Problem, 409: Problem };

export function registerChangeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    '/api/v1/changes',
    {
      config: { access: 'changes:request' },
      schema: {
        operationId: 'createChange',
        tags,
        summary: 'Create a change request (a draft) by hand or from findings',
        body: ChangeCreateBody,
        response: { 201: ApiChange },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createChangeRequest(ctx, request.body, by(request))),
  );

  api.get(
    '/api/v1/changes',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listChanges',
        tags,
        summary:
          'List change requests (newest first unless sorted), filtered by state, type, risk, asset, text; keyset-paginated',
        querystring: ChangeListQuery,
        response: { 200: ChangeList },
      },
    },
    async (request) => {
      const { cursor, limit, state, type, risk, assetId, q, sort, order } = request.query;
      return listChangesPage(ctx, {
        limit,
        sort,
        order,
        filters: {
          ...(state !== undefined && { state }),
          ...(type !== undefined && { type }),
          ...(risk !== undefined && { risk }),
          ...(assetId !== undefined && { assetId }),
          ...(q !== undefined && { q }),
        },
        ...(cursor !== undefined && { cursor }),
      });
    },
  );

  api.get(
    '/api/v1/change-templates',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listChangeTemplates',
        tags,
        summary: 'Standard-change templates, the latest version of each',
        response: { 200: TemplateList },
      },
    },
    async () => listTemplates(ctx),
  );

  api.get(
    '/api/v1/change-templates/:name',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getChangeTemplate',
        tags,
        summary: 'The latest version of a standard-change template',
        params: TemplateNameParams,
        response: { 200: ApiTemplate, 404: Problem },
      },
    },
    async (request) => getTemplate(ctx, request.params.name),
  );

  api.put(
    '/api/v1/change-templates/:name',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'saveChangeTemplate',
        tags,
        summary:
          'Save a new version of a standard-change template (changes keep the version they used)',
        params: TemplateNameParams,
        body: TemplateBody,
        response: { 200: ApiTemplate },
      },
    },
    async (request) => saveTemplate(ctx, request.params.name, request.body, by(request)),
  );

  api.get(
    '/api/v1/changes/agenda',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'changeAgenda',
        tags,
        summary:
          'The CAB agenda: changes awaiting a decision, by window then risk, each with its findings, risk, plans and conflicts',
        response: { 200: Agenda },
      },
    },
    async () => cabAgenda(ctx),
  );

  api.post(
    '/api/v1/changes/verify-export',
    {
      config: { access: 'changes:read' },
      // An export carries every plan version and audit event: more than a small JSON body.
      bodyLimit: ctx.config.maxUploadBytes,
      schema: {
        operationId: 'verifyChangeExport',
        tags,
        summary:
          'Read a change export back: check its hashes and that it matches the record this server holds',
        body: ChangeExport,
        response: { 200: ExportVerification },
      },
    },
    async (request) => verifyExport(ctx, request.body),
  );

  api.get(
    '/api/v1/changes/:id',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getChange',
        tags,
        summary:
          'One change: scope, patches, findings, risk explanation, plans, approvals, conflicts, history',
        params: ChangeIdParams,
        response: { 200: ChangeDetail, 404: Problem },
      },
    },
    async (request) => changeDetail(ctx, request.params.id),
  );

  api.patch(
    '/api/v1/changes/:id',
    {
      config: { access: 'changes:request' },
      schema: {
        operationId: 'editChange',
        tags,
        summary:
          'Edit the title and description (until implementation), the type and template (drafts only); audited',
        params: ChangeIdParams,
        body: ChangeEditBody,
        response: { 200: ChangeDetail, ...refusals },
      },
    },
    async (request) => editChange(ctx, request.params.id, request.body, by(request)),
  );

  api.put(
    '/api/v1/changes/:id/plans',
    {
      config: { access: 'changes:request' },
      schema: {
        operationId: 'reviseChangePlans',
        tags,
        summary:
          'A new plan version (plans and/or scope); after an approval it withdraws the approvals',
        params: ChangeIdParams,
        body: PlansBody,
        response: { 200: ChangeDetail, ...refusals },
      },
    },
    async (request) => revisePlans(ctx, request.params.id, request.body, by(request)),
  );

  api.post(
    '/api/v1/changes/:id/submit',
    {
      config: { access: 'changes:request' },
      schema: {
        operationId: 'submitChange',
        tags,
        summary: 'Submit a draft: assessed (risk, plans, template) and sent for authorisation',
        params: ChangeIdParams,
        body: ActionBody,
        response: { 200: ChangeDetail, ...refusals },
      },
    },
    async (request) => submitChange(ctx, request.params.id, request.body, by(request)),
  );

  for (const [decision, name, summary] of [
    ['approved', 'approve', 'Approve the current plan version (not your own change)'],
    ['rejected', 'reject', 'Reject the change (a comment is required)'],
  ] as const) {
    api.post(
      `/api/v1/changes/:id/${name}`,
      {
        config: { access: 'changes:approve' },
        schema: {
          operationId: `${name}Change`,
          tags,
          summary,
          params: ChangeIdParams,
          body: DecisionBody,
          response: { 200: ChangeDetail, ...refusals },
        },
      },
      async (request) => decideChange(ctx, request.params.id, decision, request.body, by(request)),
    );
  }

  api.post(
    '/api/v1/changes/:id/schedule',
    {
      config: { access: 'changes:request' },
      schema: {
        operationId: 'scheduleChange',
        tags,
        summary:
          'Set the window (a start in the past is refused; so is a freeze unless an emergency override is allowed)',
        params: ChangeIdParams,
        body: ScheduleBody,
        response: { 200: ChangeDetail, ...refusals },
      },
    },
    async (request) => scheduleChange(ctx, request.params.id, request.body, by(request)),
  );

  const simple: readonly [SimpleAction, 'changes:implement' | 'changes:request', string][] = [
    ['start', 'changes:implement', 'Start implementing (the window has opened)'],
    ['complete', 'changes:implement', 'Implementation finished: the change goes to review'],
    ['fail', 'changes:implement', 'Implementation failed'],
    ['roll-back', 'changes:implement', 'The rollback plan was executed (a reason is required)'],
    ['cancel', 'changes:request', 'Cancel the change (a reason is required)'],
    ['close', 'changes:implement', 'Close after review (emergency changes need their review)'],
    ['reopen', 'changes:request', 'Make a rejected change a draft again (a reason is required)'],
    ['revise', 'changes:request', 'Send a submitted change back to draft (a reason is required)'],
  ];
  for (const [action, access, summary] of simple) {
    const operation = action === 'roll-back' ? 'rollBack' : action;
    api.post(
      `/api/v1/changes/:id/${action}`,
      {
        config: { access },
        schema: {
          operationId: `${operation}Change`,
          tags,
          summary,
          params: ChangeIdParams,
          body: ActionBody,
          response: { 200: ChangeDetail, ...refusals },
        },
      },
      async (request) => actOnChange(ctx, request.params.id, action, request.body, by(request)),
    );
  }

  api.put(
    '/api/v1/changes/:id/review',
    {
      config: { access: 'changes:implement' },
      schema: {
        operationId: 'writeChangeReview',
        tags,
        summary: 'Write the post-implementation review',
        params: ChangeIdParams,
        body: ReviewBody,
        response: { 200: ChangeDetail, ...refusals },
      },
    },
    async (request) => writeReview(ctx, request.params.id, request.body, by(request)),
  );

  api.put(
    '/api/v1/changes/:id/risk',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'overrideChangeRisk',
        tags,
        summary: 'Override the assessed risk level, with a reason (audited)',
        params: ChangeIdParams,
        body: RiskOverrideBody,
        response: { 200: ChangeDetail, ...refusals },
      },
    },
    async (request) => overrideRisk(ctx, request.params.id, request.body, by(request)),
  );

  api.get(
    '/api/v1/changes/:id/conflicts',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'changeConflicts',
        tags,
        summary: "The change's scheduling conflicts, with reasons",
        params: ChangeIdParams,
        response: { 200: ConflictList, 404: Problem },
      },
    },
    async (request) => conflictsOfChange(ctx, request.params.id),
  );

  api.get(
    '/api/v1/changes/:id/next-slot',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'changeNextSlot',
        tags,
        summary:
          'The earliest start with every asset in its window, outside freezes, free of other changes',
        params: ChangeIdParams,
        response: { 200: NextSlot, 404: Problem },
      },
    },
    async (request) => nextSlotOf(ctx, request.params.id),
  );

  api.get(
    '/api/v1/changes/:id/export',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'exportChange',
        tags,
        summary:
          'The whole history as JSON: request, every plan version, approvals, transitions, review, audit',
        params: ChangeIdParams,
        response: { 200: ChangeExport, 404: Problem },
      },
    },
    async (request) => exportChange(ctx, request.params.id),
  );

  registerEvidenceRoutes(app, ctx);
}
