import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryInput } from '../../types.ts';
import { goMod, goPurl, goVersionForOsv } from './index.ts';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const otherSamples = [
  'npm-package-lock/npm11-lockfile-v3-package-lock.json',
  'pip-requirements/pip-freeze.txt',
  'go-buildinfo/kubectl.txt',
  'cargo-lock/ripgrep-v4-Cargo.lock',
  'gemfile-lock/devise-Gemfile.lock',
  'composer-lock/laravel-excerpt-composer.lock',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = goMod.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

describe('go-mod detection', () => {
  it.each([
    ['go-mod/cli-cli-go.mod', 'go.mod', 1],
    ['go-mod/golang-vuln-go.mod', 'vuln/go.mod', 1],
    ['go-mod/golang-vuln-go.mod', 'vuln.mod', 0.8],
  ])('%s read as %s scores %d', (file, as, score) => {
    expect(goMod.detect(sample(file, as))).toBe(score);
  });

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(goMod.detect(sample(file))).toBe(0);
  });
});

describe('go.mod of cli/cli (go 1.13, one require block, a replace)', () => {
  const inv = inventory(sample('go-mod/cli-cli-go.mod', 'go.mod'));

  it('lists 32 modules and the standard library', () => {
    expect(inv.packages).toHaveLength(33);
    expect(inv.warnings).toEqual([]);
  });

  it.each([
    [
      'github.com/AlecAivazis/survey/v2',
      {
        ecosystem: 'Go',
        name: 'github.com/AlecAivazis/survey/v2',
        version: '2.2.7',
        purl: 'pkg:golang/github.com/AlecAivazis/survey/v2@v2.2.7',
        location: 'go.mod:6',
        direct: true,
      },
    ],
    [
      'golang.org/x/text',
      {
        ecosystem: 'Go',
        name: 'golang.org/x/text',
        version: '0.3.4',
        purl: 'pkg:golang/golang.org/x/text@v0.3.4',
        location: 'go.mod:36',
        direct: false,
      },
    ],
    [
      // replace github.com/shurcooL/graphql => github.com/cli/shurcooL-graphql v0.0.0-…
      'github.com/cli/shurcooL-graphql',
      {
        ecosystem: 'Go',
        name: 'github.com/cli/shurcooL-graphql',
        version: '0.0.0-20200707151639-0f7232a2bf7e',
        purl: 'pkg:golang/github.com/cli/shurcooL-graphql@v0.0.0-20200707151639-0f7232a2bf7e',
        location: 'go.mod:29',
        direct: true,
      },
    ],
    ['stdlib', { ecosystem: 'Go', name: 'stdlib', version: '1.13', location: 'go.mod:3' }],
  ])('%s', (name, expected) => {
    expect(inv.packages.find((p) => p.name === name)).toEqual(expected);
  });

  it('no longer lists the replaced module', () => {
    expect(inv.packages.map((p) => p.name)).not.toContain('github.com/shurcooL/graphql');
  });
});

describe('go.mod of golang.org/x/vuln (block and single-line require)', () => {
  it('reads both forms', () => {
    const inv = inventory(sample('go-mod/golang-vuln-go.mod', 'go.mod'));
    expect(inv.packages.map((p) => [p.name, p.version, p.direct])).toEqual([
      ['github.com/google/go-cmdtest', '0.4.1-0.20220921163831-55ab3332a786', true],
      ['github.com/google/go-cmp', '0.5.8', true],
      ['golang.org/x/mod', '0.14.0', true],
      ['golang.org/x/sync', '0.5.0', true],
      ['golang.org/x/tools', '0.16.0', true],
      ['mvdan.cc/unparam', '0.0.0-20230312165513-e84e2d14e3b8', true],
      ['github.com/google/renameio', '0.1.0', false],
      ['stdlib', '1.18', undefined],
    ]);
  });
});

describe('replace, exclude and malformed lines', () => {
  const text = [
    'module example.com/app',
    '',
    'go 1.22.5',
    'toolchain go1.23.1',
    '',
    'require (',
    '\texample.com/a v1.0.0',
    '\texample.com/b v1.2.0 // indirect; needed by a',
    '\texample.com/c v0.3.0',
    '\t"example.com/d" v2.0.0+incompatible',
    '\texample.com/broken',
    ')',
    '',
    'exclude example.com/a v1.1.0',
    'replace example.com/a v0.9.0 => example.com/a-fork v0.9.1 // another version: no effect',
    'replace example.com/b => example.com/b-fork v1.2.1',
    'replace example.com/c v0.3.0 => ../c',
    'retract v0.1.0',
    'frobnicate x',
  ].join('\n');
  const inv = inventory({ path: 'go.mod', text });

  it('applies a versioned replace only to that version, an unversioned one to all', () => {
    expect(inv.packages).toEqual([
      {
        ecosystem: 'Go',
        name: 'example.com/a',
        version: '1.0.0',
        purl: 'pkg:golang/example.com/a@v1.0.0',
        location: 'go.mod:7',
        direct: true,
      },
      {
        ecosystem: 'Go',
        name: 'example.com/b-fork',
        version: '1.2.1',
        purl: 'pkg:golang/example.com/b-fork@v1.2.1',
        location: 'go.mod:8',
        direct: false,
      },
      {
        ecosystem: 'Go',
        name: 'example.com/d',
        version: '2.0.0+incompatible',
        purl: 'pkg:golang/example.com/d@v2.0.0%2Bincompatible',
        location: 'go.mod:10',
        direct: true,
      },
      // the go directive, not the toolchain, as osv-scanner does
      { ecosystem: 'Go', name: 'stdlib', version: '1.22.5', location: 'go.mod:3' },
    ]);
  });

  it('warns on a local replacement, a malformed require and an unknown directive', () => {
    expect(inv.warnings).toEqual([
      'go.mod:11: cannot read require "example.com/broken"; skipped',
      'go.mod:19: unknown directive "frobnicate"; ignored',
      'go.mod:9: example.com/c v0.3.0 is replaced by the local directory ../c (line 17); no module version to match, skipped',
    ]);
  });

  it.each([
    ['', 'go.mod: empty file, not a go.mod'],
    ['// only a comment\n', 'go.mod: not a go.mod (no module, go or require directive)'],
  ])('rejects %j', (input, error) => {
    expect(goMod.parse({ path: 'go.mod', text: input })).toEqual({ ok: false, error });
  });

  it('warns when a block is not closed', () => {
    const unclosed = inventory({
      path: 'go.mod',
      text: 'module m\nrequire (\n\texample.com/a v1.0.0\n',
    });
    expect(unclosed.packages.map((p) => p.name)).toEqual(['example.com/a']);
    expect(unclosed.warnings).toEqual(['go.mod: "require (" block is not closed']);
  });
});

describe('helpers', () => {
  it.each([
    ['v1.2.3', '1.2.3'],
    ['v0.0.0-20200707151639-0f7232a2bf7e', '0.0.0-20200707151639-0f7232a2bf7e'],
    ['1.22.5', '1.22.5'],
  ])('OSV version of %s is %s', (version, osv) => {
    expect(goVersionForOsv(version)).toBe(osv);
  });

  it('purl keeps the module path segments and the v', () => {
    expect(goPurl('github.com/blang/semver/v4', 'v4.0.0')).toBe(
      'pkg:golang/github.com/blang/semver/v4@v4.0.0',
    );
  });
});
