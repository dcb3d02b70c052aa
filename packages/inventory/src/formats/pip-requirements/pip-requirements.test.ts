import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory, InventoryInput } from '../../types.ts';
import { normalisePypiName, pipRequirements } from './index.ts';

const testdata = fileURLToPath(new URL('../../../testdata/', import.meta.url));
const otherSamples = [
  'npm-package-lock/npm11-lockfile-v3-package-lock.json',
  'go-mod/cli-cli-go.mod',
  'go-buildinfo/kubectl.txt',
  'go-buildinfo/docker.txt',
  'cargo-lock/ripgrep-v4-Cargo.lock',
  'gemfile-lock/devise-Gemfile.lock',
  'composer-lock/laravel-excerpt-composer.lock',
];

function sample(relative: string, as?: string): InventoryInput {
  return { path: as ?? relative, text: readFileSync(`${testdata}${relative}`, 'utf8') };
}

function inventory(input: InventoryInput): Inventory {
  const result = pipRequirements.parse(input);
  if (!result.ok) throw new Error(result.error);
  return result.inventory;
}

describe('pip-requirements detection', () => {
  it.each([
    ['pip-requirements/pip-freeze.txt', 'requirements.txt', 0.9],
    ['pip-requirements/pip-freeze.txt', 'freeze.txt', 0.6],
    ['pip-requirements/httplib2-requirements-test.txt', 'requirements-test.txt', 0.9],
    ['pip-requirements/httplib2-requirements-test.txt', 'deps.txt', 0.6],
    // unpinned names only: recognisable by file name, not by content
    ['pip-requirements/pyenv-python-build-requirements.txt', 'requirements.txt', 0.9],
    ['pip-requirements/pyenv-python-build-requirements.txt', 'deps.txt', 0],
  ])('%s read as %s scores %d', (file, as, score) => {
    expect(pipRequirements.detect(sample(file, as))).toBe(score);
  });

  it.each(otherSamples)('does not claim %s', (file) => {
    expect(pipRequirements.detect(sample(file))).toBe(0);
  });
});

describe('pip freeze output (a real Python 3.11 environment)', () => {
  const inv = inventory(sample('pip-requirements/pip-freeze.txt', 'pip-freeze.txt'));

  it('reads every line as a pinned package', () => {
    expect(inv.packages).toHaveLength(101);
    expect(inv.warnings).toEqual([]);
  });

  it.each([
    [24, { name: 'Flask', version: '3.1.3', purl: 'pkg:pypi/flask@3.1.3' }],
    [77, { name: 'PyYAML', version: '6.0.3', purl: 'pkg:pypi/pyyaml@6.0.3' }],
    [
      96,
      { name: 'typing_extensions', version: '4.15.0', purl: 'pkg:pypi/typing-extensions@4.15.0' },
    ],
  ])('line %d keeps the name as written, normalises only the purl', (line, expected) => {
    expect(inv.packages.find((p) => p.location === `pip-freeze.txt:${line}`)).toEqual({
      ecosystem: 'PyPI',
      ...expected,
      location: `pip-freeze.txt:${line}`,
    });
  });
});

describe('pip-compile output with hashes and continuations (pypi/warehouse)', () => {
  const inv = inventory(
    sample('pip-requirements/warehouse-docs-user-requirements.txt', 'requirements/docs-user.txt'),
  );

  it('reads the pins and ignores hashes and "# via" comments', () => {
    expect(inv.warnings).toEqual([]);
    expect(inv.packages.map((p) => `${p.name}==${p.version}`)).toEqual([
      'babel==2.14.0',
      'certifi==2024.2.2',
      'click==8.1.7',
      'colorama==0.4.6',
      'ghp-import==2.1.0',
      'idna==3.7',
      'jinja2==3.1.3',
      'markdown==3.6',
      'mergedeep==1.3.4',
      'mkdocs==1.6.0',
      'mkdocs-get-deps==0.2.0',
      'mkdocs-macros-plugin==1.0.5',
    ]);
  });

  it('locates a continued requirement at its first line', () => {
    expect(inv.packages[1]).toEqual({
      ecosystem: 'PyPI',
      name: 'certifi',
      version: '2024.2.2',
      purl: 'pkg:pypi/certifi@2024.2.2',
      location: 'requirements/docs-user.txt:11',
    });
  });
});

describe('environment markers (httplib2 requirements-test.txt)', () => {
  const inv = inventory(
    sample('pip-requirements/httplib2-requirements-test.txt', 'requirements-test.txt'),
  );

  it('strips markers and keeps every pin of a project pinned per interpreter, with a warning', () => {
    expect(inv.packages).toHaveLength(13);
    expect(inv.packages[0]).toEqual({
      ecosystem: 'PyPI',
      name: 'cryptography',
      version: '35.0.0',
      purl: 'pkg:pypi/cryptography@35.0.0',
      location: 'requirements-test.txt:1',
    });
    expect(inv.packages.filter((p) => p.name === 'pytest').map((p) => p.version)).toEqual([
      '4.6.11',
      '6.1.2',
      '6.2.5',
    ]);
    expect(inv.warnings).toEqual([
      'requirements-test.txt: pytest is pinned 3 times: 4.6.11 (requirements-test.txt:10), 6.1.2 (requirements-test.txt:11), 6.2.5 (requirements-test.txt:12); all are listed because environment markers are not evaluated',
    ]);
  });
});

describe('unpinned requirements never get a guessed version', () => {
  it('pyenv python-build requirements: names, ranges, extras and a VCS URL', () => {
    const inv = inventory(
      sample('pip-requirements/pyenv-python-build-requirements.txt', 'requirements.txt'),
    );
    expect(inv.packages).toEqual([]);
    expect(inv.warnings).toEqual([
      'requirements.txt:1: more_itertools is not pinned to one version (no version); skipped',
      'requirements.txt:2: requests-html is not pinned to one version (no version); skipped',
      'requirements.txt:3: fake_useragent is not pinned to one version (<2); skipped',
      'requirements.txt:4: lxml is not pinned to one version (no version); skipped',
      'requirements.txt:5: packaging is not pinned to one version (no version); skipped',
      'requirements.txt:6: requests is not pinned to one version (no version); skipped',
      'requirements.txt:7: sortedcontainers is not pinned to one version (no version); skipped',
      'requirements.txt:8: tqdm is not pinned to one version (no version); skipped',
      'requirements.txt:9: jc is installed from "git+https://github.com/native-api/jc@haslib_mode", not a registry version; skipped',
    ]);
  });

  it('urllib3 docs requirements: an include and ranges', () => {
    const inv = inventory(
      sample('pip-requirements/urllib3-docs-requirements.txt', 'docs/requirements.txt'),
    );
    expect(inv.packages).toEqual([]);
    expect(inv.warnings[0]).toBe(
      'docs/requirements.txt:1: "-r ../dev-requirements.txt" includes another file; read that file separately',
    );
    expect(inv.warnings).toHaveLength(6);
  });

  it.each([
    [
      '-e git+https://github.com/x/y.git#egg=y',
      'editable install "git+https://github.com/x/y.git#egg=y" has no registry version; skipped',
    ],
    ['-c constraints.txt', '"-c constraints.txt" includes another file; read that file separately'],
    [
      '--requirement=base.txt',
      '"--requirement=base.txt" includes another file; read that file separately',
    ],
    [
      'https://example.org/pkg-1.0.tar.gz',
      '"https://example.org/pkg-1.0.tar.gz" is a URL or local path, not a pinned registry version; skipped',
    ],
    [
      './vendor/pkg',
      '"./vendor/pkg" is a URL or local path, not a pinned registry version; skipped',
    ],
    ['django>=4.2,<5', 'django is not pinned to one version (>=4.2,<5); skipped'],
    ['django==4.*', 'django is not pinned to one version (==4.*); skipped'],
    ['--frobnicate', 'unknown option "--frobnicate"; ignored'],
    ['!!!', 'cannot read "!!!"; skipped'],
  ])('%s → warning', (line, warning) => {
    const inv = inventory({ path: 'r.txt', text: `${line}\n` });
    expect(inv).toEqual({
      format: 'pip-requirements',
      source: 'r.txt',
      packages: [],
      warnings: [`r.txt:1: ${warning}`],
    });
  });
});

describe('pinned forms', () => {
  it.each([
    ['requests==2.31.0', 'requests', '2.31.0'],
    ['requests[socks] == 2.31.0', 'requests', '2.31.0'],
    ['Django===4.2.1', 'Django', '4.2.1'],
    ['foo==1.0 ; python_version >= "3.8"', 'foo', '1.0'],
    ['foo==1.0 --hash=sha256:abcd # comment', 'foo', '1.0'],
    ['zope.interface==6.0', 'zope.interface', '6.0'],
  ])('%s', (line, name, version) => {
    const inv = inventory({
      path: 'r.txt',
      text: `--index-url https://pypi.org/simple\n\n${line}\n`,
    });
    expect(inv.warnings).toEqual([]);
    expect(inv.packages.map((p) => [p.name, p.version, p.location])).toEqual([
      [name, version, 'r.txt:3'],
    ]);
  });

  it('an empty file is an empty inventory', () => {
    expect(inventory({ path: 'requirements.txt', text: '' })).toEqual({
      format: 'pip-requirements',
      source: 'requirements.txt',
      packages: [],
      warnings: [],
    });
  });

  it.each([
    ['Flask', 'flask'],
    ['typing_extensions', 'typing-extensions'],
    ['zope.interface', 'zope-interface'],
    ['A__b-.C', 'a-b-c'],
  ])('PEP 503 name of %s is %s', (name, normalised) => {
    expect(normalisePypiName(name)).toBe(normalised);
  });
});
