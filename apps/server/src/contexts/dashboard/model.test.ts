import { describe, expect, it } from 'vitest';
import type { SlaFinding } from './model.ts';
import { addDays, dueBucketOf, slaCompliance, weekStart } from './model.ts';

describe('dashboard rules', () => {
  it.each([
    ['2026-06-10', '2026-06-08'], // Wednesday
    ['2026-06-08', '2026-06-08'], // Monday
    ['2026-06-14', '2026-06-08'], // Sunday
    ['2026-01-01', '2025-12-29'], // across a year
  ])('the week of %s starts on %s', (day, monday) => {
    expect(weekStart(day)).toBe(monday);
  });

  it.each([
    [null, 'noDueDate'],
    ['2026-06-09', 'overdue'],
    ['2026-06-10', 'dueSoon'],
    ['2026-06-16', 'dueSoon'],
    ['2026-06-17', 'later'],
  ] as const)('due %s is %s on 2026-06-10', (due, bucket) => {
    expect(dueBucketOf(due, '2026-06-10')).toBe(bucket);
  });

  it('computes weekly SLA compliance from stored findings only', () => {
    const now = '2026-06-10T08:00:00.000Z';
    const f = (over: Partial<SlaFinding>): SlaFinding => ({
      dueDate: null,
      state: 'open',
      fixedAt: null,
      triageState: null,
      acceptedUntil: null,
      ...over,
    });
    const weeks = slaCompliance(
      [
        // On time, fixed in the week of 06-01.
        f({ dueDate: '2026-06-05', state: 'fixed', fixedAt: '2026-06-03T10:00:00.000Z' }),
        // Fixed on its due day: on time.
        f({ dueDate: '2026-06-02', state: 'fixed', fixedAt: '2026-06-02T23:00:00.000Z' }),
        // Late: missed in 05-18 (due), late in 06-01 (fixed).
        f({ dueDate: '2026-05-20', state: 'fixed', fixedAt: '2026-06-02T10:00:00.000Z' }),
        // Open past due: missed in 06-01.
        f({ dueDate: '2026-06-01' }),
        // Not counted: accepted now, settled by triage, not yet due, no due date.
        f({ dueDate: '2026-06-01', acceptedUntil: '2026-12-01T00:00:00.000Z' }),
        f({ dueDate: '2026-06-01', triageState: 'not_affected' }),
        f({ dueDate: '2026-06-12' }),
        f({ state: 'fixed', fixedAt: '2026-06-02T10:00:00.000Z' }),
        // An expired acceptance counts again.
        f({ dueDate: '2026-05-19', acceptedUntil: '2026-06-01T00:00:00.000Z' }),
        // Before the 12 weeks.
        f({ dueDate: '2026-01-05' }),
      ],
      '2026-06-10',
      now,
      3,
    );
    expect(weeks).toEqual([
      { weekStart: '2026-05-25', weekEnd: '2026-06-01', counted: 0, met: 0, compliance: null },
      { weekStart: '2026-06-01', weekEnd: '2026-06-08', counted: 4, met: 2, compliance: 0.5 },
      { weekStart: '2026-06-08', weekEnd: '2026-06-15', counted: 0, met: 0, compliance: null },
    ]);
    const twelve = slaCompliance(
      [f({ dueDate: '2026-05-20', state: 'fixed', fixedAt: '2026-06-02T10:00:00.000Z' })],
      '2026-06-10',
      now,
    );
    expect(twelve).toHaveLength(12);
    expect(twelve[0]?.weekStart).toBe(addDays('2026-06-08', -77));
    expect(twelve.find((w) => w.weekStart === '2026-05-18')).toMatchObject({
      counted: 1,
      met: 0,
      compliance: 0,
    });
  });
});
