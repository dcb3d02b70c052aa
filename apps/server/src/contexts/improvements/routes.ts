/**
 * The improvement loop's API: review trends and recommendations (`reports:read` to read),
 * refresh, accept and dismiss, and follow-up actions (`improvements:manage` to write).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import {
  AcceptBody,
  ActionCreateBody,
  ActionList,
  ActionPatchBody,
  ActionQuery,
  DismissBody,
  IdParams,
  ImprovementAction,
  Recommendation,
  RecommendationList,
  RecommendationQuery,
  RefreshResult,
  ReviewTrends,
  TrendsQuery,
} from './schema.ts';
import {
  acceptRecommendation,
  createAction,
  dismissRecommendation,
  listActions,
  listRecommendations,
  periodOf,
  refreshRecommendations,
  trendsFor,
  updateAction,
} from './service.ts';

export function registerImprovementRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['improvements'];

  api.get(
    '/api/v1/review-trends',
    {
      config: { access: 'reports:read' },
      schema: {
        operationId: 'getReviewTrends',
        tags,
        summary:
          'Trends across the reviews of a period: failure causes, packages, asset groups, waves, windows',
        querystring: TrendsQuery,
        response: { 200: ReviewTrends },
      },
    },
    (request) => trendsFor(ctx, periodOf(ctx, request.query)),
  );

  api.get(
    '/api/v1/recommendations',
    {
      config: { access: 'reports:read' },
      schema: {
        operationId: 'listRecommendations',
        tags,
        summary: 'Recommendations with their evidence, newest first',
        querystring: RecommendationQuery,
        response: { 200: RecommendationList },
      },
    },
    async (request) => ({ recommendations: await listRecommendations(ctx, request.query.state) }),
  );
  api.post(
    '/api/v1/recommendations/refresh',
    {
      config: { access: 'improvements:manage' },
      schema: {
        operationId: 'refreshRecommendations',
        tags,
        summary: 'Run the rules now over the last 90 days (the daily job does it too)',
        response: { 200: RefreshResult },
      },
    },
    (request) => refreshRecommendations(ctx, auditSource(request)),
  );
  api.post(
    '/api/v1/recommendations/:id/accept',
    {
      config: { access: 'improvements:manage' },
      schema: {
        operationId: 'acceptRecommendation',
        tags,
        summary:
          'Accept: apply the window or template edit, or open a follow-up action (audited, before and after recorded)',
        params: IdParams,
        body: AcceptBody,
        response: { 200: Recommendation, 409: Problem },
      },
    },
    (request) =>
      acceptRecommendation(ctx, request.params.id, request.body.reason, auditSource(request)),
  );
  api.post(
    '/api/v1/recommendations/:id/dismiss',
    {
      config: { access: 'improvements:manage' },
      schema: {
        operationId: 'dismissRecommendation',
        tags,
        summary: 'Dismiss with a reason (required), audited',
        params: IdParams,
        body: DismissBody,
        response: { 200: Recommendation, 409: Problem },
      },
    },
    (request) =>
      dismissRecommendation(ctx, request.params.id, request.body.reason, auditSource(request)),
  );

  api.get(
    '/api/v1/improvement-actions',
    {
      config: { access: 'reports:read' },
      schema: {
        operationId: 'listImprovementActions',
        tags,
        summary:
          'Follow-up actions (from reviews, accepted recommendations, by hand), newest first',
        querystring: ActionQuery,
        response: { 200: ActionList },
      },
    },
    async (request) => ({ actions: await listActions(ctx, request.query.state) }),
  );
  api.post(
    '/api/v1/improvement-actions',
    {
      config: { access: 'improvements:manage' },
      schema: {
        operationId: 'createImprovementAction',
        tags,
        summary: 'Create a follow-up action',
        body: ActionCreateBody,
        response: { 201: ImprovementAction },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createAction(ctx, request.body, auditSource(request))),
  );
  api.patch(
    '/api/v1/improvement-actions/:id',
    {
      config: { access: 'improvements:manage' },
      schema: {
        operationId: 'updateImprovementAction',
        tags,
        summary: 'Update or close a follow-up action (state done or cancelled closes it)',
        params: IdParams,
        body: ActionPatchBody,
        response: { 200: ImprovementAction, 409: Problem },
      },
    },
    (request) => updateAction(ctx, request.params.id, request.body, auditSource(request)),
  );
}
