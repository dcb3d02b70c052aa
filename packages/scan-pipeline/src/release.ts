/**
 * One way to settle an inventory's operating-system release, for the CLI and the server alike
 * (ADR 0019). Three sources, in this order of precedence:
 *
 * 1. `stated`: said for this inventory by the person who sent it (`--os`, `--os-release`, an
 *    upload's `os`). It wins over detection: the person knows the host.
 * 2. `detected`: what the inventory itself shows (os-release, an SBOM's operating-system
 *    component, a purl `distro=` qualifier, `+deb12u1` version suffixes).
 * 3. `declared`: the asset's standing `osRelease` on the server. It fills gaps only: a fresh
 *    inventory is newer evidence than a record typed when the asset was created.
 *
 * A disagreement between the winner and a loser is reported, never silent.
 */
import type { Inventory, OsRelease } from '@patchgate/inventory';
import { withRelease } from '@patchgate/inventory';

export interface ReleaseSources {
  readonly stated?: OsRelease;
  readonly declared?: OsRelease;
}

export interface SettledRelease {
  /** The release the packages are matched under; undefined when nothing names one. */
  readonly os: OsRelease | undefined;
  readonly from: 'stated' | 'detected' | 'declared' | 'none';
  /** A source that named another release and lost, said plainly. */
  readonly conflict?: string;
}

function label(os: OsRelease): string {
  return os.ecosystem ?? `${os.id}${os.versionId !== undefined ? ` ${os.versionId}` : ''}`;
}

function differs(a: OsRelease, b: OsRelease): boolean {
  return a.ecosystem !== undefined && b.ecosystem !== undefined && a.ecosystem !== b.ecosystem;
}

/** Which release an inventory is matched under, and why. */
export function settleOsRelease(
  detected: OsRelease | undefined,
  sources: ReleaseSources = {},
): SettledRelease {
  const { stated, declared } = sources;
  const known = detected?.ecosystem !== undefined ? detected : undefined;
  if (stated?.ecosystem !== undefined) {
    return {
      os: stated,
      from: 'stated',
      ...(known !== undefined &&
        differs(stated, known) && {
          conflict: `the inventory shows ${label(known)} (${known.evidence}); matched as ${label(stated)} (${stated.evidence})`,
        }),
    };
  }
  if (known !== undefined) {
    return {
      os: known,
      from: 'detected',
      ...(declared !== undefined &&
        differs(declared, known) && {
          conflict: `the asset's osRelease is ${label(declared)} but the inventory shows ${label(known)} (${known.evidence}); matched as ${label(known)}: update the asset's osRelease`,
        }),
    };
  }
  if (declared?.ecosystem !== undefined) return { os: declared, from: 'declared' };
  return { os: detected, from: 'none' };
}

/** The inventory with its settled release applied to its distribution packages. */
export function applyRelease(inventory: Inventory, settled: SettledRelease): Inventory {
  const { os } = settled;
  if (os?.ecosystem === undefined) return inventory;
  const packages = withRelease(inventory.packages, os, { override: settled.from === 'stated' });
  // An SBOM of npm packages is not "on" the operating system a flag names: leave it be.
  const distribution = packages.some((pkg, i) => pkg !== inventory.packages[i]);
  return distribution || inventory.os !== undefined ? { ...inventory, os, packages } : inventory;
}
