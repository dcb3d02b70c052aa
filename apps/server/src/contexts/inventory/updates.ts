/**
 * Available updates per asset: what the asset's package manager says it could upgrade now
 * (`apt list --upgradable` or `apt-get -s upgrade` output, read by @patchgate/inventory), kept
 * as the latest report per asset and shown beside its findings. A new report replaces the
 * previous one whole, with its audit event, in one transaction.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AvailableUpdates } from '@patchgate/inventory';
import { availableUpdatesFormats, parseAptUpdates } from '@patchgate/inventory';
import type { ServerContext } from '../../context.ts';
import { timestamp } from '../../clock.ts';
import { NotFoundError, ValidationError } from '../../http/problems.ts';
import { appendAuditEvent, auditSource } from '../audit/index.ts';
import type { ChangeSource } from './service.ts';
import { AssetParams } from './schema.ts';

/** apt output of a host with thousands of pending upgrades stays far below this. */
export const maxUpdateReportBytes = 4 * 1024 * 1024;

const tags = ['inventory'];

const UpdateOrigin = z
  .object({
    archive: z.string().describe('the archive (Release Suite): stable-security, jammy-updates…'),
    label: z.string().optional().describe('the Release Label, when the output names it'),
    version: z.string().optional().describe('the Release Version, when the output names it'),
  })
  .describe('an archive offering the candidate version');

export const AvailableUpdate = z
  .object({
    name: z.string().describe('binary package name'),
    arch: z.string().nullable().describe('architecture, when stated'),
    installedVersion: z.string().describe('the installed version'),
    candidateVersion: z.string().describe('the version the package manager would install'),
    origins: z.array(UpdateOrigin).describe('every archive offering it'),
    security: z.boolean().describe('true when one of the origins is a security archive'),
  })
  .describe('one available update');
export type AvailableUpdate = z.infer<typeof AvailableUpdate>;

export const AvailableUpdateReport = z
  .object({
    format: z.enum(availableUpdatesFormats).describe('what wrote the report'),
    sourceName: z.string().describe('the file name given with the upload'),
    takenAt: z.string().describe('when the host produced it, ISO 8601 UTC'),
    uploadedAt: z.string().describe('ISO 8601 UTC'),
    updates: z.number().int().describe('available updates'),
    securityUpdates: z.number().int().describe('of which from a security archive'),
    keptBack: z
      .array(z.string())
      .describe('packages apt kept back: an update exists, its version was not printed'),
    warnings: z.array(z.string()).describe('lines that could not be read'),
  })
  .describe("the latest report of an asset's available updates");
export type AvailableUpdateReport = z.infer<typeof AvailableUpdateReport>;

export const AvailableUpdateList = z.object({
  report: AvailableUpdateReport.nullable().describe('null until a first report arrives'),
  updates: z.array(AvailableUpdate).describe('security updates first, then by name'),
});
export type AvailableUpdateList = z.infer<typeof AvailableUpdateList>;

const UploadQuery = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('the file name, shown with the report (default: upload)'),
  takenAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('when the host produced the output (default: now)'),
});

const ListQuery = z.strictObject({
  security: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: only updates from a security archive'),
});

export async function storeAvailableUpdates(
  ctx: ServerContext,
  source: ChangeSource,
  assetId: string,
  upload: { readonly text: string; readonly name: string; readonly takenAt?: string | undefined },
): Promise<AvailableUpdateReport> {
  const parsed = parseAptUpdates(upload.text);
  if (!parsed.ok)
    throw new ValidationError(parsed.error, [{ field: 'body', message: parsed.error }]);
  const report: AvailableUpdates = parsed.value;
  const { database } = ctx;
  const now = timestamp(ctx.clock);
  const row = {
    asset_id: assetId,
    format: report.format,
    source_name: upload.name,
    taken_at: upload.takenAt === undefined ? now : new Date(upload.takenAt).toISOString(),
    uploaded_at: now,
    uploaded_by: source.actor.id,
    update_count: report.updates.length,
    security_count: report.updates.filter((u) => u.security).length,
    kept_back_json: JSON.stringify(report.keptBack),
    warnings_json: JSON.stringify(report.warnings),
  };
  return database.db.transaction().execute(async (trx) => {
    const asset = await trx
      .selectFrom('assets')
      .select('id')
      .where('id', '=', assetId)
      .executeTakeFirst();
    if (asset === undefined) throw new NotFoundError('The asset');
    const before = await trx
      .selectFrom('available_update_reports')
      .select(['update_count', 'security_count', 'taken_at'])
      .where('asset_id', '=', assetId)
      .executeTakeFirst();
    await trx.deleteFrom('available_updates').where('asset_id', '=', assetId).execute();
    await trx.deleteFrom('available_update_reports').where('asset_id', '=', assetId).execute();
    await trx.insertInto('available_update_reports').values(row).execute();
    const rows = report.updates.map((u, index) => ({
      asset_id: assetId,
      seq: index + 1,
      name: u.name,
      arch: u.arch ?? null,
      installed_version: u.installedVersion,
      candidate_version: u.candidateVersion,
      origins_json: JSON.stringify(u.origins),
      security: u.security ? 1 : 0,
    }));
    // Batches keep every statement under the databases' bound-parameter limits.
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('available_updates')
        .values(rows.slice(i, i + 500))
        .execute();
    await appendAuditEvent(trx, database.dialect, ctx.clock, {
      ...source,
      action: 'inventory.available_updates_reported',
      subjectType: 'asset',
      subjectId: assetId,
      before:
        before === undefined
          ? null
          : {
              updates: before.update_count,
              securityUpdates: before.security_count,
              takenAt: before.taken_at,
            },
      after: {
        format: row.format,
        updates: row.update_count,
        securityUpdates: row.security_count,
        takenAt: row.taken_at,
      },
    });
    return reportOf(row);
  });
}

function reportOf(row: {
  format: string;
  source_name: string;
  taken_at: string;
  uploaded_at: string;
  update_count: number;
  security_count: number;
  kept_back_json: string;
  warnings_json: string;
}): AvailableUpdateReport {
  return {
    format: row.format as AvailableUpdateReport['format'],
    sourceName: row.source_name,
    takenAt: row.taken_at,
    uploadedAt: row.uploaded_at,
    updates: Number(row.update_count),
    securityUpdates: Number(row.security_count),
    keptBack: JSON.parse(row.kept_back_json) as string[],
    warnings: JSON.parse(row.warnings_json) as string[],
  };
}

export async function listAvailableUpdates(
  ctx: Pick<ServerContext, 'database'>,
  assetId: string,
  options: { readonly securityOnly: boolean },
): Promise<AvailableUpdateList> {
  const { db } = ctx.database;
  const asset = await db
    .selectFrom('assets')
    .select('id')
    .where('id', '=', assetId)
    .executeTakeFirst();
  if (asset === undefined) throw new NotFoundError('The asset');
  const report = await db
    .selectFrom('available_update_reports')
    .selectAll()
    .where('asset_id', '=', assetId)
    .executeTakeFirst();
  let query = db
    .selectFrom('available_updates')
    .selectAll()
    .where('asset_id', '=', assetId)
    .orderBy('security', 'desc')
    .orderBy('name')
    .orderBy('seq');
  if (options.securityOnly) query = query.where('security', '=', 1);
  const rows = await query.execute();
  return {
    report: report === undefined ? null : reportOf(report),
    updates: rows.map((row) => ({
      name: row.name,
      arch: row.arch,
      installedVersion: row.installed_version,
      candidateVersion: row.candidate_version,
      origins: JSON.parse(row.origins_json) as AvailableUpdate['origins'],
      security: Number(row.security) === 1,
    })),
  };
}

export function registerAvailableUpdateRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  // apt's output is plain text, and the app reads JSON only (a text/plain body elsewhere is a
  // 415), so this route reads text in a scope of its own.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, parsed) => {
      parsed(null, body);
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/assets/:id/available-updates',
      {
        config: { access: 'assets:write' },
        bodyLimit: maxUpdateReportBytes,
        schema: {
          operationId: 'reportAvailableUpdates',
          tags,
          summary: "Report an asset's available updates (apt output); replaces the previous report",
          description:
            'The body is the text output of `apt list --upgradable` or `apt-get -s upgrade` (or `dist-upgrade`), as text/plain; which one is detected. Each update records its origin archives and whether one is a security archive.',
          consumes: ['text/plain'],
          params: AssetParams,
          querystring: UploadQuery,
          body: z.string().min(1).describe('apt output, as printed'),
          response: { 201: AvailableUpdateReport },
        },
      },
      async (request, reply) => {
        const report = await storeAvailableUpdates(ctx, auditSource(request), request.params.id, {
          text: request.body,
          name: request.query.name ?? 'upload',
          takenAt: request.query.takenAt,
        });
        return reply.status(201).send(report);
      },
    );
    done();
  });

  api.get(
    '/api/v1/assets/:id/available-updates',
    {
      config: { access: 'assets:read' },
      schema: {
        operationId: 'listAvailableUpdates',
        tags,
        summary: "An asset's available updates from its latest report, security updates first",
        params: AssetParams,
        querystring: ListQuery,
        response: { 200: AvailableUpdateList },
      },
    },
    async (request) =>
      listAvailableUpdates(ctx, request.params.id, {
        securityOnly: request.query.security === 'true',
      }),
  );
}
