import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { maven, parseMaven } from './index.ts';
import type { MavenItem } from './index.ts';

const q = (value: string, rank: number): MavenItem => ({ kind: 'qualifier', value, rank });

describe('maven parse', () => {
  it.each<[string, MavenItem[]]>([
    ['1', [1]],
    ['1.0.0', [1]],
    ['1-0', [1]],
    ['1.2.3', [1, 2, 3]],
    ['1.0alpha1', [1, [q('alpha', 0), [1]]]],
    ['1.a', [1, [q('a', 7)]]],
    ['1.a1', [1, [q('alpha', 0), [1]]]],
    ['1-0.alpha', [1, [[q('alpha', 0)]]]],
    ['1.0.0.Final', [1]],
    ['1.0-GA', [1]],
    ['1.0.RELEASE', [1]],
    ['1-CR2', [1, [q('rc', 3), [2]]]],
    ['1.0-SNAPSHOT', [1, [q('snapshot', 4)]]],
    ['1-sp', [1, [q('sp', 6)]]],
    ['1..1', [1, 0, 1]],
    ['007', [7]],
    ['1.2147483648', [1, { kind: 'long', digits: '2147483648' }]],
    ['1.0000000000.1', [1, { kind: 'long', digits: '0' }, 1]],
    ['12345678901234567890', [{ kind: 'big', digits: '12345678901234567890' }]],
    ['9.4.6.v20170531', [9, 4, 6, [q('v', 7), [20170531]]]],
  ])('reads %s', (version, items) => {
    expect(parseMaven(version)).toEqual({ ok: true, value: { items } });
  });

  it.each([
    ['', 'version is empty'],
    ['1.0 beta', 'character " " at 3 is not printable ASCII'],
    ['[1.0,2.0)', 'character "[" at 0 belongs to a range or property, not a version'],
    ['${project.version}', 'character "$" at 0 belongs to a range or property, not a version'],
    ['.-', 'version has no letter or digit'],
    ['1.0é', 'character "é" at 3 is not printable ASCII'],
  ])('rejects %j', (version, error) => {
    expect(parseMaven(version)).toEqual({ ok: false, error });
  });
});

describe('maven order', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    // Qualifier ladder and aliases.
    ['1-alpha', '1-beta', -1],
    ['1-milestone', '1-rc', -1],
    ['1-rc', '1-cr', 0],
    ['1-rc', '1-SNAPSHOT', -1],
    ['1-SNAPSHOT', '1', -1],
    ['1', '1-sp', -1],
    ['1-sp', '1-abc', -1],
    ['1-abc', '1-abd', -1],
    // Kinds: number > list > qualifier.
    ['1.1', '1-1', 1],
    ['1-1', '1-sp', 1],
    ['1.0.1', '1-1', 1],
    // Trailing nulls and whole-list comparison with nothing (MNG-6964).
    ['1-0.alpha', '1', -1],
    ['1.0-0.0', '1', 0],
    // A release qualifier that is not trailing stays, and a qualifier is below a number.
    ['1-ga-1', '1-1', -1],
    // Integer classes: by class first, then by value.
    ['2147483647', '2147483648', -1],
    ['99999999999999999999', '100000000000000000000', -1],
    ['1.00000000000000000000.1', '1.0.1', 1],
    // Case-insensitive.
    ['1.0.0.FINAL', '1.0.0.final', 0],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(maven, a, b)).toBe(expected);
    expect(compareVersions(maven, b, a)).toBe(-expected || 0);
  });
});
