import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { alpine } from './index.ts';

describe('alpine.parse', () => {
  it('reads every kind of token', () => {
    expect(alpine.parse('1.02b_rc1_p2~ab1-r3')).toEqual({
      ok: true,
      value: {
        tokens: [
          { kind: 0, text: '1', rank: 0 },
          { kind: 1, text: '02', rank: 0 },
          { kind: 2, text: 'b', rank: 98 },
          { kind: 3, text: 'rc', rank: 4 },
          { kind: 4, text: '1', rank: 0 },
          { kind: 3, text: 'p', rank: 10 },
          { kind: 4, text: '2', rank: 0 },
          { kind: 5, text: 'ab1', rank: 0 },
          { kind: 6, text: '3', rank: 0 },
        ],
      },
    });
  });

  it.each([['0'], ['006'], ['2.12r-r4'], ['0.1.0_alpha_pre2'], ['1.0.0_pre20191002222144-r0']])(
    'accepts %s',
    (version) => {
      expect(alpine.parse(version)).toMatchObject({ ok: true });
    },
  );

  it.each([
    ['', 'version must start with a digit'],
    ['v1.0', 'version must start with a digit'],
    ['1.0bc', 'a letter may only follow a number at position 5'],
    ['1.0a1', 'a number may not follow a letter, hash or revision at position 5'],
    ['1.0.', '"." must be followed by digits at position 4'],
    ['23_foo', 'unknown suffix "_foo" (alpha, beta, pre, rc, cvs, svn, git, hg, p) at position 3'],
    [
      '1.0_constructor',
      'unknown suffix "_constructor" (alpha, beta, pre, rc, cvs, svn, git, hg, p) at position 4',
    ],
    ['1.0~', '"~" must be followed by lowercase hex digits at position 4'],
    ['1.0~a~b', 'a second "~" or "~" after the revision at position 6'],
    ['1.0-1', '"-" must start a "-r<number>" revision at position 4'],
    ['1.0-r', '"-r" must be followed by digits at position 4'],
    ['1.0-r1-r2', 'a second revision at position 7'],
    ['1.0-r1_p1', '"_" suffix after a hash or revision at position 7'],
    ['1.0A', 'unexpected character "A" at position 4'],
  ])('rejects %j: %s', (version, error) => {
    expect(alpine.parse(version)).toEqual({ ok: false, error });
  });
});

describe('alpine ordering', () => {
  it.each([
    ['1.0_alpha', '1.0_beta', -1],
    ['1.0_rc1', '1.0', -1],
    ['1.0', '1.0_p1', -1],
    ['1.0_rc1_alpha', '1.0_rc1', -1],
    ['0.1.0_alpha_pre2', '0.1.0_alpha', -1],
    // Leading zero: the field compares as a string.
    ['1.02', '1.1', -1],
    ['1.0', '1.00', -1],
    ['1.01', '1.001', 1],
    ['01.0', '1.0', 0],
    ['1.0-r01', '1.0-r1', 0],
    // Different token kinds: the lower kind is the newer version.
    ['1.0a', '1.0.1', -1],
    ['1.0_p1', '1.0a', -1],
    ['1.0-r1', '1.0_p1', -1],
    ['1.0', '1.0-r0', -1],
    ['1.0', '1.0~abc', -1],
    ['1.0-r9', '1.0-r10', -1],
    ['1.18446744073709551616', '1.18446744073709551615', 1],
  ] as const)('%s ? %s = %i', (a, b, expected) => {
    expect(compareVersions(alpine, a, b)).toBe(expected);
    expect(compareVersions(alpine, b, a)).toBe(-expected || 0);
  });
});
