/** The rules and the template edit on hand-made records (pure: no database). */
import type { StandardTemplate } from '@patchgate/changes';
import { StandardTemplate as TemplateSchema } from '@patchgate/changes';
import { describe, expect, it } from 'vitest';
import type { ChangeReviewRecord } from '../changes/index.ts';
import { reviewRules } from './rules.ts';
import { withTestWave } from './service.ts';
import { reviewTrends } from './trends.ts';

const period = { from: '2026-11-01', to: '2026-11-30' };

function record(
  n: number,
  host: { id: string; name: string; groups: string[] },
  failure?: { wave: string; kind: string; step: string | null },
  waves = ['canary', 'rest'],
): ChangeReviewRecord {
  const failures =
    failure === undefined
      ? []
      : [
          {
            assetId: host.id,
            assetName: host.name,
            taskId: null,
            detail: 'x',
            log: [],
            ...failure,
          },
        ];
  return {
    id: `c${n}`,
    number: `CHG-000${n}`,
    title: `change ${n}`,
    type: 'normal',
    state: 'review',
    templateId: null,
    templateVersion: null,
    scheduledStart: null,
    scheduledEnd: null,
    assets: [
      {
        id: host.id,
        name: host.name,
        environment: 'production',
        criticality: 'medium',
        exposure: 'internal',
        team: null,
        tags: [],
        groups: host.groups,
      },
    ],
    packages: ['curl'],
    facts: {
      rolloutId: `r${n}`,
      outcome: failure === undefined ? 'completed' : 'halted',
      planned: { start: null, end: null },
      actual: { start: null, end: null },
      startDelayMinutes: null,
      overrunMinutes: null,
      waves: waves.map((name) => ({ name, state: 'done', hosts: [] })),
      failures,
      rollbacks: [],
      findings: { linked: 0, closed: 0, closedByChange: 0, dueMet: 0, dueMissed: 0, items: [] },
      recordedAt: `2026-11-0${n}T00:00:00.000Z`,
    },
    factsRecordedAt: `2026-11-0${n}T00:00:00.000Z`,
    review: null,
  };
}

const dmz = { id: 'a1', name: 'edge-1', groups: ['dmz'] };
const core = { id: 'a2', name: 'core-1', groups: ['core'] };
const boom = { wave: 'rest', kind: 'install', step: 'dpkg' };

describe('review rules', () => {
  it('a group failing at least twice as often as all changes gets a follow-up; the rest do not', () => {
    // dmz: 2 of 2 failed (100 %); overall 2 of 6 (33 %). core: 0 of 4.
    const records = [
      record(1, dmz, boom),
      record(2, dmz, { ...boom, step: 'postinst' }),
      record(3, core),
      record(4, core),
      record(5, core),
      record(6, core),
    ];
    const candidates = reviewRules(records, [], period);
    expect(candidates.map((c) => c.subjectKey)).toEqual(['group-failures:dmz']);
    expect(candidates[0]?.title).toBe(
      'Changes fail more often on group dmz: 2 of 2 (100 %, overall 33 %)',
    );
    expect(candidates[0]?.freshAt).toBe('2026-11-02T00:00:00.000Z');
    // Canary failures need the first wave: these failed in "rest".
    expect(reviewTrends(records, [], period).packages[0]).toMatchObject({
      package: 'curl',
      changes: 6,
      failedChanges: 2,
      failedInFirstWave: 0,
    });
  });

  it('canary failures count when they are a pattern: 2 of 5, not 2 of 9', () => {
    const canary = (n: number) =>
      record(n, n % 2 === 0 ? dmz : core, { wave: 'canary', kind: 'install', step: `s${n}` });
    const fiveWithTwo = [canary(1), canary(2), record(3, core), record(4, core), record(5, core)];
    const found = reviewRules(fiveWithTwo, [], period).filter((c) =>
      c.subjectKey.startsWith('canary-failures:'),
    );
    expect(found.map((c) => c.title)).toEqual([
      'Changes to curl failed in the canary wave 2 of 5 times: test them in a non-production wave first',
    ]);
    // The same two failures among nine changes (22 %, under a quarter): no recommendation.
    const nineWithTwo = [...fiveWithTwo, 6, 7, 8, 9].map((r) =>
      typeof r === 'number' ? record(r, core) : r,
    );
    expect(
      reviewRules(nineWithTwo, [], period).filter((c) =>
        c.subjectKey.startsWith('canary-failures:'),
      ),
    ).toEqual([]);
  });

  it('a rollout of one wave has no canary; a cause in 3 changes recurs', () => {
    const records = [1, 2, 3].map((n) =>
      record(n, core, { wave: 'all', kind: 'health-check', step: 'http' }, ['all']),
    );
    const keys = reviewRules(records, [], period).map((c) => c.subjectKey);
    expect(keys).toEqual(['failure-cause:health-check at http']);
  });
});

describe('withTestWave', () => {
  const base = (defaultPlans?: unknown): StandardTemplate =>
    TemplateSchema.parse({
      name: 't',
      version: 1,
      description: 'd',
      criteria: {},
      ...(defaultPlans !== undefined && { defaultPlans }),
    });
  const wave = { name: 'test', environments: ['test', 'staging'], bakeMinutes: 30 };

  it('puts the test wave first in the first ring', () => {
    const template = base({
      deploymentPlan: {
        waves: [{ name: 'a' }, { name: 'b' }],
        rings: [
          { name: 'r1', offsetDays: 0, waves: ['a'] },
          { name: 'r2', offsetDays: 3, waves: ['b'] },
        ],
      },
    });
    const edited = TemplateSchema.parse(withTestWave(template, wave));
    expect(edited.defaultPlans?.deploymentPlan?.waves.map((w) => w.name)).toEqual([
      'test',
      'a',
      'b',
    ]);
    expect(edited.defaultPlans?.deploymentPlan?.rings.map((r) => r.waves)).toEqual([
      ['test', 'a'],
      ['b'],
    ]);
  });

  it('gives a template without a deployment plan a test wave and the rest', () => {
    const edited = TemplateSchema.parse(withTestWave(base(), wave));
    expect(edited.defaultPlans?.deploymentPlan?.waves).toMatchObject([
      { name: 'test', selector: { environments: ['test', 'staging'] }, bakeMinutes: 30 },
      { name: 'rest', bakeMinutes: 0 },
    ]);
    expect(edited.defaultPlans?.deploymentPlan?.waves[1]?.selector).toBeUndefined();
    expect(() => withTestWave(edited, wave)).toThrow(/already has a wave named test/);
  });
});
