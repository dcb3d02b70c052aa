import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAdvisories } from './load.ts';
import type { LoadProgress } from './load.ts';
import { sharedData } from '@patchgate/testing';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const FIXTURE_IDS = [
  'ALSA-2026:0067',
  'CVE-2',
  'DLA-3623-1',
  'DSA-3029-1',
  'DSA-5257-2',
  'GO-2022-0617',
  'GO-2024-2666',
  'PYSEC-2022-302',
  'PYSEC-2022-42969',
  'PYSEC-2023-73',
  'RUSTSEC-2020-0053',
  'RUSTSEC-2024-0012',
  'USN-2169-1',
];
const tick = () => {
  let t = 0;
  return () => (t += 5);
};

const temp = mkdtempSync(join(tmpdir(), 'patchgate-osv-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const record = (id: string, modified: string, summary = id) =>
  JSON.stringify({ id, modified, summary, affected: [] });

describe('loadAdvisories', () => {
  it('loads a directory of JSON and YAML fixtures recursively', async () => {
    const result = await loadAdvisories([testdata], { now: tick() });
    expect(result.records.map((r) => r.id).sort()).toEqual(FIXTURE_IDS);
    expect(result).toMatchObject({ errors: [], duplicates: 0, withdrawn: 3 });
    expect(result.sources).toEqual([
      { path: testdata, kind: 'directory', records: 13, errors: 0, millis: 5 },
    ]);
  });

  it('loads a single file', async () => {
    const path = join(testdata, 'PYSEC-2022-302.yaml');
    const result = await loadAdvisories([path], { now: tick() });
    expect(result.records.map((r) => r.id)).toEqual(['PYSEC-2022-302']);
    expect(result.sources).toEqual([{ path, kind: 'file', records: 1, errors: 0, millis: 5 }]);
  });

  it('loads every json/yaml entry of a zip (OSV bulk layout <Ecosystem>/all.zip)', async () => {
    const dir = join(temp, 'Go');
    mkdirSync(dir, { recursive: true });
    const zip = join(dir, 'all.zip');
    writeFileSync(
      zip,
      zipSync({
        'GO-2024-2666.json': readFileSync(join(testdata, 'GO-2024-2666.json')),
        'vulns/py/PYSEC-2022-42969.yaml': readFileSync(join(testdata, 'PYSEC-2022-42969.yaml')),
        'vulns/.id-allocator': strToU8('ignored'),
        'broken.json': strToU8('{"id":'),
      }),
    );
    const result = await loadAdvisories([zip], { now: tick() });
    expect(result.records.map((r) => r.id).sort()).toEqual(['GO-2024-2666', 'PYSEC-2022-42969']);
    expect(result.errors.map((e) => e.origin)).toEqual([`${zip}!broken.json`]);
    expect(result.sources).toEqual([{ path: zip, kind: 'zip', records: 2, errors: 1, millis: 5 }]);
  });

  it('keeps the newest modified of duplicate ids across sources and counts the others', async () => {
    const dir = join(temp, 'dups');
    mkdirSync(join(dir, 'b'), { recursive: true });
    writeFileSync(join(dir, 'a.json'), record('DUP-1', '2024-01-01T00:00:00Z', 'old'));
    writeFileSync(join(dir, 'b', 'a.json'), record('DUP-1', '2024-01-01T00:00:00.5Z', 'new'));
    writeFileSync(
      join(dir, 'c.zip'),
      zipSync({ 'x.json': strToU8(record('DUP-1', '2023-12-31T23:59:59Z', 'older')) }),
    );
    const result = await loadAdvisories([dir]);
    expect(result.records.map((r) => [r.id, r.summary])).toEqual([['DUP-1', 'new']]);
    expect(result.duplicates).toBe(2);
    expect(result.sources.map((s) => [s.kind, s.records])).toEqual([
      ['directory', 2],
      ['zip', 1],
    ]);
  });

  it('reports a missing path as an error and carries on', async () => {
    const missing = join(temp, 'nope');
    const result = await loadAdvisories([missing, join(testdata, 'CVE-2.json')]);
    expect(result.records.map((r) => r.id)).toEqual(['CVE-2']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.origin).toBe(missing);
  });

  it('emits progress about every 1,000 records and after each source', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 2500; i++) {
      entries[`R-${i}.json`] = strToU8(record(`R-${i}`, '2024-01-01T00:00:00Z'));
    }
    const zip = join(temp, 'many.zip');
    writeFileSync(zip, zipSync(entries));
    const events: LoadProgress[] = [];
    const result = await loadAdvisories([zip], { onProgress: (e) => events.push(e) });
    expect(result.records).toHaveLength(2500);
    expect(events.map((e) => [e.records, e.sourcesDone])).toEqual([
      [1000, 0],
      [2000, 0],
      [2500, 1],
    ]);
  });
});

const osvData = sharedData('advisories/osv');
describe.skipIf(!existsSync(osvData))(
  `real archives in ${osvData} (skipped when the shared data is absent)`,
  () => {
    it('loads every archive with the record counts the data README states', async () => {
      const result = await loadAdvisories([osvData]);
      const counts = Object.fromEntries(
        result.sources
          .filter((s) => s.kind === 'zip')
          .map((s) => [s.path.slice(osvData.length + 1), s.records]),
      );
      expect(counts).toEqual({
        'AlmaLinux/all.zip': 5680,
        'Debian-derived-2023/all.zip': 8645,
        'Go/all.zip': 4291,
        'PyPI/pypa-advisory-database-yaml.zip': 2661,
        'crates.io/all.zip': 1206,
      });
      expect(result.sources.every((s) => s.kind !== 'zip' || s.errors === 0)).toBe(true);
      // Load time is measured by `npm run bench` (scan-fleet), not asserted here.
    });
  },
);
