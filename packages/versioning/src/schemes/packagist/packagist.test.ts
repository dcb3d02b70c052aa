import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { normalizeComposer, packagist, parsePackagist } from './index.ts';

describe('packagist normalize', () => {
  it.each([
    ['1', '1.0.0.0'],
    ['v1.2.3', '1.2.3.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['1.0.0-beta.1', '1.0.0.0-beta1'],
    ['1.0.0b1.2', '1.0.0.0-beta1.2'],
    ['1.0.0-rc1', '1.0.0.0-RC1'],
    ['1.0.0-pl2', '1.0.0.0-patch2'],
    ['1.0.0-beta1-dev', '1.0.0.0-beta1-dev'],
    ['1.0.0-stable', '1.0.0.0'],
    ['1.0.0-STABLE', '1.0.0.0-stable'],
    ['1.0.0+build', '1.0.0.0'],
    ['2010-01-02-10-20', '2010.01.02.10.20'],
    ['1.x-dev', '1.9999999.9999999.9999999-dev'],
    ['2.1.*-dev', '2.1.9999999.9999999-dev'],
  ])('normalises %s to %s', (version, normalized) => {
    expect(normalizeComposer(version)).toEqual({ ok: true, value: normalized });
  });

  it.each([
    ['', 'version is empty'],
    ['dev-main', 'dev-* branch versions are not ordered by Composer'],
    ['master', 'dev-* branch versions are not ordered by Composer'],
    ['1.0 as 2.0', 'version contains whitespace (an "as" alias is not a version)'],
    ['1.0@dev', '"@stability" flags belong to constraints, not versions'],
    [
      '1.0.0-foo',
      'not a Composer version: expected 1.2.3[.4], an optional stability suffix, or a date',
    ],
    [
      '1.0.0.0.0',
      'not a Composer version: expected 1.2.3[.4], an optional stability suffix, or a date',
    ],
  ])('rejects %j', (version, error) => {
    expect(normalizeComposer(version)).toEqual({ ok: false, error });
  });

  it('reads version_compare parts', () => {
    expect(parsePackagist('v1.2-beta3-dev')).toEqual({
      ok: true,
      value: { normalized: '1.2.0.0-beta3-dev', parts: [1, 2, 0, 0, -8, 3, -10] },
    });
    expect(parsePackagist('1.0.1234567890123456')).toEqual({
      ok: false,
      error: 'number 1234567890123456 has more than 15 digits',
    });
  });
});

describe('packagist order', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['1.0.0-dev', '1.0.0-alpha', -1],
    ['1.0.0-alpha', '1.0.0-beta', -1],
    ['1.0.0-beta', '1.0.0-RC', -1],
    ['1.0.0-RC', '1.0.0', -1],
    ['1.0.0', '1.0.0-patch', -1],
    ['1.0.0-patch', '1.0.0.1', -1],
    ['1.0.0-beta', '1.0.0-beta1', -1],
    ['1.0.0-beta1-dev', '1.0.0-beta1', -1],
    ['1.0.0-STABLE', '1.0.0-dev', -1],
    ['1.x-dev', '1.999.999', 1],
    ['2010-01-02', '2010.01.02', -1],
    ['v1.0', '1.0.0.0', 0],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(packagist, a, b)).toBe(expected);
    expect(compareVersions(packagist, b, a)).toBe(-expected || 0);
  });
});
