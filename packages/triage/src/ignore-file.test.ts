import { describe, expect, it } from 'vitest';
import type { IgnoreFileResult } from './ignore-file.ts';
import { ignoreEntryLabel, parseIgnoreFile } from './ignore-file.ts';

const file = '.patchgateignore.yaml';

describe('parseIgnoreFile', () => {
  it('reads a valid YAML file', () => {
    const text = [
      'version: 1',
      'ignore:',
      '  - id: CVE-2023-44487',
      '    package: pkg:npm/http2-wrapper',
      '    reason: " not exposed, internal gRPC only "',
      '    expires: 2025-12-31',
      '    owner: team-platform',
      '  - id: GHSA-35jh-r3h4-6jhm',
      '    reason: accepted until the lodash upgrade lands',
      '    expires: "2026-01-15"',
    ].join('\n');
    expect(parseIgnoreFile(text, file)).toEqual<IgnoreFileResult>({
      errors: [],
      entries: [
        {
          id: 'CVE-2023-44487',
          package: 'pkg:npm/http2-wrapper',
          reason: 'not exposed, internal gRPC only',
          expires: '2025-12-31',
          owner: 'team-platform',
          file,
          index: 0,
        },
        {
          id: 'GHSA-35jh-r3h4-6jhm',
          reason: 'accepted until the lodash upgrade lands',
          expires: '2026-01-15',
          file,
          index: 1,
        },
      ],
    });
  });

  it.each([
    ['- '.repeat(50_000) + 'x', 'nested deeper than the limit of 256 levels'],
    ['['.repeat(50_000), 'nested deeper than the limit of 256 levels'],
  ])('refuses nesting beyond the limit, naming it (%#)', (text, error) => {
    expect(parseIgnoreFile(text, 'x.yaml')).toEqual({
      entries: [],
      errors: [`not YAML or JSON: ${error}`],
    });
  });

  it('reads JSON too', () => {
    const text = JSON.stringify({
      version: 1,
      ignore: [{ id: 'CVE-1', reason: 'r', expires: '2030-01-01' }],
    });
    expect(parseIgnoreFile(text, 'ignore.json')).toEqual<IgnoreFileResult>({
      errors: [],
      entries: [{ id: 'CVE-1', reason: 'r', expires: '2030-01-01', file: 'ignore.json', index: 0 }],
    });
  });

  it.each<[string, string[]]>([
    ['version: 2\nignore: []', ['version: must be 1']],
    ['ignore: []', ['version: required']],
    ['', ['version: required']],
    ['version: 1\nignore: nope', ['ignore: expected a list of entries']],
    ['version: 1\nignores: []', ['(root): Unrecognized key: "ignores"']],
    ['version: 1\nignore:\n  - id: CVE-1\n    reason: r', ['ignore[0].expires: required']],
    ['version: 1\nignore:\n  - id: CVE-1\n    expires: 2030-01-01', ['ignore[0].reason: required']],
    [
      'version: 1\nignore:\n  - id: CVE-1\n    reason: "  "\n    expires: 2030-02-30',
      ['ignore[0].reason: must not be empty', 'ignore[0].expires: expected a date YYYY-MM-DD'],
    ],
    [
      'version: 1\nignore:\n  - id: 42\n    reason: r\n    expires: 30.01.2030\n    expiry: 2031-01-01',
      [
        'ignore[0].id: expected an advisory id or alias',
        'ignore[0].expires: expected a date YYYY-MM-DD',
        'ignore[0]: Unrecognized key: "expiry"',
      ],
    ],
    ['version: 1\nignore: [CVE-1]', ['ignore[0]: Invalid input: expected object, received string']],
    ['version: [1', ['not YAML or JSON']],
  ])('reports %j', (text, errors) => {
    const result = parseIgnoreFile(text, file);
    expect(result.entries).toEqual([]);
    expect(
      result.errors.map((e) => (e.startsWith('not YAML or JSON') ? 'not YAML or JSON' : e)),
    ).toEqual(errors);
  });

  it('keeps the valid entries beside the invalid ones', () => {
    const text = [
      'version: 1',
      'ignore:',
      '  - { id: CVE-1, reason: ok, expires: 2030-01-01 }',
      '  - { id: CVE-2, reason: ok }',
      '  - { id: CVE-3, reason: ok, expires: 2030-01-01 }',
      '  - { id: CVE-4, expires: 2030-01-01 }',
    ].join('\n');
    const result = parseIgnoreFile(text, file);
    expect(result.entries.map((e) => [e.id, e.index])).toEqual([
      ['CVE-1', 0],
      ['CVE-3', 2],
    ]);
    expect(result.errors).toEqual(['ignore[1].expires: required', 'ignore[3].reason: required']);
  });
});

describe('ignoreEntryLabel', () => {
  it('numbers entries from 1', () => {
    expect(ignoreEntryLabel({ file, index: 2 })).toBe('ignore file .patchgateignore.yaml entry 3');
  });
});
