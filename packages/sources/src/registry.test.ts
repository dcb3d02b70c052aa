import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  detectSource,
  enrichmentSource,
  enrichmentSourceIds,
  enrichmentSources,
} from './registry.ts';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const input = (file: string) => ({
  path: testdata + file,
  text: readFileSync(testdata + file, 'utf8'),
});

/** One real sample per source: the contract test reads each with its own source. */
const samples: Record<string, string> = {
  kev: 'kev/known_exploited_vulnerabilities.excerpt.json',
  epss: 'epss/epss_scores-2026-09-29.head.csv',
  cve5: 'cve5/2023/43xxx/CVE-2023-43208.json',
  nvd: 'nvd/nvd-api2-sample.json',
};

describe('enrichment source registry', () => {
  it('registers every source id once', () => {
    expect(enrichmentSources.map((s) => s.id)).toEqual([...enrichmentSourceIds]);
  });

  describe.each(enrichmentSources.map((s) => [s.id, s] as const))('%s (contract)', (id, source) => {
    const sample = input(samples[id] ?? '');

    it('names itself and links its spec', () => {
      expect(source.displayName).not.toBe('');
      expect(source.specUrls.length).toBeGreaterThan(0);
      for (const url of source.specUrls) expect(url).toMatch(/^https:\/\//);
      expect(enrichmentSource(id)).toBe(source);
    });

    it('is the detected source of its real sample', () => {
      expect(detectSource(sample)).toBe(source);
    });

    it('reads its real sample into facts keyed by upper-case CVE IDs with provenance', () => {
      const { facts, errors } = source.parse(sample);
      expect(errors).toEqual([]);
      expect(facts.size).toBeGreaterThan(0);
      for (const [cve, fact] of facts) {
        expect(cve).toMatch(/^CVE-\d{4}-\d{4,}$/);
        expect(fact.cve).toBe(cve);
        const provenances = [fact.kev, fact.epss, fact.ssvc, ...fact.cvss].filter(
          (p) => p !== undefined,
        );
        for (const p of provenances) expect(p.origin).toBe(sample.path);
      }
    });

    it.each([
      ['empty text', ''],
      ['binary-looking text', '\u0000\u0001PK'],
      ['a JSON number', '42'],
    ])('does not throw on %s', (_name, text) => {
      expect(() => source.parse({ path: 'x', text })).not.toThrow();
      expect(source.detect({ path: 'x', text })).toBe(0);
    });
  });

  it('claims nothing for text no source reads', () => {
    expect(detectSource({ path: 'README.md', text: '# Vulnrichment\n' })).toBeUndefined();
  });
});
