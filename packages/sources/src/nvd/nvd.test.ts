import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { VulnerabilityFacts } from '../facts.ts';
import { nvdSource } from './index.ts';

const testdata = fileURLToPath(new URL('../../testdata/nvd/', import.meta.url));
const fixture = (file: string) => {
  const path = testdata + file;
  return { path, text: readFileSync(path, 'utf8') };
};
const sample = fixture('nvd-api2-sample.json');
const sampleFacts = nvdSource.parse(sample);

describe('nvdSource', () => {
  it('reads every CVE of the real API page without an error', () => {
    expect(sampleFacts.errors).toEqual([]);
    expect(sampleFacts.metadata).toEqual({
      records: 13,
      rejected: 0,
      timestamp: '2026-01-29T23:19:29.408',
      totalResults: 1,
    });
    expect(sampleFacts.facts.size).toBe(13);
  });

  it('keeps Primary and Secondary vectors of every version with their source', () => {
    expect(sampleFacts.facts.get('CVE-2018-14618')).toEqual<VulnerabilityFacts>({
      cve: 'CVE-2018-14618',
      cvss: [
        {
          source: 'NVD',
          timestamp: '2024-11-21T03:49:26.003',
          origin: sample.path,
          version: '2.0',
          vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C',
          statedBaseScore: 10,
          kind: 'Primary',
        },
        {
          source: 'NVD (secalert@redhat.com)',
          timestamp: '2024-11-21T03:49:26.003',
          origin: sample.path,
          version: '3.0',
          vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H',
          statedBaseScore: 7.5,
          kind: 'Secondary',
        },
        {
          source: 'NVD',
          timestamp: '2024-11-21T03:49:26.003',
          origin: sample.path,
          version: '3.0',
          vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          statedBaseScore: 9.8,
          kind: 'Primary',
        },
      ],
      cwes: ['CWE-122', 'CWE-131', 'CWE-190'],
      published: '2018-09-05T19:29:00.420',
    });
  });

  it.each([
    ['a CVSS 4.0 vector', 'CVE-2025-4565', ['3.1', '4.0'], ['CWE-674']],
    ['NVD-CWE-noinfo skipped', 'CVE-2023-45803', ['3.1', '3.1'], ['CWE-200']],
    ['CISA ADP named by its orgId', 'CVE-2026-20912', ['3.1'], ['CWE-284', 'CWE-639']],
  ])('reads %s', (_name, cve, versions, cwes) => {
    const facts = sampleFacts.facts.get(cve);
    expect(facts?.cvss.map((c) => c.version)).toEqual(versions);
    expect(facts?.cwes).toEqual(cwes);
  });

  it('names the CISA ADP vector by its short name', () => {
    expect(sampleFacts.facts.get('CVE-2026-20912')?.cvss[0]?.source).toBe('NVD (CISA-ADP)');
  });

  it('turns the mirrored CISA KEV fields into a KEV fact', () => {
    const input = fixture('CVE-2023-4863.trimmed.json');
    const result = nvdSource.parse(input);
    expect(result.errors).toEqual([]);
    expect(result.facts.get('CVE-2023-4863')).toEqual<VulnerabilityFacts>({
      cve: 'CVE-2023-4863',
      kev: {
        source: 'NVD (CISA KEV mirror)',
        timestamp: '2023-09-13',
        origin: input.path,
        dateAdded: '2023-09-13',
        dueDate: '2023-10-04',
        knownRansomwareCampaignUse: 'Unknown',
        vulnerabilityName: 'Google Chromium WebP Heap-Based Buffer Overflow Vulnerability',
        requiredAction:
          'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
      },
      cvss: [
        {
          source: 'NVD',
          timestamp: '2023-10-28T19:15:38.643',
          origin: input.path,
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
          statedBaseScore: 8.8,
          kind: 'Primary',
        },
      ],
      cwes: ['CWE-787'],
      published: '2023-09-12T15:15:24.327',
    });
  });

  it('yields no facts for a Rejected CVE', () => {
    // The real page's first CVE with its status changed: NVD keeps metrics on rejected CVEs.
    const page = JSON.parse(sample.text) as { vulnerabilities: { cve: Record<string, unknown> }[] };
    const first = page.vulnerabilities[0];
    if (first === undefined) throw new Error('empty sample');
    first.cve['vulnStatus'] = 'Rejected';
    const result = nvdSource.parse({ path: 'p.json', text: JSON.stringify(page) });
    expect(result.facts.has('CVE-2026-20912')).toBe(false);
    expect(result.facts.size).toBe(12);
    expect(result.metadata['rejected']).toBe(1);
  });

  it('reports bad items and keeps the rest (lenient)', () => {
    const text = JSON.stringify({
      format: 'NVD_CVE',
      vulnerabilities: [
        { cve: { id: 'CVE-2024-0001', metrics: { cvssMetricV31: [{ cvssData: {} }] } } },
        { cve: { id: 'bogus' } },
        { notcve: true },
        { cve: { id: 'CVE-2024-0002', cisaExploitAdd: 'soon' } },
      ],
    });
    const result = nvdSource.parse({ path: 'p.json', text });
    expect([...result.facts.keys()]).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
    expect(result.errors).toEqual([
      {
        origin: 'p.json#vulnerabilities[0]',
        message: 'CVE-2024-0001: metrics.cvssMetricV31[0]: no cvssData.vectorString',
      },
      { origin: 'p.json#vulnerabilities[1]', message: 'id: not a CVE ID' },
      { origin: 'p.json#vulnerabilities[2]', message: 'no `cve` object' },
      {
        origin: 'p.json#vulnerabilities[3]',
        message: 'CVE-2024-0002: cisaExploitAdd: not a date',
      },
    ]);
  });

  it.each([
    ['the real page', sample.text, 1],
    ['a page without format', '{"vulnerabilities": [ { "cve": {"id": "CVE-2024-1"} } ]}', 0.9],
    ['a KEV catalogue', '{"catalogVersion":"1","vulnerabilities":[{"cveID":"x"}]}', 0],
    ['CSV', 'cve,epss,percentile\n', 0],
  ])('detects %s', (_name, text, score) => {
    expect(nvdSource.detect({ path: 'x.json', text })).toBe(score);
  });

  it.each([
    ['not JSON', '{', /^not valid JSON: /],
    ['JSON without vulnerabilities', '{"format":"NVD_CVE"}', /no `vulnerabilities` array/],
  ])('turns %s into one error entry', (_name, text, message) => {
    const result = nvdSource.parse({ path: 'x.json', text });
    expect(result.facts.size).toBe(0);
    expect(result.errors).toEqual([
      { origin: 'x.json', message: expect.stringMatching(message) as string },
    ]);
  });
});
