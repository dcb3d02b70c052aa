import { describe, expect, it } from 'vitest';
import type { VersContainsResult } from './version-match.ts';
import { sameVersion, versContains } from './version-match.ts';

describe('versContains', () => {
  it.each<[string, string, string, VersContainsResult]>([
    // CycloneDX/bom-examples CISA Case-6 ranges; `generic` takes the finding's scheme.
    ['vers:generic/>=1.0|<=2.3', '2.3', 'Maven', { ok: true, contains: true }],
    ['vers:generic/>=1.0|<=2.3', '2.4', 'Maven', { ok: true, contains: false }],
    ['vers:generic/>=2.7|<=2.8', '2.7.5', 'Maven', { ok: true, contains: true }],
    // …and semver is strict: "1.0" is not a semver version, so the range is not evaluated.
    [
      'vers:generic/>=1.0|<=2.3',
      '2.3.0',
      'npm',
      { ok: false, error: '"1.0" is not a Semantic Versioning 2.0.0 version' },
    ],
    ['vers:npm/<1.5.0|>=7.0.0', '1.4.9', 'npm', { ok: true, contains: true }],
    ['vers:npm/<1.5.0|>=7.0.0', '6.9.9', 'npm', { ok: true, contains: false }],
    ['vers:npm/<1.5.0|>=7.0.0', '7.0.0', 'npm', { ok: true, contains: true }],
    [
      'vers:npm/>=2.0.0|<=2.7.0|>=3.0.0|<=3.2.0|5.9.0',
      '3.1.0',
      'npm',
      { ok: true, contains: true },
    ],
    [
      'vers:npm/>=2.0.0|<=2.7.0|>=3.0.0|<=3.2.0|5.9.0',
      '2.8.0',
      'npm',
      { ok: true, contains: false },
    ],
    [
      'vers:npm/>=2.0.0|<=2.7.0|>=3.0.0|<=3.2.0|5.9.0',
      '5.9.0',
      'npm',
      { ok: true, contains: true },
    ],
    ['vers:npm/>=1.0.0|!=1.2.0|<2.0.0', '1.2.0', 'npm', { ok: true, contains: false }],
    ['vers:npm/*', '0.0.1', 'npm', { ok: true, contains: true }],
    // The vers type picks the scheme: Debian ordering puts ~ before the release.
    ['vers:deb/<3.0.15-1', '3.0.15-1~deb12u1', 'npm', { ok: true, contains: true }],
    ['vers:deb/>=1:1.0', '2.0', 'Debian', { ok: true, contains: false }],
    ['range:>=1.0', '1.0', 'npm', { ok: false, error: '"range:>=1.0" is not a vers range' }],
    [
      'vers:generic/>=1.0',
      '1.0',
      'Hackage',
      { ok: false, error: 'no version scheme for vers type "generic" in Hackage' },
    ],
  ])('%s contains %s (%s)', (range, version, ecosystem, expected) => {
    expect(versContains(range, version, ecosystem)).toEqual(expected);
  });
});

describe('sameVersion', () => {
  it.each<[string, string, string, boolean]>([
    ['npm', '1.0.0', '1.0.0', true],
    ['npm', '1.0.0', '1.0.1', false],
    ['Maven', '1.0', '1.0.0', true],
    ['Debian', '1:1.0-1', '1.0-1', false],
    ['Hackage', '1.0', '1.0.0', false],
  ])('%s: %s = %s is %s', (ecosystem, a, b, expected) => {
    expect(sameVersion(ecosystem, a, b)).toBe(expected);
  });
});
