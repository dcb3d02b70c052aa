/**
 * A small package-URL normaliser for matching VEX products and ignore entries against
 * findings. Only what identifies a package version counts: type, namespace, name, version.
 * Qualifiers (`arch=`, `distro=`, `type=jar`) and subpath are ignored on purpose: a VEX
 * statement about `pkg:deb/debian/openssl@3.0.15-1~deb12u1` covers every architecture.
 *
 * This package may not import @patchgate/inventory (layering), so parsing is repeated here
 * in the minimal form matching needs. Spec:
 * https://github.com/package-url/purl-spec/blob/master/PURL-SPECIFICATION.rst
 */

/** The parts of a purl that identify a package (and optionally one version of it). */
export interface PurlKey {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  readonly version?: string;
}

/** Types whose namespace and name are case-insensitive (PURL-TYPES). */
const caseInsensitiveNamespace = new Set([
  'alpm',
  'apk',
  'bitbucket',
  'composer',
  'deb',
  'github',
  'hex',
  'rpm',
]);
const caseInsensitiveName = new Set([
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

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** Parse the identifying parts of a purl; `undefined` when it is not a purl. */
export function purlKey(input: string): PurlKey | undefined {
  let rest = input.trim();
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  if (question !== -1) rest = rest.slice(0, question);
  if (!/^pkg:/i.test(rest)) return undefined;
  rest = rest.slice(4).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  rest = rest.slice(slash + 1).replace(/\/+$/, '');

  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const decoded = decode(rest.slice(at + 1));
    if (decoded === undefined) return undefined;
    if (decoded !== '') version = decoded;
    rest = rest.slice(0, at);
  }
  const nameSlash = rest.lastIndexOf('/');
  let name = decode(rest.slice(nameSlash + 1));
  if (name === undefined || name === '') return undefined;
  const segments: string[] = [];
  if (nameSlash !== -1) {
    for (const raw of rest.slice(0, nameSlash).split('/')) {
      if (raw === '') continue;
      const segment = decode(raw);
      if (segment === undefined) return undefined;
      segments.push(segment);
    }
  }
  let namespace = segments.join('/');
  if (caseInsensitiveNamespace.has(type)) namespace = namespace.toLowerCase();
  if (caseInsensitiveName.has(type)) name = name.toLowerCase();
  // PURL-TYPES: pypi names are lower-cased and `_` is replaced by `-` (PEP 503 normalisation).
  if (type === 'pypi') name = name.replace(/[-_.]+/g, '-');
  return { type, namespace, name, ...(version !== undefined && { version }) };
}

/** OSV ecosystem base → purl type and how the OSV package name splits into namespace/name. */
const ecosystemTypes: Readonly<Record<string, { type: string; split: '/' | ':' | 'none' }>> = {
  npm: { type: 'npm', split: '/' },
  pypi: { type: 'pypi', split: 'none' },
  maven: { type: 'maven', split: ':' },
  go: { type: 'golang', split: '/' },
  'crates.io': { type: 'cargo', split: 'none' },
  rubygems: { type: 'gem', split: 'none' },
  nuget: { type: 'nuget', split: 'none' },
  packagist: { type: 'composer', split: '/' },
  hex: { type: 'hex', split: 'none' },
  pub: { type: 'pub', split: 'none' },
};

/** Distribution ecosystems → purl type and vendor namespace. */
const distributionTypes: Readonly<Record<string, { type: string; namespace: string }>> = {
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

/**
 * The purl key of a finding's package: its own purl when the inventory gave one, otherwise
 * one derived from the OSV ecosystem and name (the common ecosystems only; `undefined` for
 * the rest, which then match only statements without products).
 */
export function packagePurlKey(pkg: {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly purl?: string;
}): PurlKey | undefined {
  if (pkg.purl !== undefined) {
    const key = purlKey(pkg.purl);
    if (key !== undefined)
      return key.version === undefined ? { ...key, version: pkg.version } : key;
  }
  const colon = pkg.ecosystem.indexOf(':');
  const base = (colon === -1 ? pkg.ecosystem : pkg.ecosystem.slice(0, colon)).toLowerCase();
  const distro = distributionTypes[base];
  if (distro !== undefined) {
    return normalise({ ...distro, name: pkg.name, version: pkg.version });
  }
  const language = ecosystemTypes[base];
  if (language === undefined) return undefined;
  let namespace = '';
  let name = pkg.name;
  const cut = language.split === 'none' ? -1 : pkg.name.lastIndexOf(language.split);
  if (cut > 0) {
    namespace = pkg.name.slice(0, cut);
    name = pkg.name.slice(cut + 1);
  }
  return normalise({ type: language.type, namespace, name, version: pkg.version });
}

function normalise(key: PurlKey): PurlKey {
  let { namespace, name } = key;
  if (caseInsensitiveNamespace.has(key.type)) namespace = namespace.toLowerCase();
  if (caseInsensitiveName.has(key.type)) name = name.toLowerCase();
  if (key.type === 'pypi') name = name.replace(/[-_.]+/g, '-');
  return { ...key, namespace, name };
}

/** Same package (type, namespace, name), whatever the versions. */
export function samePackage(a: PurlKey, b: PurlKey): boolean {
  return a.type === b.type && a.namespace === b.namespace && a.name === b.name;
}
