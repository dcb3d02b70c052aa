import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeZip } from '@patchgate/safe-parse/node';
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

/** A zip of these entries at `path`. */
const zipOf = (path: string, entries: Record<string, Uint8Array | string>) =>
  writeZip(
    path,
    Object.entries(entries).map(([name, data]) => ({ name, chunks: () => [Buffer.from(data)] })),
  );

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
    await zipOf(zip, {
      'GO-2024-2666.json': readFileSync(join(testdata, 'GO-2024-2666.json')),
      'vulns/py/PYSEC-2022-42969.yaml': readFileSync(join(testdata, 'PYSEC-2022-42969.yaml')),
      'vulns/.id-allocator': 'ignored',
      'broken.json': '{"id":',
    });
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
    await zipOf(join(dir, 'c.zip'), { 'x.json': record('DUP-1', '2023-12-31T23:59:59Z', 'older') });
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
    const entries: Record<string, string> = {};
    for (let i = 0; i < 2500; i++)
      entries[`R-${i}.json`] = record(`R-${i}`, '2024-01-01T00:00:00Z');
    const zip = join(temp, 'many.zip');
    await zipOf(zip, entries);
    const events: LoadProgress[] = [];
    const result = await loadAdvisories([zip], { onProgress: (e) => events.push(e) });
    expect(result.records).toHaveLength(2500);
    expect(events.map((e) => [e.records, e.sourcesDone])).toEqual([
      [1000, 0],
      [2000, 0],
      [2500, 1],
    ]);
  });

  it('refuses zip entries beyond the limits and reads the rest', async () => {
    const zip = join(temp, 'bomb.zip');
    await writeZip(zip, [
      { name: 'a.json', chunks: () => [Buffer.from(record('A-1', '2024-01-01T00:00:00Z'))] },
      { name: 'bomb.json', chunks: () => [Buffer.alloc(4096, 0x20)], declaredSize: 10 },
    ]);
    const result = await loadAdvisories([zip], { zipLimits: { maxEntryBytes: 1024 } });
    expect(result.records.map((r) => r.id)).toEqual(['A-1']);
    expect(result.errors).toEqual([
      {
        origin: `${zip}!bomb.json`,
        reason: 'refused: inflates beyond the per-entry limit of 1 KiB (declared 10 bytes)',
      },
    ]);
  });

  it('never quotes a file it cannot parse', async () => {
    const path = join(temp, 'environ.json');
    writeFileSync(path, 'PATCHGATE_ADMIN_PASSWORD=hunter2\0HOME=/root');
    const yaml = join(temp, 'environ.yaml');
    writeFileSync(yaml, 'a: b: PATCHGATE_ADMIN_PASSWORD=hunter2');
    const result = await loadAdvisories([path, yaml]);
    expect(result.errors).toEqual([
      { origin: path, reason: 'not valid JSON: unexpected character' },
      { origin: yaml, reason: 'not valid YAML: block as implicit key at line 1, column 4' },
    ]);
  });

  describe('confined to roots', () => {
    const root = join(temp, 'root');
    const outside = join(temp, 'outside');
    mkdirSync(join(root, 'osv'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(root, 'osv', 'A-1.json'), record('A-1', '2024-01-01T00:00:00Z'));
    writeFileSync(join(outside, 'B-1.json'), record('B-1', '2024-01-01T00:00:00Z'));
    symlinkSync(join(outside, 'B-1.json'), join(root, 'osv', 'B-1.json'));
    symlinkSync(outside, join(root, 'out'));

    it.each([
      ['a directory inside, skipping a link that points out', join(root, 'osv'), ['A-1']],
      ['the root', root, ['A-1']],
    ])('reads %s', async (_, path, ids) => {
      const result = await loadAdvisories([path], { roots: [root] });
      expect(result.records.map((r) => r.id)).toEqual(ids);
      expect(result.errors).toEqual([
        {
          origin: join(root, 'osv', 'B-1.json'),
          reason: 'refused: not inside an allowed advisory root',
        },
      ]);
    });

    it.each([
      '/proc/self/environ',
      '/etc/shadow',
      '/etc/passwd',
      join(root, '..', 'outside', 'B-1.json'),
      join(root, 'out', 'B-1.json'),
      join(root, 'out', 'absent.json'),
      join(root, 'osv', 'B-1.json'),
      '/no/such/file.json',
    ])('refuses %s with one message, existing or not', async (path) => {
      const result = await loadAdvisories([path], { roots: [root] });
      expect(result.records).toEqual([]);
      expect(result.errors).toEqual([
        { origin: path, reason: 'refused: not inside an allowed advisory root' },
      ]);
    });

    it('says "not found" only for a path inside the roots', async () => {
      const path = join(root, 'osv', 'absent.json');
      const result = await loadAdvisories([path], { roots: [root] });
      expect(result.errors).toEqual([{ origin: path, reason: 'not found' }]);
    });
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
