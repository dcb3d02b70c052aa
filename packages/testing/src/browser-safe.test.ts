/**
 * Pure means browser-safe (STYLE.md): the web UI imports the packages' main entries, so
 * nothing reachable from a package's `.` export may import a Node built-in (`node:fs`,
 * `zlib`…) or another package's `./node` subpath. File loaders live behind `./node`.
 * The check follows the value imports (type-only imports vanish at build) through the
 * package's own files and into the other Patchgate packages it imports.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
/** Test-only helpers: never shipped to a browser. */
const nodeOnly = new Set(['testing']);

interface Manifest {
  name: string;
  exports?: Record<string, string>;
}
const manifests = new Map<string, { dir: string; manifest: Manifest }>();
for (const name of readdirSync(packagesDir)) {
  const file = join(packagesDir, name, 'package.json');
  if (!existsSync(file)) continue;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  manifests.set(manifest.name, { dir: join(packagesDir, name), manifest });
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const VALUE_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** The module a specifier names, or undefined for a third-party package (not followed). */
function target(specifier: string, from: string): string | undefined {
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  const match = /^(@patchgate\/[^/]+)(\/.+)?$/.exec(specifier);
  if (match === null) return undefined;
  const entry = manifests.get(match[1] ?? '');
  const exported = entry?.manifest.exports?.[`.${match[2] ?? ''}`];
  return entry === undefined || exported === undefined ? undefined : join(entry.dir, exported);
}

/** Every Node-only import reachable from `entry`, as "file: specifier". */
function nodeImports(entry: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, specifier = ''] of text.matchAll(VALUE_IMPORT)) {
      if (builtins.has(specifier) || /^@patchgate\/[^/]+\/node$/.test(specifier)) {
        problems.push(`${file.slice(packagesDir.length)}: ${specifier}`);
        continue;
      }
      const next = target(specifier, file);
      if (next !== undefined) queue.push(next);
    }
  }
  return problems;
}

const mains = [...manifests.entries()]
  .filter(([name]) => !nodeOnly.has(name.replace('@patchgate/', '')))
  .map(([name, { dir, manifest }]) => [name, join(dir, manifest.exports?.['.'] ?? '')] as const);

describe('browser-safe main entries', () => {
  it('finds the packages', () => {
    expect(mains.map(([name]) => name)).toEqual(
      expect.arrayContaining(['@patchgate/osv', '@patchgate/sources', '@patchgate/model']),
    );
  });

  it.each(mains)('%s imports nothing of Node from its main entry', (_, entry) => {
    expect(nodeImports(entry)).toEqual([]);
  });

  it('catches a Node import (the check can fail)', () => {
    const [, osvNode] = [...manifests.entries()].filter(([n]) => n === '@patchgate/osv')[0] ?? [];
    const loader = join(osvNode?.dir ?? '', osvNode?.manifest.exports?.['./node'] ?? '');
    expect(nodeImports(loader)).toEqual(
      expect.arrayContaining([expect.stringContaining('node:fs/promises')]),
    );
  });
});
