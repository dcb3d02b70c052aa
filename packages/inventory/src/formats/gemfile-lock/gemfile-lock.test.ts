import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryInput } from '../../types.ts';
import { gemfileLock, gemPurl } from './index.ts';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const devise = 'gemfile-lock/devise-Gemfile.lock';
const faker = 'gemfile-lock/faker-Gemfile.lock';
const otherSamples = [
  'npm-package-lock/npm11-lockfile-v3-package-lock.json',
  'pip-requirements/pip-freeze.txt',
  'go-mod/cli-cli-go.mod',
  'go-buildinfo/kubectl.txt',
  'cargo-lock/ripgrep-v4-Cargo.lock',
  'composer-lock/laravel-excerpt-composer.lock',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = gemfileLock.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

describe('gemfile-lock detection', () => {
  it.each([
    [devise, 'Gemfile.lock', 1],
    [faker, 'gems.locked', 1],
    [faker, 'faker.lock', 0.9],
  ])('%s read as %s scores %d', (file, as, score) => {
    expect(gemfileLock.detect(sample(file, as))).toBe(score);
  });

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(gemfileLock.detect(sample(file))).toBe(0);
  });
});

describe('devise Gemfile.lock (GIT, PATH and GEM sections, Bundler 4)', () => {
  const inv = inventory(sample(devise, 'Gemfile.lock'));

  it('lists the 96 GEM specs plus Bundler; the PATH gem is the project itself', () => {
    expect(inv.packages).toHaveLength(97);
    expect(inv.packages.map((p) => p.name)).not.toContain('devise');
  });

  it('skips the gem taken from git, saying so', () => {
    expect(inv.warnings).toEqual([
      'Gemfile.lock:6: mongoid 9.0.9 comes from GIT https://github.com/mongodb/mongoid.git, not a gem server; skipped',
    ]);
  });

  it.each([
    [
      'rails',
      {
        ecosystem: 'RubyGems',
        name: 'rails',
        version: '8.1.1',
        purl: 'pkg:gem/rails@8.1.1',
        location: 'Gemfile.lock:214',
        direct: true,
      },
    ],
    [
      // listed only as a dependency of actionpack: transitive
      'nokogiri',
      {
        ecosystem: 'RubyGems',
        name: 'nokogiri',
        version: '1.19.0',
        purl: 'pkg:gem/nokogiri@1.19.0',
        location: 'Gemfile.lock:163',
        direct: false,
      },
    ],
    [
      'bundler',
      {
        ecosystem: 'RubyGems',
        name: 'bundler',
        version: '4.0.3',
        purl: 'pkg:gem/bundler@4.0.3',
        location: 'Gemfile.lock:312',
      },
    ],
  ])('%s', (name, expected) => {
    expect(inv.packages.find((p) => p.name === name)).toEqual(expected);
  });

  it('does not read 6-space dependency constraints as installed gems', () => {
    expect(inv.packages.filter((p) => p.name === 'actionpack').map((p) => p.version)).toEqual([
      '8.1.1',
    ]);
  });
});

describe('faker Gemfile.lock (PATH first, Bundler 2.1)', () => {
  it('reads the GEM specs in order and marks DEPENDENCIES as direct', () => {
    const inv = inventory(sample(faker, 'Gemfile.lock'));
    expect(inv.warnings).toEqual([]);
    expect(inv.packages).toHaveLength(26);
    expect(inv.packages.slice(0, 3)).toEqual([
      {
        ecosystem: 'RubyGems',
        name: 'ast',
        version: '2.4.2',
        purl: 'pkg:gem/ast@2.4.2',
        location: 'Gemfile.lock:10',
        direct: false,
      },
      {
        ecosystem: 'RubyGems',
        name: 'coderay',
        version: '1.1.3',
        purl: 'pkg:gem/coderay@1.1.3',
        location: 'Gemfile.lock:11',
        direct: false,
      },
      {
        ecosystem: 'RubyGems',
        name: 'concurrent-ruby',
        version: '1.1.8',
        purl: 'pkg:gem/concurrent-ruby@1.1.8',
        location: 'Gemfile.lock:12',
        direct: false,
      },
    ]);
    expect(inv.packages.filter((p) => p.direct).map((p) => p.name)).toEqual([
      'minitest',
      'pry',
      'rake',
      'rubocop',
      'simplecov',
      'test-unit',
      'timecop',
      'yard',
    ]);
  });
});

describe('platform gems and malformed input', () => {
  const text = [
    'GEM',
    '  remote: https://rubygems.org/',
    '  specs:',
    '    nokogiri (1.15.4-x86_64-linux)',
    '      racc (~> 1.4)',
    '    nokogiri (1.15.4-arm64-darwin)',
    '    racc (1.7.1)',
    '    broken spec line',
    '',
    'PLUGIN SOURCE',
    '  remote: https://plugins.example',
    '  specs:',
    '    plug (0.1.0)',
    '',
    'PLATFORMS',
    '  arm64-darwin',
    '  x86_64-linux',
    '',
    'DEPENDENCIES',
    '  nokogiri',
    '',
    'SOMETHING NEW',
    '  stuff',
  ].join('\n');
  const inv = inventory({ path: 'Gemfile.lock', text });

  it('keeps the platform out of the version and in the purl', () => {
    expect(inv.packages).toEqual([
      {
        ecosystem: 'RubyGems',
        name: 'nokogiri',
        version: '1.15.4',
        purl: 'pkg:gem/nokogiri@1.15.4?platform=x86_64-linux',
        location: 'Gemfile.lock:4',
        direct: true,
        arch: 'x86_64-linux',
      },
      {
        ecosystem: 'RubyGems',
        name: 'nokogiri',
        version: '1.15.4',
        purl: 'pkg:gem/nokogiri@1.15.4?platform=arm64-darwin',
        location: 'Gemfile.lock:6',
        direct: true,
        arch: 'arm64-darwin',
      },
      {
        ecosystem: 'RubyGems',
        name: 'racc',
        version: '1.7.1',
        purl: 'pkg:gem/racc@1.7.1',
        location: 'Gemfile.lock:7',
        direct: false,
      },
    ]);
  });

  it('warns on what it cannot read', () => {
    expect(inv.warnings).toEqual([
      'Gemfile.lock:8: cannot read spec "broken spec line"; skipped',
      'Gemfile.lock:22: unknown section "SOMETHING NEW"; ignored',
      'Gemfile.lock:13: plug 0.1.0 comes from PLUGIN SOURCE https://plugins.example, not a gem server; skipped',
    ]);
  });

  it.each([
    ['', 'Gemfile.lock: empty file, not a Gemfile.lock'],
    [
      'hello\n  world\n',
      'Gemfile.lock: not a Gemfile.lock (no GEM, GIT, PATH or DEPENDENCIES section)',
    ],
  ])('rejects %j', (input, error) => {
    expect(gemfileLock.parse({ path: 'Gemfile.lock', text: input })).toEqual({ ok: false, error });
  });

  it.each([
    ['rails', '8.1.1', undefined, 'pkg:gem/rails@8.1.1'],
    ['nokogiri', '1.15.4', 'ruby', 'pkg:gem/nokogiri@1.15.4'],
    ['nokogiri', '1.15.4', 'x64-mingw-ucrt', 'pkg:gem/nokogiri@1.15.4?platform=x64-mingw-ucrt'],
  ])('purl of %s %s (%s)', (name, version, platform, purl) => {
    expect(gemPurl(name, version, platform)).toBe(purl);
  });
});
