/**
 * A change's scope: the assets, the patches (package → target version per asset) and the
 * findings they close, built by hand (`patches`) or from findings (ids or a list filter),
 * through the inventory and findings contexts' public functions only.
 */
import type { ServerContext } from '../../context.ts';
import { ValidationError } from '../../http/problems.ts';
import type { ApiFinding } from '../findings/index.ts';
import { findingsByIds, findingsMatching } from '../findings/index.ts';
import type { Asset, AvailableUpdate } from '../inventory/index.ts';
import {
  currentInventory,
  getAsset,
  listAvailableUpdates,
  resolveAssetRef,
} from '../inventory/index.ts';
import { patchesForFindings } from './planning.ts';
import type { FindingSelection, PatchMode, PatchRequest } from './schema.ts';
import type { ChangeAssetTable, ChangeFindingTable, ChangePatchTable } from './tables.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

export interface Scope {
  readonly assets: readonly ChangeAssetTable[];
  readonly patches: readonly ChangePatchTable[];
  readonly findings: readonly ChangeFindingTable[];
}

/** At most this many findings make one change (a larger filter is a 422: narrow it). */
export const maxFindingsPerChange = 1000;

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}`, [{ field, message }]);
}

function assetRow(changeId: string, asset: Asset): ChangeAssetTable {
  return {
    change_id: changeId,
    asset_id: asset.id,
    asset_name: asset.name,
    environment: asset.environment,
    criticality: asset.criticality,
    exposure: asset.exposure,
    owner_team: asset.owner,
    groups_json: JSON.stringify(asset.groups),
    tags_json: JSON.stringify(asset.tags),
  };
}

export function findingRow(changeId: string, finding: ApiFinding): ChangeFindingTable {
  return {
    change_id: changeId,
    finding_id: finding.id,
    asset_id: finding.asset.id,
    package_name: finding.package.name,
    advisory_ids_json: JSON.stringify([
      finding.advisory.id,
      ...finding.advisory.aliases.filter((a) => a !== finding.advisory.id),
    ]),
    cve_ids_json: JSON.stringify(finding.advisory.cves),
    priority: finding.priority,
    kev: finding.kev ? 1 : 0,
    due_date: finding.dueDate,
  };
}

/** The findings a selection names: every id must exist; a filter must match 1–1000. */
async function selectedFindings(ctx: Ctx, selection: FindingSelection): Promise<ApiFinding[]> {
  const { ids, status, asset, package: packageName, ...rest } = selection;
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) filters[key] = value;
  // A package names the binary or its source package: curl patches libcurl4 too.
  if (packageName !== undefined) filters['packageOrSource'] = packageName;
  if (asset !== undefined) {
    const found = await resolveAssetRef(ctx.database, asset);
    if (found === undefined) throw invalid('body.findings.asset', `names no asset ("${asset}")`);
    filters['assetId'] = found.id;
  }
  const hasFilter = Object.keys(filters).length > 0 || status !== undefined;
  let findings: ApiFinding[];
  if (ids !== undefined) {
    findings = await findingsByIds(ctx, ids);
    const missing = ids.filter((id) => !findings.some((f) => f.id === id));
    if (missing.length > 0)
      throw invalid('body.findings.ids', `no finding has the id ${missing.slice(0, 5).join(', ')}`);
    if (hasFilter) {
      const matching = await findingsMatching(
        ctx,
        filters,
        status,
        maxFindingsPerChange + ids.length,
      );
      const keep = new Set(matching.findings.map((f) => f.id));
      findings = findings.filter((f) => keep.has(f.id));
    }
  } else {
    const matching = await findingsMatching(ctx, filters, status, maxFindingsPerChange);
    if (matching.truncated) {
      throw invalid(
        'body.findings',
        `more than ${maxFindingsPerChange} findings match; narrow the filter`,
      );
    }
    findings = matching.findings;
  }
  if (findings.length === 0) throw invalid('body.findings', 'no findings match');
  return findings;
}

/** The repository an update comes from: its security archive when it has one. */
function originOf(update: AvailableUpdate): string | null {
  const security = update.origins.find((o) => /security/i.test(`${o.archive} ${o.label ?? ''}`));
  const origin = security ?? update.origins[0];
  if (origin === undefined) return null;
  return origin.label === undefined ? origin.archive : `${origin.label}/${origin.archive}`;
}

/** Each asset's reported available updates by package name (read once per asset). */
function updatesReader(ctx: Ctx): (assetId: string) => Promise<Map<string, AvailableUpdate>> {
  const cache = new Map<string, Promise<Map<string, AvailableUpdate>>>();
  return (assetId) => {
    let found = cache.get(assetId);
    if (found === undefined) {
      found = listAvailableUpdates(ctx, assetId, { securityOnly: false }).then(
        (list) => new Map(list.updates.map((u) => [u.name, u])),
      );
      cache.set(assetId, found);
    }
    return found;
  };
}

async function assetsById(ctx: Ctx, ids: Iterable<string>): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const id of new Set(ids)) {
    const asset = await getAsset(ctx.database, id);
    if (asset !== undefined) assets.set(id, asset);
  }
  return assets;
}

async function fromFindings(
  ctx: Ctx,
  changeId: string,
  selection: FindingSelection,
  target: 'lowest-fix' | 'available-update',
): Promise<Scope> {
  const all = await selectedFindings(ctx, selection);
  const assets = await assetsById(
    ctx,
    all.map((f) => f.asset.id),
  );
  // A finding whose asset has since been deleted has nothing left to patch.
  const findings = all.filter((f) => assets.has(f.asset.id));
  if (findings.length === 0) throw invalid('body.findings', 'the findings’ assets no longer exist');
  const updatesOf = updatesReader(ctx);
  const available = [];
  for (const asset of assets.values()) {
    for (const update of (await updatesOf(asset.id)).values()) {
      const ecosystem = findings.find(
        (f) => f.asset.id === asset.id && f.package.name === update.name,
      )?.package.ecosystem;
      if (ecosystem === undefined) continue;
      available.push({
        assetId: asset.id,
        ecosystem,
        packageName: update.name,
        version: update.candidateVersion,
        origin: originOf(update),
      });
    }
  }
  const derived = patchesForFindings(findings, { mode: target, availableUpdates: available });
  const unpatchable = derived.unpatchable;
  // A lowest fix the asset reports as its available update carries that update's origin.
  const patches = [];
  for (const p of derived.patches) {
    const update = (await updatesOf(p.asset_id)).get(p.package_name);
    const origin =
      p.origin ?? (update?.candidateVersion === p.to_version ? originOf(update) : null);
    patches.push({ ...p, origin });
  }
  if (patches.length === 0) {
    throw invalid(
      'body.findings',
      `no version closes any of the findings: ${unpatchable
        .slice(0, 3)
        .map((u) => u.reason)
        .join('; ')}`,
    );
  }
  // Only the assets a patch touches are in scope.
  const touched = new Set(patches.map((p) => p.asset_id));
  return {
    assets: [...assets.values()].filter((a) => touched.has(a.id)).map((a) => assetRow(changeId, a)),
    patches: patches.map((p, seq) => ({ ...p, change_id: changeId, seq })),
    findings: findings.map((f) => findingRow(changeId, f)),
  };
}

async function byHand(
  ctx: Ctx,
  changeId: string,
  requests: readonly PatchRequest[],
): Promise<Scope> {
  const updatesOf = updatesReader(ctx);
  const assets = new Map<string, Asset>();
  const patches: ChangePatchTable[] = [];
  const findings = new Map<string, ChangeFindingTable>();
  for (const [i, request] of requests.entries()) {
    const ref = await resolveAssetRef(ctx.database, request.asset);
    const asset = ref === undefined ? undefined : await getAsset(ctx.database, ref.id);
    if (asset === undefined)
      throw invalid(`body.patches[${i}].asset`, `names no asset ("${request.asset}")`);
    assets.set(asset.id, asset);
    const current = await currentInventory(ctx.database, asset.id);
    const installed = current?.inventory.packages.filter((p) => p.name === request.package) ?? [];
    const first = installed[0];
    if (first === undefined) {
      throw invalid(
        `body.patches[${i}].package`,
        `"${request.package}" is not installed on ${asset.name} (as of its current inventory)`,
      );
    }
    // The open findings of this package on this asset: closed by the patch, and (when no
    // version is asked for) what decides the target.
    const open = (
      await findingsMatching(
        ctx,
        { assetId: asset.id, package: request.package },
        undefined,
        maxFindingsPerChange,
      )
    ).findings;
    for (const f of open) findings.set(f.id, findingRow(changeId, f));
    const derived =
      request.toVersion === undefined ? patchesForFindings(open).patches[0] : undefined;
    const update = (await updatesOf(asset.id)).get(request.package);
    const target: { to: string | null; mode: PatchMode } =
      request.toVersion !== undefined
        ? { to: request.toVersion, mode: 'pinned' }
        : derived?.to_version != null
          ? { to: derived.to_version, mode: 'fixed' }
          : update !== undefined
            ? { to: update.candidateVersion, mode: 'update' }
            : { to: null, mode: 'latest' };
    patches.push({
      change_id: changeId,
      seq: i,
      asset_id: asset.id,
      ecosystem: first.ecosystem,
      package_name: request.package,
      from_version: first.version,
      to_version: target.to,
      mode: target.mode,
      origin:
        update !== undefined && (target.to === null || update.candidateVersion === target.to)
          ? originOf(update)
          : null,
    });
  }
  const seen = new Set<string>();
  for (const [i, p] of patches.entries()) {
    const key = `${p.asset_id}\0${p.package_name}`;
    if (seen.has(key))
      throw invalid(`body.patches[${i}]`, `${p.package_name} is named twice for the same asset`);
    seen.add(key);
  }
  return {
    assets: [...assets.values()].map((a) => assetRow(changeId, a)),
    patches,
    findings: [...findings.values()],
  };
}

/** The scope of a change from its request: by hand or from findings. */
export function buildScope(
  ctx: Ctx,
  changeId: string,
  input: {
    readonly patches?: readonly PatchRequest[];
    readonly findings?: FindingSelection;
    readonly patchTarget?: 'lowest-fix' | 'available-update';
  },
): Promise<Scope> {
  if (input.findings !== undefined)
    return fromFindings(ctx, changeId, input.findings, input.patchTarget ?? 'lowest-fix');
  return byHand(ctx, changeId, input.patches ?? []);
}
