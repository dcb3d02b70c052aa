import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatOfPath, parseOsvDocument } from './parse.ts';
import { isWithdrawn } from './schema.ts';

const testdata = new URL('../testdata/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, testdata), 'utf8');

describe('parseOsvDocument on real records', () => {
  it.each([
    // file, id, affected entries, ranges in the first entry, versions listed, withdrawn
    ['GO-2024-2666.json', 'GO-2024-2666', 1, 1, 0, false],
    ['GO-2022-0617.json', 'GO-2022-0617', 1, 1, 0, true],
    ['RUSTSEC-2024-0012.json', 'RUSTSEC-2024-0012', 1, 1, 0, false],
    ['RUSTSEC-2020-0053.json', 'RUSTSEC-2020-0053', 1, 1, 0, true],
    ['PYSEC-2022-302.yaml', 'PYSEC-2022-302', 1, 2, 0, false],
    ['PYSEC-2022-42969.yaml', 'PYSEC-2022-42969', 1, 1, 65, false],
    ['PYSEC-2023-73.yaml', 'PYSEC-2023-73', 1, 1, 114, true],
    ['ALSA-2026-0067.json', 'ALSA-2026:0067', 1, 1, 0, false],
    ['DSA-5257-2.json', 'DSA-5257-2', 1, 1, 0, false],
    ['DSA-3029-1.json', 'DSA-3029-1', 1, 1, 0, false],
    ['DLA-3623-1.json', 'DLA-3623-1', 0, undefined, undefined, false],
    ['CVE-2.json', 'CVE-2', 9, 0, 0, false],
    ['USN-2169-1.json', 'USN-2169-1', 1, 1, 4, false],
  ])('%s', (file, id, affectedCount, ranges, versions, withdrawn) => {
    const result = parseOsvDocument(read(file), file);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const record = result.records[0];
    expect(record?.id).toBe(id);
    expect(record?.affected.length).toBe(affectedCount);
    expect(record?.affected[0]?.ranges.length).toBe(ranges);
    expect(record?.affected[0]?.versions.length).toBe(versions);
    expect(record && isWithdrawn(record)).toBe(withdrawn);
  });

  it('reads DSA-5257-2 into the whole expected object, arrays defaulted', () => {
    expect(parseOsvDocument(read('DSA-5257-2.json'), 'DSA-5257-2.json').records).toEqual([
      {
        id: 'DSA-5257-2',
        published: '2022-10-23T00:00:00Z',
        modified: '2022-10-23T00:00:00Z',
        summary: 'linux - regression update',
        aliases: [],
        related: [],
        upstream: [],
        severity: [],
        references: [],
        affected: [
          {
            package: { ecosystem: 'Debian:11', name: 'linux' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.10.149-2' }] }],
            versions: [],
            severity: [],
          },
        ],
      },
    ]);
  });

  it('keeps unknown and ecosystem-specific fields (USN-2169-1 binaries)', () => {
    const [record] = parseOsvDocument(read('USN-2169-1.json'), 'USN-2169-1.json').records;
    expect(record?.affected[0]?.ecosystem_specific?.['availability']).toBe(
      'No subscription required',
    );
    expect(record?.schema_version).toBe('1.7.0');
    expect(record?.upstream).toEqual([
      'UBUNTU-CVE-2014-0472',
      'UBUNTU-CVE-2014-0473',
      'UBUNTU-CVE-2014-0474',
    ]);
  });

  it('reads YAML timestamps and versions as the exact strings written', () => {
    const [record] = parseOsvDocument(read('PYSEC-2023-73.yaml'), 'PYSEC-2023-73.yaml').records;
    expect(record?.modified).toBe('2023-06-27T18:49:56.911238Z');
    expect(record?.affected[0]?.versions.slice(0, 3)).toEqual(['0.6.0', '0.6.1', '1.34']);
  });
});

describe('parseOsvDocument, lenient errors', () => {
  const good = { id: 'GOOD-1', modified: '2024-01-01T00:00:00Z' };

  it.each([
    ['not JSON', '{"id": ', 'x.json', 'not valid JSON: unexpected end of input'],
    ['not YAML', 'id: [unclosed', 'x.yaml', 'not valid YAML: bad indent at line 1, column 14'],
    [
      'JSON nested too deep',
      '['.repeat(50_000),
      'x.json',
      'nested deeper than the limit of 256 levels',
    ],
    [
      'YAML nested too deep',
      '- '.repeat(50_000),
      'x.yaml',
      'nested deeper than the limit of 256 levels',
    ],
    ['JSON quoting a secret', 'SECRET=hunter2', 'x.json', 'not valid JSON: unexpected character'],
  ])('%s is one error naming the origin', (_name, text, origin, reason) => {
    expect(parseOsvDocument(text, origin)).toEqual({
      records: [],
      warnings: [],
      errors: [{ origin, reason }],
    });
  });

  it.each([
    [{ modified: 'x' }, undefined, 'id: expected a non-empty string, got nothing (missing)'],
    [{ ...good, affected: {} }, 'GOOD-1', 'affected: expected an array, got a object'],
    [
      { ...good, affected: [{ package: { ecosystem: 'Go' } }] },
      'GOOD-1',
      'affected[0].package.name: expected a non-empty string, got nothing (missing)',
    ],
    [
      { ...good, affected: [{ package: { ecosystem: 'Go', name: 'm' }, ranges: [{ type: 'X' }] }] },
      'GOOD-1',
      'affected[0].ranges[0].type: expected ECOSYSTEM, SEMVER or GIT, got "X"',
    ],
    [
      {
        ...good,
        affected: [
          {
            package: { ecosystem: 'Go', name: 'm' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.2' }] }],
          },
        ],
      },
      'GOOD-1',
      'affected[0].ranges[0].events[0]: exactly one event type allowed, found introduced and fixed',
    ],
    [
      {
        ...good,
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'p' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 2.4 }] }],
          },
        ],
      },
      'GOOD-1',
      'affected[0].ranges[0].events[1].fixed: expected a non-empty version string, got a number',
    ],
  ])('rejects %j precisely', (value, id, reason) => {
    const text = JSON.stringify([value, { ...good, id: 'GOOD-2' }]);
    const result = parseOsvDocument(text, 'batch.json');
    // The good record after the bad one survives.
    expect(result.records.map((record) => record.id)).toEqual(['GOOD-2']);
    expect(result.errors).toEqual([
      id === undefined
        ? { origin: 'batch.json[0]', reason }
        : { origin: 'batch.json[0]', id, reason },
    ]);
  });

  it('drops a malformed optional item with a warning instead of rejecting the record', () => {
    const text = JSON.stringify({
      ...good,
      aliases: ['CVE-2024-1', 7],
      references: [{ type: 'WEB' }],
    });
    const result = parseOsvDocument(text, 'one.json');
    expect(result.records[0]?.aliases).toEqual(['CVE-2024-1']);
    expect(result.records[0]?.references).toEqual([]);
    expect(result.warnings).toEqual([
      {
        origin: 'one.json',
        id: 'GOOD-1',
        warning: 'aliases[1]: expected a string, got a number; dropped',
      },
      {
        origin: 'one.json',
        id: 'GOOD-1',
        warning: 'references[0]: needs string "type" and "url"; dropped',
      },
    ]);
  });

  it('warns when modified is missing (duplicates cannot be ordered)', () => {
    const result = parseOsvDocument('{"id":"X-1"}', 'x.json');
    expect(result.records[0]?.modified).toBe('');
    expect(result.warnings.map((w) => w.warning)).toEqual([
      'modified: missing; duplicates of this id cannot be ordered by date',
    ]);
  });
});

describe('formatOfPath', () => {
  it.each([
    ['a/GO-1.json', 'json'],
    ['vulns/p/PYSEC-1.YAML', 'yaml'],
    ['x.yml', 'yaml'],
    ['all.zip', undefined],
    ['README.md', undefined],
  ])('%s → %s', (path, format) => {
    expect(formatOfPath(path)).toBe(format);
  });

  it('sniffs JSON vs YAML when the origin has no extension', () => {
    expect(parseOsvDocument('id: Y-1\nmodified: x', 'stdin').records[0]?.id).toBe('Y-1');
    expect(parseOsvDocument(' {"id":"J-1","modified":"x"}', 'stdin').records[0]?.id).toBe('J-1');
  });
});
