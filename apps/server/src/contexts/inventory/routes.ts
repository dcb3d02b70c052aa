/** Inventory API: assets, inventory uploads, snapshot history, packages and diffs. */
import multipart from '@fastify/multipart';
import type { InventoryFormatFamily } from '@patchgate/inventory';
import { inventoryFormatFamilies, inventoryFormats } from '@patchgate/inventory';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { NotFoundError, Problem, ValidationError } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import { registerAssetRefResolution } from './asset-ref.ts';
import {
  Asset,
  AssetCreate,
  AssetImport,
  AssetImportResult,
  AssetListQuery,
  AssetPage,
  AssetParams,
  AssetUpdate,
  DiffQuery,
  PackageListQuery,
  PackagePage,
  RawUploadQuery,
  SnapshotDiff,
  SnapshotListQuery,
  SnapshotPage,
  SnapshotParams,
  SnapshotSummary,
  SnapshotUpload,
  InventoryFormatList,
  inventoryFormatFamilyLabels,
} from './schema.ts';
import { InventoryParser } from './parse-pool.ts';
import { receiveUpload } from './receive-upload.ts';
import * as service from './service.ts';

const tags = ['inventory'];

/** Media types a raw inventory upload may be sent as; the body is read as bytes whatever it is. */
export const rawUploadMediaTypes = [
  'text/plain',
  'application/octet-stream',
  'application/json',
  'application/xml',
  'text/xml',
  'application/gzip',
  'multipart/form-data',
] as const;

/** Every format the parser registry reads, by family (SBOMs, lockfiles, package lists). */
export function listInventoryFormats(): InventoryFormatList {
  const order = (family: InventoryFormatFamily) => inventoryFormatFamilies.indexOf(family);
  return {
    items: [...inventoryFormats]
      .sort((a, b) => order(a.family) - order(b.family))
      .map((format) => ({
        id: format.id,
        label: format.displayName,
        family: format.family,
        familyLabel: inventoryFormatFamilyLabels[format.family],
        mediaTypes: [...format.mediaTypes],
        fileNames: [...format.fileNames],
        specUrls: [...format.specUrls],
      })),
  };
}

export function registerInventoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { database } = ctx;
  registerAssetRefResolution(app, database);

  api.post(
    '/api/v1/assets',
    {
      config: { access: 'assets:write' },
      schema: {
        operationId: 'createAsset',
        tags,
        summary: 'Create an asset',
        body: AssetCreate,
        response: { 201: Asset, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createAsset(ctx, auditSource(request), request.body)),
  );

  api.get(
    '/api/v1/assets',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'listAssets',
        tags,
        summary: 'List assets with filters, sorted, with a cursor',
        querystring: AssetListQuery,
        response: { 200: AssetPage },
      },
    },
    async (request) => service.listAssets(database, request.query),
  );

  api.post(
    '/api/v1/assets/import',
    {
      config: { access: 'assets:write' },
      bodyLimit: ctx.config.maxUploadBytes,
      schema: {
        operationId: 'importAssets',
        tags,
        summary: 'Create or update many assets by name, in one transaction',
        body: AssetImport,
        response: { 200: AssetImportResult },
      },
    },
    async (request) => service.importAssets(ctx, auditSource(request), request.body),
  );

  api.get(
    '/api/v1/assets/:id',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'getAsset',
        tags,
        summary: 'One asset',
        params: AssetParams,
        response: { 200: Asset },
      },
    },
    async (request) => {
      const asset = await service.getAsset(database, request.params.id);
      if (asset === undefined) throw new NotFoundError('The asset');
      return asset;
    },
  );

  api.patch(
    '/api/v1/assets/:id',
    {
      config: { access: 'assets:write' },
      schema: {
        operationId: 'updateAsset',
        tags,
        summary: 'Change an asset',
        params: AssetParams,
        body: AssetUpdate,
        response: { 200: Asset, 409: Problem },
      },
    },
    async (request) =>
      service.updateAsset(ctx, auditSource(request), request.params.id, request.body),
  );

  api.delete(
    '/api/v1/assets/:id',
    {
      config: { access: 'assets:write' },
      schema: {
        operationId: 'deleteAsset',
        tags,
        summary: 'Delete an asset and its inventory history',
        params: AssetParams,
        response: { 204: z.undefined().describe('deleted') },
      },
    },
    async (request, reply) => {
      await service.deleteAsset(ctx, auditSource(request), request.params.id);
      return reply.status(204).send();
    },
  );

  api.get(
    '/api/v1/inventory/formats',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'listInventoryFormats',
        tags,
        summary: 'The inventory formats an upload may be (the parser registry), by family',
        description:
          'What `POST /api/v1/assets/{id}/inventory` reads: its `?format=` takes an `id` here; without one the format is detected from the file name and content.',
        response: { 200: InventoryFormatList },
      },
    },
    () => listInventoryFormats(),
  );

  // Raw uploads take the body as a stream whatever its media type (a CycloneDX SBOM is JSON
  // but must reach the parser as text): nothing is read before the handler, which streams it
  // to a temporary file under this route's own limit; parsing runs in a worker thread.
  const parser = new InventoryParser();
  app.addHook('onClose', () => parser.close());
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => {
      parsed(null, payload);
    });
    // multipart/form-data (a browser's file input): one file, as large as a plain upload.
    void scope.register(multipart, { limits: { files: 1, fileSize: ctx.config.maxUploadBytes } });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/assets/:id/inventory',
      {
        config: { access: 'assets:write' },
        bodyLimit: ctx.config.maxUploadBytes,
        schema: {
          operationId: 'uploadInventory',
          tags,
          summary: 'Upload an inventory file in any supported format (detected, or ?format=)',
          description:
            'The body is the file itself (dpkg-query, dpkg status, rpm -qa, apk installed, CycloneDX, SPDX, lockfiles…), optionally gzip-compressed. It becomes the asset’s current snapshot.',
          consumes: [...rawUploadMediaTypes],
          params: AssetParams,
          querystring: RawUploadQuery,
          response: { 201: SnapshotSummary },
        },
      },
      async (request, reply) => {
        const upload = await receiveUpload(request, ctx.config.maxUploadBytes);
        let summary;
        try {
          if (upload.size === 0) {
            throw new ValidationError('body: send the inventory file as the request body', [
              { field: 'body', message: 'is empty' },
            ]);
          }
          summary = await service.uploadRawInventory(
            ctx,
            auditSource(request),
            request.params.id,
            {
              source: upload.source,
              format: request.query.format,
              name: request.query.name ?? upload.filename ?? 'upload',
              takenAt: request.query.takenAt,
            },
            parser,
          );
        } finally {
          await upload.discard();
        }
        return reply.status(201).send(summary);
      },
    );
    done();
  });

  api.post(
    '/api/v1/assets/:id/snapshots',
    {
      config: { access: 'assets:write' },
      bodyLimit: ctx.config.maxUploadBytes,
      schema: {
        operationId: 'uploadPackages',
        tags,
        summary: 'Upload an inventory as a JSON package list',
        params: AssetParams,
        body: SnapshotUpload,
        response: { 201: SnapshotSummary },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await service.uploadPackages(ctx, auditSource(request), request.params.id, request.body),
        ),
  );

  api.get(
    '/api/v1/assets/:id/snapshots',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'listSnapshots',
        tags,
        summary: 'Inventory history of an asset, newest first',
        params: AssetParams,
        querystring: SnapshotListQuery,
        response: { 200: SnapshotPage },
      },
    },
    async (request) => service.listSnapshots(database, request.params.id, request.query),
  );

  api.get(
    '/api/v1/assets/:id/snapshots/diff',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'diffSnapshots',
        tags,
        summary: 'Packages added, removed and changed between two snapshots',
        params: AssetParams,
        querystring: DiffQuery,
        response: { 200: SnapshotDiff, 410: Problem },
      },
    },
    async (request) => service.diffSnapshots(database, request.params.id, request.query),
  );

  api.get(
    '/api/v1/assets/:id/snapshots/:snapshotId',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'getSnapshot',
        tags,
        summary: 'One snapshot',
        params: SnapshotParams,
        response: { 200: SnapshotSummary },
      },
    },
    async (request) => service.getSnapshot(database, request.params.id, request.params.snapshotId),
  );

  api.get(
    '/api/v1/assets/:id/snapshots/:snapshotId/packages',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'listSnapshotPackages',
        tags,
        summary: 'Packages of a snapshot, in upload order, with a cursor',
        params: SnapshotParams,
        querystring: PackageListQuery,
        response: { 200: PackagePage, 410: Problem },
      },
    },
    async (request) =>
      service.listPackages(database, request.params.id, request.params.snapshotId, request.query),
  );

  api.get(
    '/api/v1/assets/:id/snapshots/:snapshotId/raw',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'getSnapshotFile',
        tags,
        summary: 'The inventory file of a snapshot as it was uploaded',
        params: SnapshotParams,
        response: { 200: z.string().describe('the file') },
      },
    },
    async (request, reply) => {
      const raw = await service.rawUpload(database, request.params.id, request.params.snapshotId);
      const filename = raw.sourceName.replace(/[^\w.+-]/g, '_');
      return reply
        .type(raw.mediaType)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(raw.body.toString('utf8'));
    },
  );
}
