import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { parseRubyGems, rubygems } from './index.ts';
import type { RubyGemsVersion } from './index.ts';

describe('rubygems parse', () => {
  it.each<[string, RubyGemsVersion]>([
    ['1', { segments: [1], prerelease: false }],
    ['1.0.0', { segments: [1], prerelease: false }],
    ['0', { segments: [], prerelease: false }],
    ['1.10.3', { segments: [1, 10, 3], prerelease: false }],
    ['01.002', { segments: [1, 2], prerelease: false }],
    ['1.2b1', { segments: [1, 2, 'b', 1], prerelease: true }],
    ['1.0.a.0', { segments: [1, 'a'], prerelease: true }],
    ['1.0.0-rc1', { segments: [1, 'pre', 'rc', 1], prerelease: true }],
    ['1.0-1', { segments: [1, 'pre', 1], prerelease: true }],
    ['1.a.0.1', { segments: [1, 'a', 0, 1], prerelease: true }],
    ['1.0.RC1', { segments: [1, 'RC', 1], prerelease: true }],
    [
      '2.18446744073709551616',
      { segments: [2, { digits: '18446744073709551616' }], prerelease: false },
    ],
  ])('reads %s', (version, value) => {
    expect(parseRubyGems(version)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'version is empty'],
    ['v1.0', 'a Gem::Version starts with a digit'],
    [
      '1.0+build',
      'not a Gem::Version: only digits and letters in dot-separated segments, then an optional "-" part',
    ],
    [' 1.0', 'a Gem::Version starts with a digit'],
    [
      '1..2',
      'not a Gem::Version: only digits and letters in dot-separated segments, then an optional "-" part',
    ],
  ])('rejects %j', (version, error) => {
    expect(parseRubyGems(version)).toEqual({ ok: false, error });
  });
});

describe('rubygems order', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['1.0', '1.0.0', 0],
    ['1.0.a', '1.0', -1],
    ['1.a', '1.0.0.a', 0],
    ['1.a', '1.0.0.1', -1],
    ['1.0.0-1', '1', -1],
    ['1.0-rc1', '1.0.pre.rc1', 0],
    ['1.0.RC1', '1.0.rc1', -1],
    ['1.8.2.a10', '1.8.2.a9', 1],
    ['1.a.0.1', '1.a', 1],
    ['1.18446744073709551616', '1.18446744073709551615', 1],
    ['1.18446744073709551616', '1.9', 1],
    ['2.a', '1.99', 1],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(rubygems, a, b)).toBe(expected);
    expect(compareVersions(rubygems, b, a)).toBe(-expected || 0);
  });
});
