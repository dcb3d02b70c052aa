/**
 * The month or week grid: a table with the weekdays as columns and one cell per day (ARIA grid).
 * One cell is in the tab order; arrow keys move a day or a week, Home/End to the week's ends,
 * Page Up/Down a month (or a week). Moving past the view's edge asks the screen to show the
 * next range. The items of the active cell (windows, freezes, changes) are reachable with Tab;
 * a change is a button that picks it for rescheduling. Conflicts are said in words and marked
 * with a sign, not by colour alone. The week view is an hour grid: each day a column of 24 hours
 * (UTC) with its items placed by time (calendar-hours.ts), the hours labelled on the left.
 */
import type { KeyboardEvent } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { CalendarView } from './calendar-dates.ts';
import { boxOf, hourLabels, layoutDay } from './calendar-hours.ts';
import {
  addDays,
  addMonths,
  longDay,
  overlapsDay,
  timeOf,
  weekdayNames,
} from './calendar-dates.ts';

export interface CalendarItem {
  readonly key: string;
  readonly kind: 'window' | 'freeze' | 'change';
  readonly name: string;
  readonly start: string;
  readonly end: string;
  /** Changes: the change's id (what a click picks) and its state. */
  readonly changeId?: string;
  readonly state?: string;
  /** Changes: how many conflicts the change has; freezes: whether emergencies may override. */
  readonly conflicts?: number;
  readonly allowEmergency?: boolean;
}

/** Within a day: by start, a freeze before a change before a window at the same time. */
const kindOrder = { freeze: 0, change: 1, window: 2 } as const;

const kindLabel = { window: 'Window', freeze: 'Freeze', change: 'Change' } as const;

function timeRange(item: CalendarItem, day: string): string {
  const starts = item.start.slice(0, 10) === day;
  const ends = item.end.slice(0, 10) === day || timeOf(item.end) === '00:00';
  const from = starts ? timeOf(item.start) : '…';
  const to = ends && item.end.slice(0, 10) <= addDays(day, 1) ? timeOf(item.end) : '…';
  return `${from}–${to}`;
}

export function CalendarGrid({
  view,
  weeks,
  month,
  today,
  items,
  activeDay,
  selectedChangeId,
  onActiveDayChange,
  onPickChange,
  label,
}: {
  readonly view: CalendarView;
  readonly weeks: readonly (readonly string[])[];
  /** The month the view shows (`YYYY-MM`): other days are dimmed and say so. */
  readonly month: string;
  readonly today: string;
  readonly items: readonly CalendarItem[];
  readonly activeDay: string;
  readonly selectedChangeId: string | undefined;
  /** The active day moved (by key or click); it may lie outside the shown weeks. */
  readonly onActiveDayChange: (day: string) => void;
  readonly onPickChange: (changeId: string) => void;
  readonly label: string;
}) {
  const cells = useRef(new Map<string, HTMLTableCellElement>());
  // The day keyboard focus goes to once the view shows it (the URL changes first).
  const [focusTarget, setFocusTarget] = useState<string | undefined>(undefined);
  const shown = weeks.flat();
  const active = shown.includes(activeDay) ? activeDay : (shown[0] ?? activeDay);

  useEffect(() => {
    if (focusTarget === undefined || focusTarget !== active) return;
    cells.current.get(active)?.focus();
  }, [active, focusTarget]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableCellElement>, day: string) => {
    if (event.target !== event.currentTarget) return;
    const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
    const moves: Record<string, () => string> = {
      ArrowLeft: () => addDays(day, -1),
      ArrowRight: () => addDays(day, 1),
      ArrowUp: () => addDays(day, -7),
      ArrowDown: () => addDays(day, 7),
      Home: () => addDays(day, -weekday),
      End: () => addDays(day, 6 - weekday),
      PageUp: () => (view === 'month' ? addMonths(day, -1) : addDays(day, -7)),
      PageDown: () => (view === 'month' ? addMonths(day, 1) : addDays(day, 7)),
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const target = move();
    setFocusTarget(target);
    onActiveDayChange(target);
  };

  return (
    <table
      className={`calendar-grid calendar-${view}`}
      role="grid"
      aria-label={label}
      aria-readonly="true"
    >
      <thead>
        <tr>
          {view === 'week' && (
            <th scope="col" role="columnheader" className="calendar-hour-head">
              <span className="visually-hidden">Hours (UTC)</span>
            </th>
          )}
          {weekdayNames.map((name) => (
            <th key={name} scope="col" role="columnheader">
              <abbr title={name}>{name.slice(0, 3)}</abbr>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <tr key={week[0]}>
            {view === 'week' && (
              <th scope="row" role="rowheader" className="calendar-hour-labels">
                <span className="visually-hidden">Hours 00:00 to 24:00 (UTC)</span>
                <ol aria-hidden="true">
                  {hourLabels.map((label) => (
                    <li key={label}>{label}</li>
                  ))}
                </ol>
              </th>
            )}
            {week.map((day) => {
              const isActive = day === active;
              const outside = view === 'month' && day.slice(0, 7) !== month;
              const dayItems = items
                .filter((item) => overlapsDay(item.start, item.end, day))
                .sort(
                  (a, b) => a.start.localeCompare(b.start) || kindOrder[a.kind] - kindOrder[b.kind],
                );
              const conflicted = dayItems.some((i) => (i.conflicts ?? 0) > 0);
              const placements = view === 'week' ? layoutDay(dayItems, day) : undefined;
              return (
                <td
                  key={day}
                  ref={(element) => {
                    if (element === null) cells.current.delete(day);
                    else cells.current.set(day, element);
                  }}
                  role="gridcell"
                  tabIndex={isActive ? 0 : -1}
                  aria-selected={isActive}
                  aria-current={day === today ? 'date' : undefined}
                  className={[
                    'calendar-day',
                    outside && 'calendar-day-outside',
                    day === today && 'calendar-day-today',
                    isActive && 'calendar-day-active',
                  ]
                    .filter(Boolean)
                    .join(' ')}
                  data-day={day}
                  onKeyDown={(event) => onKeyDown(event, day)}
                  onClick={() => {
                    if (!isActive) onActiveDayChange(day);
                  }}
                >
                  <div className="calendar-day-number">
                    <span aria-hidden="true">{Number(day.slice(8))}</span>
                    {day === today && (
                      <span className="calendar-today-mark" aria-hidden="true">
                        today
                      </span>
                    )}
                    <span className="visually-hidden">
                      {`${longDay(day)}${day === today ? ', today' : ''}: ${
                        dayItems.length === 0
                          ? 'nothing planned'
                          : `${dayItems.length} item${dayItems.length === 1 ? '' : 's'}`
                      }${conflicted ? ', with conflicts' : ''}`}
                    </span>
                  </div>
                  <ul
                    className={
                      placements === undefined ? 'calendar-items' : 'calendar-items calendar-hours'
                    }
                  >
                    {dayItems.map((item) => {
                      const placement = placements?.get(item.key);
                      return (
                        <li
                          key={item.key}
                          style={placement === undefined ? undefined : boxOf(placement)}
                          className={[
                            'calendar-item',
                            `calendar-item-${item.kind}`,
                            (item.conflicts ?? 0) > 0 && 'calendar-item-conflict',
                            item.changeId !== undefined &&
                              item.changeId === selectedChangeId &&
                              'calendar-item-selected',
                          ]
                            .filter(Boolean)
                            .join(' ')}
                        >
                          {item.kind === 'change' && item.changeId !== undefined ? (
                            <button
                              type="button"
                              className="calendar-item-button"
                              tabIndex={isActive ? 0 : -1}
                              aria-pressed={item.changeId === selectedChangeId}
                              onClick={(event) => {
                                event.stopPropagation();
                                if (item.changeId !== undefined) onPickChange(item.changeId);
                              }}
                            >
                              <ItemText item={item} day={day} />
                            </button>
                          ) : (
                            <ItemText item={item} day={day} />
                          )}
                        </li>
                      );
                    })}
                  </ul>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ItemText({ item, day }: { readonly item: CalendarItem; readonly day: string }) {
  const conflicts = item.conflicts ?? 0;
  return (
    <>
      <span className="calendar-item-kind">{kindLabel[item.kind]}</span>{' '}
      <span className="calendar-item-time">{timeRange(item, day)}</span>{' '}
      <span className="calendar-item-name">{item.name}</span>
      {conflicts > 0 && (
        <span className="calendar-conflict-mark">
          {' '}
          <span aria-hidden="true">⚠</span> {conflicts} conflict{conflicts === 1 ? '' : 's'}
        </span>
      )}
    </>
  );
}
