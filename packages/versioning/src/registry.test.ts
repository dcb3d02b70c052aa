// Contract test: every registered scheme is run against its ordering corpora in
// testdata/<id>/*.txt (`a < b` lines) and its invalid list testdata/<id>/invalid.txt.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCorpus } from './corpus.ts';
import { compareVersions, InvalidVersionError } from './scheme.ts';
import { ecosystemBase, findScheme, schemeForEcosystem, versionSchemes } from './registry.ts';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));

describe.each(versionSchemes.map((scheme) => [scheme.id, scheme] as const))(
  'version scheme %s',
  (id, scheme) => {
    const dir = `${testdata}${id}/`;
    const corpusFiles = existsSync(dir)
      ? readdirSync(dir).filter((f) => f.endsWith('.txt') && f !== 'invalid.txt')
      : [];

    it('describes itself', () => {
      expect(scheme.id).toMatch(/^[a-z0-9-]+$/);
      expect(scheme.displayName.length).toBeGreaterThan(0);
      expect(scheme.specUrls.length).toBeGreaterThan(0);
      expect(scheme.ecosystems.length).toBeGreaterThan(0);
      expect(existsSync(fileURLToPath(new URL(`./schemes/${id}/readme.md`, import.meta.url)))).toBe(
        true,
      );
    });

    it('has an ordering corpus', () => {
      expect(corpusFiles.length).toBeGreaterThan(0);
    });

    it.each(corpusFiles)('orders every pair of %s as the corpus says', (file) => {
      const cases = parseCorpus(readFileSync(dir + file, 'utf8'));
      expect(cases.length).toBeGreaterThan(0);
      const wrong = [];
      for (const c of cases) {
        const forward = compareVersions(scheme, c.a, c.b);
        const backward = compareVersions(scheme, c.b, c.a);
        if (forward !== c.expected || backward !== -c.expected) {
          wrong.push(
            `${file}:${c.line}: ${c.a} ? ${c.b} gave ${forward}/${backward}, want ${c.expected}`,
          );
        }
      }
      expect(wrong.slice(0, 20)).toEqual([]);
    });

    it('rejects invalid versions with an error naming the scheme', () => {
      const file = dir + 'invalid.txt';
      const invalid = existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l !== '' && !l.startsWith('#'))
        : [];
      expect(invalid.length).toBeGreaterThan(0);
      for (const version of invalid) {
        const result = scheme.parse(version);
        expect(result, `"${version}" should be invalid`).toMatchObject({ ok: false });
        expect(() => compareVersions(scheme, version, version)).toThrow(InvalidVersionError);
        expect(() => compareVersions(scheme, version, version)).toThrow(id);
      }
    });
  },
);

describe('registry', () => {
  it.each([
    ['Debian:12', 'Debian'],
    ['Ubuntu:22.04:LTS', 'Ubuntu'],
    ['Alpine:v3.20', 'Alpine'],
    ['npm', 'npm'],
  ])('takes the base of %s', (ecosystem, base) => {
    expect(ecosystemBase(ecosystem)).toBe(base);
  });

  it.each([
    ['Debian:12', 'debian'],
    ['Ubuntu:22.04:LTS', 'debian'],
    ['AlmaLinux:9', 'rpm'],
    ['Rocky Linux:9', 'rpm'],
    ['Red Hat', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['Alpine:v3.20', 'alpine'],
    ['npm', 'semver'],
    ['crates.io', 'semver'],
    ['Go', 'go'],
    ['PyPI', 'pep440'],
    ['Maven', 'maven'],
    ['RubyGems', 'rubygems'],
    ['NuGet', 'nuget'],
    ['Packagist', 'packagist'],
  ])('orders %s with the %s scheme', (ecosystem, id) => {
    expect(schemeForEcosystem(ecosystem)?.id).toBe(id);
  });

  it('finds schemes by id and by ecosystem', () => {
    expect(findScheme('pep440')?.id).toBe('pep440');
    expect(findScheme('PyPI')?.id).toBe('pep440');
    expect(findScheme('cobol')).toBeUndefined();
  });
});
