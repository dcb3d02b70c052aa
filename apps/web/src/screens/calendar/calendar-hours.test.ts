import { describe, expect, it } from 'vitest';
import { boxOf, layoutDay, spanOnDay } from './calendar-hours.ts';

const item = (key: string, kind: string, start: string, end: string) => ({ key, kind, start, end });

describe('the hour grid of a day', () => {
  it('clips an item to the day, in minutes after midnight UTC', () => {
    expect(spanOnDay('2026-12-08T21:00:00Z', '2026-12-09T01:00:00Z', '2026-12-08')).toEqual({
      from: 1260,
      to: 1440,
    });
    expect(spanOnDay('2026-12-08T21:00:00Z', '2026-12-09T01:00:00Z', '2026-12-09')).toEqual({
      from: 0,
      to: 60,
    });
    expect(spanOnDay('2026-12-10T12:30:00+02:00', '2026-12-10T13:00:00Z', '2026-12-10')).toEqual({
      from: 630,
      to: 780,
    });
  });

  it('puts overlapping windows and changes side by side, freezes behind across the width', () => {
    const placed = layoutDay(
      [
        item('freeze', 'freeze', '2026-12-01T00:00:00Z', '2026-12-31T00:00:00Z'),
        item('window', 'window', '2026-12-10T10:00:00Z', '2026-12-10T14:00:00Z'),
        item('change-a', 'change', '2026-12-10T12:00:00Z', '2026-12-10T13:00:00Z'),
        item('change-b', 'change', '2026-12-10T12:30:00Z', '2026-12-10T13:30:00Z'),
        item('change-c', 'change', '2026-12-10T13:00:00Z', '2026-12-10T13:15:00Z'),
        item('later', 'change', '2026-12-10T20:00:00Z', '2026-12-10T21:00:00Z'),
      ],
      '2026-12-10',
    );
    expect(placed.get('freeze')).toEqual({ from: 0, to: 1440, lane: 0, lanes: 1 });
    expect(placed.get('window')).toMatchObject({ from: 600, to: 840, lane: 0, lanes: 3 });
    expect(placed.get('change-a')).toMatchObject({ lane: 1, lanes: 3 });
    expect(placed.get('change-b')).toMatchObject({ lane: 2, lanes: 3 });
    // change-a has ended at 13:00: its lane is free again.
    expect(placed.get('change-c')).toMatchObject({ lane: 1, lanes: 3 });
    // Alone later in the day: the whole width.
    expect(placed.get('later')).toEqual({ from: 1200, to: 1260, lane: 0, lanes: 1 });
  });

  it('boxes an item by percentages, a short one at least 2 % tall and inside the day', () => {
    expect(boxOf({ from: 720, to: 780, lane: 1, lanes: 2 })).toEqual({
      top: '50.000%',
      height: '4.167%',
      left: '50.000%',
      width: '50.000%',
    });
    expect(boxOf({ from: 1439, to: 1440, lane: 0, lanes: 1 })).toEqual({
      top: '98.000%',
      height: '2.000%',
      left: '0.000%',
      width: '100.000%',
    });
  });
});
