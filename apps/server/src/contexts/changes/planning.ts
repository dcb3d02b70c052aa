/**
 * What the change context asks of @patchgate/changes about a change's content: the facts of
 * its assets, default plans, plan validation for its type, the patches that close findings, and
 * the risk with its explanation (past failure rate from this context's own history).
 */
import type {
  ChangePlans,
  ChangeType,
  DerivePatchesOptions,
  FindingPriority,
  RestartKind,
  RiskFactor,
  RiskInputs,
  RiskLevel,
} from '@patchgate/changes';
import {
  assessRisk,
  defaultDeploymentPlan,
  derivePatches,
  findingPriorities,
  validatePlans,
} from '@patchgate/changes';
import type { AssetFacts, Criticality, Environment, Exposure } from '@patchgate/model';
import { jsonArray } from './model.ts';
import type { Executor } from './repository.ts';
import { pastOutcomes } from './repository.ts';
import { recordedTestEvidence } from './evidence-repository.ts';
import type { ApiFinding } from '../findings/index.ts';
import type { Scope } from './scope.ts';
import type { ChangePatchTable } from './tables.ts';

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

/**
 * Packages whose update needs a reboot to take effect (the kernel, the C library, the init
 * system); any other patch restarts the services using it.
 */
const rebootPackages =
  /^(linux-image|linux-headers|linux-modules|kernel|linux$|libc6|glibc|systemd$)/;

export function restartOf(scope: Pick<Scope, 'patches'>): RestartKind {
  if (scope.patches.length === 0) return 'none';
  return scope.patches.some((p) => rebootPackages.test(p.package_name)) ? 'reboot' : 'service';
}

/** What the change fixes: any KEV finding, and the most urgent priority among them. */
function urgencyOf(scope: Pick<Scope, 'findings'>): RiskInputs['urgency'] {
  const priorities = scope.findings
    .map((f) => f.priority)
    .filter((p): p is FindingPriority => (findingPriorities as readonly string[]).includes(p))
    .sort();
  return { kev: scope.findings.some((f) => f.kev === 1), highestPriority: priorities[0] ?? null };
}

/** The stored risk: the assessment's factors and its explanation. */
export interface StoredRisk {
  readonly factors: readonly RiskFactor[];
  readonly explanation: string;
}

/**
 * Assess the change's risk (@patchgate/changes `assessRisk`), with the past failure rate of
 * changes to the same packages or assets from this context's own history (`excluding` the
 * change itself), and its test evidence: the plans' and, for an existing change (`excluding`),
 * the evidence recorded on it (evidence.ts).
 */
export async function assessChangeRisk(
  db: Executor,
  scope: Scope,
  plans: ChangePlans,
  excluding: string | undefined,
): Promise<{ level: RiskLevel; score: number; stored: StoredRisk }> {
  const past = await pastOutcomes(
    db,
    [...new Set(scope.patches.map((p) => p.package_name))],
    scope.assets.map((a) => a.asset_id),
    excluding,
  );
  const assessment = assessRisk({
    assets: assetFacts(scope),
    restart: restartOf(scope),
    testEvidence: [
      ...plans.testEvidence,
      ...(excluding === undefined ? [] : await recordedTestEvidence(db, excluding)),
    ],
    history: { changes: past.finished, failed: past.failed },
    urgency: urgencyOf(scope),
  });
  return {
    level: assessment.computedLevel,
    score: assessment.score,
    stored: { factors: assessment.factors, explanation: assessment.explanation },
  };
}

/** A patch before it belongs to a change. */
export type PatchDraft = Omit<ChangePatchTable, 'change_id' | 'seq'>;

/**
 * The patches that close these findings (@patchgate/changes `derivePatches`: per asset and
 * package, the lowest version closing every linked finding), and the findings no version closes
 * with the reason.
 */
export function patchesForFindings(
  findings: readonly ApiFinding[],
  options: DerivePatchesOptions = {},
): {
  patches: PatchDraft[];
  unpatchable: { findingId: string; reason: string }[];
} {
  const derived = derivePatches(
    findings.map((f) => ({
      findingId: f.id,
      assetId: f.asset.id,
      ecosystem: f.package.ecosystem,
      packageName: f.package.name,
      installedVersion: f.package.version,
      fixedVersions: f.fixedVersions,
      advisoryIds: [f.advisory.id, ...f.advisory.aliases],
      cveIds: f.advisory.cves,
      dueAt: f.dueDate,
      priority: f.priority,
      kev: f.kev,
    })),
    options,
  );
  return {
    patches: derived.patches.map((p) => ({
      asset_id: p.assetId,
      ecosystem: p.ecosystem,
      package_name: p.packageName,
      from_version: p.fromVersion,
      to_version: p.toVersion,
      mode: options.mode === 'available-update' && p.origin !== null ? 'update' : 'fixed',
      origin: p.origin,
    })),
    unpatchable: derived.unpatchable.map((u) => ({ findingId: u.findingId, reason: u.reason })),
  };
}
