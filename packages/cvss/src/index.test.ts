import { describe, expect, it } from 'vitest';
import { scoreCvss, scoreCvssAs } from './index.ts';

describe('scoreCvss detects the version', () => {
  it.each([
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', '2.0', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    [
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      '3.0',
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      9.8,
    ],
    [
      'CVSS:3.1/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/S:U',
      '3.1',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      9.8,
    ],
    [
      '  CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\n',
      '4.0',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      9.3,
    ],
  ])('%j is CVSS %s', (input, version, vector, baseScore) => {
    const result = scoreCvss(input);
    expect(
      result.ok && [result.value.version, result.value.vector, result.value.baseScore],
    ).toEqual([version, vector, baseScore]);
  });

  it('returns the whole score object', () => {
    expect(scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N')).toEqual({
      ok: true,
      value: {
        version: '3.1',
        baseScore: 7.5,
        severity: 'high',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
        metrics: { AV: 'N', AC: 'L', PR: 'N', UI: 'N', S: 'U', C: 'H', I: 'N', A: 'N' },
      },
    });
  });
});

describe('scoreCvssAs', () => {
  it.each([
    ['3.1', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'],
    [
      '3.0',
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    ],
    [
      '4.0',
      'AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    ],
    ['2.0', '(AV:N/AC:L/Au:N/C:C/I:C/A:C)', 'AV:N/AC:L/Au:N/C:C/I:C/A:C'],
  ] as const)('accepts a %s vector written %s', (version, input, vector) => {
    const result = scoreCvssAs(version, input);
    expect(result.ok && result.value.vector).toBe(vector);
  });
});

describe('invalid vectors', () => {
  const v31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const v40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
  it.each([
    ['', 'empty CVSS vector'],
    ['   ', 'empty CVSS vector'],
    ['CVSS:3.2/AV:N', 'unsupported CVSS version prefix "CVSS:3.2"'],
    [
      'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'unsupported CVSS version prefix "CVSS:2.0" (CVSS v2 vectors are written without a prefix)',
    ],
    ['CVSS:3.1', 'CVSS vector "CVSS:3.1" has no metrics'],
    ['CVSS:3.1/', 'CVSS v3 vector has no metrics'],
    [
      'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'CVSS vector without prefix uses v3/v4 metrics: expected a "CVSS:3.x/" or "CVSS:4.0/" prefix',
    ],
    [`${v31}/XX:Y`, 'unknown metric "XX" in CVSS v3 vector'],
    [
      'CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'duplicate metric "AV" in CVSS v3 vector',
    ],
    [
      'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'invalid value "Q" for metric "AV" in CVSS v3 vector (expected one of N, A, L, P)',
    ],
    [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
      'missing mandatory base metric "A" in CVSS v3 vector',
    ],
    [
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/A:H',
      'missing mandatory base metrics "S", "I" in CVSS v3 vector',
    ],
    [`${v31}/`, 'empty component at position 9 (stray "/") in CVSS v3 vector'],
    [
      'CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'empty component at position 2 (stray "/") in CVSS v3 vector',
    ],
    [
      'CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'malformed component "AVN" in CVSS v3 vector (expected METRIC:VALUE)',
    ],
    [
      `${v31} trailing`,
      'invalid value "H trailing" for metric "A" in CVSS v3 vector (expected one of H, L, N)',
    ],
    ['cvss:3.1/av:n', 'unknown metric "cvss" in CVSS v2 vector'],
    [
      `${v40}/MSC:S`,
      'invalid value "S" for metric "MSC" in CVSS v4.0 vector (expected one of X, H, L, N)',
    ],
    [
      `${v40}/U:green`,
      'invalid value "green" for metric "U" in CVSS v4.0 vector (expected one of X, Clear, Green, Amber, Red)',
    ],
    [
      '(AV:N/AC:L/Au:N/C:P/I:P/A:P',
      'unbalanced parenthesis in CVSS v2 vector "(AV:N/AC:L/Au:N/C:P/I:P/A:P"',
    ],
    [
      'AV:N/AC:L/Au:N/C:P/I:P/A:P/E:X',
      'invalid value "X" for metric "E" in CVSS v2 vector (expected one of U, POC, F, H, ND)',
    ],
  ])('%j: %s', (vector, error) => {
    expect(scoreCvss(vector)).toEqual({ ok: false, error });
  });

  it.each([
    [
      '3.1',
      'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'prefix "CVSS:3.0" does not match CVSS version 3.1',
    ],
    [
      '4.0',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      'prefix "CVSS:3.1" does not match CVSS version 4.0',
    ],
    ['2.0', 'CVSS:3.1/AV:N', 'CVSS v2 vectors are written without a "CVSS:" prefix'],
    ['3.1', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 'unknown metric "Au" in CVSS v3 vector'],
  ] as const)('as %s, %j: %s', (version, vector, error) => {
    expect(scoreCvssAs(version, vector)).toEqual({ ok: false, error });
  });
});
