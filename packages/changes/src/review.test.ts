import { describe, expect, it } from 'vitest';
import { PostImplementationReview } from './review.ts';

describe('PostImplementationReview', () => {
  it('fills defaults', () => {
    expect(
      PostImplementationReview.parse({
        outcome: 'rolled-back',
        wentBadly: ['nginx failed its health check on web-02'],
        followUps: [{ description: 'pin the nginx module', owner: 'bob', dueOn: '2026-12-20' }],
        reviewedBy: ['alice', 'bob'],
      }),
    ).toEqual({
      outcome: 'rolled-back',
      wentWell: [],
      wentBadly: ['nginx failed its health check on web-02'],
      incidents: [],
      lessons: [],
      followUps: [
        { description: 'pin the nginx module', owner: 'bob', dueOn: '2026-12-20', done: false },
      ],
      reviewedBy: ['alice', 'bob'],
    });
  });

  it.each<[string, unknown, string[]]>([
    ['nobody reviewed', { outcome: 'successful', reviewedBy: [] }, ['reviewedBy']],
    [
      'a follow-up without owner or date',
      { outcome: 'failed', reviewedBy: ['a'], followUps: [{ description: 'x', dueOn: 'soon' }] },
      ['followUps.0.owner', 'followUps.0.dueOn'],
    ],
    ['an unknown outcome and key', { outcome: 'meh', reviewedBy: ['a'], mood: 1 }, ['outcome', '']],
  ])('refuses %s', (_label, input, paths) => {
    const parsed = PostImplementationReview.safeParse(input);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(paths);
  });
});
