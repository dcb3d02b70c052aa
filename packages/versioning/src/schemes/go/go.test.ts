import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { go } from './index.ts';
import type { GoVersion } from './index.ts';

const v = (
  major: number,
  minor: number,
  patch: number,
  prerelease: (number | string)[] = [],
  build: string[] = [],
): GoVersion => ({ major, minor, patch, prerelease, build });

describe('go.parse', () => {
  it.each<[string, GoVersion]>([
    ['v1.2.3', v(1, 2, 3)],
    ['1.2.3', v(1, 2, 3)],
    // x/mod shorthands, and OSV's introduced "0".
    ['0', v(0, 0, 0)],
    ['v1', v(1, 0, 0)],
    ['v1.2', v(1, 2, 0)],
    ['1.2', v(1, 2, 0)],
    // The three pseudo-version forms (go.dev/ref/mod#pseudo-versions).
    ['v0.0.0-20191109021931-daa7c04131f5', v(0, 0, 0, ['20191109021931-daa7c04131f5'])],
    ['v1.2.4-0.20191109021931-daa7c04131f5', v(1, 2, 4, [0, '20191109021931-daa7c04131f5'])],
    [
      'v1.2.3-pre.0.20191109021931-daa7c04131f5',
      v(1, 2, 3, ['pre', 0, '20191109021931-daa7c04131f5']),
    ],
    // OSV Go record seen in golang/vulndb: a pseudo-version whose base is a pre-release.
    [
      '1.80.0-v2.20.0.20260608144108-ed09b3df7f43',
      v(1, 80, 0, ['v2', 20, 0, '20260608144108-ed09b3df7f43']),
    ],
    ['v2.0.0+incompatible', v(2, 0, 0, [], ['incompatible'])],
    ['3.6.7-rc1+incompatible', v(3, 6, 7, ['rc1'], ['incompatible'])],
  ])('reads %s', (text, expected) => {
    expect(go.parse(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'version is empty'],
    ['v', 'major version is missing'],
    ['v1-pre', 'expected "." after the major version'],
    ['v1.2-pre', 'expected "." after the minor version (a shorthand version takes no suffix)'],
    ['v1.2+meta', 'expected "." after the minor version (a shorthand version takes no suffix)'],
    ['v01.2.3', 'major version must not have leading zeros'],
    ['v1.2.3-01', 'numeric pre-release identifier "01" must not have leading zeros'],
    ['vv1.2.3', 'major version must be a number, found "v"'],
    // Deviation (readme): x/mod accepts core numbers of any size, we stop at 2^53-1.
    ['v9007199254740992.0.0', 'major version is larger than 9007199254740991'],
  ])('refuses %j: %s', (text, error) => {
    expect(go.parse(text)).toEqual({ ok: false, error });
  });
});

describe('go ordering', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['0', 'v0.0.0', 0],
    ['1', '1.0.0', 0],
    ['1.2.3', 'v1.2.3', 0],
    ['v2.0.0+incompatible', 'v2.0.0', 0],
    // A v0.0.0 pseudo-version is a pre-release of v0.0.0, so below "0".
    ['v0.0.0-20191109021931-daa7c04131f5', '0', -1],
    ['v0.0.0-20191109021931-daa7c04131f5', 'v0.0.0-20191109021932-000000000000', -1],
    // vX.Y.(Z+1)-0.timestamp sits between vX.Y.Z and every vX.Y.(Z+1) pre-release.
    ['v1.2.3', 'v1.2.4-0.20191109021931-daa7c04131f5', -1],
    ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4-alpha', -1],
    ['v1.2.4-0.20191109021931-daa7c04131f5', 'v1.2.4-1', -1],
    // vX.Y.Z-pre.0.timestamp sits after vX.Y.Z-pre and before vX.Y.Z-pre.1.
    ['v1.2.3-pre', 'v1.2.3-pre.0.20191109021931-daa7c04131f5', -1],
    ['v1.2.3-pre.0.20191109021931-daa7c04131f5', 'v1.2.3-pre.1', -1],
    // Pre-release timestamps differing far right, and long numeric identifiers.
    ['v1.2.3-99999999999999999999', 'v1.2.3-100000000000000000000', -1],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(go, a, b)).toBe(expected);
    expect(compareVersions(go, b, a)).toBe(-expected || 0);
  });
});
