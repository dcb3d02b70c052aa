/**
 * From findings to patches: which package goes to which version on which asset, and which
 * findings, advisories and CVEs that closes. Versions are ordered by the ecosystem's real rules
 * (@patchgate/versioning: dpkg for Debian, semver for npm…), never as strings.
 *
 * Default target (`lowest-fix`): for each finding, its lowest fixed version above the installed
 * one; for each asset and package, the highest of those, so that one upgrade closes every linked
 * finding with the smallest step. When a finding lists fixes on several lines (npm's 5.7.2,
 * 6.3.1, 7.5.2) and the target falls between two of them on what looks like the later line
 * (7.0.0), it may still be affected; the patch carries a warning instead of guessing (only the
 * advisory's ranges could say).
 *
 * Mode `available-update` ("all pending security updates"): the target is the update the asset
 * reports as available for that package (e.g. from the distribution's security repository);
 * findings it does not reach stay open and are reported as unpatchable with the reason.
 *
 * A finding that no version closes is reported as unpatchable, never dropped.
 */
import type { VersionScheme } from '@patchgate/versioning';
import { schemeForEcosystem } from '@patchgate/versioning';
import type { FindingPriority } from './risk.ts';
import { findingPriorities } from './risk.ts';

export interface PatchFinding {
  readonly findingId: string;
  readonly assetId: string;
  /** OSV ecosystem, e.g. `Debian:12`, `npm`. */
  readonly ecosystem: string;
  readonly packageName: string;
  readonly installedVersion: string;
  readonly fixedVersions: readonly string[];
  readonly advisoryIds: readonly string[];
  readonly cveIds: readonly string[];
  /** ISO 8601 date or date-time (one format across the input); null when none. */
  readonly dueAt: string | null;
  readonly priority: FindingPriority | null;
  readonly kev: boolean;
}

export interface AvailableUpdate {
  readonly assetId: string;
  readonly ecosystem: string;
  readonly packageName: string;
  /** The version the asset's package manager would install. */
  readonly version: string;
  /** Where it comes from, e.g. `Debian-Security`; kept on the patch for template criteria. */
  readonly origin?: string | null;
}

export interface DerivePatchesOptions {
  /** `lowest-fix` (default) or `available-update` ("all pending security updates"). */
  readonly mode?: 'lowest-fix' | 'available-update';
  /** For `available-update`: the updates each asset reports. */
  readonly availableUpdates?: readonly AvailableUpdate[];
}

export interface Patch {
  readonly assetId: string;
  readonly ecosystem: string;
  readonly packageName: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Sorted, without duplicates; the same for advisoryIds and cveIds. */
  readonly findingIds: string[];
  readonly advisoryIds: string[];
  readonly cveIds: string[];
  /** The earliest due date of the findings it closes. */
  readonly dueAt: string | null;
  /** The highest priority of the findings it closes. */
  readonly priority: FindingPriority | null;
  readonly kev: boolean;
  /** The available update's origin in `available-update` mode, else null. */
  readonly origin: string | null;
  readonly warnings: string[];
}

export interface UnpatchableFinding {
  readonly findingId: string;
  readonly assetId: string;
  readonly ecosystem: string;
  readonly packageName: string;
  readonly installedVersion: string;
  readonly reason: string;
}

export interface DerivedPatches {
  readonly patches: Patch[];
  readonly unpatchable: UnpatchableFinding[];
}

/** Code-point order: the same on every machine, unlike localeCompare. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

const highestPriority = (findings: readonly PatchFinding[]): FindingPriority | null => {
  const ranks = findings.flatMap((f) =>
    f.priority === null ? [] : [findingPriorities.indexOf(f.priority)],
  );
  return ranks.length === 0 ? null : (findingPriorities[Math.min(...ranks)] ?? null);
};

const earliest = (dates: readonly (string | null)[]): string | null =>
  dates.reduce<string | null>(
    (min, d) => (d !== null && (min === null || d < min) ? d : min),
    null,
  );

const key = (f: { assetId: string; ecosystem: string; packageName: string }) =>
  JSON.stringify([f.assetId, f.ecosystem, f.packageName]);

const commonPrefix = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/**
 * Whether `target` (above the finding's `fix`, below its next listed fix `next`) looks like it
 * belongs to `next`'s release line: it shares more leading characters with `next` than with
 * `fix` (7.0.0 with 7.5.2 rather than 6.3.1). Without the advisory's ranges this is a heuristic,
 * so it only raises a warning.
 */
const onLaterLine = (target: string, fix: string, next: string): boolean =>
  commonPrefix(target, next) > commonPrefix(target, fix);

type Outcome =
  | { readonly ok: true; readonly fix: string; readonly fixes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** The finding's lowest fixed version above the installed one, and all its valid fixes, sorted. */
function lowestApplicableFix(scheme: VersionScheme, finding: PatchFinding): Outcome {
  const installed = scheme.parse(finding.installedVersion);
  if (!installed.ok)
    return {
      ok: false,
      reason: `installed version ${finding.installedVersion} is not a valid ${scheme.displayName} version`,
    };
  const fixes = finding.fixedVersions
    .flatMap((v) => {
      const parsed = scheme.parse(v);
      return parsed.ok ? [{ text: v, parsed: parsed.value }] : [];
    })
    .sort((a, b) => scheme.compareParsed(a.parsed, b.parsed));
  if (fixes.length === 0)
    return {
      ok: false,
      reason:
        finding.fixedVersions.length === 0
          ? 'no fixed version is known'
          : `no valid ${scheme.displayName} version among the fixed versions ${finding.fixedVersions.join(', ')}`,
    };
  const fix = fixes.find((f) => scheme.compareParsed(f.parsed, installed.value) > 0);
  if (fix === undefined)
    return {
      ok: false,
      reason: `no fixed version above the installed ${finding.installedVersion} (fixed: ${fixes.map((f) => f.text).join(', ')})`,
    };
  return { ok: true, fix: fix.text, fixes: fixes.map((f) => f.text) };
}

export function derivePatches(
  findings: readonly PatchFinding[],
  options: DerivePatchesOptions = {},
): DerivedPatches {
  const mode = options.mode ?? 'lowest-fix';
  const updates = new Map((options.availableUpdates ?? []).map((u) => [key(u), u]));
  const groups = new Map<string, PatchFinding[]>();
  for (const f of findings) groups.set(key(f), [...(groups.get(key(f)) ?? []), f]);

  const patches: Patch[] = [];
  const unpatchable: UnpatchableFinding[] = [];
  const refuse = (f: PatchFinding, reason: string) =>
    unpatchable.push({
      findingId: f.findingId,
      assetId: f.assetId,
      ecosystem: f.ecosystem,
      packageName: f.packageName,
      installedVersion: f.installedVersion,
      reason,
    });

  for (const [groupKey, group] of groups) {
    const first = group[0] as PatchFinding;
    const scheme = schemeForEcosystem(first.ecosystem);
    if (scheme === undefined) {
      for (const f of group) refuse(f, `no version scheme orders the ecosystem ${f.ecosystem}`);
      continue;
    }
    const compare = (a: string, b: string): number => {
      const pa = scheme.parse(a);
      const pb = scheme.parse(b);
      return pa.ok && pb.ok ? scheme.compareParsed(pa.value, pb.value) : 0;
    };
    const fixable: { finding: PatchFinding; fix: string; fixes: readonly string[] }[] = [];
    for (const f of group) {
      const outcome = lowestApplicableFix(scheme, f);
      if (outcome.ok) fixable.push({ finding: f, fix: outcome.fix, fixes: outcome.fixes });
      else refuse(f, outcome.reason);
    }
    if (fixable.length === 0) continue;
    // Findings of one asset and package share the installed version; the first one speaks for it.
    const fromVersion = fixable[0]?.finding.installedVersion ?? first.installedVersion;
    const lowestFix = fixable.map((x) => x.fix).reduce((a, b) => (compare(a, b) >= 0 ? a : b));
    const warnings: string[] = [];
    let toVersion = lowestFix;
    let origin: string | null = null;
    let closing = fixable;
    if (mode === 'available-update') {
      const update = updates.get(groupKey);
      const parsed = update === undefined ? undefined : scheme.parse(update.version);
      if (update === undefined || parsed === undefined || !parsed.ok) {
        warnings.push(
          update === undefined
            ? 'no available update reported; the lowest fix closing every finding is used'
            : `the available update ${update.version} is not a valid ${scheme.displayName} version; the lowest fix closing every finding is used`,
        );
      } else if (compare(update.version, fromVersion) <= 0) {
        for (const x of fixable)
          refuse(
            x.finding,
            `the available update ${update.version} is not above the installed ${fromVersion}`,
          );
        continue;
      } else {
        toVersion = update.version;
        origin = update.origin ?? null;
        closing = fixable.filter((x) => compare(update.version, x.fix) >= 0);
        for (const x of fixable)
          if (!closing.includes(x))
            refuse(
              x.finding,
              `the available update ${update.version} does not reach the fix ${x.fix}`,
            );
        if (closing.length === 0) continue;
      }
    }
    for (const x of closing) {
      const next = x.fixes.find((v) => compare(v, toVersion) > 0);
      if (next !== undefined && onLaterLine(toVersion, x.fix, next))
        warnings.push(
          `${x.finding.findingId} lists fixes ${x.fixes.join(', ')}: ${toVersion} looks like the line of ${next} but is below it, and may still be affected`,
        );
    }
    const closed = closing.map((x) => x.finding);
    patches.push({
      assetId: first.assetId,
      ecosystem: first.ecosystem,
      packageName: first.packageName,
      fromVersion,
      toVersion,
      findingIds: sorted(closed.map((f) => f.findingId)),
      advisoryIds: sorted(closed.flatMap((f) => f.advisoryIds)),
      cveIds: sorted(closed.flatMap((f) => f.cveIds)),
      dueAt: earliest(closed.map((f) => f.dueAt)),
      priority: highestPriority(closed),
      kev: closed.some((f) => f.kev),
      origin,
      warnings,
    });
  }
  const order = (a: { assetId: string; packageName: string }, b: typeof a) =>
    byText(a.assetId, b.assetId) || byText(a.packageName, b.packageName);
  return {
    patches: patches.sort(order),
    unpatchable: unpatchable.sort((a, b) => order(a, b) || byText(a.findingId, b.findingId)),
  };
}
