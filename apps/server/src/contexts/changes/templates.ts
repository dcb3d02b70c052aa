/**
 * Standard-change templates as versioned data: saving a template makes a new version (the
 * changes made from an older one keep theirs), and checking a standard change against the
 * version it records (@patchgate/changes `checkTemplateCriteria`).
 */
import type { StandardTemplate } from '@patchgate/changes';
import {
  checkTemplateCriteria,
  firstWaveIsNonProduction,
  StandardTemplate as TemplateSchema,
} from '@patchgate/changes';
import type { ChangePlans } from '@patchgate/changes';
import { z } from 'zod';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { NotFoundError } from '../../http/problems.ts';
import { appendAuditEvent } from '../audit/index.ts';
import type { ChangeActor } from './model.ts';
import { effectiveRisk } from './model.ts';
import { assetFacts } from './planning.ts';
import type { Executor } from './repository.ts';
import * as repo from './repository.ts';
import type { Scope } from './scope.ts';
import type { ChangeRequestTable, ChangeTemplateTable } from './tables.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

export const TemplateNameParams = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
    .describe('template name: lower-case letters, digits and "-"'),
});

export const TemplateBody = TemplateSchema.omit({ name: true, version: true }).describe(
  'a template version: description, criteria, default plans',
);
export type TemplateBody = z.infer<typeof TemplateBody>;

export const ApiTemplate = z
  .object({
    name: z.string(),
    version: z.number().int(),
    description: z.string(),
    criteria: z.record(z.string(), z.unknown()).describe('the auto-approval criteria'),
    defaultPlans: z.unknown().optional().describe('plans a change from it starts with'),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .describe('a standard-change template version');
export type ApiTemplate = z.infer<typeof ApiTemplate>;

export const TemplateList = z.object({ templates: z.array(ApiTemplate) });

export function templateOf(row: ChangeTemplateTable): StandardTemplate {
  return TemplateSchema.parse(JSON.parse(row.template_json));
}

function toApiTemplate(row: ChangeTemplateTable): ApiTemplate {
  const template = templateOf(row);
  return {
    name: template.name,
    version: template.version,
    description: template.description,
    criteria: template.criteria,
    ...(template.defaultPlans !== undefined && { defaultPlans: template.defaultPlans }),
    createdBy: row.created_by_name,
    createdAt: row.created_at,
  };
}

export async function listTemplates(ctx: Ctx): Promise<{ templates: ApiTemplate[] }> {
  return { templates: (await repo.latestTemplates(ctx.database.db)).map(toApiTemplate) };
}

export async function getTemplate(ctx: Ctx, name: string): Promise<ApiTemplate> {
  const row = await repo.templateRow(ctx.database.db, name);
  if (row === undefined) throw new NotFoundError(`The template "${name}"`);
  return toApiTemplate(row);
}

/** Save a new version of the template `name` (version 1 when new); audited. */
export async function saveTemplate(
  ctx: Ctx,
  name: string,
  body: TemplateBody,
  by: ChangeActor,
): Promise<ApiTemplate> {
  return ctx.database.db.transaction().execute(async (trx) => {
    const latest = await repo.templateRow(trx, name);
    const template = TemplateSchema.parse({ ...body, name, version: (latest?.version ?? 0) + 1 });
    const row: ChangeTemplateTable = {
      name,
      version: template.version,
      template_json: JSON.stringify(template),
      created_by_id: by.actor.id,
      created_by_name: by.actor.name,
      created_at: timestamp(ctx.clock),
    };
    await repo.insertTemplate(trx, row);
    await appendAuditEvent(trx, ctx.database.dialect, ctx.clock, {
      actor: by.actor,
      action: 'change_template.saved',
      subjectType: 'change_template',
      subjectId: name,
      ...(latest !== undefined && { before: templateOf(latest) }),
      after: template,
      ...(by.requestId !== undefined && { requestId: by.requestId }),
      ...(by.ip !== undefined && { ip: by.ip }),
    });
    return toApiTemplate(row);
  });
}

/** The latest version of a template by name, or undefined. */
export async function latestTemplate(
  db: Executor,
  name: string,
): Promise<StandardTemplate | undefined> {
  const row = await repo.templateRow(db, name);
  return row === undefined ? undefined : templateOf(row);
}

/**
 * A standard change's template criteria against its scope, patches, risk and plans (undefined
 * for other types: they have none). A standard change without a known template meets none.
 */
export async function templateCriteria(
  db: Executor,
  row: ChangeRequestTable,
  scope: Scope,
): Promise<{ ok: boolean; failures: string[] } | undefined> {
  if (row.type !== 'standard') return undefined;
  if (row.template_id === null)
    return { ok: false, failures: ['a standard change needs a template'] };
  const stored = await repo.templateRow(db, row.template_id, row.template_version ?? undefined);
  if (stored === undefined)
    return { ok: false, failures: [`the template ${row.template_id} is not known`] };
  const facts = assetFacts(scope);
  const plans = JSON.parse(row.plans_json) as ChangePlans;
  const check = checkTemplateCriteria(templateOf(stored), {
    assets: facts,
    patches: scope.patches.map((p) => ({ packageName: p.package_name, origin: p.origin })),
    risk: effectiveRisk(row),
    firstWaveNonProduction:
      plans.deploymentPlan === undefined
        ? false
        : firstWaveIsNonProduction(plans.deploymentPlan, facts),
  });
  return { ok: check.ok, failures: [...check.failures] };
}
