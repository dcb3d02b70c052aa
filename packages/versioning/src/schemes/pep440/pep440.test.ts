import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../scheme.ts';
import { formatPep440, pep440 } from './index.ts';
import type { Pep440Version } from './index.ts';

const v = (fields: Partial<Pep440Version> & Pick<Pep440Version, 'release'>): Pep440Version => ({
  epoch: 0,
  pre: null,
  post: null,
  dev: null,
  local: null,
  ...fields,
});

describe('pep440.parse', () => {
  it.each<[string, Pep440Version]>([
    ['1', v({ release: [1] })],
    ['1.0.0', v({ release: [1, 0, 0] })],
    ['01.002', v({ release: [1, 2] })],
    ['v1.0', v({ release: [1, 0] })],
    ['  V1.0\t\n', v({ release: [1, 0] })],
    ['2!1.0', v({ epoch: 2, release: [1, 0] })],
    ['1.0a1', v({ release: [1, 0], pre: { label: 'a', number: 1 } })],
    ['1.0.ALPHA.2', v({ release: [1, 0], pre: { label: 'a', number: 2 } })],
    ['1.0beta', v({ release: [1, 0], pre: { label: 'b', number: 0 } })],
    ['1.0c3', v({ release: [1, 0], pre: { label: 'rc', number: 3 } })],
    ['1.0-pre_4', v({ release: [1, 0], pre: { label: 'rc', number: 4 } })],
    ['1.0preview5', v({ release: [1, 0], pre: { label: 'rc', number: 5 } })],
    ['1.0-1', v({ release: [1, 0], post: 1 })],
    ['1.0.rev2', v({ release: [1, 0], post: 2 })],
    ['1.0r', v({ release: [1, 0], post: 0 })],
    ['1.0.post.', v({ release: [1, 0], post: 0 })],
    ['1.0-dev', v({ release: [1, 0], dev: 0 })],
    [
      '1!2.0rc1.post2.dev3+Ubuntu-1_B.07',
      v({
        epoch: 1,
        release: [2, 0],
        pre: { label: 'rc', number: 1 },
        post: 2,
        dev: 3,
        local: ['ubuntu', 1, 'b', 7],
      }),
    ],
    ['1.0-1-dev2', v({ release: [1, 0], post: 1, dev: 2 })],
    ['1.0a.dev1', v({ release: [1, 0], pre: { label: 'a', number: 0 }, dev: 1 })],
    ['9007199254740991', v({ release: [9007199254740991] })],
  ])('reads %j', (text, expected) => {
    expect(pep440.parse(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'version is empty'],
    ['   ', 'version is empty'],
    ['a1.0', 'a version must start with a release number'],
    ['v', 'version is incomplete'],
    ['1!', 'a release number must follow the epoch "!"'],
    ['1.', 'unexpected "." (expected a pre-release, .postN, .devN or +local)'],
    ['1.0-SNAPSHOT', 'unexpected "-SNAPSHOT" (expected a pre-release, .postN, .devN or +local)'],
    ['1.0.dev1.post1', 'unexpected ".post1" (expected a pre-release, .postN, .devN or +local)'],
    ['1.0+', 'local version segments must be non-empty runs of ASCII letters and digits'],
    ['1.0+a..b', 'local version segments must be non-empty runs of ASCII letters and digits'],
    // Case folding is ASCII only: the Kelvin sign does not fold to "k".
    ['1.0+\u212a', 'local version segments must be non-empty runs of ASCII letters and digits'],
    ['9007199254740992', 'release number 9007199254740992 is larger than 9007199254740991'],
    [
      '1.0.post99999999999999999',
      'post-release number 99999999999999999 is larger than 9007199254740991',
    ],
    ['adbbabdb0d3abb3cdeac69e38a96de1d678b24b3', 'a version must start with a release number'],
  ])('refuses %j: %s', (text, error) => {
    expect(pep440.parse(text)).toEqual({ ok: false, error });
  });
});

describe('pep440 ordering', () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ['1.0', '1.0.0.0', 0],
    ['1.0a1', '1.0.ALPHA-1', 0],
    ['1.0+ubuntu.1', '1.0+UBUNTU-1', 0],
    ['1.0.dev0', '1.0a0', -1],
    ['1.0.post1.dev0', '1.0.post0', 1],
    ['1.0a1.post1.dev0', '1.0a1.post1', -1],
    ['1.0a1.post1', '1.0a2.dev0', -1],
    ['1.0', '1.0+anything', -1],
    ['1.0+zzz', '1.0+0', -1],
    ['1.0+a.1', '1.0+a', 1],
    ['1.0+1.a', '1.0+1.0', -1],
    ['1!0.1', '9999.0', 1],
    ['1.0.dev1+local', '1.0.dev1', 1],
  ])('%s vs %s is %i', (a, b, expected) => {
    expect(compareVersions(pep440, a, b)).toBe(expected);
    expect(compareVersions(pep440, b, a)).toBe(-expected || 0);
  });

  it('sorts the dev/pre/post chain of one release', () => {
    const sorted = [
      '1.0.dev0',
      '1.0a1.dev0',
      '1.0a1',
      '1.0a1.post1.dev0',
      '1.0a1.post1',
      '1.0b1',
      '1.0rc1',
      '1.0',
      '1.0+local',
      '1.0.post1.dev0',
      '1.0.post1',
      '1.0.1.dev0',
    ];
    const shuffled = [...sorted].reverse();
    shuffled.sort((a, b) => compareVersions(pep440, a, b));
    expect(shuffled).toEqual(sorted);
  });
});

describe('formatPep440', () => {
  it.each([
    ['V1.0-ALPHA.2', '1.0a2'],
    ['0!1.0-1', '1.0.post1'],
    ['2!01.02c.r-dev+Ubuntu_01', '2!1.2rc0.post0.dev0+ubuntu.1'],
  ])('normalises %j to %j', (text, expected) => {
    const parsed = pep440.parse(text);
    expect(parsed.ok && formatPep440(parsed.value)).toBe(expected);
  });
});
