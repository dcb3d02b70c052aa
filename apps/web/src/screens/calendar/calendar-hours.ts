/**
 * The week view's hour grid: where an item sits in a day's column of 24 hours (UTC). An item is
 * clipped to the day (one that began the day before starts at 00:00, one that goes on ends at
 * 24:00); freezes lie behind the whole width, and windows and changes that overlap in time share
 * the width side by side (each in the first lane free at its start, as many lanes as the most
 * that overlap in its group).
 */
const dayMinutes = 24 * 60;

export interface HourSpan {
  /** Minutes after the day's 00:00 UTC, clipped to 0–1440. */
  readonly from: number;
  readonly to: number;
}

export interface HourPlacement extends HourSpan {
  /** 0-based lane among `lanes` side by side; a freeze has lane 0 of 1 (the whole width). */
  readonly lane: number;
  readonly lanes: number;
}

/** The part of [start, end) that falls on `day` (YYYY-MM-DD), in minutes after its midnight. */
export function spanOnDay(start: string, end: string, day: string): HourSpan {
  const midnight = Date.parse(`${day}T00:00:00Z`);
  const clip = (iso: string) =>
    Math.min(dayMinutes, Math.max(0, (Date.parse(iso) - midnight) / 60_000));
  return { from: clip(start), to: clip(end) };
}

export function layoutDay<T extends { key: string; kind: string; start: string; end: string }>(
  items: readonly T[],
  day: string,
): Map<string, HourPlacement> {
  const placed = new Map<string, HourPlacement>();
  const laned: { key: string; span: HourSpan }[] = [];
  for (const item of items) {
    const span = spanOnDay(item.start, item.end, day);
    if (item.kind === 'freeze') placed.set(item.key, { ...span, lane: 0, lanes: 1 });
    else laned.push({ key: item.key, span });
  }
  laned.sort((a, b) => a.span.from - b.span.from || b.span.to - a.span.to);
  // Groups of items that overlap one another (transitively) share one lane count.
  let group: { key: string; span: HourSpan; lane: number }[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -1;
  const close = () => {
    for (const entry of group)
      placed.set(entry.key, { ...entry.span, lane: entry.lane, lanes: laneEnds.length });
    group = [];
    laneEnds = [];
  };
  for (const entry of laned) {
    if (entry.span.from >= groupEnd) close();
    let lane = laneEnds.findIndex((end) => end <= entry.span.from);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = Math.max(entry.span.to, entry.span.from + 1);
    groupEnd = Math.max(groupEnd, laneEnds[lane] ?? 0);
    group.push({ ...entry, lane });
  }
  close();
  return placed;
}

/** Top and height as percentages of the day column; at least 2 % (about half an hour) tall. */
export function boxOf(placement: HourPlacement): {
  top: string;
  height: string;
  left: string;
  width: string;
} {
  const top = (placement.from / dayMinutes) * 100;
  const height = Math.max(2, ((placement.to - placement.from) / dayMinutes) * 100);
  return {
    top: `${Math.min(top, 98).toFixed(3)}%`,
    height: `${Math.min(height, 100 - Math.min(top, 98)).toFixed(3)}%`,
    left: `${((placement.lane / placement.lanes) * 100).toFixed(3)}%`,
    width: `${(100 / placement.lanes).toFixed(3)}%`,
  };
}

export const hourLabels: readonly string[] = Array.from(
  { length: 24 },
  (_, hour) => `${String(hour).padStart(2, '0')}:00`,
);
