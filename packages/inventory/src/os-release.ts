/**
 * Operating-system release → OSV ecosystem. Distribution advisories are per release
 * (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `AlmaLinux:9`), so an inventory of
 * distribution packages is only matchable once its release is known.
 *
 * os-release format: https://www.freedesktop.org/software/systemd/man/latest/os-release.html
 * OSV ecosystem names: https://ossf.github.io/osv-schema/#affectedpackage-field
 */
import { samePackageFamily } from '@patchgate/versioning';
import type { OsRelease } from './types.ts';

/** Read an os-release file (KEY=value lines, values optionally quoted). */
export function parseOsReleaseFile(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    }
    fields[line.slice(0, eq)] = value;
  }
  return fields;
}

/** Debian codenames → major release (https://www.debian.org/releases/). */
export const debianCodenames: Readonly<Record<string, string>> = {
  woody: '3.0',
  sarge: '3.1',
  etch: '4.0',
  lenny: '5.0',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

/** Ubuntu codenames → release (https://wiki.ubuntu.com/Releases). */
export const ubuntuCodenames: Readonly<Record<string, string>> = {
  trusty: '14.04',
  xenial: '16.04',
  bionic: '18.04',
  focal: '20.04',
  jammy: '22.04',
  kinetic: '22.10',
  lunar: '23.04',
  mantic: '23.10',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
};

/** Ubuntu LTS releases are the April releases of even years. */
function ubuntuEcosystem(version: string): string {
  const match = /^(\d{2})\.(\d{2})/.exec(version);
  if (!match) return `Ubuntu:${version}`;
  const [, year, month] = match as unknown as [string, string, string];
  const lts = Number(year) % 2 === 0 && month === '04';
  return `Ubuntu:${year}.${month}${lts ? ':LTS' : ''}`;
}

/**
 * The OSV ecosystem for an os-release ID and VERSION_ID (or a codename), or undefined when
 * the distribution or its release is not one OSV publishes per-release data for.
 */
export function osvEcosystemFor(
  id: string,
  versionOrCodename: string | undefined,
): string | undefined {
  const distro = id.toLowerCase();
  const raw = (versionOrCodename ?? '').trim().toLowerCase();
  if (raw === '') return undefined;
  switch (distro) {
    case 'debian': {
      const version = debianCodenames[raw] ?? raw;
      const major = /^(\d+)(\.\d+)?/.exec(version);
      if (!major) return undefined;
      // Debian 3.0/3.1/4.0/5.0 keep their minor in OSV; from 6 on the major alone.
      return Number(major[1]) < 6 ? `Debian:${major[0]}` : `Debian:${major[1]}`;
    }
    case 'ubuntu':
      return ubuntuEcosystem(ubuntuCodenames[raw] ?? raw);
    case 'alpine': {
      const match = /^v?(\d+)\.(\d+)/.exec(raw);
      return match ? `Alpine:v${match[1]}.${match[2]}` : undefined;
    }
    case 'almalinux':
    case 'rocky':
    case 'rocky linux': {
      const major = /^(\d+)/.exec(raw)?.[1];
      if (major === undefined) return undefined;
      return distro === 'almalinux' ? `AlmaLinux:${major}` : `Rocky Linux:${major}`;
    }
    case 'mageia': {
      const major = /^(\d+)/.exec(raw)?.[1];
      return major === undefined ? undefined : `Mageia:${major}`;
    }
    case 'photon': {
      const match = /^(\d+\.\d+)/.exec(raw);
      return match ? `Photon OS:${match[1]}` : undefined;
    }
    case 'opensuse-leap': {
      const match = /^(\d+\.\d+)/.exec(raw);
      return match ? `openSUSE:Leap ${match[1]}` : undefined;
    }
    case 'sles': {
      const match = /^(\d+)(?:\.(\d+))?/.exec(raw);
      if (!match) return undefined;
      const sp = match[2] !== undefined && match[2] !== '0' ? ` SP${match[2]}` : '';
      return `SUSE:Linux Enterprise Server ${match[1]}${sp}`;
    }
    default:
      return undefined;
  }
}

/** The OSV ecosystem base for a distribution id, even when its release is unknown. */
export function osvEcosystemBaseFor(id: string): string | undefined {
  const bases: Record<string, string> = {
    debian: 'Debian',
    ubuntu: 'Ubuntu',
    alpine: 'Alpine',
    almalinux: 'AlmaLinux',
    rocky: 'Rocky Linux',
    rhel: 'Red Hat',
    centos: 'Red Hat',
    fedora: 'Red Hat',
    mageia: 'Mageia',
    photon: 'Photon OS',
    'opensuse-leap': 'openSUSE',
    opensuse: 'openSUSE',
    sles: 'SUSE',
    wolfi: 'Wolfi',
    chainguard: 'Chainguard',
  };
  return bases[id.toLowerCase()];
}

/** An OsRelease from an os-release file's text. */
export function osReleaseFromFile(text: string): OsRelease | undefined {
  const fields = parseOsReleaseFile(text);
  const id = fields['ID'];
  if (id === undefined) return undefined;
  const versionId = fields['VERSION_ID'] ?? fields['VERSION_CODENAME'];
  const ecosystem = osvEcosystemFor(id, versionId);
  return {
    id,
    ...(versionId !== undefined && { versionId }),
    ...(ecosystem !== undefined && { ecosystem }),
    evidence: 'os-release',
  };
}

/**
 * Parse a user's `--os` value: `debian:12`, `ubuntu:22.04`, `alpine:3.20`, `almalinux:9`,
 * or a full OSV ecosystem (`Debian:12`, `Ubuntu:22.04:LTS`).
 */
export function osReleaseFromFlag(value: string): OsRelease | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const id = value.slice(0, colon).toLowerCase().replace(/ /g, '');
  const version = value.slice(colon + 1).replace(/:LTS$/i, '');
  const normalisedId = id === 'rockylinux' ? 'rocky' : id;
  const ecosystem = osvEcosystemFor(normalisedId, version);
  if (ecosystem === undefined) return undefined;
  return { id: normalisedId, versionId: version, ecosystem, evidence: `--os ${value}` };
}

/**
 * Give distribution packages whose release is unknown (a bare ecosystem such as `Debian`, or
 * `Red Hat` for an rpm list whose vendor could not be told) the release now known
 * (`Debian:12`, `AlmaLinux:9`). Only packages of the same package family are rewritten; npm,
 * PyPI and the other language ecosystems are untouched. A package that already carries a
 * release keeps it unless `override` is set (the user's `--os` wins over detection).
 */
export function withRelease<T extends { ecosystem: string }>(
  packages: readonly T[],
  os: OsRelease,
  options: { override?: boolean } = {},
): T[] {
  const ecosystem = os.ecosystem;
  if (ecosystem === undefined) return [...packages];
  return packages.map((pkg) =>
    (options.override === true || !pkg.ecosystem.includes(':')) &&
    samePackageFamily(ecosystem, pkg.ecosystem)
      ? { ...pkg, ecosystem }
      : pkg,
  );
}
