/**
 * The difference between two snapshots' packages. Packages are compared by ecosystem, name and
 * arch; a version change is ordered with the ecosystem's version scheme (@patchgate/versioning)
 * so that a diff says `upgraded` or `downgraded`, not merely "different". Pure.
 */
import { compareVersions, schemeForEcosystem, stripEpoch } from '@patchgate/versioning';
import type { ChangeDirection, Package, PackageChange } from './schema.ts';

export interface PackageDiff {
  readonly added: Package[];
  readonly removed: Package[];
  readonly changed: PackageChange[];
}

function keyOf(pkg: Package): string {
  return JSON.stringify([pkg.ecosystem, pkg.name, pkg.arch ?? null]);
}

function group(packages: readonly Package[]): Map<string, Package[]> {
  const groups = new Map<string, Package[]>();
  for (const pkg of packages) {
    const key = keyOf(pkg);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [pkg]);
    else list.push(pkg);
  }
  return groups;
}

/** How `to` relates to `from` under the ecosystem's scheme; never throws. */
export function changeDirection(
  ecosystem: string,
  from: string,
  to: string,
  epochUnknown = false,
): ChangeDirection {
  const scheme = schemeForEcosystem(ecosystem);
  if (scheme === undefined) return 'unknown';
  // An rpm list without epochs cannot be ordered by epoch (docs/adr/0003-unknown-rpm-epoch.md).
  const [a, b] = epochUnknown ? [stripEpoch(from), stripEpoch(to)] : [from, to];
  try {
    const order = compareVersions(scheme, a, b);
    return order < 0 ? 'upgraded' : order > 0 ? 'downgraded' : 'equivalent';
  } catch {
    return 'unknown';
  }
}

/** Code-point order: the same on every machine, unlike localeCompare. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byIdentity(a: Package, b: Package): number {
  return (
    cmp(a.ecosystem, b.ecosystem) ||
    cmp(a.name, b.name) ||
    cmp(a.arch ?? '', b.arch ?? '') ||
    cmp(a.version, b.version)
  );
}

/**
 * One package per key on both sides and another version: `changed`. When a key holds several
 * versions (a lockfile with two copies of a library), versions only in `from` are `removed`
 * and versions only in `to` are `added`: there is no telling which replaced which.
 */
export function diffPackages(from: readonly Package[], to: readonly Package[]): PackageDiff {
  const before = group(from);
  const after = group(to);
  const added: Package[] = [];
  const removed: Package[] = [];
  const changed: PackageChange[] = [];
  for (const [key, olds] of before) {
    const news = after.get(key);
    if (news === undefined) {
      removed.push(...olds);
      continue;
    }
    const [old] = olds;
    const [now] = news;
    if (olds.length === 1 && news.length === 1 && old !== undefined && now !== undefined) {
      if (old.version !== now.version) {
        changed.push({
          ecosystem: now.ecosystem,
          name: now.name,
          ...(now.arch !== undefined && { arch: now.arch }),
          from: old.version,
          to: now.version,
          direction: changeDirection(
            now.ecosystem,
            old.version,
            now.version,
            old.epochUnknown === true || now.epochUnknown === true,
          ),
        });
      }
      continue;
    }
    const oldVersions = new Set(olds.map((p) => p.version));
    const newVersions = new Set(news.map((p) => p.version));
    removed.push(...olds.filter((p) => !newVersions.has(p.version)));
    added.push(...news.filter((p) => !oldVersions.has(p.version)));
  }
  for (const [key, news] of after) if (!before.has(key)) added.push(...news);
  added.sort(byIdentity);
  removed.sort(byIdentity);
  changed.sort(
    (a, b) =>
      cmp(a.ecosystem, b.ecosystem) || cmp(a.name, b.name) || cmp(a.arch ?? '', b.arch ?? ''),
  );
  return { added, removed, changed };
}
