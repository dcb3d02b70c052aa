import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryInput } from '../../types.ts';
import { cargoLock } from './index.ts';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const ripgrep = 'cargo-lock/ripgrep-v4-Cargo.lock';
const otherSamples = [
  'npm-package-lock/npm11-lockfile-v3-package-lock.json',
  'pip-requirements/pip-freeze.txt',
  'go-mod/cli-cli-go.mod',
  'go-buildinfo/kubectl.txt',
  'gemfile-lock/devise-Gemfile.lock',
  'composer-lock/laravel-excerpt-composer.lock',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = cargoLock.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

/** The v1 layout (Cargo before 1.41): `[root]`-less, checksums in a `[metadata]` table. */
const v1 = `[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "lazy_static 0.2.11 (registry+https://github.com/rust-lang/crates.io-index)",
 "forked 0.3.0 (git+https://github.com/x/forked?rev=abc#abc)",
]

[[package]]
name = "lazy_static"
version = "0.2.11"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "forked"
version = "0.3.0"
source = "git+https://github.com/x/forked?rev=abc#abc"

[metadata]
"checksum lazy_static 0.2.11 (registry+https://github.com/rust-lang/crates.io-index)" = "76f033c7ad61445c5b347c7382dd1237847eb1bce590fe50365dcb33d546be73"
`;

describe('cargo-lock detection', () => {
  it.each([
    [ripgrep, 'Cargo.lock', 1],
    [ripgrep, 'rg.lock', 0.9],
  ])('%s read as %s scores %d', (file, as, score) => {
    expect(cargoLock.detect(sample(file, as))).toBe(score);
  });

  it('recognises a v1 lock without the @generated comment by its tables', () => {
    expect(cargoLock.detect({ path: 'old.lock', text: v1 })).toBe(0.9);
  });

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(cargoLock.detect(sample(file))).toBe(0);
  });
});

describe('ripgrep Cargo.lock (version 4)', () => {
  const inv = inventory(sample(ripgrep, 'Cargo.lock'));

  it('lists the 52 crates.io packages and skips the 11 workspace members', () => {
    expect(inv.packages).toHaveLength(52);
    expect(inv.warnings).toEqual([]);
    const names = inv.packages.map((p) => p.name);
    for (const member of ['ripgrep', 'grep', 'globset', 'ignore', 'grep-searcher'])
      expect(names).not.toContain(member);
  });

  it.each([
    [
      'aho-corasick',
      {
        ecosystem: 'crates.io',
        name: 'aho-corasick',
        version: '1.1.5',
        purl: 'pkg:cargo/aho-corasick@1.1.5',
        location: 'Cargo.lock:5',
      },
    ],
    [
      'tikv-jemalloc-sys',
      {
        ecosystem: 'crates.io',
        name: 'tikv-jemalloc-sys',
        version: '0.7.1+5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce8',
        purl: 'pkg:cargo/tikv-jemalloc-sys@0.7.1%2B5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce8',
        location: 'Cargo.lock:528',
      },
    ],
  ])('%s', (name, expected) => {
    expect(inv.packages.find((p) => p.name === name)).toEqual(expected);
  });

  it('keeps both versions of a crate locked twice (syn 2 and 3)', () => {
    expect(inv.packages.filter((p) => p.name === 'syn').map((p) => p.version)).toEqual([
      '2.0.119',
      '3.0.3',
    ]);
  });
});

describe('older and unusual locks', () => {
  it('v1: reads packages, ignores [metadata], warns on a git source', () => {
    expect(inventory({ path: 'Cargo.lock', text: v1 })).toEqual({
      format: 'cargo-lock',
      source: 'Cargo.lock',
      packages: [
        {
          ecosystem: 'crates.io',
          name: 'lazy_static',
          version: '0.2.11',
          purl: 'pkg:cargo/lazy_static@0.2.11',
          location: 'Cargo.lock:9',
        },
      ],
      warnings: [
        'Cargo.lock:14: forked 0.3.0 comes from git (git+https://github.com/x/forked?rev=abc#abc), not crates.io; skipped',
      ],
    });
  });

  it('reads the sparse crates.io index, warns on another registry and on unreadable lines', () => {
    const text = [
      'version = 3',
      '',
      '[root]',
      'name = "legacy-root"',
      'version = "0.0.1"',
      '',
      '[[package]]',
      'name = "serde"',
      'version = "1.0.200"',
      'source = "sparse+https://index.crates.io/"',
      'weird line',
      '',
      '[[package]]',
      'name = "internal"',
      'version = "1.0.0"',
      'source = "registry+https://crates.example.com/index"',
      '',
      '[[package]]',
      'name = "nameless-has-no-version"',
      '',
      '[[patch.unused]]',
      'name = "unused"',
      'version = "9.9.9"',
      '',
      '[profile]',
      'opt = 1',
    ].join('\n');
    const inv = inventory({ path: 'Cargo.lock', text });
    expect(inv.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['serde@1.0.200']);
    expect(inv.warnings).toEqual([
      'Cargo.lock:11: cannot read "weird line"; skipped',
      'Cargo.lock:25: unknown table [profile]; ignored',
      'Cargo.lock:13: internal 1.0.0 comes from another registry (registry+https://crates.example.com/index), not crates.io; skipped',
      'Cargo.lock:18: [[package]] without a name and version; skipped',
    ]);
  });

  it('warns when the lock format is newer than it knows', () => {
    const inv = inventory({
      path: 'Cargo.lock',
      text: 'version = 5\n[[package]]\nname = "a"\nversion = "1.0.0"\n',
    });
    expect(inv.warnings).toEqual([
      'Cargo.lock: Cargo.lock version 5 is newer than 4; read as version 4',
    ]);
  });

  it.each([
    ['', 'Cargo.lock: empty file, not a Cargo.lock'],
    ['# just a comment\nversion = 3\n', 'Cargo.lock: not a Cargo.lock (no [[package]] table)'],
  ])('rejects %j', (text, error) => {
    expect(cargoLock.parse({ path: 'Cargo.lock', text })).toEqual({ ok: false, error });
  });
});
