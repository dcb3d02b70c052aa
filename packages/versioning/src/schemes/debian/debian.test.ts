import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { debian } from './index.ts';

describe('debian.parse', () => {
  it.each([
    ['1.0', { epoch: 0, upstream: '1.0', revision: '' }],
    ['1:2.30-4ubuntu0.1', { epoch: 1, upstream: '2.30', revision: '4ubuntu0.1' }],
    ['0:0-0-0', { epoch: 0, upstream: '0-0', revision: '0' }],
    ['0:0:0-0', { epoch: 0, upstream: '0:0', revision: '0' }],
    ['+1:1.0', { epoch: 1, upstream: '1.0', revision: '' }],
    ['-0:1.0', { epoch: 0, upstream: '1.0', revision: '' }],
    ['2147483647:1', { epoch: 2147483647, upstream: '1', revision: '' }],
    [' \t1.0-1 ', { epoch: 0, upstream: '1.0', revision: '1' }],
    // dpkg only warns about these and compares them anyway.
    ['abc3-0', { epoch: 0, upstream: 'abc3', revision: '0' }],
    ['1.0_1', { epoch: 0, upstream: '1.0_1', revision: '' }],
  ])('reads %j', (version, expected) => {
    expect(debian.parse(version)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'version string is empty'],
    ['  ', 'version string is empty'],
    ['1.0 1', 'version string has embedded spaces'],
    [':1.0', 'epoch in version is empty'],
    ['a:1.0', 'epoch in version is empty'],
    ['1a:1.0', 'epoch in version is not number'],
    ['-1:1.0', 'epoch in version is negative'],
    ['2147483648:1.0', 'epoch in version is too big'],
    ['999999999999999999999999:0-1', 'epoch in version is too big'],
    ['1:', 'nothing after colon in version number'],
    ['1.0-', 'revision number is empty'],
    ['-0', 'version number is empty'],
    ['0:-0', 'version number is empty'],
    ['1.0é', 'version string contains a non-ASCII character'],
    ['1.0\u0000', 'version string contains a NUL character'],
  ])('rejects %j: %s', (version, error) => {
    expect(debian.parse(version)).toEqual({ ok: false, error });
  });
});

describe('debian ordering', () => {
  it.each([
    // `~` before the end, the end before letters, letters before other characters.
    ['1.0~rc1', '1.0', -1],
    ['1.0~~', '1.0~~a', -1],
    ['1.0~~a', '1.0~', -1],
    ['1.0', '1.0a', -1],
    ['1.0Z', '1.0a', -1],
    ['1.0a', '1.0+', -1],
    ['1.0+', '1.0.', -1],
    // Digit runs numerically, leading zeros ignored, any length.
    ['1.9', '1.10', -1],
    ['001.002', '1.2', 0],
    ['1.0.', '1.0.0', 0],
    ['9999999999999999999999', '99999999999999999999999', -1],
    // Epoch first; absent epoch is 0; absent revision equals `0`.
    ['1:0.9', '2.0', 1],
    ['0:1.0', '1.0', 0],
    ['1.0', '1.0-0', 0],
    ['1.0-1~bpo12+1', '1.0-1', -1],
    ['1.0-1+deb11u3', '1.0-1+deb12u1', -1],
    ['1.0-1ubuntu0.1', '1.0-1ubuntu1', -1],
    ['0:0-azAZ09.+~', '0:0-azAZ09.+', -1],
  ] as const)('%s ? %s = %i', (a, b, expected) => {
    expect(compareVersions(debian, a, b)).toBe(expected);
    expect(compareVersions(debian, b, a)).toBe(-expected || 0);
  });
});
