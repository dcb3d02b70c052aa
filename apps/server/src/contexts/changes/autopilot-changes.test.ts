import { describe, expect, it } from 'vitest';
import type { DeploymentPlan } from '@patchgate/changes';
import { withRings } from './autopilot-changes.ts';

const wave = (name: string) =>
  ({
    name,
    concurrency: 1,
    failureThreshold: 0,
    bakeMinutes: 0,
    gate: 'auto',
    onFailure: 'pause',
    healthChecks: [],
  }) as unknown as DeploymentPlan['waves'][number];

const plan = (...names: string[]) => ({ waves: names.map(wave), rings: [] }) as DeploymentPlan;

describe('withRings', () => {
  it.each([
    [
      ['test', 'canary', 'non-critical', 'critical'],
      [0, 3, 7],
      [
        ['ring-1', 0, ['test', 'canary']],
        ['ring-2', 3, ['non-critical']],
        ['ring-3', 7, ['critical']],
      ],
    ],
    [
      ['canary', 'non-critical'],
      [0, 3, 7],
      [
        ['ring-1', 0, ['canary']],
        ['ring-2', 3, ['non-critical']],
      ],
    ],
    [['canary'], [0, 3, 7], []],
    // Relative to the first ring, whose offset moves the change's start instead.
    [
      ['canary', 'non-critical'],
      [2, 5],
      [
        ['ring-1', 0, ['canary']],
        ['ring-2', 3, ['non-critical']],
      ],
    ],
    [['test', 'canary'], [0], []],
  ] as const)('%j in rings %j', (waves, offsets, expected) => {
    expect(
      withRings(plan(...waves), offsets).rings.map((r) => [r.name, r.offsetDays, r.waves]),
    ).toEqual(expected);
  });
});
