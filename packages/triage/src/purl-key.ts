/**
 * A small package-URL normaliser for matching VEX products and ignore entries against
 * findings. Only what identifies a package version counts: type, namespace, name, version.
 * Qualifiers (`arch=`, `distro=`, `type=jar`) and subpath are ignored on purpose: a VEX
 * statement about `pkg:deb/debian/openssl@3.0.15-1~deb12u1` covers every architecture.
 *
 * Spec: https://github.com/package-url/purl-spec/blob/master/PURL-SPECIFICATION.rst
 */
import { formatPurl, parsePurl, purlTypeForEcosystem } from '@patchgate/inventory';

/** The parts of a purl that identify a package (and optionally one version of it). */
export interface PurlKey {
  readonly type: string;
  readonly namespace: string;
  readonly name: string;
  readonly version?: string;
}

/**
 * Parse the identifying parts of a purl; `undefined` when it is not a purl. Parsing (and the
 * spec's per-type case folding) is @patchgate/inventory's; PyPI names are further normalised
 * as PEP 503 does, so `Django_REST.framework` meets `django-rest-framework`.
 */
export function purlKey(input: string): PurlKey | undefined {
  const parsed = parsePurl(input);
  if (!parsed.ok) return undefined;
  const { type, namespace, name, version } = parsed.purl;
  return {
    type,
    namespace: namespace ?? '',
    name: type === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name,
    ...(version !== undefined && version !== '' && { version }),
  };
}

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
  // The one purl ↔ ecosystem table is @patchgate/inventory's.
  const mapped = purlTypeForEcosystem(pkg.ecosystem);
  if (mapped === undefined) return undefined;
  if (mapped.namespace !== undefined) {
    return normalise({
      type: mapped.type,
      namespace: mapped.namespace,
      name: pkg.name,
      version: pkg.version,
    });
  }
  let namespace = '';
  let name = pkg.name;
  const cut = mapped.split === 'none' ? -1 : pkg.name.lastIndexOf(mapped.split);
  if (cut > 0) {
    namespace = pkg.name.slice(0, cut);
    name = pkg.name.slice(cut + 1);
  }
  return normalise({ type: mapped.type, namespace, name, version: pkg.version });
}

/** A derived key goes through the same parser as a written purl, so both fold case alike. */
function normalise(key: PurlKey): PurlKey | undefined {
  return purlKey(
    formatPurl({
      type: key.type,
      ...(key.namespace !== '' && { namespace: key.namespace }),
      name: key.name,
      ...(key.version !== undefined && { version: key.version }),
      qualifiers: {},
    }),
  );
}

/** Same package (type, namespace, name), whatever the versions. */
export function samePackage(a: PurlKey, b: PurlKey): boolean {
  return a.type === b.type && a.namespace === b.namespace && a.name === b.name;
}
