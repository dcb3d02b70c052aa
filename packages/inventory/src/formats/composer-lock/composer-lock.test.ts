import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryInput } from '../../types.ts';
import { composerLock, composerPurl } from './index.ts';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const laravel = 'composer-lock/laravel-excerpt-composer.lock';
const otherSamples = [
  'npm-package-lock/npm11-lockfile-v3-package-lock.json',
  'npm-package-lock/generator-package.json',
  'pip-requirements/pip-freeze.txt',
  'go-mod/cli-cli-go.mod',
  'go-buildinfo/kubectl.txt',
  'cargo-lock/ripgrep-v4-Cargo.lock',
  'gemfile-lock/devise-Gemfile.lock',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = composerLock.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

describe('composer-lock detection', () => {
  it.each([
    [laravel, 'composer.lock', 1],
    [laravel, 'app/composer.lock', 1],
    [laravel, 'lock.json', 0.9],
  ])('%s read as %s scores %d', (file, as, score) => {
    expect(composerLock.detect(sample(file, as))).toBe(score);
  });

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(composerLock.detect(sample(file))).toBe(0);
  });
});

describe('laravel/laravel composer.lock (excerpt)', () => {
  const inv = inventory(sample(laravel, 'composer.lock'));

  it('reads packages and packages-dev', () => {
    expect(inv.warnings).toEqual([]);
    expect(inv.packages.map((p) => [p.name, p.version, p.dev])).toEqual([
      ['brick/math', '0.10.2', false],
      ['dflydev/dot-access-data', 'v3.0.2', false],
      ['doctrine/inflector', '2.0.6', false],
      ['doctrine/lexer', '3.0.0', false],
      ['dragonmantank/cron-expression', 'v3.3.2', false],
      ['egulias/email-validator', '4.0.1', false],
      ['spatie/laravel-ignition', '2.0.0', true],
      ['symfony/yaml', 'v6.2.5', true],
      ['theseer/tokenizer', '1.2.1', true],
    ]);
  });

  it.each([
    [
      1,
      {
        ecosystem: 'Packagist',
        name: 'dflydev/dot-access-data',
        version: 'v3.0.2',
        purl: 'pkg:composer/dflydev/dot-access-data@v3.0.2',
        location: 'composer.lock#packages[1]',
        dev: false,
      },
    ],
    [
      7,
      {
        ecosystem: 'Packagist',
        name: 'symfony/yaml',
        version: 'v6.2.5',
        purl: 'pkg:composer/symfony/yaml@v6.2.5',
        location: 'composer.lock#packages-dev[1]',
        dev: true,
      },
    ],
  ])('package %d keeps its version as written', (index, expected) => {
    expect(inv.packages[index]).toEqual(expected);
  });
});

describe('branch versions, local paths and malformed entries', () => {
  const lock = {
    packages: [
      { name: 'acme/tool', version: 'dev-main' },
      { name: 'acme/lib', version: '2.x-dev' },
      { name: 'acme/local', version: '1.0.0', dist: { type: 'path', url: '../local' } },
      { name: 'no-vendor', version: '1.0.0' },
      { version: '1.0.0' },
      { name: 'monolog/monolog', version: '3.5.0' },
    ],
    'packages-dev': 'oops',
  };
  const inv = inventory({ path: 'composer.lock', text: JSON.stringify(lock) });

  it('keeps only the release', () => {
    expect(inv.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['monolog/monolog@3.5.0']);
  });

  it('warns about each entry it skips', () => {
    expect(inv.warnings).toEqual([
      'composer.lock: acme/tool is locked to branch dev-main, not a release; skipped',
      'composer.lock: acme/lib is locked to branch 2.x-dev, not a release; skipped',
      'composer.lock: acme/local 1.0.0 is installed from a local path; skipped',
      'composer.lock: packages[3] name "no-vendor" is not vendor/name; skipped',
      'composer.lock: packages[4] has no name and version; skipped',
      'composer.lock: "packages-dev" is not a list; skipped',
    ]);
  });

  it.each([
    ['', 'composer.lock: empty file, not a composer.lock'],
    ['{"packages": [', 'composer.lock: not valid JSON'],
    ['{"name": "acme/app"}', 'composer.lock: not a composer.lock (no "packages" list)'],
  ])('rejects %j', (text, error) => {
    const result = composerLock.parse({ path: 'composer.lock', text });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(error);
  });

  it('builds a purl with vendor as namespace', () => {
    expect(composerPurl('laravel/framework', 'v10.0.0')).toBe(
      'pkg:composer/laravel/framework@v10.0.0',
    );
  });
});
