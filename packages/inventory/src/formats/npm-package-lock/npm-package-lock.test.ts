import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../registry.ts';
import type { Inventory, InventoryInput } from '../../types.ts';
import { npmPackageLock, npmPurl } from './index.ts';
import { sharedData } from '@patchgate/testing';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const nodeGoat = sharedData('lockfiles/NodeGoat/package-lock.json');
const v1 = 'npm-package-lock/npm11-lockfile-v1-package-lock.json';
const v3 = 'npm-package-lock/npm11-lockfile-v3-package-lock.json';
/** Sibling lockfile formats' samples: none of them is a package-lock. */
const otherSamples = [
  'pip-requirements/pip-freeze.txt',
  'go-mod/cli-cli-go.mod',
  'go-buildinfo/kubectl.txt',
  'cargo-lock/ripgrep-v4-Cargo.lock',
  'gemfile-lock/devise-Gemfile.lock',
  'composer-lock/laravel-excerpt-composer.lock',
  'npm-package-lock/generator-package.json',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = npmPackageLock.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

describe('npm-package-lock detection', () => {
  it.each([
    [v1, 'package-lock.json', 1],
    [v3, 'app/package-lock.json', 1],
    [v3, 'npm-shrinkwrap.json', 1],
    [v3, 'lock.json', 0.9],
  ])('%s read as %s scores %d', (file, as, score) => {
    expect(npmPackageLock.detect(sample(file, as))).toBe(score);
  });

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(npmPackageLock.detect(sample(file))).toBe(0);
  });

  it('is what the registry picks for a package-lock.json', () => {
    expect(detectFormat(sample(v3, 'package-lock.json'))?.id).toBe('npm-package-lock');
  });
});

describe('npm-package-lock v3 (npm 11, workspaces, nested, dev/optional)', () => {
  const inv = inventory(sample(v3, 'package-lock.json'));

  it('lists every installed package except the root, the workspace and its link', () => {
    expect(inv.packages).toHaveLength(37);
    expect(inv.warnings).toEqual([]);
    expect(inv.packages.map((p) => p.name)).not.toContain('@demo/util');
    expect(inv.packages.map((p) => p.name)).not.toContain('lock-demo');
  });

  it.each([
    [
      'node_modules/semver',
      {
        ecosystem: 'npm',
        name: 'semver',
        version: '7.8.6',
        purl: 'pkg:npm/semver@7.8.6',
        location: 'package-lock.json#node_modules/semver',
        direct: true,
        dev: false,
      },
    ],
    [
      'node_modules/@types/node',
      {
        ecosystem: 'npm',
        name: '@types/node',
        version: '20.19.43',
        purl: 'pkg:npm/%40types/node@20.19.43',
        location: 'package-lock.json#node_modules/@types/node',
        direct: true,
        dev: true,
      },
    ],
    [
      // nested copy: the name is the part after the last node_modules/
      'node_modules/@typescript-eslint/visitor-keys/node_modules/eslint-visitor-keys',
      {
        ecosystem: 'npm',
        name: 'eslint-visitor-keys',
        version: '5.0.1',
        purl: 'pkg:npm/eslint-visitor-keys@5.0.1',
        location:
          'package-lock.json#node_modules/@typescript-eslint/visitor-keys/node_modules/eslint-visitor-keys',
        direct: false,
        dev: false,
      },
    ],
    [
      // transitive, dev-only, optional (a platform binary of esbuild)
      'node_modules/fsevents',
      {
        ecosystem: 'npm',
        name: 'fsevents',
        version: '2.3.3',
        purl: 'pkg:npm/fsevents@2.3.3',
        location: 'package-lock.json#node_modules/fsevents',
        direct: false,
        dev: true,
      },
    ],
  ])('%s', (key, expected) => {
    expect(inv.packages.find((p) => p.location === `package-lock.json#${key}`)).toEqual(expected);
  });

  it('has both copies of eslint-visitor-keys', () => {
    expect(
      inv.packages.filter((p) => p.name === 'eslint-visitor-keys').map((p) => p.version),
    ).toEqual(['5.0.1', '4.2.1']);
  });
});

describe('npm-package-lock v1 (same project, lockfile-version=1)', () => {
  const inv = inventory(sample(v1, 'package-lock.json'));
  const v3inv = inventory(sample(v3, 'package-lock.json'));

  it('finds the same name@version set as v3 (the file: workspace entry is the project)', () => {
    const key = (p: { name: string; version: string }): string => `${p.name}@${p.version}`;
    expect(inv.packages.map(key).sort()).toEqual(v3inv.packages.map(key).sort());
    expect(inv.warnings).toEqual([]);
  });

  it.each([
    [
      'semver',
      {
        ecosystem: 'npm',
        name: 'semver',
        version: '7.8.6',
        purl: 'pkg:npm/semver@7.8.6',
        location: 'package-lock.json#semver',
        dev: false,
      },
    ],
    [
      '@typescript-eslint/visitor-keys > eslint-visitor-keys',
      {
        ecosystem: 'npm',
        name: 'eslint-visitor-keys',
        version: '5.0.1',
        purl: 'pkg:npm/eslint-visitor-keys@5.0.1',
        location: 'package-lock.json#@typescript-eslint/visitor-keys > eslint-visitor-keys',
        dev: false,
      },
    ],
    [
      'fsevents',
      {
        ecosystem: 'npm',
        name: 'fsevents',
        version: '2.3.3',
        purl: 'pkg:npm/fsevents@2.3.3',
        location: 'package-lock.json#fsevents',
        dev: true,
      },
    ],
  ])('%s (direct unknown in v1)', (trail, expected) => {
    expect(inv.packages.find((p) => p.location === `package-lock.json#${trail}`)).toEqual(expected);
  });
});

describe.skipIf(!existsSync(nodeGoat))(
  'npm-package-lock v2 (OWASP NodeGoat, the shared data set)',
  () => {
    // Read only when present: a skipped describe block still runs its body to collect tests.
    const inv = existsSync(nodeGoat)
      ? inventory({ path: 'package-lock.json', text: readFileSync(nodeGoat, 'utf8') })
      : inventory({ path: 'package-lock.json', text: '{"lockfileVersion": 2, "packages": {}}' });

    it('reads the packages map (1,479 entries besides the root), not the v1 tree', () => {
      expect(inv.packages).toHaveLength(1479);
      expect(inv.packages.filter((p) => p.dev)).toHaveLength(1016);
      expect(inv.warnings).toEqual([]);
    });

    it.each([
      ['node_modules/marked', { name: 'marked', version: '0.3.5', direct: true, dev: false }],
      ['node_modules/cypress', { name: 'cypress', version: '3.3.1', direct: true, dev: true }],
      [
        'node_modules/broadway/node_modules/nconf/node_modules/async',
        { name: 'async', version: '0.2.9', direct: false, dev: false },
      ],
      // bundled inside fsevents' tarball: installed code all the same
      [
        'node_modules/fsevents/node_modules/abbrev',
        { name: 'abbrev', version: '1.1.1', direct: false, dev: false },
      ],
    ])('%s', (key, expected) => {
      const pkg = inv.packages.find((p) => p.location === `package-lock.json#${key}`);
      expect(pkg).toEqual({
        ecosystem: 'npm',
        ...expected,
        purl: `pkg:npm/${expected.name}@${expected.version}`,
        location: `package-lock.json#${key}`,
      });
    });
  },
);

describe('npm-package-lock edge cases', () => {
  const lock = (body: object): InventoryInput => ({
    path: 'package-lock.json',
    text: JSON.stringify({ name: 'x', lockfileVersion: 3, requires: true, ...body }),
  });

  it('uses the name field of an aliased entry, and matches direct on the folder name', () => {
    const inv = inventory(
      lock({
        packages: {
          '': { dependencies: { 'old-lodash': 'npm:lodash@4.17.20' } },
          'node_modules/old-lodash': { name: 'lodash', version: '4.17.20' },
        },
      }),
    );
    expect(inv.packages).toEqual([
      {
        ecosystem: 'npm',
        name: 'lodash',
        version: '4.17.20',
        purl: 'pkg:npm/lodash@4.17.20',
        location: 'package-lock.json#node_modules/old-lodash',
        direct: true,
        dev: false,
      },
    ]);
  });

  it('treats devOptional as not dev-only, and warns on git and version-less entries', () => {
    const inv = inventory(
      lock({
        packages: {
          '': {},
          'node_modules/a': { version: '1.0.0', devOptional: true },
          'node_modules/b': { version: '2.0.0', resolved: 'git+ssh://git@github.com/x/b.git#abc' },
          'node_modules/c': { resolved: 'https://registry.npmjs.org/c/-/c.tgz' },
          'node_modules/d': 'broken',
        },
      }),
    );
    expect(inv.packages.map((p) => [p.name, p.dev])).toEqual([['a', false]]);
    expect(inv.warnings).toEqual([
      'package-lock.json: b is installed from git+ssh://git@github.com/x/b.git#abc, not from the npm registry; skipped',
      'package-lock.json: packages["node_modules/c"] (c) has no version; skipped',
      'package-lock.json: packages["node_modules/d"] is not an object; skipped',
    ]);
  });

  it('reads v1 npm: aliases and warns on git versions', () => {
    const inv = inventory({
      path: 'package-lock.json',
      text: JSON.stringify({
        lockfileVersion: 1,
        dependencies: {
          'my-lodash': { version: 'npm:lodash@4.17.21' },
          gitdep: { version: 'github:user/gitdep#0123abc' },
        },
      }),
    });
    expect(inv.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['lodash@4.17.21']);
    expect(inv.warnings).toEqual([
      'package-lock.json: gitdep is installed from github:user/gitdep#0123abc, not from the npm registry; skipped',
    ]);
  });

  it.each([
    ['', 'package-lock.json: empty file, not a package-lock.json'],
    ['{"name": "x"', 'package-lock.json: not valid JSON'],
    [
      '{"name": "x", "dependencies": {}}',
      'package-lock.json: not a package-lock.json (no numeric "lockfileVersion")',
    ],
    ['[1, 2]', 'package-lock.json: not a package-lock.json (no numeric "lockfileVersion")'],
  ])('rejects %j', (text, error) => {
    const result = npmPackageLock.parse({ path: 'package-lock.json', text });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(error);
  });

  it('reads a lock without packages as empty', () => {
    expect(inventory(lock({}))).toEqual({
      format: 'npm-package-lock',
      source: 'package-lock.json',
      packages: [],
      warnings: [],
    });
  });

  it.each([
    ['semver', '7.8.6', 'pkg:npm/semver@7.8.6'],
    ['@angular/core', '17.0.0-rc.1', 'pkg:npm/%40angular/core@17.0.0-rc.1'],
    ['pkg', '1.0.0+build.5', 'pkg:npm/pkg@1.0.0%2Bbuild.5'],
  ])('purl of %s@%s', (name, version, purl) => {
    expect(npmPurl(name, version)).toBe(purl);
  });
});
