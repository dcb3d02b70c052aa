/**
 * Planning one autopilot run: from a rule and the candidates the server read (findings or
 * available updates, each on an asset with its maintenance window), which changes to create,
 * which items to hold back (cool-down) and which to skip (already in an open change, no fix),
 * each with a reason a person can read. Pure: the clock is an argument, nothing is written.
 */
import type { AssetFacts, AssetSelector } from '@patchgate/model';
import { matchesSelector } from '@patchgate/model';
import type { AutopilotPriority, AutopilotRule } from './rule.ts';

/** The maintenance window an asset's changes go into (the first of its windows). */
export interface CandidateWindow {
  readonly id: string;
  readonly name: string;
}

interface CandidateBase {
  /** Stable item id: the finding id, or `assetId:package:version` for an update. */
  readonly id: string;
  readonly asset: AssetFacts;
  readonly window: CandidateWindow | null;
  readonly packageName: string;
  readonly installedVersion: string;
  /** The version that fixes it (finding) or the candidate version (update); null when none. */
  readonly targetVersion: string | null;
  /**
   * When the target version was released, ISO 8601; null when unknown. The server fills it from
   * the advisory's publication date (findings) or, lacking a date, from when Patchgate first saw
   * this version offered (never earlier than the real release, so the cool-down stays safe).
   */
  readonly releasedAt: string | null;
  /** Where `releasedAt` comes from, for the reason: `advisory DSA-5678-1 published`… */
  readonly releasedAtSource: string;
  /** The open change that already covers this item, if any. */
  readonly coveredBy: string | null;
}

export interface FindingCandidate extends CandidateBase {
  readonly kind: 'finding';
  readonly advisoryId: string;
  readonly priority: AutopilotPriority;
  readonly kev: boolean;
  /** The policy and the policy rule that decided the priority. */
  readonly policyId: string | null;
  readonly policyRuleId: string | null;
}

export interface UpdateCandidate extends CandidateBase {
  readonly kind: 'update';
  /** Offered by a security archive. */
  readonly security: boolean;
}

export type AutopilotCandidate = FindingCandidate | UpdateCandidate;

/** One item as a planned change, a held-back or a skipped entry names it. */
export interface PlannedItem {
  readonly kind: 'finding' | 'update';
  readonly id: string;
  readonly assetId: string;
  readonly assetName: string;
  readonly packageName: string;
  readonly targetVersion: string | null;
  readonly advisoryId?: string;
  readonly kev?: boolean;
}

export interface PlannedChange {
  /** `window id|asset group`: one change per maintenance window and asset group. */
  readonly groupKey: string;
  readonly window: CandidateWindow | null;
  readonly assetGroup: string | null;
  readonly title: string;
  readonly assets: readonly { readonly id: string; readonly name: string }[];
  readonly items: readonly PlannedItem[];
  readonly findingIds: readonly string[];
  /** Package → version per asset (updates; findings name their fix through findingIds). */
  readonly patches: readonly {
    readonly assetId: string;
    readonly packageName: string;
    readonly version: string;
  }[];
  readonly type: AutopilotRule['type'];
  readonly template: string | null;
  readonly rings: readonly number[];
  /** Which rule made it and why, for the change's description and its audit record. */
  readonly reason: string;
}

export interface HeldBackItem {
  readonly item: PlannedItem;
  readonly reason: string;
  /** When the cool-down ends (YYYY-MM-DD), when the release date is known. */
  readonly eligibleOn: string | null;
}

export interface SkippedItem {
  readonly item: PlannedItem;
  readonly reason: string;
}

export interface AutopilotPlan {
  readonly ruleId: string;
  readonly changes: readonly PlannedChange[];
  readonly heldBack: readonly HeldBackItem[];
  readonly skipped: readonly SkippedItem[];
}

const dayMs = 86_400_000;

function itemOf(candidate: AutopilotCandidate): PlannedItem {
  return {
    kind: candidate.kind,
    id: candidate.id,
    assetId: candidate.asset.id,
    assetName: candidate.asset.name,
    packageName: candidate.packageName,
    targetVersion: candidate.targetVersion,
    ...(candidate.kind === 'finding' && { advisoryId: candidate.advisoryId, kev: candidate.kev }),
  };
}

/** Does the rule's selection (not its scope) take this candidate? */
export function selects(rule: AutopilotRule, candidate: AutopilotCandidate): boolean {
  const selection = rule.selection;
  if (selection.kind === 'findings') {
    if (candidate.kind !== 'finding') return false;
    if (!selection.priorities.includes(candidate.priority)) return false;
    if (selection.kevOnly && !candidate.kev) return false;
    if (selection.policies.length === 0) return true;
    return selection.policies.some(
      (policy) => policy === candidate.policyId || policy === candidate.policyRuleId,
    );
  }
  if (candidate.kind !== 'update') return false;
  return selection.origin === 'all' || candidate.security;
}

/** The asset group a change is grouped by: the asset's first group in name order. */
export function assetGroupOf(asset: AssetFacts): string | null {
  return [...asset.groups].sort()[0] ?? null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeSelection(rule: AutopilotRule): string {
  const s = rule.selection;
  if (s.kind === 'updates')
    return s.origin === 'security'
      ? 'available updates from a security archive'
      : 'every available update';
  const parts = [`${s.kevOnly ? 'KEV ' : ''}findings of priority ${s.priorities.join('/')}`];
  if (s.policies.length > 0) parts.push(`decided by ${s.policies.join(', ')}`);
  return parts.join(' ');
}

function coolDownCheck(
  rule: AutopilotRule,
  candidate: AutopilotCandidate,
  now: Date,
):
  { held: false; note: string | null } | { held: true; reason: string; eligibleOn: string | null } {
  if (rule.coolDownDays === 0) return { held: false, note: null };
  if (candidate.kind === 'finding' && candidate.kev) {
    // Known exploited: never held back; noted only when the cool-down would have held it.
    const would = coolDownCheck(rule, { ...candidate, kev: false }, now);
    return {
      held: false,
      note: would.held
        ? `KEV (known exploited): cool-down of ${plural(rule.coolDownDays, 'day')} bypassed`
        : null,
    };
  }
  if (candidate.releasedAt === null)
    return {
      held: true,
      reason: `release date of ${candidate.packageName} ${candidate.targetVersion ?? ''} unknown; cool-down ${plural(rule.coolDownDays, 'day')} cannot be shown to have passed`,
      eligibleOn: null,
    };
  const released = new Date(candidate.releasedAt);
  const ageDays = Math.floor((now.getTime() - released.getTime()) / dayMs);
  if (ageDays >= rule.coolDownDays) return { held: false, note: null };
  const eligibleOn = new Date(released.getTime() + rule.coolDownDays * dayMs)
    .toISOString()
    .slice(0, 10);
  const when = ageDays <= 0 ? 'today' : `${plural(ageDays, 'day')} ago`;
  return {
    held: true,
    reason: `fixed version ${candidate.packageName} ${candidate.targetVersion ?? ''} released ${when} (${candidate.releasedAtSource} ${candidate.releasedAt.slice(0, 10)}); cool-down ${plural(rule.coolDownDays, 'day')}, eligible on ${eligibleOn}`,
    eligibleOn,
  };
}

/**
 * Plan one run of `rule` over `candidates` at `now`. Candidates the rule's selection or scope
 * does not take are ignored (they are other rules' business); a paused rule plans nothing and
 * lists what it would have taken as skipped. Deterministic: the same input, the same plan.
 */
export function planAutopilotRun(
  rule: AutopilotRule,
  candidates: readonly AutopilotCandidate[],
  now: Date,
): AutopilotPlan {
  const heldBack: HeldBackItem[] = [];
  const skipped: SkippedItem[] = [];
  const groups = new Map<
    string,
    {
      window: CandidateWindow | null;
      assetGroup: string | null;
      members: { candidate: AutopilotCandidate; note: string | null }[];
    }
  >();
  const scope: AssetSelector = rule.scope;
  const taken = candidates
    .filter((c) => selects(rule, c) && matchesSelector(c.asset, scope))
    .sort(
      (a, b) =>
        a.asset.name.localeCompare(b.asset.name) ||
        a.packageName.localeCompare(b.packageName) ||
        a.id.localeCompare(b.id),
    );
  for (const candidate of taken) {
    const item = itemOf(candidate);
    if (rule.paused) {
      skipped.push({ item, reason: `rule "${rule.name}" is paused` });
      continue;
    }
    if (candidate.coveredBy !== null) {
      skipped.push({ item, reason: `already covered by open change ${candidate.coveredBy}` });
      continue;
    }
    if (candidate.targetVersion === null) {
      skipped.push({ item, reason: 'no fixed version is known: nothing to install' });
      continue;
    }
    const check = coolDownCheck(rule, candidate, now);
    if (check.held) {
      heldBack.push({ item, reason: check.reason, eligibleOn: check.eligibleOn });
      continue;
    }
    const assetGroup = assetGroupOf(candidate.asset);
    const groupKey = `${candidate.window?.id ?? 'no-window'}|${assetGroup ?? 'no-group'}`;
    const group = groups.get(groupKey) ?? { window: candidate.window, assetGroup, members: [] };
    group.members.push({ candidate, note: check.note });
    groups.set(groupKey, group);
  }

  const changes = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([groupKey, group]): PlannedChange => {
      const members = group.members.map((m) => m.candidate);
      const assets = [
        ...new Map(members.map((c) => [c.asset.id, { id: c.asset.id, name: c.asset.name }])),
      ]
        .map(([, asset]) => asset)
        .sort((a, b) => a.name.localeCompare(b.name));
      const findingIds = members.filter((c) => c.kind === 'finding').map((c) => c.id);
      const patchKeys = new Set<string>();
      const patches = members
        .filter((c) => c.kind === 'update')
        .flatMap((c) => {
          const key = `${c.asset.id}\0${c.packageName}\0${c.targetVersion ?? ''}`;
          if (patchKeys.has(key) || c.targetVersion === null) return [];
          patchKeys.add(key);
          return [{ assetId: c.asset.id, packageName: c.packageName, version: c.targetVersion }];
        });
      const where = `${group.assetGroup === null ? 'assets in no group' : `asset group ${group.assetGroup}`}, ${group.window === null ? 'no maintenance window yet' : `maintenance window "${group.window.name}"`}`;
      const kevNotes = group.members.filter((m) => m.note !== null).length;
      const what =
        rule.selection.kind === 'findings'
          ? plural(findingIds.length, 'finding')
          : plural(patches.length, 'update');
      const reasonParts = [
        `Autopilot rule "${rule.name}" (${rule.id}) selected ${describeSelection(rule)}: ${what} on ${plural(assets.length, 'asset')} (${where})`,
        rule.coolDownDays > 0
          ? `cool-down of ${plural(rule.coolDownDays, 'day')} met` +
            (kevNotes > 0 ? `, bypassed for ${plural(kevNotes, 'KEV finding')}` : '')
          : 'no cool-down',
        `type ${rule.type}${rule.template === undefined ? '' : ` (template ${rule.template})`}, rings +${rule.rings.join('/+')} days`,
      ];
      return {
        groupKey,
        window: group.window,
        assetGroup: group.assetGroup,
        title: `Autopilot ${rule.name}: ${group.assetGroup ?? 'ungrouped'} in ${group.window?.name ?? 'next window'} (${what})`,
        assets,
        items: members.map(itemOf),
        findingIds,
        patches,
        type: rule.type,
        template: rule.template ?? null,
        rings: rule.rings,
        reason: `${reasonParts.join('; ')}.`,
      };
    });
  return { ruleId: rule.id, changes, heldBack, skipped };
}
