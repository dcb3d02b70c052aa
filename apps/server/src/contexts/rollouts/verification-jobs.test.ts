/** Which events the verify part's subscribers turn into jobs (the rest pass). */
import { describe, expect, it } from 'vitest';
import {
  prefillReviewOnRolloutEnd,
  preflightOnSubmit,
  verifyTaskFinished,
} from './verification-jobs.ts';

const task = (kind: string, outcome: 'succeeded' | 'failed' | 'rejected') => ({
  taskId: 't',
  agentId: 'a',
  assetId: 'h',
  kind,
  outcome,
  rolloutId: null,
});

describe('verify subscribers', () => {
  it.each([
    ['submitted', { changeId: 'c' }],
    ['authorise', undefined],
    ['draft', undefined],
  ])('change.state-changed to %s → %j', (to, expected) => {
    expect(
      preflightOnSubmit.payload({ changeId: 'c', from: 'draft', to, action: 'x', actorId: null }),
    ).toEqual(expected);
  });

  it.each([
    [task('preflight', 'succeeded'), true],
    [task('preflight', 'failed'), true],
    [task('preflight', 'rejected'), true],
    [task('install', 'succeeded'), true],
    [task('install', 'failed'), false],
    [task('health-check', 'succeeded'), false],
    [task('rollback', 'succeeded'), false],
  ])('agent.task-finished %j → queued %s', (data, queued) => {
    expect(verifyTaskFinished.payload(data) !== undefined).toBe(queued);
  });

  it.each([
    ['completed', true],
    ['rolled-back', true],
    ['aborted', true],
    ['halted', true],
    ['started', false],
    ['wave-completed', false],
    ['awaiting-gate', false],
    ['rolling-back', false],
  ])('rollout.progressed %s → review pre-filled %s', (kind, queued) => {
    expect(
      prefillReviewOnRolloutEnd.payload({ rolloutId: 'r', changeId: 'c', kind }) !== undefined,
    ).toBe(queued);
  });
});
