/**
 * The change calendar (`/calendar?view=month|week&date=YYYY-MM-DD&change=<id>`): maintenance
 * windows, freezes and scheduled changes in a month or week grid, the conflicts of the changes
 * in view, rescheduling a change against its conflicts and the next feasible slot, and the
 * windows and freezes themselves (managed with calendar:manage), and the caller's iCalendar feed
 * URL (created, shown once, revoked).
 */
import { useQueries } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { Link } from 'react-router';
import { $api } from '../../api/query.ts';
import { useUrlState } from '../../ui/url-state.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import type { CalendarView } from './calendar-dates.ts';
import {
  addDays,
  addMonths,
  dayOf,
  parseDay,
  rangeOf,
  viewTitle,
  weeksOf,
} from './calendar-dates.ts';
import type { CalendarItem } from './calendar-grid.tsx';
import { CalendarGrid } from './calendar-grid.tsx';
import { CalendarFeedSection } from './calendar-feed.tsx';
import { FreezesSection, WindowsSection } from './calendar-manage.tsx';
import { ConflictList, ReschedulePanel } from './reschedule-panel.tsx';
import './calendar.css';

const keys = ['view', 'date', 'change'] as const;
/** Changes whose schedule holds their assets (the server's conflict detection reads these). */
const schedulableStates = 'submitted,authorise,scheduled';

export function CalendarScreen() {
  const url = useUrlState(keys);
  const today = dayOf(new Date());
  const view: CalendarView = url.values.view === 'week' ? 'week' : 'month';
  const date = parseDay(url.values.date) === undefined ? today : (url.values.date ?? today);
  const changeId = url.values.change;
  const weeks = useMemo(() => weeksOf(view, date), [view, date]);
  const range = rangeOf(weeks);
  const title = viewTitle(view, date);
  const pickerId = useId();

  // Independent: fired together.
  const calendar = $api.useQuery('get', '/api/v1/calendar', {
    params: { query: { from: range.from, to: range.to } },
  });
  const candidates = $api.useQuery('get', '/api/v1/changes', {
    params: { query: { state: schedulableStates, limit: 200 } },
  });

  const changesInView = calendar.data?.changes ?? [];
  const conflictQueries = useQueries({
    queries: changesInView.map((change) =>
      $api.queryOptions('get', '/api/v1/changes/{id}/conflicts', {
        params: { path: { id: change.id } },
      }),
    ),
  });
  const conflictsById = new Map(
    changesInView.map((change, index) => [change.id, conflictQueries[index]?.data?.conflicts]),
  );

  const data = calendar.data;
  const items: CalendarItem[] =
    data === undefined
      ? []
      : [
          ...data.freezes.map((f, i) => ({
            key: `freeze-${f.freezeId}-${i}`,
            kind: 'freeze' as const,
            name: f.name,
            start: f.start,
            end: f.end,
            allowEmergency: f.allowEmergency,
          })),
          ...data.changes.map((c) => ({
            key: `change-${c.id}`,
            kind: 'change' as const,
            name: c.title,
            start: c.start,
            end: c.end,
            changeId: c.id,
            state: c.state,
            conflicts: conflictsById.get(c.id)?.length ?? 0,
          })),
          ...data.windows.map((w, i) => ({
            key: `window-${w.windowId}-${i}`,
            kind: 'window' as const,
            name: w.name,
            start: w.start,
            end: w.end,
          })),
        ];

  const go = (day: string, replace = false) => url.set({ date: day }, { replace });
  const step = (direction: 1 | -1) =>
    go(view === 'month' ? addMonths(date, direction) : addDays(date, 7 * direction));

  const conflicted = changesInView.filter((c) => (conflictsById.get(c.id)?.length ?? 0) > 0);

  return (
    <>
      <PageHeader
        title="Calendar"
        description="Maintenance windows, freezes and scheduled changes (times in UTC). Pick a change to reschedule it."
      />
      <div className="calendar-toolbar">
        <div className="calendar-nav" role="group" aria-label="Move the calendar">
          <button type="button" className="button" onClick={() => step(-1)}>
            <span aria-hidden="true">‹ </span>Previous {view}
          </button>
          <button type="button" className="button" onClick={() => go(today)}>
            Today
          </button>
          <button type="button" className="button" onClick={() => step(1)}>
            Next {view}
            <span aria-hidden="true"> ›</span>
          </button>
        </div>
        <h2 className="calendar-title" aria-live="polite">
          {title}
        </h2>
        <div className="calendar-views" role="group" aria-label="View">
          {(['month', 'week'] as const).map((v) => (
            <button
              key={v}
              type="button"
              className={v === view ? 'button button-primary' : 'button'}
              aria-pressed={v === view}
              onClick={() => url.set({ view: v })}
            >
              {v === 'month' ? 'Month' : 'Week'}
            </button>
          ))}
        </div>
        <div className="field calendar-picker">
          <label htmlFor={pickerId}>Change to reschedule</label>
          <select
            id={pickerId}
            value={changeId ?? ''}
            onChange={(event) => url.set({ change: event.target.value })}
          >
            <option value="">— none —</option>
            {changeId !== undefined &&
              candidates.data !== undefined &&
              !candidates.data.changes.some((c) => c.id === changeId) && (
                <option value={changeId}>{changeId}</option>
              )}
            {(candidates.data?.changes ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.number} {c.title} ({c.state})
              </option>
            ))}
          </select>
        </div>
      </div>

      <div className={changeId === undefined ? 'calendar-layout' : 'calendar-layout with-panel'}>
        <div className="calendar-main">
          {calendar.isPending ? (
            <Loading label="Loading the calendar…" />
          ) : calendar.isError ? (
            <ErrorState error={calendar.error} onRetry={() => void calendar.refetch()} />
          ) : (
            <>
              <p className="calendar-legend small">
                <span className="calendar-item calendar-item-window">Window</span>{' '}
                <span className="calendar-item calendar-item-freeze">Freeze</span>{' '}
                <span className="calendar-item calendar-item-change">Change</span>{' '}
                <span className="calendar-item calendar-item-change calendar-item-conflict">
                  <span aria-hidden="true">⚠</span> Change with conflicts
                </span>
                <span className="muted">
                  {' '}
                  Arrow keys move between days, Page Up/Down by {view}; Tab reaches a day’s changes.
                </span>
              </p>
              <CalendarGrid
                view={view}
                weeks={weeks}
                month={date.slice(0, 7)}
                today={today}
                items={items}
                activeDay={date}
                selectedChangeId={changeId}
                label={`${title}: windows, freezes and changes`}
                onActiveDayChange={(day) => go(day, true)}
                onPickChange={(id) => url.set({ change: id })}
              />
              {calendar.data.truncated && (
                <p className="muted small">
                  Some windows or freezes have more occurrences than the calendar lists.
                </p>
              )}
              {calendar.data.changes.length === 0 &&
                calendar.data.windows.length === 0 &&
                calendar.data.freezes.length === 0 && (
                  <p className="muted">Nothing is planned in this {view}.</p>
                )}
            </>
          )}
        </div>
        {changeId !== undefined && (
          <ReschedulePanel
            changeId={changeId}
            activeDay={date}
            onClose={() => url.set({ change: undefined })}
            onShowDay={(day) => go(day)}
          />
        )}
      </div>

      <Section title={`Conflicts in this ${view}`}>
        {calendar.isPending || conflictQueries.some((q) => q.isPending) ? (
          <Loading label="Checking conflicts…" />
        ) : changesInView.length === 0 ? (
          <p className="muted">No change is scheduled in this {view}.</p>
        ) : conflicted.length === 0 ? (
          <p className="calendar-no-conflicts">
            <span aria-hidden="true">✓ </span>
            {changesInView.length === 1
              ? 'The scheduled change has no conflict.'
              : `None of the ${changesInView.length} scheduled changes has a conflict.`}
          </p>
        ) : (
          <div className="stack">
            {conflicted.map((change) => (
              <div key={change.id}>
                <h3>
                  <Link to={`/changes/${change.id}`}>{change.title}</Link>{' '}
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => url.set({ change: change.id })}
                  >
                    Reschedule
                  </button>
                </h3>
                <ConflictList
                  conflicts={conflictsById.get(change.id) ?? []}
                  label={`Conflicts of ${change.title}`}
                  none=""
                />
              </div>
            ))}
          </div>
        )}
      </Section>

      <FreezesSection />
      <WindowsSection />
      <CalendarFeedSection />
    </>
  );
}
