import { describe, expect, it } from 'vitest';
import type { ChangeContent } from './edits.ts';
import { materialChanges } from './edits.ts';

const base: ChangeContent = {
  assetIds: ['a1', 'a2'],
  patches: [
    {
      assetId: 'a1',
      ecosystem: 'Debian:12',
      packageName: 'openssl',
      toVersion: '3.0.14-1~deb12u1',
    },
    {
      assetId: 'a2',
      ecosystem: 'Debian:12',
      packageName: 'openssl',
      toVersion: '3.0.14-1~deb12u1',
    },
  ],
  plans: {
    testEvidence: [],
    roles: { approvers: ['carol'], implementer: 'bob' },
  },
  schedule: { start: '2026-12-10T22:00:00Z', end: '2026-12-11T02:00:00Z' },
};

describe('materialChanges', () => {
  it.each<[string, Partial<ChangeContent>, string[]]>([
    ['nothing', {}, []],
    [
      'the same content in another order',
      {
        assetIds: ['a2', 'a1'],
        patches: [...base.patches].reverse(),
        plans: { roles: { implementer: 'bob', approvers: ['carol'] }, testEvidence: [] },
      },
      [],
    ],
    ['an asset added', { assetIds: ['a1', 'a2', 'a3'] }, ['scope']],
    [
      'another target version',
      { patches: [{ ...base.patches[0]!, toVersion: '3.0.15-1~deb12u1' }, base.patches[1]!] },
      ['patches'],
    ],
    [
      'another implementer',
      { plans: { testEvidence: [], roles: { approvers: ['carol'], implementer: 'eve' } } },
      ['plans'],
    ],
    [
      'an approver removed from the roles',
      { plans: { testEvidence: [], roles: { approvers: [], implementer: 'bob' } } },
      ['plans'],
    ],
    [
      'a moved window',
      { schedule: { start: '2026-12-11T22:00:00Z', end: '2026-12-12T02:00:00Z' } },
      ['schedule'],
    ],
    [
      'the schedule removed, scope and patches changed',
      { schedule: null, assetIds: ['a1'], patches: [] },
      ['scope', 'patches', 'schedule'],
    ],
  ])('%s', (_label, after, fields) => {
    expect(materialChanges(base, { ...base, ...after })).toEqual(fields);
  });
});
