/**
 * Advisories API: sources (`advisories:manage` to change, `advisories:read` to read), sync
 * requests and runs, advisory search and detail.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import {
  AdvisoryDetail,
  AdvisoryList,
  AdvisoryParams,
  AdvisoryQuery,
  AdvisorySource,
  AdvisorySourceInput,
  AdvisorySourceList,
  AdvisorySourcePatch,
  CatalogueEnabled,
  CatalogueEnableInput,
  CatalogueList,
  CatalogueParams,
  IdParams,
  SyncRequested,
  SyncRun,
  SyncRunList,
  SyncRunQuery,
} from './schema.ts';
import {
  createSource,
  deleteSource,
  getAdvisory,
  getSource,
  getSyncRun,
  listSources,
  listSyncRuns,
  requestSync,
  searchAdvisories,
  updateSource,
} from './service.ts';
import {
  createUrlSource,
  disableCatalogueEntry,
  enableCatalogueEntry,
  listCatalogue,
  updateUrlSource,
} from './url-sources.ts';

export function registerAdvisoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const sources = '/api/v1/advisory-sources';
  const tags = ['advisories'];

  api.get(
    sources,
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'listAdvisorySources',
        tags,
        summary: 'List advisory sources',
        response: { 200: AdvisorySourceList },
      },
    },
    async () => ({ sources: await listSources(ctx) }),
  );
  api.post(
    sources,
    {
      config: { access: 'advisories:manage' },
      schema: {
        operationId: 'createAdvisorySource',
        tags,
        summary:
          'Add an advisory source: a path that exists on the server, or an https URL on an allowed host',
        body: AdvisorySourceInput,
        response: { 201: AdvisorySource, 409: Problem },
      },
    },
    async (request, reply) => {
      const { path, url, checksumUrl, ...rest } = request.body;
      const created =
        url !== undefined
          ? await createUrlSource(ctx, { ...rest, url, checksumUrl }, auditSource(request))
          : await createSource(ctx, { ...rest, path: path ?? '' }, auditSource(request));
      return reply.status(201).send(created);
    },
  );
  api.get(
    `${sources}/:id`,
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'getAdvisorySource',
        tags,
        summary: 'One advisory source',
        params: IdParams,
        response: { 200: AdvisorySource },
      },
    },
    (request) => getSource(ctx, request.params.id),
  );
  api.patch(
    `${sources}/:id`,
    {
      config: { access: 'advisories:manage' },
      schema: {
        operationId: 'updateAdvisorySource',
        tags,
        summary: 'Change an advisory source',
        params: IdParams,
        body: AdvisorySourcePatch,
        response: { 200: AdvisorySource, 409: Problem },
      },
    },
    async (request) =>
      (await updateUrlSource(ctx, request.params.id, request.body, auditSource(request))) ??
      updateSource(ctx, request.params.id, request.body, auditSource(request)),
  );
  api.delete(
    `${sources}/:id`,
    {
      config: { access: 'advisories:manage' },
      schema: {
        operationId: 'deleteAdvisorySource',
        tags,
        summary: 'Delete an advisory source, its runs and the advisories it last wrote',
        params: IdParams,
        response: { 204: z.null().describe('deleted') },
      },
    },
    async (request, reply) => {
      await deleteSource(ctx, request.params.id, auditSource(request));
      return reply.status(204).send(null);
    },
  );
  api.post(
    `${sources}/:id/sync`,
    {
      config: { access: 'advisories:manage' },
      schema: {
        operationId: 'syncAdvisorySource',
        tags,
        summary: 'Sync a source now (a background job)',
        params: IdParams,
        response: { 202: SyncRequested },
      },
    },
    async (request, reply) => {
      const requested = await requestSync(ctx, request.params.id, auditSource(request));
      return reply.status(202).send(requested);
    },
  );
  api.get(
    '/api/v1/sync-runs',
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'listSyncRuns',
        tags,
        summary: 'Sync runs, newest first',
        querystring: SyncRunQuery,
        response: { 200: SyncRunList },
      },
    },
    (request) => listSyncRuns(ctx, request.query),
  );
  api.get(
    '/api/v1/sync-runs/:id',
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'getSyncRun',
        tags,
        summary: 'One sync run',
        params: IdParams,
        response: { 200: SyncRun },
      },
    },
    (request) => getSyncRun(ctx, request.params.id),
  );
  api.get(
    '/api/v1/advisories',
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'searchAdvisories',
        tags,
        summary: 'Search advisories by id, alias (CVE, GHSA) or package',
        querystring: AdvisoryQuery,
        response: { 200: AdvisoryList },
      },
    },
    (request) => searchAdvisories(ctx, request.query),
  );
  api.get(
    '/api/v1/advisories/:id',
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'getAdvisory',
        tags,
        summary: 'One advisory: the OSV record and the facts of its CVEs',
        params: AdvisoryParams,
        response: { 200: AdvisoryDetail },
      },
    },
    (request) => getAdvisory(ctx, request.params.id),
  );

  const catalogueTags = ['advisories'];
  api.get(
    '/api/v1/advisory-catalogue',
    {
      config: { access: 'advisories:read' },
      schema: {
        operationId: 'listAdvisoryCatalogue',
        tags: catalogueTags,
        summary: 'The built-in public feeds (OSV, KEV, EPSS, CVE 5), all off until enabled',
        response: { 200: CatalogueList },
      },
    },
    () => listCatalogue(ctx),
  );
  api.post(
    '/api/v1/advisory-catalogue/:id/enable',
    {
      config: { access: 'advisories:manage' },
      schema: {
        operationId: 'enableCatalogueFeed',
        tags: catalogueTags,
        summary: 'Enable a catalogue feed: create (or switch on) its source and queue a first sync',
        params: CatalogueParams,
        body: CatalogueEnableInput,
        response: { 200: CatalogueEnabled },
      },
    },
    (request) => enableCatalogueEntry(ctx, request.params.id, request.body, auditSource(request)),
  );
  api.post(
    '/api/v1/advisory-catalogue/:id/disable',
    {
      config: { access: 'advisories:manage' },
      schema: {
        operationId: 'disableCatalogueFeed',
        tags: catalogueTags,
        summary: 'Switch a catalogue feed’s schedule off (its data stays)',
        params: CatalogueParams,
        response: { 200: AdvisorySource },
      },
    },
    (request) => disableCatalogueEntry(ctx, request.params.id, auditSource(request)),
  );
}
