/**
 * Package URLs (purl): parsing, building, and mapping to the OSV ecosystem and package name
 * that advisories use.
 *
 * Spec: https://github.com/package-url/purl-spec/blob/master/PURL-SPECIFICATION.rst
 * Types: https://github.com/package-url/purl-spec/blob/master/PURL-TYPES.rst
 * OSV ecosystems: https://ossf.github.io/osv-schema/#affectedpackage-field
 */
import { osvEcosystemBaseFor, osvEcosystemFor } from './os-release.ts';
import type { InstalledPackage, OsRelease } from './types.ts';

/** The seven purl components, decoded. `qualifiers` keys are lower-case and sorted. */
export interface PackageUrl {
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath?: string;
}

export type PurlParseResult = { ok: true; purl: PackageUrl } | { ok: false; error: string };

/** What a purl says about an installed package, named the way advisories name it. */
export interface PurlPackage {
  /** OSV ecosystem; distribution packages carry the release when the purl states it. */
  readonly ecosystem: string;
  readonly name: string;
  readonly version?: string;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
  readonly arch?: string;
  /** The distribution release named by a `distro=` qualifier. */
  readonly distroRelease?: OsRelease;
}

export type PurlPackageResult = { ok: true; package: PurlPackage } | { ok: false; error: string };

function decode(
  part: string,
  what: string,
): { ok: true; value: string } | { ok: false; error: string } {
  try {
    return { ok: true, value: decodeURIComponent(part) };
  } catch {
    return { ok: false, error: `invalid percent-encoding in ${what} "${part}"` };
  }
}

/** Types whose namespace and/or name are case-insensitive and must be lower-cased (PURL-TYPES). */
const lowerCaseNamespace = new Set([
  'alpm',
  'apk',
  'bitbucket',
  'composer',
  'deb',
  'github',
  'hex',
  'rpm',
]);
const lowerCaseName = new Set([
  'alpm',
  'apk',
  'bitbucket',
  'composer',
  'deb',
  'github',
  'hex',
  'npm',
  'pub',
  'pypi',
]);

/**
 * Parse a purl following the spec's "How to parse a purl string" steps, right to left:
 * `#subpath`, `?qualifiers`, `pkg:` scheme, `type/`, `@version`, `/name`, then namespace.
 */
export function parsePurl(input: string): PurlParseResult {
  let rest = input.trim();
  if (rest === '') return { ok: false, error: 'empty purl' };

  // Subpath: segments split on '/', empty, '.' and '..' discarded, each percent-decoded.
  let subpath: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash !== -1) {
    const segments: string[] = [];
    for (const raw of rest.slice(hash + 1).split('/')) {
      if (raw === '' || raw === '.' || raw === '..') continue;
      const decoded = decode(raw, 'subpath');
      if (!decoded.ok) return decoded;
      segments.push(decoded.value);
    }
    if (segments.length > 0) subpath = segments.join('/');
    rest = rest.slice(0, hash);
  }

  // Qualifiers: key=value pairs split on '&'; keys lower-cased; empty values discarded.
  const qualifiers: Record<string, string> = {};
  const question = rest.lastIndexOf('?');
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq === -1) return { ok: false, error: `qualifier "${pair}" has no "="` };
      const key = pair.slice(0, eq).toLowerCase();
      if (!/^[a-z.\-_][a-z0-9.\-_]*$/.test(key))
        return { ok: false, error: `invalid qualifier key "${key}"` };
      const value = decode(pair.slice(eq + 1), `qualifier ${key}`);
      if (!value.ok) return value;
      if (value.value === '') continue;
      if (key in qualifiers) return { ok: false, error: `duplicate qualifier "${key}"` };
      qualifiers[key] = value.value;
    }
    rest = rest.slice(0, question);
  }

  const colon = rest.indexOf(':');
  if (colon === -1 || rest.slice(0, colon).toLowerCase() !== 'pkg') {
    return { ok: false, error: `"${input}" does not start with the "pkg:" scheme` };
  }
  // "pkg:/" and "pkg://" are tolerated: slashes after the scheme are not significant.
  rest = rest.slice(colon + 1).replace(/^\/+/, '');

  const slash = rest.indexOf('/');
  if (slash === -1) return { ok: false, error: `"${input}" has no type` };
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type))
    return { ok: false, error: `invalid purl type "${type}"` };
  rest = rest.slice(slash + 1).replace(/\/+$/, '');

  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const decoded = decode(rest.slice(at + 1), 'version');
    if (!decoded.ok) return decoded;
    if (decoded.value !== '') version = decoded.value;
    rest = rest.slice(0, at);
  }

  const nameSlash = rest.lastIndexOf('/');
  const decodedName = decode(rest.slice(nameSlash + 1), 'name');
  if (!decodedName.ok) return decodedName;
  let name = decodedName.value;
  if (name === '') return { ok: false, error: `"${input}" has no name` };

  let namespace: string | undefined;
  if (nameSlash !== -1) {
    const segments: string[] = [];
    for (const raw of rest.slice(0, nameSlash).split('/')) {
      if (raw === '') continue;
      const decoded = decode(raw, 'namespace');
      if (!decoded.ok) return decoded;
      segments.push(decoded.value);
    }
    if (segments.length > 0) namespace = segments.join('/');
  }

  // Type-specific normalisation (PURL-TYPES.rst).
  if (namespace !== undefined && lowerCaseNamespace.has(type)) namespace = namespace.toLowerCase();
  if (lowerCaseName.has(type)) name = name.toLowerCase();
  if (type === 'pypi') name = name.replace(/_/g, '-');
  // Type-specific requirements the spec's test suite checks.
  if (type === 'swift' && (namespace === undefined || version === undefined)) {
    return { ok: false, error: `swift purl "${input}" needs a namespace and a version` };
  }
  if (type === 'cran' && version === undefined)
    return { ok: false, error: `cran purl "${input}" needs a version` };

  const sortedQualifiers: Record<string, string> = {};
  for (const key of Object.keys(qualifiers).sort())
    sortedQualifiers[key] = qualifiers[key] as string;

  return {
    ok: true,
    purl: {
      type,
      ...(namespace !== undefined && { namespace }),
      name,
      ...(version !== undefined && { version }),
      qualifiers: sortedQualifiers,
      ...(subpath !== undefined && { subpath }),
    },
  };
}

/** A UTF-16 surrogate without its pair: not a character, and `encodeURIComponent` throws on it. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `encodeURIComponent` that never throws: a lone surrogate is encoded as U+FFFD. */
export const encodeUriPart = (part: string): string =>
  encodeURIComponent(part.replace(loneSurrogate, '\uFFFD'));

/**
 * Percent-encode everything but unreserved characters and ':' (which the spec leaves as is).
 * A lone surrogate (found by fuzzing: text decoded from damaged input) becomes U+FFFD.
 */
function encode(part: string): string {
  return encodeUriPart(part)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%3A/g, ':');
}

/** The canonical string of a purl: lower-case type, encoded parts, qualifiers sorted by key. */
export function formatPurl(purl: PackageUrl): string {
  let out = `pkg:${purl.type.toLowerCase()}/`;
  if (purl.namespace !== undefined && purl.namespace !== '') {
    out += `${purl.namespace
      .split('/')
      .filter((s) => s !== '')
      .map(encode)
      .join('/')}/`;
  }
  out += encode(purl.name);
  if (purl.version !== undefined && purl.version !== '') out += `@${encode(purl.version)}`;
  const keys = Object.keys(purl.qualifiers)
    .filter((key) => purl.qualifiers[key] !== '')
    .sort();
  if (keys.length > 0)
    out += `?${keys.map((key) => `${key.toLowerCase()}=${encode(purl.qualifiers[key] ?? '')}`).join('&')}`;
  if (purl.subpath !== undefined && purl.subpath !== '') {
    out += `#${purl.subpath
      .split('/')
      .filter((s) => s !== '' && s !== '.' && s !== '..')
      .map(encode)
      .join('/')}`;
  }
  return out;
}

/** Language ecosystems: purl type → OSV ecosystem, and how the advisory name is built. */
const languageTypes: Readonly<Record<string, { ecosystem: string; join: '/' | ':' | 'name' }>> = {
  npm: { ecosystem: 'npm', join: '/' },
  pypi: { ecosystem: 'PyPI', join: 'name' },
  maven: { ecosystem: 'Maven', join: ':' },
  golang: { ecosystem: 'Go', join: '/' },
  cargo: { ecosystem: 'crates.io', join: 'name' },
  gem: { ecosystem: 'RubyGems', join: 'name' },
  nuget: { ecosystem: 'NuGet', join: 'name' },
  composer: { ecosystem: 'Packagist', join: '/' },
  hex: { ecosystem: 'Hex', join: 'name' },
  pub: { ecosystem: 'Pub', join: 'name' },
  swift: { ecosystem: 'SwiftURL', join: '/' },
};

/** purl namespaces (vendors) of distribution types → os-release ids. */
const distroVendors: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  deb: { debian: 'debian', ubuntu: 'ubuntu' },
  rpm: {
    redhat: 'rhel',
    rhel: 'rhel',
    centos: 'centos',
    fedora: 'fedora',
    almalinux: 'almalinux',
    rocky: 'rocky',
    'rocky-linux': 'rocky',
    opensuse: 'opensuse-leap',
    suse: 'sles',
    sles: 'sles',
    mageia: 'mageia',
    photon: 'photon',
  },
  apk: { alpine: 'alpine', wolfi: 'wolfi', chainguard: 'chainguard' },
};

/**
 * The other direction, the one table's inverse: the purl of a package named by its OSV
 * ecosystem (`Go` → `golang`, `Maven` `g:a` → namespace `g`, name `a`; `Debian:12` →
 * `deb`/`debian`). `undefined` for ecosystems without a purl type.
 */
export function purlTypeForEcosystem(
  ecosystem: string,
): { type: string; namespace?: string; split: '/' | ':' | 'none' } | undefined {
  const colon = ecosystem.indexOf(':');
  const base = colon === -1 ? ecosystem : ecosystem.slice(0, colon);
  for (const [type, language] of Object.entries(languageTypes)) {
    if (language.ecosystem.toLowerCase() === base.toLowerCase())
      return { type, split: language.join === 'name' ? 'none' : language.join };
  }
  const distribution = distributionPurls[base.toLowerCase()];
  return distribution === undefined ? undefined : { ...distribution, split: 'none' };
}

/** OSV distribution ecosystems → purl type and the vendor namespace purls use for them. */
const distributionPurls: Readonly<Record<string, { type: string; namespace: string }>> = {
  debian: { type: 'deb', namespace: 'debian' },
  ubuntu: { type: 'deb', namespace: 'ubuntu' },
  alpine: { type: 'apk', namespace: 'alpine' },
  wolfi: { type: 'apk', namespace: 'wolfi' },
  chainguard: { type: 'apk', namespace: 'chainguard' },
  almalinux: { type: 'rpm', namespace: 'almalinux' },
  'rocky linux': { type: 'rpm', namespace: 'rocky' },
  'red hat': { type: 'rpm', namespace: 'redhat' },
  suse: { type: 'rpm', namespace: 'suse' },
  opensuse: { type: 'rpm', namespace: 'opensuse' },
  mageia: { type: 'rpm', namespace: 'mageia' },
};

/** `distro=` spellings seen in the wild that differ from os-release ids. */
const distroIdAliases: Readonly<Record<string, string>> = {
  redhat: 'rhel',
  'rocky-linux': 'rocky',
  'opensuse-leap': 'opensuse-leap',
  opensuse: 'opensuse-leap',
  suse: 'sles',
};

/**
 * Read a `distro=` qualifier: `debian-12`, `debian-10.2`, `bookworm`, `ubuntu-22.04`,
 * `alpine-3.20.1`, `rhel-9.1`, `redhat-9`, `opensuse-leap-15.5`, or a bare `12`.
 */
function distroRelease(vendorId: string, distro: string): OsRelease {
  const value = distro.trim().toLowerCase();
  const match = /^([a-z][a-z-]*?)-(\d[\w.]*)$/.exec(value);
  let id = vendorId;
  let versionId = value;
  if (match) {
    const named = match[1] as string;
    id = distroIdAliases[named] ?? named;
    versionId = match[2] as string;
  }
  const ecosystem = osvEcosystemFor(id, versionId);
  return {
    id,
    versionId,
    ...(ecosystem !== undefined && { ecosystem }),
    evidence: 'purl distro qualifier',
  };
}

/** `upstream=` is `name` or `name@version` (Syft writes both forms). */
function upstream(value: string | undefined): { sourceName?: string; sourceVersion?: string } {
  if (value === undefined) return {};
  const at = value.indexOf('@');
  if (at === -1) return { sourceName: value };
  return { sourceName: value.slice(0, at), sourceVersion: value.slice(at + 1) };
}

/**
 * An InstalledPackage from a purl string, for SBOM readers: the purl is kept verbatim,
 * the version falls back to the one the document states beside it.
 */
export function installedFromPurl(
  purlText: string,
  fallbackVersion: string | undefined,
):
  | { ok: true; package: InstalledPackage; distroRelease?: OsRelease }
  | { ok: false; error: string } {
  const mapped = purlToPackage(purlText);
  if (!mapped.ok) return mapped;
  const { distroRelease: release, version, ...rest } = mapped.package;
  const resolved =
    version ??
    (fallbackVersion === undefined || fallbackVersion === '' ? undefined : fallbackVersion);
  if (resolved === undefined) return { ok: false, error: `no version for ${purlText}` };
  return {
    ok: true,
    package: { ...rest, version: resolved, purl: purlText.trim() },
    ...(release !== undefined && { distroRelease: release }),
  };
}

/**
 * Map a purl to the ecosystem and name advisories use. Types without an OSV ecosystem
 * (`generic`, `docker`, `github`, `oci`…) are an error result: callers skip them with a warning.
 */
export function purlToPackage(input: PackageUrl | string): PurlPackageResult {
  let purl: PackageUrl;
  if (typeof input === 'string') {
    const parsed = parsePurl(input);
    if (!parsed.ok) return parsed;
    purl = parsed.purl;
  } else {
    purl = input;
  }
  const version = purl.version;
  const withVersion = version === undefined ? {} : { version };

  const language = languageTypes[purl.type];
  if (language !== undefined) {
    if (language.join === ':' && purl.namespace === undefined) {
      return { ok: false, error: 'maven purl without a groupId' };
    }
    const name =
      purl.namespace === undefined || language.join === 'name'
        ? purl.name
        : `${purl.namespace}${language.join}${purl.name}`;
    return { ok: true, package: { ecosystem: language.ecosystem, name, ...withVersion } };
  }

  const vendors = distroVendors[purl.type];
  if (vendors === undefined)
    return { ok: false, error: `purl type "${purl.type}" has no OSV ecosystem` };
  const vendorId = purl.namespace === undefined ? undefined : vendors[purl.namespace];
  if (vendorId === undefined) {
    return {
      ok: false,
      error: `${purl.type} purl of unknown distribution "${purl.namespace ?? ''}"`,
    };
  }
  const base = osvEcosystemBaseFor(vendorId);
  if (base === undefined)
    return { ok: false, error: `no OSV ecosystem for distribution "${vendorId}"` };

  const { arch, distro, epoch } = purl.qualifiers;
  const release = distro === undefined ? undefined : distroRelease(vendorId, distro);
  // The release only counts when it names the same distribution as the namespace.
  const ecosystem =
    release?.ecosystem !== undefined && release.ecosystem.startsWith(`${base}:`)
      ? release.ecosystem
      : base;
  // RPM and Debian epochs: purl carries them as a qualifier, advisories inside the version.
  const fullVersion =
    version !== undefined && epoch !== undefined && epoch !== '0' && !version.includes(':')
      ? `${epoch}:${version}`
      : version;
  return {
    ok: true,
    package: {
      ecosystem,
      name: purl.name,
      ...(fullVersion !== undefined && { version: fullVersion }),
      ...upstream(purl.qualifiers['upstream']),
      ...(arch !== undefined && { arch }),
      ...(release !== undefined && { distroRelease: release }),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the SBOM readers (CycloneDX, SPDX): both name packages by purl and state the
// operating system either as a component/package of their own or only through `distro=`.

/** OSV ecosystem base → os-release id, to name the distribution when no release is known. */
const baseToOsId: Readonly<Record<string, string>> = {
  Debian: 'debian',
  Ubuntu: 'ubuntu',
  Alpine: 'alpine',
  AlmaLinux: 'almalinux',
  'Rocky Linux': 'rocky',
  'Red Hat': 'rhel',
  openSUSE: 'opensuse-leap',
  SUSE: 'sles',
  Mageia: 'mageia',
  'Photon OS': 'photon',
  Wolfi: 'wolfi',
  Chainguard: 'chainguard',
};

/** Operating-system names SBOM tools write → os-release ids (`Debian GNU/Linux` → `debian`). */
export function osIdFromName(name: string): string {
  const lower = name.trim().toLowerCase();
  if (lower.startsWith('red hat') || lower === 'redhat') return 'rhel';
  if (lower.startsWith('rocky')) return 'rocky';
  if (lower.startsWith('opensuse')) return 'opensuse-leap';
  if (lower.startsWith('sles') || lower.startsWith('suse')) return 'sles';
  return lower.split(/[\s/]/)[0] ?? lower;
}

/** An OsRelease from an SBOM's operating-system entry (name and version as written). */
export function osReleaseFromSbom(
  name: string,
  version: string | undefined,
  evidence: string,
): OsRelease {
  const id = osIdFromName(name);
  const versionId = version === undefined || version.trim() === '' ? undefined : version.trim();
  const ecosystem = osvEcosystemFor(id, versionId);
  return {
    id,
    ...(versionId !== undefined && { versionId }),
    ...(ecosystem !== undefined && { ecosystem }),
    evidence,
  };
}

/**
 * Decide the inventory's operating system and give distribution packages their release.
 * A declared operating system (CycloneDX `operating-system` component, SPDX OPERATING-SYSTEM
 * package) wins; otherwise the most frequent `distro=` release of the packages; otherwise only
 * the distribution id (from the purl namespace) and packages keep the bare ecosystem.
 */
export function settleDistroRelease(
  packages: readonly InstalledPackage[],
  purlReleases: readonly OsRelease[],
  declared: OsRelease | undefined,
): { os?: OsRelease; packages: InstalledPackage[]; warnings: string[] } {
  const warnings: string[] = [];
  let os = declared;
  if (os === undefined || os.ecosystem === undefined) {
    const counts = new Map<string, { release: OsRelease; count: number }>();
    for (const release of purlReleases) {
      if (release.ecosystem === undefined) continue;
      const entry = counts.get(release.ecosystem);
      if (entry === undefined) counts.set(release.ecosystem, { release, count: 1 });
      else entry.count += 1;
    }
    const ranked = [...counts.values()].sort((a, b) => b.count - a.count);
    const top = ranked[0];
    if (top !== undefined && (os === undefined || osIdFromName(os.id) === top.release.id)) {
      os = top.release;
      if (ranked.length > 1) {
        warnings.push(
          `packages name several distribution releases (${ranked.map((r) => `${r.release.ecosystem ?? ''} ×${r.count}`).join(', ')}); the inventory's release is ${top.release.ecosystem ?? ''}`,
        );
      }
    }
  }
  if (os === undefined) {
    const bases = new Set(
      packages.map((pkg) => pkg.ecosystem).filter((eco) => baseToOsId[eco] !== undefined),
    );
    const [only] = [...bases];
    if (bases.size === 1 && only !== undefined)
      os = { id: baseToOsId[only] ?? only, evidence: 'purl namespace' };
  }
  if (os?.ecosystem === undefined)
    return { ...(os !== undefined && { os }), packages: [...packages], warnings };
  const release = os.ecosystem;
  const base = release.split(':')[0] ?? release;
  return {
    os,
    packages: packages.map((pkg) =>
      pkg.ecosystem === base ? { ...pkg, ecosystem: release } : pkg,
    ),
    warnings,
  };
}

/**
 * Collects skipped entries by reason so that a 5,000-component SBOM with 800 `pkg:generic`
 * purls yields one warning with a count and an example, not 800.
 */
export class SkipTally {
  private readonly reasons = new Map<string, { count: number; example: string }>();

  add(reason: string, example: string): void {
    const entry = this.reasons.get(reason);
    if (entry === undefined) this.reasons.set(reason, { count: 1, example });
    else entry.count += 1;
  }

  warnings(): string[] {
    return [...this.reasons].map(([reason, { count, example }]) =>
      count === 1
        ? `skipped ${example}: ${reason}`
        : `skipped ${count} entries: ${reason} (e.g. ${example})`,
    );
  }
}
