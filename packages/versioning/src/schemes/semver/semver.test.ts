import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { formatSemver, semver } from './index.ts';
import type { SemverVersion } from './index.ts';

const v = (
  major: number,
  minor: number,
  patch: number,
  prerelease: (number | string)[] = [],
  build: string[] = [],
): SemverVersion => ({ major, minor, patch, prerelease, build });

describe('semver.parse', () => {
  it.each<[string, SemverVersion]>([
    ['0.0.0', v(0, 0, 0)],
    ['1.2.3', v(1, 2, 3)],
    ['v1.2.3', v(1, 2, 3)],
    ['10.20.30', v(10, 20, 30)],
    ['1.0.0-alpha', v(1, 0, 0, ['alpha'])],
    ['1.0.0-alpha.1', v(1, 0, 0, ['alpha', 1])],
    ['1.0.0-0.3.7', v(1, 0, 0, [0, 3, 7])],
    ['1.0.0-x.7.z.92', v(1, 0, 0, ['x', 7, 'z', 92])],
    ['1.0.0-x-y-z.--', v(1, 0, 0, ['x-y-z', '--'])],
    ['1.0.0-0a', v(1, 0, 0, ['0a'])],
    ['1.0.0-alpha+001', v(1, 0, 0, ['alpha'], ['001'])],
    ['1.0.0+20130313144700', v(1, 0, 0, [], ['20130313144700'])],
    ['1.0.0-beta+exp.sha.5114f85', v(1, 0, 0, ['beta'], ['exp', 'sha', '5114f85'])],
    ['1.0.0+21AF26D3----117B344092BD', v(1, 0, 0, [], ['21AF26D3----117B344092BD'])],
    ['1.0.0-9007199254740991', v(1, 0, 0, [9007199254740991])],
    ['1.0.0-9007199254740992', v(1, 0, 0, ['9007199254740992'])],
    ['9007199254740991.0.0', v(9007199254740991, 0, 0)],
  ])('reads %s', (text, expected) => {
    expect(semver.parse(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'version is empty'],
    ['1', 'expected "." after the major version'],
    ['1.2', 'expected "." after the minor version'],
    ['1.2.', 'patch version is missing'],
    ['a.b.c', 'major version must be a number, found "a"'],
    ['01.2.3', 'major version must not have leading zeros'],
    ['1.2.03', 'patch version must not have leading zeros'],
    ['1.2.3-01', 'numeric pre-release identifier "01" must not have leading zeros'],
    ['1.2.3-', 'pre-release identifier must not be empty'],
    ['1.2.3-a..b', 'pre-release identifier must not be empty'],
    ['1.2.3+', 'build identifier must not be empty'],
    ['1.2.3-a_b', 'pre-release identifiers may only contain [0-9A-Za-z-], found "_"'],
    ['1.2.3+b+c', 'build identifiers may only contain [0-9A-Za-z-], found "+"'],
    [
      '1.2.3.4',
      'unexpected "." after the patch version (a pre-release starts with "-", build metadata with "+")',
    ],
    [' 1.2.3', 'major version must be a number, found " "'],
    ['V1.2.3', 'major version must be a number, found "V"'],
    ['9007199254740992.0.0', 'major version is larger than 9007199254740991'],
  ])('refuses %j: %s', (text, error) => {
    expect(semver.parse(text)).toEqual({ ok: false, error });
  });

  it('keeps build metadata identifiers with leading zeros (§10 allows them)', () => {
    expect(semver.parse('1.0.0+001.01')).toEqual({
      ok: true,
      value: v(1, 0, 0, [], ['001', '01']),
    });
  });
});

describe('semver ordering', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    // §11.4: numeric < alphanumeric, regardless of the digits' value.
    ['1.0.0-999', '1.0.0-a', -1],
    ['1.0.0-99999999999999999999', '1.0.0-a', -1],
    ['1.0.0-99999999999999999999', '1.0.0-0a', -1],
    // Safe numbers below long digit strings; long digit strings by length then digits.
    ['1.0.0-9007199254740991', '1.0.0-9007199254740992', -1],
    ['1.0.0-9007199254740993', '1.0.0-9007199254740992', 1],
    ['1.0.0-100000000000000000000', '1.0.0-99999999999999999999', 1],
    // ASCII order: uppercase before lowercase, hyphen before digits.
    ['1.0.0-B', '1.0.0-a', -1],
    ['1.0.0--', '1.0.0-0a', -1],
    // Shorter pre-release list first; no pre-release last.
    ['1.0.0-a', '1.0.0-a.0', -1],
    ['1.0.0-a.0', '1.0.0', -1],
    // Build metadata never decides.
    ['1.0.0+zzz', '1.0.0+aaa', 0],
    ['1.0.0-rc.1+zzz', '1.0.0-rc.1', 0],
    ['v1.0.0', '1.0.0+x', 0],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(semver, a, b)).toBe(expected);
    expect(compareVersions(semver, b, a)).toBe(-expected || 0);
  });

  it('sorts the semver.org §11 example list', () => {
    const sorted = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
    ];
    const shuffled = [...sorted].reverse();
    shuffled.sort((a, b) => compareVersions(semver, a, b));
    expect(shuffled).toEqual(sorted);
  });
});

describe('formatSemver', () => {
  it.each([
    ['v1.2.3', '1.2.3'],
    ['1.0.0-alpha.1+build.5', '1.0.0-alpha.1+build.5'],
    ['1.0.0-12345678901234567890', '1.0.0-12345678901234567890'],
  ])('writes %s as %s', (text, expected) => {
    const parsed = semver.parse(text);
    expect(parsed.ok && formatSemver(parsed.value)).toBe(expected);
  });
});
