import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { rpm, rpmvercmp, stripEpoch } from './index.ts';

describe('rpm.parse', () => {
  it.each([
    ['0', { epoch: 0, epochGiven: false, version: '0', release: null }],
    ['1.0-1.el8', { epoch: 0, epochGiven: false, version: '1.0', release: '1.el8' }],
    ['0:1.0-1', { epoch: 0, epochGiven: true, version: '1.0', release: '1' }],
    ['1:1.26.0-14.el8_3', { epoch: 1, epochGiven: true, version: '1.26.0', release: '14.el8_3' }],
    ['007:2', { epoch: 7, epochGiven: true, version: '2', release: null }],
    ['1.0-2-3', { epoch: 0, epochGiven: false, version: '1.0-2', release: '3' }],
    ['1.0^git1~rc1-0.1', { epoch: 0, epochGiven: false, version: '1.0^git1~rc1', release: '0.1' }],
    ['4294967295:1', { epoch: 4294967295, epochGiven: true, version: '1', release: null }],
  ])('reads %j', (version, expected) => {
    expect(rpm.parse(version)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'version is empty'],
    [':1.0-1', 'epoch is empty'],
    ['1:', 'version part is empty'],
    ['-1', 'version part is empty'],
    ['1.0-', 'release after "-" is empty'],
    ['a:1.0-1', 'epoch must be a number (":" only follows a numeric epoch)'],
    ['1:2:3-1', 'epoch must be a number (":" only follows a numeric epoch)'],
    ['4294967296:1', 'epoch does not fit in 32 bits'],
    ['1.0 -1', 'version contains whitespace or a character outside printable ASCII'],
    ['1.0-1α', 'version contains whitespace or a character outside printable ASCII'],
  ])('rejects %j: %s', (version, error) => {
    expect(rpm.parse(version)).toEqual({ ok: false, error });
  });
});

describe('stripEpoch', () => {
  it.each([
    ['1:2.3-4', '2.3-4'],
    ['0:1.0', '1.0'],
    ['12:1', '1'],
    ['2.3-4', '2.3-4'],
    [':1.0', ':1.0'],
    ['a:1.0', 'a:1.0'],
  ])('%s → %s', (version, expected) => {
    expect(stripEpoch(version)).toBe(expected);
  });
});

describe('rpmvercmp', () => {
  // rpm tests/rpmvercmp.at and the tilde/caret rules of rpmvercmp.c.
  it.each([
    ['1.0', '1.0', 0],
    ['2.0.1', '2.0.1a', -1],
    ['5.5p1', '5.5p10', -1],
    ['10xyz', '10.1xyz', -1],
    ['xyz.4', '8', -1],
    ['6.0', '6.0.rc1', -1],
    ['10.0001', '10.1', 0],
    ['2_0', '2.0', 0],
    ['+', '_', 0],
    ['1b.fc17', '1.fc17', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1~git123', '1.0~rc1', -1],
    ['1.0', '1.0^', -1],
    ['1.0^git1', '1.0.1', -1],
    ['1.0^git1', '1.0a', -1],
    ['1.0~rc1', '1.0^', -1],
    ['', '~1', 1],
    ['12345678901234567890', '12345678901234567891', -1],
  ] as const)('%j ? %j = %i', (a, b, expected) => {
    expect(Math.sign(rpmvercmp(a, b))).toBe(expected);
    expect(Math.sign(rpmvercmp(b, a))).toBe(-expected || 0);
  });
});

describe('rpm ordering (labelCompare)', () => {
  it.each([
    ['0:1.0-1', '1.0-1', 0],
    ['1:1.0-1', '9.9-9', 1],
    ['10:1.0-1', '9:1.0-1', 1],
    // Absent release before any release, even a tilde one (labelCompare, not rpmvercmp).
    ['1.0', '1.0-~1', -1],
    ['1.0', '1.0-1', -1],
    ['1.0-1.el8.alma', '1.0-1.el8_7', -1],
    ['0:4.18.0-477.10.1.el8_8', '4.18.0-477.13.1.el8_8', -1],
    ['1.2.3-150400.3.5.1', '1.2.3-150500.1.1', -1],
  ] as const)('%s ? %s = %i', (a, b, expected) => {
    expect(compareVersions(rpm, a, b)).toBe(expected);
    expect(compareVersions(rpm, b, a)).toBe(-expected || 0);
  });
});
