/**
 * SPDX document → Inventory, shared by the JSON (2.2/2.3 and 3.0 JSON-LD) and tag-value readers.
 *
 * SPDX 2.3 packages: https://spdx.github.io/spdx-spec/v2.3/package-information/
 * External references (purl): https://spdx.github.io/spdx-spec/v2.3/external-repository-identifiers/
 * SPDX 3.0 software_Package: https://spdx.github.io/spdx-spec/v3.0.1/model/Software/Classes/Package/
 */
import {
  installedFromPurl,
  osReleaseFromSbom,
  settleDistroRelease,
  SkipTally,
} from '../../purl.ts';
import type { InstalledPackage, InventoryResult, OsRelease } from '../../types.ts';

export interface SpdxPackage {
  readonly id?: string;
  readonly name?: string;
  readonly version?: string;
  /** Package URLs from `externalRefs` (2.x) or `software_packageUrl` (3.0). */
  readonly purls: readonly string[];
  /** `primaryPackagePurpose` (2.3) or `software_primaryPurpose` (3.0), as written. */
  readonly purpose?: string;
}

/** SPDX 2.2 spells the category `PACKAGE_MANAGER`, 2.3 `PACKAGE-MANAGER`: accept both. */
export function isPurlRef(category: string | undefined, type: string | undefined): boolean {
  return (category ?? '').toUpperCase().replace('_', '-') === 'PACKAGE-MANAGER' && type === 'purl';
}

/**
 * The operating system a package describes: SPDX 2.3 `OPERATING-SYSTEM` purpose, SPDX 3.0
 * `operatingSystem`, or Trivy's 2.2 convention of an `SPDXRef-OperatingSystem-…` id.
 */
function isOperatingSystem(pkg: SpdxPackage): boolean {
  const purpose = (pkg.purpose ?? '').toLowerCase().replace(/[-_]/g, '');
  return purpose === 'operatingsystem' || (pkg.id ?? '').startsWith('SPDXRef-OperatingSystem');
}

export function spdxToInventory(
  packages: readonly SpdxPackage[],
  format: string,
  source: string,
): InventoryResult {
  const warnings: string[] = [];
  const skipped = new SkipTally();
  const found: InstalledPackage[] = [];
  const purlReleases: OsRelease[] = [];
  let declared: OsRelease | undefined;
  let withoutPurl = 0;

  for (const pkg of packages) {
    if (isOperatingSystem(pkg) && pkg.purls.length === 0) {
      if (declared === undefined && pkg.name !== undefined && pkg.name !== '') {
        declared = osReleaseFromSbom(pkg.name, pkg.version, 'SPDX operating-system package');
      }
      continue;
    }
    const [purl] = pkg.purls;
    if (purl === undefined) {
      // Not guessed: an SPDX package name alone does not say which ecosystem it belongs to.
      withoutPurl += 1;
      continue;
    }
    // SPDX `versionInfo` is only a fallback: Trivy writes `4.2.46` there for the rpm whose purl
    // says `4.2.46-31.el7`, and the purl is what advisories are matched against.
    const version = pkg.version === 'NOASSERTION' ? undefined : pkg.version;
    const result = installedFromPurl(purl, version);
    if (!result.ok) {
      skipped.add(result.error.replace(/ for .*$/, ''), purl);
      continue;
    }
    if (result.distroRelease !== undefined) purlReleases.push(result.distroRelease);
    found.push(result.package);
  }

  if (withoutPurl > 0) {
    warnings.push(
      `${withoutPurl} of ${packages.length} packages have no purl external reference and were not read (a name alone does not say which ecosystem)`,
    );
  }
  if (packages.length === 0) warnings.push('the document lists no packages');
  const settled = settleDistroRelease(found, purlReleases, declared);
  return {
    ok: true,
    inventory: {
      format,
      source,
      ...(settled.os !== undefined && { os: settled.os }),
      packages: settled.packages,
      warnings: [...warnings, ...skipped.warnings(), ...settled.warnings],
    },
  };
}
