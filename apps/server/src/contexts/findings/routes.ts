/** Findings API: list/summary/get (findings:read), triage (findings:triage), exceptions. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerContext } from '../../context.ts';
import { requirePrincipal } from '../../http/access.ts';
import type { Database } from '../../db/database.ts';
import { Problem, ValidationError } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import { listAssetFacts, resolveAssetRef } from '../inventory/index.ts';
import type { FindingStatus } from './model.ts';
import type { Acting } from './service.ts';
import {
  decideException,
  exceptionById,
  findingDetail,
  listExceptionsPage,
  listFindingsPage,
  requestException,
  summariseFindings,
  triageFinding,
  withDefaultStatus,
} from './service.ts';
import type { FindingSummaryQuery } from './schema.ts';
import {
  ApiException,
  ApiFinding,
  ExceptionDecisionBody,
  ExceptionIdParams,
  ExceptionList,
  ExceptionListQuery,
  ExceptionRequestBody,
  FindingDetail,
  FindingIdParams,
  FindingList,
  FindingListQuery,
  FindingSummary,
  FindingSummaryQuery as SummaryQuery,
  TriageBody,
} from './schema.ts';
import type { FindingFilters } from './repository.ts';

/**
 * The parsed query as repository filters: absent keys dropped (exactOptionalPropertyTypes), the
 * asset named by name or id resolved through the inventory context (unknown → 422, never an
 * empty list), `status=all` lifted, and on lists the default to the work queue.
 */
async function filtersOf(
  database: Database,
  query: Omit<FindingSummaryQuery, 'groups'>,
  list: boolean,
): Promise<FindingFilters> {
  const { asset, assetId, status, ownerTeam, noOwnerTeam, ...rest } = query;
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) filters[key] = value;
  for (const [field, ref] of [
    ['asset', asset],
    ['assetId', assetId],
  ] as const) {
    if (ref === undefined) continue;
    const found = await resolveAssetRef(database, ref);
    if (found === undefined) {
      throw new ValidationError(`No asset has the name or id "${ref}"`, [
        { field: `querystring.${field}`, message: 'names no asset' },
      ]);
    }
    if (filters['assetId'] !== undefined && filters['assetId'] !== found.id) {
      const message = 'asset and assetId name different assets';
      throw new ValidationError(`querystring.asset: ${message}`, [
        { field: 'querystring.asset', message },
      ]);
    }
    filters['assetId'] = found.id;
  }
  if (ownerTeam !== undefined && noOwnerTeam === true) {
    const message = 'ownerTeam and noOwnerTeam=true exclude each other';
    throw new ValidationError(`querystring.noOwnerTeam: ${message}`, [
      { field: 'querystring.noOwnerTeam', message },
    ]);
  }
  if (ownerTeam !== undefined || noOwnerTeam !== undefined) {
    // The owner is the inventory's: its assets of that team now (none: an empty list).
    const owned = (await listAssetFacts(database)).filter((a) =>
      ownerTeam !== undefined
        ? a.team === ownerTeam
        : noOwnerTeam === true
          ? a.team === null
          : a.team !== null,
    );
    filters['assetIds'] = owned.map((a) => a.id);
  }
  const typed = filters as FindingFilters;
  if (list) return withDefaultStatus(typed, status);
  return status === undefined || status.includes('all')
    ? typed
    : { ...typed, status: status as FindingStatus[] };
}

function acting(request: FastifyRequest): Acting {
  const principal = requirePrincipal(request);
  return {
    ...auditSource(request),
    canApprove: principal.permissions.has('exceptions:approve'),
  };
}

const tags = ['findings'];

export function registerFindingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/findings',
    {
      config: { access: 'findings:read' },
      schema: {
        operationId: 'listFindings',
        tags,
        summary: 'List findings with filters, sorted, keyset-paginated',
        querystring: FindingListQuery,
        response: { 200: FindingList },
      },
    },
    async (request) => {
      const { sort, cursor, limit, wholeGroups, ...filters } = request.query;
      return listFindingsPage(ctx, {
        filters: await filtersOf(ctx.database, filters, true),
        sort,
        limit,
        ...(wholeGroups !== undefined && { wholeGroups }),
        ...(cursor !== undefined && { cursor }),
      });
    },
  );

  api.get(
    '/api/v1/findings/summary',
    {
      config: { access: 'findings:read' },
      schema: {
        operationId: 'summariseFindings',
        tags,
        summary: 'Counts of the findings matching the filters, by state and priority',
        querystring: SummaryQuery,
        response: { 200: FindingSummary },
      },
    },
    async (request) => {
      const { groups, ...filters } = request.query;
      return summariseFindings(ctx, await filtersOf(ctx.database, filters, false), {
        ...(groups !== undefined && { groups }),
      });
    },
  );

  api.get(
    '/api/v1/findings/:id',
    {
      config: { access: 'findings:read' },
      schema: {
        operationId: 'getFinding',
        tags,
        summary: 'One finding with its decision, explanation, exceptions and history',
        params: FindingIdParams,
        response: { 200: FindingDetail },
      },
    },
    async (request) => findingDetail(ctx, request.params.id),
  );

  api.put(
    '/api/v1/findings/:id/triage',
    {
      config: { access: 'findings:triage' },
      schema: {
        operationId: 'triageFinding',
        tags,
        summary: 'Set the VEX analysis (state, justification, detail) of a finding',
        params: FindingIdParams,
        body: TriageBody,
        response: { 200: ApiFinding },
      },
    },
    async (request) => triageFinding(ctx, request.params.id, request.body, acting(request)),
  );

  api.post(
    '/api/v1/findings/:id/exceptions',
    {
      config: { access: 'exceptions:request' },
      schema: {
        operationId: 'requestException',
        tags,
        summary: 'Request a risk-acceptance exception for a finding (at most one year)',
        params: FindingIdParams,
        body: ExceptionRequestBody,
        response: { 201: ApiException, 409: Problem },
      },
    },
    async (request, reply) => {
      const created = await requestException(ctx, request.params.id, request.body, acting(request));
      return reply.status(201).send(created);
    },
  );

  api.get(
    '/api/v1/finding-exceptions',
    {
      config: { access: 'findings:read' },
      schema: {
        operationId: 'listExceptions',
        tags,
        summary: 'List exceptions, newest first, keyset-paginated',
        querystring: ExceptionListQuery,
        response: { 200: ExceptionList },
      },
    },
    async (request) => {
      const { state, findingId, cursor, limit } = request.query;
      return listExceptionsPage(ctx, {
        limit,
        ...(state !== undefined && { state }),
        ...(findingId !== undefined && { findingId }),
        ...(cursor !== undefined && { cursor }),
      });
    },
  );

  api.get(
    '/api/v1/finding-exceptions/:id',
    {
      config: { access: 'findings:read' },
      schema: {
        operationId: 'getException',
        tags,
        summary: 'One exception (its effective state at the time of the request)',
        params: ExceptionIdParams,
        response: { 200: ApiException },
      },
    },
    async (request) => exceptionById(ctx, request.params.id),
  );

  const decisions = [
    ['approve', 'exceptions:approve', 'Approve a requested exception (not your own)'],
    ['reject', 'exceptions:approve', 'Reject a requested exception'],
    // The requester may withdraw their own; anyone else needs exceptions:approve (service).
    [
      'revoke',
      { anyOf: ['exceptions:request', 'exceptions:approve'] },
      'Revoke a requested or approved exception',
    ],
  ] as const;
  for (const [decision, access, summary] of decisions) {
    api.post(
      `/api/v1/finding-exceptions/:id/${decision}`,
      {
        config: { access },
        schema: {
          operationId: `${decision}Exception`,
          tags,
          summary,
          params: ExceptionIdParams,
          body: ExceptionDecisionBody,
          response: { 200: ApiException, 409: Problem },
        },
      },
      async (request) =>
        decideException(ctx, request.params.id, decision, request.body, acting(request)),
    );
  }
}
