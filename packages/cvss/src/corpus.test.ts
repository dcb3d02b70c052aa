// Real stated scores: every (vector, baseScore) pair that CNAs and CISA-ADP state in 36,003 CVE
// JSON 5 records (testdata/cve5-scores.tsv, made by scripts/extract-corpus.ts), and the scores of
// one NVD CVE API 2.0 page when the shared data set is present.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scoreCvss, scoreCvssAs, type CvssVersion } from './index.ts';

const testdata = (name: string): string =>
  fileURLToPath(new URL(`../testdata/${name}`, import.meta.url));

const rows = (name: string): string[][] =>
  readFileSync(testdata(name), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t'));

interface Line {
  version: CvssVersion;
  vector: string;
  stated: number;
  cve: string;
}

const toLine = ([version, vector, stated, cve]: string[]): Line => ({
  version: version as CvssVersion,
  vector: vector ?? '',
  stated: Number(stated),
  cve: cve ?? '',
});

const corpus = rows('cve5-scores.tsv').map(toLine);
const knownBad = rows('cve5-known-bad.tsv').map((row) => ({
  ...toLine(row),
  reason: row[4] ?? '',
}));
const key = (line: Line): string => `${line.version}\t${line.vector}\t${line.stated}\t${line.cve}`;
const knownBadKeys = new Set(knownBad.map(key));
const good = corpus.filter((line) => !knownBadKeys.has(key(line)));
const rate = ((100 * knownBad.length) / corpus.length).toFixed(1);

describe(`CVE JSON 5 corpus: ${corpus.length} stated scores, ${knownBad.length} known-bad (${rate}%)`, () => {
  it('holds a few hundred distinct vectors of every version', () => {
    const perVersion: Record<string, number> = {};
    for (const line of corpus) perVersion[line.version] = (perVersion[line.version] ?? 0) + 1;
    expect(Object.keys(perVersion).sort()).toEqual(['2.0', '3.0', '3.1', '4.0']);
    expect(perVersion['2.0']).toBeGreaterThan(50);
    expect(perVersion['3.0']).toBeGreaterThan(200);
    expect(perVersion['3.1']).toBeGreaterThan(1000);
    expect(perVersion['4.0']).toBeGreaterThan(500);
  });

  it('scores every vector with the base score its record states', () => {
    const mismatches = good
      .map((line) => ({ line, result: scoreCvssAs(line.version, line.vector) }))
      .filter(({ line, result }) => !result.ok || result.value.baseScore !== line.stated)
      .map(({ line, result }) => ({
        cve: line.cve,
        vector: line.vector,
        stated: line.stated,
        ours: result.ok ? result.value.baseScore : result.error,
      }));
    expect(mismatches).toEqual([]);
  });

  it('detects the version of every vector from its prefix alone', () => {
    const wrong = corpus.filter((line) => {
      const result = scoreCvss(line.vector);
      return !result.ok || result.value.version !== line.version;
    });
    expect(wrong).toEqual([]);
  });

  it.each(knownBad)('$cve states $stated for $vector: $reason', (line) => {
    expect(corpus.some((candidate) => key(candidate) === key(line))).toBe(true);
    const result = scoreCvssAs(line.version, line.vector);
    if (!result.ok) throw new Error(result.error);
    const { baseScore, temporalScore, environmentalScore } = result.value;
    expect(baseScore).not.toBe(line.stated);
    const kind = line.reason.split(' ')[0];
    if (kind === 'temporal') expect(temporalScore).toBe(line.stated);
    else if (kind === 'environmental') expect(environmentalScore).toBe(line.stated);
    else if (kind === 'environmental-equation') {
      const withEnvironment = scoreCvssAs(line.version, `${line.vector}/CR:X`);
      expect(withEnvironment.ok && withEnvironment.value.environmentalScore).toBe(line.stated);
    } else if (kind === 'v4-rounding') {
      expect(Math.round((baseScore - 0.1) * 10) / 10).toBe(line.stated);
    } else {
      expect(kind).toBe('wrong');
      expect([temporalScore, environmentalScore]).not.toContain(line.stated);
    }
  });
});

const nvdSample = fileURLToPath(
  new URL('../../../../shared/data/advisories/nvd/nvd-api2-sample.json', import.meta.url),
);

interface NvdMetric {
  cvssData: { version: string; vectorString: string; baseScore: number; baseSeverity?: string };
  baseSeverity?: string;
}

describe('NVD CVE API 2.0 sample', () => {
  const absent = !existsSync(nvdSample);
  it.skipIf(absent)(
    `agrees with every score and severity NVD states${absent ? ` (skipped: ${nvdSample} absent)` : ''}`,
    () => {
      const page = JSON.parse(readFileSync(nvdSample, 'utf8')) as {
        vulnerabilities: { cve: { id: string; metrics?: Record<string, NvdMetric[]> } }[];
      };
      const stated = page.vulnerabilities.flatMap(({ cve }) =>
        Object.values(cve.metrics ?? {})
          .flat()
          .map(({ cvssData, baseSeverity }) => ({
            id: cve.id,
            vector: cvssData.vectorString,
            baseScore: cvssData.baseScore,
            severity: (cvssData.baseSeverity ?? baseSeverity ?? '').toLowerCase(),
          })),
      );
      expect(stated.length).toBeGreaterThan(20);
      const ours = stated.map(({ id, vector }) => {
        const result = scoreCvss(vector);
        return result.ok
          ? { id, vector, baseScore: result.value.baseScore, severity: result.value.severity }
          : { id, vector, error: result.error };
      });
      expect(ours).toEqual(stated);
    },
  );
});
