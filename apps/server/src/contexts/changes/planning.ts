/**
 * What the change context asks of @patchgate/changes about a change's content: the facts of
 * its assets, default plans, plan validation for its type, the patches that close findings, and
 * the risk with its explanation (past failure rate from this context's own history).
 */
import type { ChangePlans, ChangeType } from '@patchgate/changes';
import { defaultDeploymentPlan, validatePlans } from '@patchgate/changes';
import type { AssetFacts, Criticality, Environment, Exposure } from '@patchgate/model';
import { jsonArray } from './model.ts';
import type { Executor } from './repository.ts';
import type { Scope } from './scope.ts';

/** The assets in scope as @patchgate/model sees them (selectors, waves, risk). */
export function assetFacts(scope: Pick<Scope, 'assets'>): AssetFacts[] {
  return scope.assets.map((a) => ({
    id: a.asset_id,
    name: a.asset_name,
    environment: a.environment as Environment | null,
    criticality: a.criticality as Criticality,
    exposure: a.exposure as Exposure,
    team: a.owner_team,
    tags: jsonArray(a.tags_json),
    groups: jsonArray(a.groups_json),
  }));
}

/** A draft's plans when none are given: the default deployment plan for its assets. */
export function defaultPlans(scope: Pick<Scope, 'assets'>): ChangePlans {
  return { testEvidence: [], deploymentPlan: defaultDeploymentPlan(assetFacts(scope)).plan };
}

/** The plans validated for the change's type and against its scope. */
export function checkPlans(
  plans: ChangePlans,
  type: ChangeType,
  scope: Pick<Scope, 'assets'>,
): { ok: boolean; errors: string[] } {
  const result = validatePlans(plans, type, assetFacts(scope));
  return { ok: result.ok, errors: result.errors };
}
