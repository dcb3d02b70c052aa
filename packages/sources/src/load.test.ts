import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { hasSharedData, sharedData, sharedDataMissing } from '@patchgate/testing';
import { writeZip } from '@patchgate/safe-parse/node';
import { afterAll, describe, expect, it } from 'vitest';
import type { VulnerabilityFacts } from './facts.ts';
import { loadEnrichment } from './load.ts';
import type { EnrichmentProgress } from './load.ts';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const kevJson = join(testdata, 'kev/known_exploited_vulnerabilities.excerpt.json');
const epssHead = join(testdata, 'epss/epss_scores-2026-09-29.head.csv');
const cve5Dir = join(testdata, 'cve5');
const mirthRecord = join(cve5Dir, '2023/43xxx/CVE-2023-43208.json');
const tick = () => {
  let t = 0;
  return () => (t += 5);
};

const temp = mkdtempSync(join(tmpdir(), 'patchgate-sources-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const write = (name: string, data: string | Uint8Array) => {
  const path = join(temp, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
  return path;
};
/** A zip of these entries, written under the temporary directory. */
const zipOf = async (name: string, entries: Record<string, Uint8Array | string>) => {
  const path = write(name, '');
  await writeZip(
    path,
    Object.entries(entries).map(([entry, data]) => ({
      name: entry,
      chunks: () => [Buffer.from(data)],
    })),
  );
  return path;
};
const strToU8 = (text: string) => Buffer.from(text);
const skipped = (relative: string) =>
  hasSharedData(relative) ? '' : ` (skipped: ${sharedDataMissing})`;

describe('loadEnrichment', () => {
  it('loads a CVE 5 tree, the KEV catalogue and EPSS, and merges them per CVE', async () => {
    const result = await loadEnrichment([cve5Dir, kevJson, epssHead], { now: tick() });
    expect(result.errors).toEqual([]);
    expect(result.sources).toEqual([
      {
        path: cve5Dir,
        kind: 'cve5',
        files: 10,
        records: 10,
        errors: 0,
        millis: 5,
        metadata: { records: 10, rejected: 1 },
      },
      {
        path: kevJson,
        kind: 'kev',
        files: 1,
        records: 7,
        errors: 0,
        millis: 5,
        metadata: {
          format: 'json',
          records: 7,
          catalogVersion: '2025.08.25',
          dateReleased: '2025-08-25T17:04:19.9796Z',
          count: 1404,
        },
      },
      {
        path: epssHead,
        kind: 'epss',
        files: 1,
        records: 30,
        errors: 0,
        millis: 5,
        metadata: { records: 30, modelVersion: 'v2026.06.15', scoreDate: '2026-09-29T12:00:22Z' },
      },
    ]);
    // The catalogue entry wins the tie with the ADP's KEV marker of the same dateAdded: it
    // says the ransomware use is Known, the marker cannot.
    const mirth = result.facts.get('CVE-2023-43208');
    expect(mirth?.kev).toMatchObject({
      source: 'CISA KEV',
      dateAdded: '2024-05-20',
      knownRansomwareCampaignUse: 'Known',
      origin: kevJson,
    });
    expect(mirth?.ssvc).toMatchObject({
      source: 'CVE 5 (CISA ADP)',
      exploitation: 'active',
      automatable: 'yes',
      technicalImpact: 'total',
    });
    expect(mirth?.cwes).toEqual(['CWE-502']);
    expect(mirth?.published).toBe('2023-10-26T00:00:00');
    // 9 published CVE 5 records + 7 KEV entries (3 also in the CVE 5 set) + 30 EPSS rows.
    expect(result.facts.size).toBe(9 + 7 - 3 + 30);
  });

  it('gives the same facts whatever the order of the paths', async () => {
    const a = await loadEnrichment([kevJson, cve5Dir]);
    const b = await loadEnrichment([cve5Dir, kevJson]);
    expect([...b.facts.entries()].sort()).toEqual([...a.facts.entries()].sort());
  });

  it('detects gzip by its magic bytes, whatever the file name', async () => {
    const path = write('epss_scores-2026-09-29.csv.bin', gzipSync(readFileSync(epssHead)));
    const result = await loadEnrichment([path]);
    expect(result.errors).toEqual([]);
    expect(result.sources.map((s) => [s.kind, s.records])).toEqual([['epss', 30]]);
    expect(result.facts.get('CVE-1999-0001')?.epss?.origin).toBe(path);
  });

  it('loads a zip of a cvelistV5-like tree, skipping files that are not data', async () => {
    const files: Record<string, Uint8Array> = {
      'cvelistV5-main/README.md': strToU8('# CVE List V5\n'),
      'cvelistV5-main/cves/delta.json': strToU8('{"fetchTime": "2024-10-18T00:00:00Z"}'),
      'cvelistV5-main/cves/2023/43xxx/CVE-2023-43208.json': readFileSync(mirthRecord),
      'cvelistV5-main/cves/2024/1xxx/CVE-2024-1342.json': readFileSync(
        join(cve5Dir, '2024/1xxx/CVE-2024-1342.json'),
      ),
    };
    const zip = await zipOf('cvelist.zip', files);
    const result = await loadEnrichment([zip]);
    expect(result.errors).toEqual([]);
    expect(result.sources).toMatchObject([
      { path: zip, kind: 'cve5', files: 2, records: 2, metadata: { records: 2, rejected: 1 } },
    ]);
    expect(result.facts.get('CVE-2023-43208')?.ssvc?.origin).toBe(
      `${zip}!cvelistV5-main/cves/2023/43xxx/CVE-2023-43208.json`,
    );
  });

  it('reports what it cannot read and loads the rest (lenient)', async () => {
    const missing = join(temp, 'no-such-file.json');
    const unknown = write('lenient/other.json', '{"hello": "world"}');
    const badGzip = write('lenient/broken.csv.gz', Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    const badZip = write('lenient/broken.zip', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]));
    const noDataZip = await zipOf('lenient/docs.zip', { 'README.md': '# docs\n' });
    write('lenient/README.md', 'not data, not opened');
    const badRecord = write(
      'lenient/CVE-2024-0001.json',
      '{"dataType": "CVE_RECORD", "cveMetadata": {}}',
    );
    const result = await loadEnrichment([missing, join(temp, 'lenient'), kevJson]);
    expect(result.errors).toEqual([
      {
        origin: missing,
        message: expect.stringMatching(/^not found or unreadable: ENOENT/) as string,
      },
      { origin: badRecord, message: 'cveMetadata.cveId: not a CVE ID' },
      { origin: badGzip, message: expect.stringMatching(/^unreadable gzip: /) as string },
      { origin: badZip, message: expect.stringMatching(/^unreadable zip: /) as string },
      { origin: noDataZip, message: 'no .json, .csv or .gz entry inside the zip' },
      {
        origin: unknown,
        message: 'not recognised as CISA KEV, FIRST EPSS, CVE JSON 5 or NVD API 2.0 data',
      },
    ]);
    expect(result.facts.size).toBe(7);
  });

  it('refuses zip and gzip entries beyond the limits, a zip inside a zip, and reads the rest', async () => {
    const zip = write('limits/bundle.zip', '');
    const nested = await zipOf('limits/nested.zip', { 'a.json': '{}' });
    await writeZip(zip, [
      { name: 'CVE-2023-43208.json', chunks: () => [readFileSync(mirthRecord)] },
      { name: 'bomb.json', chunks: () => [Buffer.alloc(300_000, 0x20)], declaredSize: 10 },
      { name: 'bomb.csv.gz', chunks: () => [gzipSync(Buffer.alloc(300_000, 0x20))] },
      { name: 'inner.json', chunks: () => [readFileSync(nested)] },
    ]);
    const result = await loadEnrichment([zip], { zipLimits: { maxEntryBytes: 200_000 } });
    expect(result.errors).toEqual([
      {
        origin: `${zip}!bomb.csv.gz`,
        message: 'refused: inflates beyond the per-entry limit of 200000 bytes',
      },
      {
        origin: `${zip}!inner.json`,
        message: 'a zip inside a zip is not read',
      },
      {
        origin: `${zip}!bomb.json`,
        message: 'refused: inflates beyond the per-entry limit of 195.31 KiB (declared 10 bytes)',
      },
    ]);
    expect([...result.facts.keys()]).toEqual(['CVE-2023-43208']);
  });

  describe('confined to roots', () => {
    const root = join(temp, 'root');
    const outside = join(temp, 'outside');
    mkdirSync(join(root, 'kev'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(root, 'kev', 'kev.json'), readFileSync(kevJson));
    writeFileSync(join(outside, 'environ.json'), 'PATCHGATE_ADMIN_PASSWORD=hunter2');
    symlinkSync(join(outside, 'environ.json'), join(root, 'kev', 'environ.json'));
    symlinkSync(outside, join(root, 'out'));

    it('reads inside the roots, never through a link that points out', async () => {
      const result = await loadEnrichment([join(root, 'kev')], { roots: [root], kind: 'kev' });
      expect(result.facts.size).toBe(7);
      expect(result.errors).toEqual([]);
    });

    it.each([
      '/proc/self/environ',
      '/etc/shadow',
      join(root, '..', 'outside', 'environ.json'),
      join(root, 'out', 'environ.json'),
      join(root, 'out', 'absent.json'),
      join(root, 'kev', 'environ.json'),
    ])('refuses %s with one message, quoting nothing', async (path) => {
      const result = await loadEnrichment([path], { roots: [root], kind: 'epss' });
      expect(result.errors).toEqual([
        { origin: path, message: 'refused: not inside an allowed advisory root' },
      ]);
    });
  });

  it.each(['kev', 'epss', 'cve5', 'nvd'] as const)(
    'never quotes a file it cannot read as %s',
    async (kind) => {
      const secret = write(`secret/${kind}.json`, 'PATCHGATE_ADMIN_PASSWORD=hunter2\nA,B,C\n');
      const result = await loadEnrichment([secret], { kind });
      expect(result.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(result.errors)).not.toMatch(/hunter2|PATCHGATE|A,B/);
    },
  );

  it('reads every file with the source named by `kind`', async () => {
    // A CVE 5 record read as NVD is not an NVD page: one error, no guessing.
    const result = await loadEnrichment([mirthRecord], { kind: 'nvd' });
    expect(result.errors).toEqual([
      { origin: mirthRecord, message: 'not an NVD page: no `vulnerabilities` array' },
    ]);
    expect(result.sources).toMatchObject([{ kind: 'nvd', records: 0, errors: 1 }]);
  });

  it('reports an empty directory', async () => {
    const empty = join(temp, 'empty');
    mkdirSync(empty, { recursive: true });
    const result = await loadEnrichment([empty]);
    expect(result).toEqual({
      facts: new Map(),
      errors: [{ origin: empty, message: 'no .json, .csv, .gz or .zip file inside' }],
      sources: [],
    });
  });

  it('reports progress about every 1,000 facts and at the end of each path', async () => {
    const lines = ['#model_version:v1,score_date:2026-01-01T00:00:00Z', 'cve,epss,percentile'];
    for (let i = 0; i < 2500; i++) lines.push(`CVE-2025-${10000 + i},0.1,0.5`);
    const big = write('progress/epss_scores-2026-01-01.csv', lines.join('\n'));
    const events: EnrichmentProgress[] = [];
    await loadEnrichment([big, cve5Dir], { onProgress: (e) => events.push(e) });
    expect(events).toEqual([
      { path: big, files: 1, facts: 2500 },
      { path: cve5Dir, files: 11, facts: 2509 },
    ]);
  });

  it('reports progress about every 1,000 files of a tree', async () => {
    const rejected = readFileSync(join(cve5Dir, '2024/1xxx/CVE-2024-1342.json'), 'utf8');
    const tree = join(temp, 'tree');
    for (let i = 0; i < 2500; i++) {
      const id = `CVE-2024-${20000 + i}`;
      write(`tree/2024/${id}.json`, rejected.replaceAll('CVE-2024-1342', id));
    }
    const events: EnrichmentProgress[] = [];
    const result = await loadEnrichment([tree], { onProgress: (e) => events.push(e) });
    expect(result.sources).toMatchObject([{ kind: 'cve5', files: 2500, records: 2500 }]);
    expect(events).toEqual([
      { path: tree, files: 1000, facts: 0 },
      { path: tree, files: 2000, facts: 0 },
      { path: tree, files: 2500, facts: 0 },
    ]);
  });

  describe('merge precedence', () => {
    const epssDay = (date: string, score: string) =>
      `#model_version:v2025.03.14,score_date:${date}T00:00:00Z\ncve,epss,percentile\nCVE-2023-43208,${score},0.99\n`;

    it('keeps the latest EPSS score, whichever file comes first', async () => {
      const newer = write('merge/epss_scores-2026-09-29.csv', epssDay('2026-09-29', '0.94'));
      const older = write('merge/epss_scores-2026-09-01.csv', epssDay('2026-09-01', '0.5'));
      for (const paths of [
        [newer, older],
        [older, newer],
      ]) {
        const { facts } = await loadEnrichment(paths);
        expect(facts.get('CVE-2023-43208')?.epss).toMatchObject({
          score: 0.94,
          scoreDate: '2026-09-29T00:00:00Z',
        });
      }
    });

    it('keeps the latest KEV entry (a later dateAdded from the NVD mirror wins)', async () => {
      const nvd = JSON.stringify({
        format: 'NVD_CVE',
        vulnerabilities: [{ cve: { id: 'CVE-2023-43208', cisaExploitAdd: '2024-06-01' } }],
      });
      const path = write('merge/nvd.json', nvd);
      const { facts } = await loadEnrichment([kevJson, path]);
      expect(facts.get('CVE-2023-43208')?.kev).toEqual({
        source: 'NVD (CISA KEV mirror)',
        timestamp: '2024-06-01',
        origin: path,
        dateAdded: '2024-06-01',
        knownRansomwareCampaignUse: 'Unknown',
      });
    });

    it("keeps CISA's SSVC over another ADP's, whichever is read first", async () => {
      const record = JSON.parse(readFileSync(mirthRecord, 'utf8')) as {
        containers: { adp: unknown[] };
      };
      record.containers.adp = [
        {
          providerMetadata: { shortName: 'Other-ADP', dateUpdated: '2025-01-01T00:00:00Z' },
          metrics: [
            {
              other: {
                type: 'ssvc',
                content: {
                  options: [{ Exploitation: 'none' }, { Automatable: 'no' }],
                  timestamp: '2025-01-01T00:00:00Z',
                },
              },
            },
          ],
        },
      ];
      const other = write('ssvc/a-other/CVE-2023-43208.json', JSON.stringify(record));
      for (const paths of [
        [other, mirthRecord],
        [mirthRecord, other],
      ]) {
        const { facts } = await loadEnrichment(paths);
        expect(facts.get('CVE-2023-43208')?.ssvc).toMatchObject({
          source: 'CVE 5 (CISA ADP)',
          exploitation: 'active',
        });
      }
    });
  });

  const archive = 'advisories/cve5/vulnrichment-2023-2024.tar.xz';
  const kevFull = 'advisories/kev/known_exploited_vulnerabilities.json';
  it.skipIf(!hasSharedData(archive) || !hasSharedData(kevFull))(
    `loads all 36,003 vulnrichment records and the full KEV catalogue${skipped(archive)}`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'patchgate-vulnrichment-'));
      try {
        execFileSync('tar', ['-xJf', sharedData(archive), '-C', dir]);
        const result = await loadEnrichment([dir, sharedData(kevFull)]);
        expect(result.errors).toEqual([]);
        expect(
          result.sources.map(({ kind, files, records, metadata }) => ({
            kind,
            files,
            records,
            metadata,
          })),
        ).toEqual([
          {
            kind: 'cve5',
            files: 36_003,
            records: 36_003,
            metadata: { records: 36_003, rejected: 85 },
          },
          {
            kind: 'kev',
            files: 1,
            records: 1404,
            metadata: {
              format: 'json',
              records: 1404,
              catalogVersion: '2025.08.25',
              dateReleased: '2025-08-25T17:04:19.9796Z',
              count: 1404,
            },
          },
        ]);
        const all = [...result.facts.values()];
        const count = (p: (f: VulnerabilityFacts) => boolean) => all.filter(p).length;
        expect(count((f) => f.ssvc?.source === 'CVE 5 (CISA ADP)')).toBe(35_918);
        // The catalogue wins over the 144 ADP KEV markers of the same dateAdded: all 1,404
        // catalogue entries keep their source (and ransomware field) after the merge.
        expect(count((f) => f.kev?.source === 'CISA KEV')).toBe(1404);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // Unpacking and reading 289 MB takes 10-20 s on a busy 2-core machine.
    180_000,
  );
});
