import { describe, expect, it } from 'vitest';
import { changeDirection, diffPackages } from './diff.ts';
import type { Package } from './schema.ts';

const deb = (name: string, version: string, arch = 'amd64'): Package => ({
  ecosystem: 'Debian:12',
  name,
  version,
  arch,
});

describe('changeDirection', () => {
  it.each([
    ['Debian:12', '3.0.11-1~deb12u2', '3.0.15-1~deb12u1', false, 'upgraded'],
    ['Debian:12', '1:2.0-1', '1.9-1', false, 'downgraded'],
    ['npm', '1.2.3', '1.10.0', false, 'upgraded'],
    ['PyPI', '1.0', '1.0.0', false, 'equivalent'],
    ['Red Hat', '1:1.0-1.el8', '1.1-1.el8', true, 'upgraded'],
    ['Red Hat', '1:1.0-1.el8', '1.1-1.el8', false, 'downgraded'],
    ['NoSuchEcosystem', '1', '2', false, 'unknown'],
    ['Debian:12', 'not a version!', '1.0', false, 'unknown'],
  ] as const)('%s %s → %s (epoch unknown: %s) is %s', (ecosystem, from, to, epochUnknown, want) => {
    expect(changeDirection(ecosystem, from, to, epochUnknown)).toBe(want);
  });
});

describe('diffPackages', () => {
  it.each([
    {
      title: 'nothing changed',
      from: [deb('bash', '5.2.15-2+b2')],
      to: [deb('bash', '5.2.15-2+b2')],
      want: { added: [], removed: [], changed: [] },
    },
    {
      title: 'added, removed, upgraded and downgraded',
      from: [deb('bash', '5.2.15-2+b2'), deb('curl', '7.88.1-10+deb12u5'), deb('gone', '1.0-1')],
      to: [deb('curl', '7.88.1-10+deb12u8'), deb('bash', '5.2.15-2+b1'), deb('new', '2.0-1')],
      want: {
        added: [deb('new', '2.0-1')],
        removed: [deb('gone', '1.0-1')],
        changed: [
          {
            ecosystem: 'Debian:12',
            name: 'bash',
            arch: 'amd64',
            from: '5.2.15-2+b2',
            to: '5.2.15-2+b1',
            direction: 'downgraded',
          },
          {
            ecosystem: 'Debian:12',
            name: 'curl',
            arch: 'amd64',
            from: '7.88.1-10+deb12u5',
            to: '7.88.1-10+deb12u8',
            direction: 'upgraded',
          },
        ],
      },
    },
    {
      title: 'another arch is another package',
      from: [deb('libc6', '2.36-9', 'amd64')],
      to: [deb('libc6', '2.36-9', 'i386')],
      want: {
        added: [deb('libc6', '2.36-9', 'i386')],
        removed: [deb('libc6', '2.36-9', 'amd64')],
        changed: [],
      },
    },
    {
      title: 'several versions under one key: set difference, no pairing',
      from: [
        { ecosystem: 'npm', name: 'ms', version: '2.0.0' },
        { ecosystem: 'npm', name: 'ms', version: '2.1.3' },
      ],
      to: [
        { ecosystem: 'npm', name: 'ms', version: '2.1.3' },
        { ecosystem: 'npm', name: 'ms', version: '2.1.2' },
      ],
      want: {
        added: [{ ecosystem: 'npm', name: 'ms', version: '2.1.2' }],
        removed: [{ ecosystem: 'npm', name: 'ms', version: '2.0.0' }],
        changed: [],
      },
    },
    {
      title: 'first snapshot: everything added',
      from: [],
      to: [deb('b', '1'), deb('a', '1')],
      want: { added: [deb('a', '1'), deb('b', '1')], removed: [], changed: [] },
    },
  ])('$title', ({ from, to, want }) => {
    expect(diffPackages(from, to)).toEqual(want);
  });
});
