/**
 * Helpers shared by the distribution-package formats (dpkg-status, dpkg-query, rpm-qa,
 * apk-installed): learning the release from the packages themselves, and building
 * Package URLs.
 *
 * Distribution advisories are per release (`Debian:12`), so the release decides what an
 * inventory can be matched against. These functions never guess: when the packages do not
 * say, they return the distribution id only and the CLI asks the user for `--os`.
 *
 * purl types: https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst
 */
import { osvEcosystemBaseFor, osvEcosystemFor, ubuntuCodenames } from '../os-release.ts';
import type { InstalledPackage, OsRelease } from '../types.ts';
import { formatPurl } from '../purl.ts';

/** What the release detection needs of a package. */
export interface NamedVersion {
  readonly name: string;
  readonly version: string;
}

/** A release learned from the packages, and anything odd seen on the way. */
export interface ReleaseFinding {
  readonly os: OsRelease;
  readonly warnings: string[];
}

const knownUbuntuReleases = new Set(Object.values(ubuntuCodenames));

/**
 * Ubuntu base-files versions of the LTS releases (checked against real hosts:
 * 22.04 ships 12ubuntu4.x, 24.04 ships 13ubuntu10.x). Interim releases are left to the
 * version suffixes, which name the release outright (`0ubuntu0.22.04.1`, `~24.04.1`).
 */
const ubuntuBaseFiles: readonly (readonly [RegExp, string])[] = [
  [/^9\.4ubuntu4(\.|$)/, '16.04'],
  [/^10\.1ubuntu2(\.|$)/, '18.04'],
  [/^11ubuntu5(\.|$)/, '20.04'],
  [/^12ubuntu4(\.|$)/, '22.04'],
  [/^13ubuntu10(\.|$)/, '24.04'],
];

/**
 * The Debian release a version was built for, from the suffixes Debian's stable and
 * security updates carry: `+deb12u5`, `~deb12u1`, `+deb12`, and backports `~bpo12+1`.
 * https://www.debian.org/doc/manuals/developers-reference/pkgs.en.html#special-case-uploads
 */
export function debianReleaseFromVersion(version: string): string | undefined {
  const match = /[+~](?:deb(\d{1,2})(?:u\d+)?|bpo(\d{1,2})\+\d+)(?![\d])/.exec(version);
  return match?.[1] ?? match?.[2];
}

/**
 * The Ubuntu release a version was built for, when its Ubuntu revision names it:
 * `1ubuntu0.22.04.1` (security/SRU uploads), `0ubuntu1~24.04.1` (backported SRUs).
 * Only releases Ubuntu actually had are accepted.
 */
export function ubuntuReleaseFromVersion(version: string): string | undefined {
  const match = /ubuntu\d+(?:\.\d+)*?[.~](\d{2}\.\d{2})(?:\.\d+)*$/.exec(version);
  const release = match?.[1];
  return release !== undefined && knownUbuntuReleases.has(release) ? release : undefined;
}

/** The release base-files states: Debian's major is its first number; Ubuntu's by table. */
function releaseFromBaseFiles(
  version: string,
): { id: 'debian' | 'ubuntu'; versionId: string } | undefined {
  if (version.includes('ubuntu')) {
    const entry = ubuntuBaseFiles.find(([pattern]) => pattern.test(version));
    return entry ? { id: 'ubuntu', versionId: entry[1] } : undefined;
  }
  const match = /^(\d+)(?:\.\d+)?(?:[+~a-z]|$)/.exec(version);
  const major = match?.[1];
  if (major === undefined) return undefined;
  // Debian 3.0 to 5.0 kept a minor in their release number (base-files 5lenny…).
  return { id: 'debian', versionId: Number(major) < 6 ? `${major}.0` : major };
}

function topVote(votes: Map<string, number>): [string, number] | undefined {
  let best: [string, number] | undefined;
  for (const entry of votes) if (best === undefined || entry[1] > best[1]) best = entry;
  return best;
}

/**
 * The Debian or Ubuntu release of a dpkg inventory. Evidence, strongest first:
 * the installed `base-files` (its version IS the release), then the release named by
 * version suffixes when a majority of the packages carrying one agree. Ubuntu is told from
 * Debian by `ubuntu` in the versions (an Ubuntu host has hundreds of them).
 */
export function debianFamilyRelease(packages: readonly NamedVersion[]): ReleaseFinding {
  const warnings: string[] = [];
  const total = packages.length;
  const ubuntuCount = packages.filter((pkg) => pkg.version.includes('ubuntu')).length;
  const debianVotes = new Map<string, number>();
  const ubuntuVotes = new Map<string, number>();
  for (const pkg of packages) {
    const debian = debianReleaseFromVersion(pkg.version);
    if (debian !== undefined) debianVotes.set(debian, (debianVotes.get(debian) ?? 0) + 1);
    const ubuntu = ubuntuReleaseFromVersion(pkg.version);
    if (ubuntu !== undefined) ubuntuVotes.set(ubuntu, (ubuntuVotes.get(ubuntu) ?? 0) + 1);
  }
  const debianVoters = [...debianVotes.values()].reduce((a, b) => a + b, 0);
  const ubuntuVoters = [...ubuntuVotes.values()].reduce((a, b) => a + b, 0);

  const baseFiles = packages.find((pkg) => pkg.name === 'base-files');
  const fromBaseFiles = baseFiles ? releaseFromBaseFiles(baseFiles.version) : undefined;
  const id: 'debian' | 'ubuntu' =
    fromBaseFiles?.id ?? (ubuntuCount > debianVoters ? 'ubuntu' : 'debian');

  const votes = id === 'ubuntu' ? ubuntuVotes : debianVotes;
  const voters = id === 'ubuntu' ? ubuntuVoters : debianVoters;
  const top = topVote(votes);
  const suffixRelease = top !== undefined && top[1] * 2 > voters ? top[0] : undefined;
  const suffixEvidence =
    top === undefined
      ? undefined
      : id === 'ubuntu'
        ? `version suffix ubuntu…${top[0]}, ${top[1]} of ${total} packages`
        : `version suffix +deb${top[0]}u…, ${top[1]} of ${total} packages`;

  let versionId: string | undefined;
  let evidence: string;
  if (fromBaseFiles !== undefined && baseFiles !== undefined) {
    versionId = fromBaseFiles.versionId;
    evidence = `base-files ${baseFiles.version}`;
    if (suffixRelease === versionId && suffixEvidence !== undefined)
      evidence += `; ${suffixEvidence}`;
    if (suffixRelease !== undefined && suffixRelease !== versionId) {
      warnings.push(
        `base-files ${baseFiles.version} says ${id} ${versionId} but most release suffixes say ${suffixRelease} (${suffixEvidence ?? ''}); using base-files`,
      );
    }
  } else if (suffixRelease !== undefined && suffixEvidence !== undefined) {
    versionId = suffixRelease;
    evidence = suffixEvidence;
  } else {
    evidence =
      id === 'ubuntu'
        ? `ubuntu in ${ubuntuCount} of ${total} package versions; release not stated (pass --os)`
        : `dpkg database; release not stated by base-files or version suffixes (pass --os)`;
  }
  const ecosystem = versionId === undefined ? undefined : osvEcosystemFor(id, versionId);
  return {
    os: {
      id,
      ...(versionId !== undefined && { versionId }),
      ...(ecosystem !== undefined && { ecosystem }),
      evidence,
    },
    warnings,
  };
}

/** RPM release-package names → os-release ID (the package's version is the release). */
const rpmReleasePackages: readonly (readonly [RegExp, string])[] = [
  [/^almalinux-release$/, 'almalinux'],
  [/^rocky-release$/, 'rocky'],
  [/^redhat-release(-server|-workstation|-client|-computenode)?$/, 'rhel'],
  [/^centos-(stream-)?release$/, 'centos'],
  [/^fedora-release(-common)?$/, 'fedora'],
  [/^mageia-release-common$/, 'mageia'],
  [/^photon-release$/, 'photon'],
  [/^openSUSE-release$/, 'opensuse-leap'],
  [/^sles-release$/, 'sles'],
];

/** Dist tags in RPM releases (`7.el8_6`, `1.fc39`, `2.mga9`, `3.ph5`) → distribution id. */
const distTags: Readonly<Record<string, string>> = {
  el: 'el',
  fc: 'fedora',
  mga: 'mageia',
  ph: 'photon',
};

/** The dist tag of an RPM release field: `7.el8_6` → `{ tag: 'el', major: '8' }`. */
export function rpmDistTag(release: string): { tag: string; major: string } | undefined {
  const match = /(?:^|\.)(el|fc|mga|ph)(\d+)(?=$|[._+])/.exec(release);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { tag: match[1], major: match[2] }
    : undefined;
}

/** What the RPM release detection needs of a package. */
export interface RpmNamedRelease extends NamedVersion {
  /** The RPM Release field (`7.el8_6`). */
  readonly release: string;
}

/**
 * The RPM distribution and release. The vendor comes only from its release package
 * (`almalinux-release`, `rocky-release`, `redhat-release`…): RHEL, AlmaLinux, Rocky,
 * CentOS and Oracle Linux all build with `.el9`, so the dist tag gives the major release
 * but never the vendor. Without a release package, `os.id` is `el` (enterprise Linux,
 * vendor unknown), there is no ecosystem, and the CLI asks for `--os`.
 */
export function rpmRelease(packages: readonly RpmNamedRelease[]): ReleaseFinding {
  const warnings: string[] = [];
  const total = packages.length;
  const votes = new Map<string, number>();
  for (const pkg of packages) {
    const tag = rpmDistTag(pkg.release);
    if (tag !== undefined)
      votes.set(`${tag.tag}${tag.major}`, (votes.get(`${tag.tag}${tag.major}`) ?? 0) + 1);
  }
  const voters = [...votes.values()].reduce((a, b) => a + b, 0);
  const top = topVote(votes);
  const majority = top !== undefined && top[1] * 2 > voters ? top : undefined;
  const tagEvidence = majority
    ? `dist tag .${majority[0]}, ${majority[1]} of ${total} packages`
    : undefined;
  const tagMatch = majority ? /^([a-z]+)(\d+)$/.exec(majority[0]) : undefined;
  const tagId = tagMatch?.[1] !== undefined ? distTags[tagMatch[1]] : undefined;
  const tagMajor = tagMatch?.[2];

  for (const pkg of packages) {
    const entry = rpmReleasePackages.find(([pattern]) => pattern.test(pkg.name));
    if (entry === undefined) continue;
    const id = entry[1];
    // fedora-release's version is the release (39); the EL ones are 9.4 etc.
    const versionId = pkg.version;
    const ecosystem = osvEcosystemFor(id, versionId);
    const evidence = `${pkg.name} ${pkg.version}-${pkg.release}${tagEvidence ? `; ${tagEvidence}` : ''}`;
    return {
      os: { id, versionId, ...(ecosystem !== undefined && { ecosystem }), evidence },
      warnings,
    };
  }
  if (tagId !== undefined && tagMajor !== undefined && tagEvidence !== undefined) {
    const ecosystem = tagId === 'el' ? undefined : osvEcosystemFor(tagId, tagMajor);
    const vendorNote =
      tagId === 'el'
        ? '; vendor unknown (RHEL, AlmaLinux, Rocky, CentOS and Oracle Linux all use it): pass --os'
        : '';
    return {
      os: {
        id: tagId,
        versionId: tagMajor,
        ...(ecosystem !== undefined && { ecosystem }),
        evidence: `${tagEvidence}${vendorNote}`,
      },
      warnings,
    };
  }
  return {
    os: {
      id: 'el',
      evidence: 'rpm package list; no release package and no common dist tag (pass --os)',
    },
    warnings,
  };
}

/**
 * The bare OSV ecosystem for an RPM inventory's packages. An unknown enterprise-Linux
 * vendor (`el`) gets `Red Hat`, the upstream all `.el` rebuilds follow; once the user names
 * the distribution the CLI rewrites it (see readme: "Unknown RPM vendor").
 */
export function rpmEcosystemBase(os: OsRelease): string {
  return osvEcosystemBaseFor(os.id) ?? 'Red Hat';
}

/** The Alpine release from the `alpine-release` package (`3.20.3-r0` → 3.20.3). */
export function alpineRelease(packages: readonly NamedVersion[]): ReleaseFinding {
  const pkg = packages.find((candidate) => candidate.name === 'alpine-release');
  const versionId = pkg ? /^(\d+\.\d+(?:\.\d+)?)/.exec(pkg.version)?.[1] : undefined;
  if (pkg === undefined || versionId === undefined) {
    return {
      os: { id: 'alpine', evidence: 'apk database; no alpine-release package (pass --os)' },
      warnings: [],
    };
  }
  const ecosystem = osvEcosystemFor('alpine', versionId);
  return {
    os: {
      id: 'alpine',
      versionId,
      ...(ecosystem !== undefined && { ecosystem }),
      evidence: `alpine-release ${pkg.version}`,
    },
    warnings: [],
  };
}

/** The `distro` purl qualifier for a known release: `debian-12`, `almalinux-9.4`. */
export function purlDistro(os: OsRelease | undefined): string | undefined {
  // `el` is "enterprise Linux, vendor unknown": no distro a purl consumer would know.
  return os?.versionId === undefined || os.id === 'el' ? undefined : `${os.id}-${os.versionId}`;
}

/** The purl of a distribution package; qualifiers without a value are left out. */
export function buildPurl(
  type: 'deb' | 'rpm' | 'apk',
  namespace: string | undefined,
  name: string,
  version: string,
  qualifiers: Readonly<Record<string, string | undefined>> = {},
): string {
  const present = Object.entries(qualifiers).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
  );
  return formatPurl({
    type,
    ...(namespace !== undefined && { namespace }),
    name,
    version,
    qualifiers: Object.fromEntries(present),
  });
}

/** A Debian-family package as read, before the release is known. */
export interface DebianPackageRecord {
  readonly name: string;
  readonly version: string;
  readonly arch?: string;
  /**
   * Source package name: from `Source:` or `${source:Package}`, the binary's own name when
   * the database has no `Source:` (Policy §5.6.1). Undefined when the input cannot say.
   */
  readonly sourceName?: string;
  /** Source version when the database states one. */
  readonly sourceVersion?: string;
  readonly location?: string;
}

/**
 * Turn dpkg records into installed packages: learn the release, set the OSV ecosystem
 * (`Debian:12`, or bare `Debian` when unknown) and the purl (`pkg:deb/debian/…`).
 */
export function debianFamilyPackages(records: readonly DebianPackageRecord[]): {
  os: OsRelease;
  packages: InstalledPackage[];
  warnings: string[];
} {
  const { os, warnings } = debianFamilyRelease(records);
  const ecosystem = os.ecosystem ?? (os.id === 'ubuntu' ? 'Ubuntu' : 'Debian');
  const distro = purlDistro(os);
  const packages = records.map((record): InstalledPackage => {
    const pkg: InstalledPackage = {
      ecosystem,
      name: record.name,
      version: record.version,
      ...(record.sourceName !== undefined && { sourceName: record.sourceName }),
      purl: buildPurl('deb', os.id, record.name.toLowerCase(), record.version, {
        arch: record.arch,
        distro,
      }),
    };
    if (record.sourceVersion !== undefined && record.sourceVersion !== record.version) {
      pkg.sourceVersion = record.sourceVersion;
    }
    if (record.arch !== undefined) pkg.arch = record.arch;
    if (record.location !== undefined) pkg.location = record.location;
    return pkg;
  });
  return { os, packages, warnings };
}

/**
 * dpkg's `Status` field is `want flag state` (dpkg-query(1), "Package states").
 * The package's files are on disk in every state but `not-installed` and `config-files`
 * (only conffiles left): those are the ones an advisory can affect.
 */
export const dpkgStatesWithFiles = [
  'installed',
  'triggers-pending',
  'triggers-awaited',
  'half-configured',
  'unpacked',
  'half-installed',
] as const;

/** Whether a dpkg status says the package's files are installed; unusual states are reported. */
export function dpkgStatusVerdict(
  status: string,
): 'installed' | 'partly-installed' | 'absent' | 'malformed' {
  const words = status.trim().split(/\s+/);
  const state = words[2];
  if (words.length !== 3 || state === undefined) return 'malformed';
  if (state === 'installed') return 'installed';
  if ((dpkgStatesWithFiles as readonly string[]).includes(state)) return 'partly-installed';
  if (state === 'not-installed' || state === 'config-files') return 'absent';
  return 'malformed';
}
