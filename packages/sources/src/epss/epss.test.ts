import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { epssSource, parseEpssComment } from './index.ts';

const path = fileURLToPath(
  new URL('../../testdata/epss/epss_scores-2026-09-29.head.csv', import.meta.url),
);
const real = { path, text: readFileSync(path, 'utf8') };

describe('epssSource', () => {
  it('reads the real daily file head with its model version and score date', () => {
    const result = epssSource.parse(real);
    expect(result.errors).toEqual([]);
    expect(result.metadata).toEqual({
      records: 30,
      modelVersion: 'v2026.06.15',
      scoreDate: '2026-09-29T12:00:22Z',
    });
    expect(result.facts.size).toBe(30);
    expect(result.facts.get('CVE-1999-0016')).toEqual({
      cve: 'CVE-1999-0016',
      epss: {
        source: 'FIRST EPSS',
        timestamp: '2026-09-29T12:00:22Z',
        origin: path,
        scoreDate: '2026-09-29T12:00:22Z',
        modelVersion: 'v2026.06.15',
        score: 0.95739,
        percentile: 0.99871,
      },
      cvss: [],
      cwes: [],
    });
  });

  it.each([
    ['the real comment line', real.text.split('\n')[0], 1],
    ['a header without comment', 'cve,epss,percentile\nCVE-2024-1,0.1,0.2\n', 0.9],
    ['KEV CSV', 'cveID,vendorProject,product\n', 0],
  ])('detects %s', (_name, text = '', score) => {
    expect(epssSource.detect({ path: 'scores.csv', text })).toBe(score);
  });

  it('parses the comment line into pairs', () => {
    expect(
      parseEpssComment('#model_version:v2023.03.01,score_date:2024-01-01T00:00:00+0000'),
    ).toEqual({ model_version: 'v2023.03.01', score_date: '2024-01-01T00:00:00+0000' });
  });

  it('takes the score date from the file name when there is no comment line', () => {
    const result = epssSource.parse({
      path: '/feeds/epss_scores-2021-05-01.csv',
      text: 'cve,epss,percentile\nCVE-2021-44228,0.97,0.99\n',
    });
    expect(result.facts.get('CVE-2021-44228')?.epss).toEqual({
      source: 'FIRST EPSS',
      timestamp: '2021-05-01',
      origin: '/feeds/epss_scores-2021-05-01.csv',
      scoreDate: '2021-05-01',
      score: 0.97,
      percentile: 0.99,
    });
    expect(result.errors).toEqual([]);
  });

  it('reports bad rows by line and keeps the rest (lenient)', () => {
    const text = [
      '#model_version:v1,score_date:2026-01-02T00:00:00Z',
      'cve,epss,percentile',
      'CVE-2024-0001,0.5,0.9',
      'CVE-2024-0002,1.5,0.9',
      'GHSA-xxxx,0.1,0.1',
      'CVE-2024-0003,,0.1',
      'CVE-2024-0004,0.000010000,0.00001',
      '',
    ].join('\n');
    const result = epssSource.parse({ path: 'e.csv', text });
    expect([...result.facts.keys()]).toEqual(['CVE-2024-0001', 'CVE-2024-0004']);
    expect(result.facts.get('CVE-2024-0004')?.epss?.score).toBe(0.00001);
    expect(result.errors).toEqual([
      { origin: 'e.csv:4', message: 'not a score row (3 fields)' },
      { origin: 'e.csv:5', message: 'not a score row (3 fields)' },
      { origin: 'e.csv:6', message: 'not a score row (3 fields)' },
    ]);
    expect(result.metadata).toEqual({
      records: 5,
      modelVersion: 'v1',
      scoreDate: '2026-01-02T00:00:00Z',
    });
  });

  it.each([
    ['no header', 'e.csv', 'CVE-2024-0001,0.5,0.9\n', 'e.csv:1', 'no `cve,epss,percentile` header'],
    [
      'no score date anywhere',
      'scores.csv',
      'cve,epss,percentile\nCVE-2024-0001,0.5,0.9\n',
      'scores.csv',
      'no score date (no `#…score_date:` line and no date in the file name)',
    ],
    ['an empty file', 'e.csv', '', 'e.csv', 'no score rows'],
  ])('reads nothing from a file with %s', (_name, file, text, origin, message) => {
    const result = epssSource.parse({ path: file, text });
    expect(result.facts.size).toBe(0);
    expect(result.errors).toEqual([{ origin, message }]);
  });

  it('reads 300,000 synthetic rows (the size of a real daily file)', () => {
    const lines = [
      '#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z',
      'cve,epss,percentile',
    ];
    for (let i = 0; i < 300_000; i++) lines.push(`CVE-2020-${10000 + i},0.00${i % 1000},0.5`);
    const result = epssSource.parse({ path: 'big.csv', text: lines.join('\n') });
    expect(result.errors).toEqual([]);
    expect(result.facts.size).toBe(300_000);
  });
});
