import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { nuget, parseNuGet } from './index.ts';
import type { NuGetVersion } from './index.ts';

const v = (
  major: number,
  minor: number,
  patch: number,
  revision: number,
  ...release: (number | string)[]
): NuGetVersion => ({
  major,
  minor,
  patch,
  revision,
  release,
});

describe('nuget parse', () => {
  it.each<[string, NuGetVersion]>([
    ['1', v(1, 0, 0, 0)],
    ['1.2', v(1, 2, 0, 0)],
    ['1.2.3.4', v(1, 2, 3, 4)],
    ['01.002.0003', v(1, 2, 3, 0)],
    ['1.0.0-beta', v(1, 0, 0, 0, 'BETA')],
    ['1.0.0-Beta.2.x-y', v(1, 0, 0, 0, 'BETA', 2, 'X-Y')],
    ['1.0.0-rc.01+build.5', v(1, 0, 0, 0, 'RC', 1)],
    ['1.0.0-99999999999', v(1, 0, 0, 0, '99999999999')],
    ['1.0.0+meta', v(1, 0, 0, 0)],
  ])('reads %s', (version, value) => {
    expect(parseNuGet(version)).toEqual({ ok: true, value });
  });

  const shape =
    'not a NuGet version: 1 to 4 dot-separated numbers, then optional -label and +metadata';
  it.each([
    ['', 'version is empty'],
    ['v1.0', shape],
    ['1.0.0.0.0', shape],
    ['1.0.0-', shape],
    ['1.0.0-a..b', shape],
    [' 1.0', shape],
    ['2147483648.0', 'version part 2147483648 does not fit in an Int32'],
  ])('rejects %j', (version, error) => {
    expect(parseNuGet(version)).toEqual({ ok: false, error });
  });
});

describe('nuget order', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['1.0', '1.0.0.0', 0],
    ['1.0.0.1', '1.0.0', 1],
    ['1.0.0-BETA', '1.0.0-beta', 0],
    ['1.0.0+a', '1.0.0+b', 0],
    ['1.0.0-beta', '1.0.0', -1],
    ['1.0.0-beta10', '1.0.0-beta2', -1],
    ['1.0.0-beta.10', '1.0.0-beta.2', 1],
    ['1.0.0-1', '1.0.0-a', -1],
    ['1.0.0-alpha', '1.0.0-alpha.0', -1],
    ['1.0.0-99999999999', '1.0.0-2147483647', 1],
    ['1.0.0-a-b', '1.0.0-ab', -1],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(nuget, a, b)).toBe(expected);
    expect(compareVersions(nuget, b, a)).toBe(-expected || 0);
  });
});
