/**
 * Composer lockfiles (`composer.lock`, PHP).
 * https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control
 * https://getcomposer.org/doc/04-schema.md (the package fields each lock entry repeats)
 *
 * `packages` are installed for production, `packages-dev` only with dev dependencies.
 * Versions are kept as written (`v3.3.2`): Packagist advisories and the matcher handle the `v`.
 * Branch versions (`dev-main`, `2.x-dev`) name a moving commit, not a release: warned and skipped.
 */
import { encodeUriPart } from '../../purl.ts';
import { parseJson } from '@patchgate/safe-parse';
import type {
  InstalledPackage,
  InventoryFormat,
  InventoryInput,
  InventoryResult,
} from '../../types.ts';

const ECOSYSTEM = 'Packagist';

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function composerPurl(name: string, version: string): string {
  const [vendor = '', project = ''] = name.split('/');
  return `pkg:composer/${encodeUriPart(vendor)}/${encodeUriPart(project)}@${encodeUriPart(version)}`;
}

function readList(
  list: unknown,
  key: string,
  dev: boolean,
  path: string,
  warnings: string[],
): InstalledPackage[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    warnings.push(`${path}: "${key}" is not a list; skipped`);
    return [];
  }
  const out: InstalledPackage[] = [];
  list.forEach((entry: unknown, index) => {
    const where = `${key}[${index}]`;
    if (
      !isRecord(entry) ||
      typeof entry['name'] !== 'string' ||
      typeof entry['version'] !== 'string'
    ) {
      warnings.push(`${path}: ${where} has no name and version; skipped`);
      return;
    }
    const name = entry['name'];
    const version = entry['version'];
    if (!/^[^/\s]+\/[^/\s]+$/.test(name)) {
      warnings.push(`${path}: ${where} name "${name}" is not vendor/name; skipped`);
      return;
    }
    if (version.startsWith('dev-') || version.endsWith('-dev')) {
      warnings.push(`${path}: ${name} is locked to branch ${version}, not a release; skipped`);
      return;
    }
    const dist = entry['dist'];
    if (isRecord(dist) && dist['type'] === 'path') {
      warnings.push(`${path}: ${name} ${version} is installed from a local path; skipped`);
      return;
    }
    out.push({
      ecosystem: ECOSYSTEM,
      name,
      version,
      purl: composerPurl(name, version),
      location: `${path}#${where}`,
      dev,
    });
  });
  return out;
}

function parse(input: InventoryInput): InventoryResult {
  if (input.text.trim() === '')
    return { ok: false, error: `${input.path}: empty file, not a composer.lock` };
  // A nesting limit before anything walks the tree (components within components, npm v1
  // `dependencies` within `dependencies` recurse); errors never quote the text.
  const parsed = parseJson(input.text);
  if (!parsed.ok) return { ok: false, error: `${input.path}: ${parsed.error}` };
  const doc: unknown = parsed.value;
  if (!isRecord(doc) || (!('packages' in doc) && !('packages-dev' in doc))) {
    return { ok: false, error: `${input.path}: not a composer.lock (no "packages" list)` };
  }
  const warnings: string[] = [];
  const packages = [
    ...readList(doc['packages'], 'packages', false, input.path, warnings),
    ...readList(doc['packages-dev'], 'packages-dev', true, input.path, warnings),
  ];
  return {
    ok: true,
    inventory: { format: 'composer-lock', source: input.path, packages, warnings },
  };
}

function detect(input: InventoryInput): number {
  const head = input.text.slice(0, 4096);
  const looksLikeLock =
    head.trimStart().startsWith('{') &&
    (head.includes('This file locks the dependencies of your project') ||
      /"content-hash"\s*:/.test(head)) &&
    /"packages"\s*:/.test(head);
  if (baseName(input.path) === 'composer.lock')
    return looksLikeLock || head.trim() === '' ? 1 : 0.6;
  return looksLikeLock ? 0.9 : 0;
}

export const composerLock: InventoryFormat = {
  id: 'composer-lock',
  displayName: 'Composer composer.lock (PHP)',
  family: 'lockfile',
  mediaTypes: ['application/json'],
  fileNames: ['composer.lock'],
  specUrls: [
    'https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control',
    'https://getcomposer.org/doc/04-schema.md',
    'https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#composer',
  ],
  detect,
  parse,
};
