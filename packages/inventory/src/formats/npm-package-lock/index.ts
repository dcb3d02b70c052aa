/**
 * npm `package-lock.json` / `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
 * https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json
 *
 * v2 and v3 carry a flat `packages` map keyed by install path (`node_modules/a/node_modules/b`);
 * v2 also repeats the v1 `dependencies` tree for old npm, which we ignore when `packages` exists.
 * v1 has only the nested `dependencies` tree.
 */
import { encodeUriPart } from '../../purl.ts';
import { parseJson } from '@patchgate/safe-parse';
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';

const ECOSYSTEM = 'npm';

interface LockEntry {
  version?: unknown;
  name?: unknown;
  resolved?: unknown;
  link?: unknown;
  dev?: unknown;
  devOptional?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  optionalDependencies?: unknown;
  peerDependencies?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** `pkg:npm/%40scope/name@1.0.0`: the scope's `@` is percent-encoded (purl-spec, npm type). */
export function npmPurl(name: string, version: string): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const path =
    slash > 0
      ? `${encodeUriPart(name.slice(0, slash))}/${encodeUriPart(name.slice(slash + 1))}`
      : encodeUriPart(name);
  return `pkg:npm/${path}@${encodeUriPart(version)}`;
}

/** The package name for a `packages` key: the part after its last `node_modules/`. */
function nameFromKey(key: string): string | undefined {
  const at = key.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const name = key.slice(at + 'node_modules/'.length);
  return name === '' ? undefined : name;
}

/** A version that did not come from a registry: git, a local folder, a tarball URL. */
function nonRegistrySource(version: string, resolved: unknown): string | undefined {
  const spec = typeof resolved === 'string' ? resolved : '';
  for (const candidate of [version, spec]) {
    if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(candidate)) return candidate;
    if (candidate.startsWith('file:')) return candidate;
  }
  return undefined;
}

/** `npm:real-name@1.2.3` aliases (v1 `version` field): the real package and version. */
function unalias(version: string): { name: string; version: string } | undefined {
  if (!version.startsWith('npm:')) return undefined;
  const spec = version.slice('npm:'.length);
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

function declaredNames(entry: LockEntry): Set<string> {
  const names = new Set<string>();
  for (const field of [
    entry.dependencies,
    entry.devDependencies,
    entry.optionalDependencies,
    entry.peerDependencies,
  ]) {
    if (isRecord(field)) for (const name of Object.keys(field)) names.add(name);
  }
  return names;
}

function parsePackagesMap(
  packages: Record<string, unknown>,
  path: string,
  warnings: string[],
): InstalledPackage[] {
  // Direct dependencies are those declared by the root project or one of its workspaces
  // and installed at that project's own top level (`node_modules/<name>` or
  // `<workspace>/node_modules/<name>`).
  const declaredBy = new Map<string, Set<string>>();
  for (const [key, raw] of Object.entries(packages)) {
    if (!isRecord(raw)) continue;
    if (key === '' || !key.includes('node_modules/')) declaredBy.set(key, declaredNames(raw));
  }
  const result: InstalledPackage[] = [];
  for (const [key, raw] of Object.entries(packages)) {
    if (key === '' || !key.includes('node_modules/')) continue; // the project and its workspaces
    if (!isRecord(raw)) {
      warnings.push(`${path}: packages["${key}"] is not an object; skipped`);
      continue;
    }
    const entry = raw as LockEntry;
    if (entry.link === true) continue; // a symlink to a workspace folder, listed under its own key
    const name = typeof entry.name === 'string' ? entry.name : nameFromKey(key);
    if (name === undefined) {
      warnings.push(`${path}: packages["${key}"] has no package name; skipped`);
      continue;
    }
    if (typeof entry.version !== 'string' || entry.version === '') {
      warnings.push(`${path}: packages["${key}"] (${name}) has no version; skipped`);
      continue;
    }
    const foreign = nonRegistrySource(entry.version, entry.resolved);
    if (foreign !== undefined) {
      warnings.push(
        `${path}: ${name} is installed from ${foreign}, not from the npm registry; skipped`,
      );
      continue;
    }
    const owner = key.slice(0, key.lastIndexOf('node_modules/')).replace(/\/$/, '');
    const ownerDeclared = declaredBy.get(owner);
    // package.json declares the folder name (an alias when `name` differs), so match on the key.
    const folderName = nameFromKey(key);
    const direct =
      ownerDeclared !== undefined && folderName !== undefined && ownerDeclared.has(folderName);
    result.push({
      ecosystem: ECOSYSTEM,
      name,
      version: entry.version,
      purl: npmPurl(name, entry.version),
      location: `${path}#${key}`,
      direct,
      // `devOptional` entries are optional dependencies of production code too: not dev-only.
      dev: entry.dev === true,
    });
  }
  return result;
}

function parseDependencyTree(
  tree: Record<string, unknown>,
  trail: string,
  path: string,
  warnings: string[],
  out: InstalledPackage[],
): void {
  for (const [key, raw] of Object.entries(tree)) {
    const at = trail === '' ? key : `${trail} > ${key}`;
    if (!isRecord(raw)) {
      warnings.push(`${path}: dependencies "${at}" is not an object; skipped`);
      continue;
    }
    const entry = raw as LockEntry;
    if (typeof entry.version !== 'string' || entry.version === '') {
      warnings.push(`${path}: dependencies "${at}" has no version; skipped`);
    } else if (entry.version.startsWith('file:')) {
      // a workspace or local folder: part of the project, not an installed registry package
    } else {
      const alias = unalias(entry.version);
      const name = alias?.name ?? key;
      const version = alias?.version ?? entry.version;
      const foreign = nonRegistrySource(version, entry.resolved);
      if (foreign !== undefined) {
        warnings.push(
          `${path}: ${name} is installed from ${foreign}, not from the npm registry; skipped`,
        );
      } else {
        // v1 does not say which entries package.json declares, so `direct` stays unknown.
        out.push({
          ecosystem: ECOSYSTEM,
          name,
          version,
          purl: npmPurl(name, version),
          location: `${path}#${at}`,
          dev: entry.dev === true,
        });
      }
    }
    if (isRecord(entry.dependencies))
      parseDependencyTree(entry.dependencies, at, path, warnings, out);
  }
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '')
    return { ok: false, error: `${input.path}: empty file, not a package-lock.json` };
  // A nesting limit before anything walks the tree (components within components, npm v1
  // `dependencies` within `dependencies` recurse); errors never quote the text.
  const parsed = parseJson(input.text);
  if (!parsed.ok) return { ok: false, error: `${input.path}: ${parsed.error}` };
  const doc: unknown = parsed.value;
  if (!isRecord(doc) || typeof doc['lockfileVersion'] !== 'number') {
    return {
      ok: false,
      error: `${input.path}: not a package-lock.json (no numeric "lockfileVersion")`,
    };
  }
  const lockfileVersion = doc['lockfileVersion'];
  const warnings: string[] = [];
  let packages: InstalledPackage[];
  if (isRecord(doc['packages'])) {
    packages = parsePackagesMap(doc['packages'], input.path, warnings);
  } else if (isRecord(doc['dependencies'])) {
    packages = [];
    parseDependencyTree(doc['dependencies'], '', input.path, warnings, packages);
  } else {
    packages = [];
  }
  if (lockfileVersion > 3) {
    warnings.push(
      `${input.path}: lockfileVersion ${lockfileVersion} is newer than 3; read as version 3`,
    );
  }
  return {
    ok: true,
    inventory: { format: 'npm-package-lock', source: input.path, packages, warnings },
  };
}

function detect(input: InventoryInput): number {
  const name = baseName(input.path).toLowerCase();
  const head = input.text.slice(0, 4096);
  const looksLikeLock = head.trimStart().startsWith('{') && /"lockfileVersion"\s*:\s*\d/.test(head);
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json')
    return looksLikeLock || head.trim() === '' ? 1 : 0.6;
  return looksLikeLock ? 0.9 : 0;
}

export const npmPackageLock: InventoryFormat = {
  id: 'npm-package-lock',
  displayName: 'npm package-lock.json (v1, v2, v3)',
  family: 'lockfile',
  mediaTypes: ['application/json'],
  fileNames: ['package-lock.json', 'npm-shrinkwrap.json'],
  specUrls: [
    'https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#npm',
  ],
  detect,
  parse,
};
