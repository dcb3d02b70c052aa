/**
 * The dashboard's pure rules: which due bucket a date falls in, the weeks of the SLA chart and
 * each week's compliance. No database, no clock: `today` is given.
 */

/** Due status of an open finding, relative to today (UTC days). */
export const dueBuckets = ['overdue', 'dueSoon', 'later', 'noDueDate'] as const;
export type DueBucket = (typeof dueBuckets)[number];

/** "Due soon": due today or within the next `dueSoonDays - 1` days (before today + 7). */
export const dueSoonDays = 7;

/** How many weeks the SLA chart covers (the current week last). */
export const slaWeeks = 12;

/** The share of decided findings fixed on time the dashboard draws as its target line. */
export const slaTarget = 0.9;

/** Triage states that take a finding out of the work queue (findings' model.ts). */
export const settledTriageStates = ['not_affected', 'false_positive', 'resolved'] as const;

/** YYYY-MM-DD of `day` plus `days` (UTC). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The Monday (UTC) of the ISO week holding `day`. */
export function weekStart(day: string): string {
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(day, -((weekday + 6) % 7));
}

export function dueBucketOf(dueDate: string | null, today: string): DueBucket {
  if (dueDate === null) return 'noDueDate';
  if (dueDate < today) return 'overdue';
  if (dueDate < addDays(today, dueSoonDays)) return 'dueSoon';
  return 'later';
}

/** What the SLA computation reads of a finding (stored data only). */
export interface SlaFinding {
  /** YYYY-MM-DD or null. */
  readonly dueDate: string | null;
  /** `open`, `fixed`, `reopened`. */
  readonly state: string;
  /** ISO timestamp, set when fixed. */
  readonly fixedAt: string | null;
  readonly triageState: string | null;
  /** ISO timestamp until which an approved exception accepts it, or null. */
  readonly acceptedUntil: string | null;
}

export interface SlaWeek {
  /** Monday, YYYY-MM-DD. */
  readonly weekStart: string;
  /** The next Monday (exclusive). */
  readonly weekEnd: string;
  /** Findings decided in the week (see `slaCompliance`). */
  readonly counted: number;
  /** Of those, fixed on or before their due date. */
  readonly met: number;
  /** met / counted, or null when nothing was decided that week. */
  readonly compliance: number | null;
}

/**
 * SLA compliance per week, oldest first, the week holding `today` last. A finding with a due
 * date is counted in week W when it was fixed in W (`fixedAt`'s day in W), or when its due date
 * is in W, has passed (is before `today`) and it was not fixed by then (still unfixed, or fixed
 * later); it met the SLA when it is fixed and `fixedAt`'s day is on or before its due date. Findings not fixed that are settled by
 * triage (not affected, false positive, resolved) or accepted by an exception at `now` are not
 * counted: they were decided not to need a fix. A finding due in one week and fixed in another
 * counts in both weeks (once as missed where it fell due, once as fixed late where it was fixed).
 */
export function slaCompliance(
  findings: Iterable<SlaFinding>,
  today: string,
  now: string,
  weeks = slaWeeks,
): SlaWeek[] {
  const last = weekStart(today);
  const starts = Array.from({ length: weeks }, (_, i) => addDays(last, -7 * (weeks - 1 - i)));
  const first = starts[0] ?? last;
  const counted = new Map<string, number>(starts.map((s) => [s, 0]));
  const met = new Map<string, number>(starts.map((s) => [s, 0]));
  const weekOf = (day: string) => (day < first ? undefined : weekStart(day));
  const bump = (map: Map<string, number>, week: string | undefined) => {
    if (week !== undefined && map.has(week)) map.set(week, (map.get(week) ?? 0) + 1);
  };
  for (const f of findings) {
    if (f.dueDate === null) continue;
    if (f.state === 'fixed' && f.fixedAt !== null) {
      const fixedDay = f.fixedAt.slice(0, 10);
      const week = weekOf(fixedDay);
      bump(counted, week);
      if (fixedDay <= f.dueDate) bump(met, week);
      // Fixed late: the week it fell due counts it as missed too.
      if (fixedDay > f.dueDate && weekOf(f.dueDate) !== week) bump(counted, weekOf(f.dueDate));
      continue;
    }
    const settled = (settledTriageStates as readonly (string | null)[]).includes(f.triageState);
    const accepted = f.acceptedUntil !== null && f.acceptedUntil > now;
    if (settled || accepted) continue;
    if (f.dueDate < today) bump(counted, weekOf(f.dueDate));
  }
  return starts.map((start) => {
    const c = counted.get(start) ?? 0;
    const m = met.get(start) ?? 0;
    return {
      weekStart: start,
      weekEnd: addDays(start, 7),
      counted: c,
      met: m,
      compliance: c === 0 ? null : m / c,
    };
  });
}
