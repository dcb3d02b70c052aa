/**
 * Rescheduling one change: its current schedule and conflicts, a new start and end (UTC), the
 * conflicts that slot would have — asked of `GET /calendar/conflicts` before anything is saved —
 * the next feasible slot (`GET /changes/{id}/next-slot`) to apply, then `POST …/schedule` behind
 * a confirmation, with the server's refusal (a freeze: 409; a start in the past: 422) shown.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import type { paths } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatDuration } from '../../ui/format.ts';
import { Facts, Section } from '../../ui/page.tsx';
import { QueryState } from '../../ui/states.tsx';
import { fromLocalInput, longDay, toLocalInput } from './calendar-dates.ts';
import { Field } from '../../ui/forms.tsx';

type ChangeDetail =
  paths['/api/v1/changes/{id}']['get']['responses']['200']['content']['application/json'];
type Conflict = ChangeDetail['conflicts'][number];

/** Without an estimate in the deployment plan the server gives a change two hours. */
const defaultMinutes = 120;

const conflictKindLabel: Record<string, string> = {
  'asset-in-overlapping-change': 'Asset in another change',
  'outside-window': 'Outside a maintenance window',
  'in-freeze': 'In a freeze',
  'window-too-short': 'Window too short',
  'approval-missing-before-start': 'Approval missing before start',
};

export function ConflictList({
  conflicts,
  label,
  none,
}: {
  readonly conflicts: readonly Conflict[];
  readonly label: string;
  readonly none: string;
}) {
  if (conflicts.length === 0)
    return (
      <p className="calendar-no-conflicts">
        <span aria-hidden="true">✓ </span>
        {none}
      </p>
    );
  return (
    <ul className="calendar-conflicts" aria-label={label}>
      {conflicts.map((conflict, index) => (
        <li key={`${conflict.kind}-${conflict.assetId ?? ''}-${index}`}>
          <Badge tone={conflict.kind === 'in-freeze' ? 'critical' : 'warn'}>
            <span aria-hidden="true">⚠ </span>
            {conflictKindLabel[conflict.kind] ?? conflict.kind}
          </Badge>{' '}
          {conflict.message}
          {conflict.otherChangeId !== undefined && (
            <>
              {' '}
              <Link to={`/changes/${conflict.otherChangeId}`}>the other change</Link>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function ReschedulePanel({
  changeId,
  activeDay,
  onClose,
  onShowDay,
}: {
  readonly changeId: string;
  /** The day active in the grid: the new start can be moved to it. */
  readonly activeDay: string;
  readonly onClose: () => void;
  /** Show the calendar at a day (where a slot lies). */
  readonly onShowDay: (day: string) => void;
}) {
  const change = $api.useQuery('get', '/api/v1/changes/{id}', {
    params: { path: { id: changeId } },
  });
  const current = $api.useQuery('get', '/api/v1/changes/{id}/conflicts', {
    params: { path: { id: changeId } },
  });
  return (
    <Section
      title="Reschedule"
      className="calendar-panel"
      actions={
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      }
    >
      <QueryState query={change} loadingLabel="Loading the change…">
        {(detail) => (
          <RescheduleForm
            key={detail.id}
            change={detail}
            current={current.data?.conflicts}
            currentError={current.isError ? current.error : undefined}
            activeDay={activeDay}
            onShowDay={onShowDay}
          />
        )}
      </QueryState>
    </Section>
  );
}

function RescheduleForm({
  change,
  current,
  currentError,
  activeDay,
  onShowDay,
}: {
  readonly activeDay: string;
  readonly change: ChangeDetail;
  readonly current: readonly Conflict[] | undefined;
  readonly currentError: unknown;
  readonly onShowDay: (day: string) => void;
}) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const overrideId = useId();
  const minutes = change.plans.deploymentPlan?.estimatedMinutes ?? defaultMinutes;
  const [start, setStart] = useState(toLocalInput(change.schedule?.start));
  const [end, setEnd] = useState(toLocalInput(change.schedule?.end));
  const [overrideFreeze, setOverrideFreeze] = useState(false);
  const [askSlot, setAskSlot] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState<string | undefined>(undefined);

  const startAt = fromLocalInput(start);
  const endAt = fromLocalInput(end);
  const validRange = startAt !== undefined && endAt !== undefined && endAt > startAt;
  const unchanged =
    startAt === change.schedule?.start && endAt !== undefined && endAt === change.schedule?.end;
  const selector =
    change.assets.length === 0 ? '' : `name=${change.assets.map((a) => a.name).join('|')}`;

  // What the chosen slot would meet, asked before saving.
  const proposed = $api.useQuery(
    'get',
    '/api/v1/calendar/conflicts',
    {
      params: {
        query: {
          start: startAt ?? '',
          end: endAt ?? '',
          assets: selector,
          type: change.type,
          estimatedMinutes: minutes,
          approved: change.approvals.complete ? 'true' : 'false',
        },
      },
    },
    { enabled: validRange && selector !== '' },
  );
  // The change itself, when already scheduled there, is not a conflict of its new slot.
  const proposedConflicts = (proposed.data?.conflicts ?? []).filter(
    (c) => c.otherChangeId !== change.id,
  );

  const slot = $api.useQuery(
    'get',
    '/api/v1/changes/{id}/next-slot',
    { params: { path: { id: change.id } } },
    { enabled: askSlot, staleTime: 0 },
  );

  const schedule = $api.useMutation('post', '/api/v1/changes/{id}/schedule');

  const setStartKeepingLength = (value: string) => {
    setStart(value);
    const at = fromLocalInput(value);
    if (at !== undefined)
      setEnd(toLocalInput(new Date(Date.parse(at) + minutes * 60_000).toISOString()));
  };

  const applySlot = (slotStart: string, slotEnd: string | null) => {
    setStart(toLocalInput(slotStart));
    setEnd(
      toLocalInput(slotEnd ?? new Date(Date.parse(slotStart) + minutes * 60_000).toISOString()),
    );
    onShowDay(slotStart.slice(0, 10));
  };

  const emergencyFreeze =
    change.type === 'emergency' &&
    proposedConflicts.some((c) => c.kind === 'in-freeze' && c.emergencyOverrideAllowed === true);
  const canSchedule = can('changes:request');

  return (
    <div className="stack">
      <div>
        <h3 className="calendar-panel-title">
          <Link to={`/changes/${change.id}`}>{change.number}</Link> {change.title}
        </h3>
        <Facts
          items={[
            ['State', <StatusBadge key="state" status={change.state} />],
            ['Type', change.type],
            [
              'Approvals',
              change.approvals.complete
                ? 'complete'
                : change.approvals.rejected
                  ? 'rejected'
                  : 'not complete',
            ],
            ['Assets', change.assets.map((a) => a.name).join(', ') || '—'],
            ['Estimated duration', formatDuration(minutes * 60_000)],
            [
              'Scheduled',
              change.schedule === null
                ? 'not scheduled'
                : `${formatDateTime(change.schedule.start)} – ${formatDateTime(change.schedule.end)}`,
            ],
          ]}
        />
      </div>

      {change.schedule !== null && (
        <div>
          <h4 className="calendar-subtitle">Conflicts of the current schedule</h4>
          {currentError !== undefined ? (
            <p className="form-error">{errorMessage(currentError)}</p>
          ) : current === undefined ? (
            <p className="muted">Checking…</p>
          ) : (
            <ConflictList
              conflicts={current}
              label="Conflicts of the current schedule"
              none="The current schedule has no conflicts."
            />
          )}
        </div>
      )}

      <form
        className="form"
        aria-label={`New schedule for ${change.number}`}
        onSubmit={(event) => {
          event.preventDefault();
          if (validRange) setConfirming(true);
        }}
      >
        <div className="calendar-slot-fields">
          <Field label="New start (UTC)">
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={start}
                required
                onChange={(event) => setStartKeepingLength(event.target.value)}
              />
            )}
          </Field>
          <Field label="New end (UTC)">
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={end}
                required
                onChange={(event) => setEnd(event.target.value)}
              />
            )}
          </Field>
        </div>
        {start.slice(0, 10) !== activeDay && (
          <button
            type="button"
            className="button button-small calendar-move-day"
            onClick={() =>
              setStartKeepingLength(`${activeDay}T${start === '' ? '00:00' : start.slice(11, 16)}`)
            }
          >
            Start on {longDay(activeDay)} (the day chosen in the calendar)
          </button>
        )}
        {start !== '' && end !== '' && !validRange && (
          <p className="form-error" role="alert">
            The end must be after the start.
          </p>
        )}

        <div aria-live="polite">
          <h4 className="calendar-subtitle">Conflicts of the new slot</h4>
          {!validRange ? (
            <p className="muted">Choose a start and an end to see what that slot would meet.</p>
          ) : proposed.isPending ? (
            <p className="muted">Checking the slot…</p>
          ) : proposed.isError ? (
            <p className="form-error">{errorMessage(proposed.error)}</p>
          ) : (
            <ConflictList
              conflicts={proposedConflicts}
              label="Conflicts of the new slot"
              none="No conflicts: every asset is in its window, outside freezes and free of other changes."
            />
          )}
        </div>

        <div className="calendar-next-slot">
          <button
            type="button"
            className="button"
            onClick={() => {
              if (askSlot) void slot.refetch();
              else setAskSlot(true);
            }}
          >
            Find the next feasible slot
          </button>
          <div aria-live="polite">
            {askSlot &&
              (slot.isPending || slot.isFetching ? (
                <p className="muted">Looking for a slot…</p>
              ) : slot.isError ? (
                <p className="form-error">{errorMessage(slot.error)}</p>
              ) : slot.data.start === null ? (
                <p className="form-error">No feasible slot: {slot.data.reason ?? 'none found'}</p>
              ) : (
                <p className="calendar-slot-found">
                  Next feasible slot: <strong>{formatDateTime(slot.data.start)}</strong> –{' '}
                  {formatDateTime(slot.data.end)}{' '}
                  <button
                    type="button"
                    className="button button-small button-primary"
                    onClick={() => {
                      if (slot.data.start !== null) applySlot(slot.data.start, slot.data.end);
                    }}
                  >
                    Apply this slot
                  </button>
                </p>
              ))}
          </div>
        </div>

        {emergencyFreeze && (
          <div className="row">
            <input
              id={overrideId}
              type="checkbox"
              checked={overrideFreeze}
              onChange={(event) => setOverrideFreeze(event.target.checked)}
            />
            <label htmlFor={overrideId}>
              Override the freeze (emergency change: the approval gains a freeze-override stage)
            </label>
          </div>
        )}

        {saved !== undefined && (
          <p className="form-success" role="status">
            {saved}
          </p>
        )}
        {schedule.isError && !confirming && (
          <p className="form-error" role="alert">
            The server refused the schedule: {errorMessage(schedule.error)}
          </p>
        )}
        {canSchedule ? (
          <div className="form-actions">
            <button
              type="submit"
              className="button button-primary"
              disabled={!validRange || unchanged || schedule.isPending}
            >
              Schedule…
            </button>
          </div>
        ) : (
          <p className="muted">Scheduling needs the changes:request permission.</p>
        )}
      </form>

      <ConfirmDialog
        open={confirming}
        title={`Schedule ${change.number}`}
        message={
          <>
            <p>
              {change.number} will run from <strong>{formatDateTime(startAt)}</strong> to{' '}
              <strong>{formatDateTime(endAt)}</strong>.
            </p>
            {proposedConflicts.length > 0 ? (
              <p>
                <span aria-hidden="true">⚠ </span>
                This slot has {proposedConflicts.length} conflict
                {proposedConflicts.length === 1 ? '' : 's'}; they will be listed on the change (a
                freeze is refused).
              </p>
            ) : null}
            {change.state === 'scheduled' && change.approvals.complete && (
              <p>
                Rescheduling makes a new plan version: the approvals given are withdrawn and the
                change returns to authorise.
              </p>
            )}
          </>
        }
        confirmLabel="Schedule"
        reason={{ label: 'Why this time (optional)', required: false }}
        busy={schedule.isPending}
        error={schedule.isError ? `The server refused: ${errorMessage(schedule.error)}` : undefined}
        onClose={() => {
          setConfirming(false);
          schedule.reset();
        }}
        onConfirm={(reason) => {
          if (startAt === undefined || endAt === undefined) return;
          setSaved(undefined);
          schedule.mutate(
            {
              params: { path: { id: change.id } },
              body: {
                start: startAt,
                end: endAt,
                ...(overrideFreeze && emergencyFreeze && { overrideFreeze: true }),
                ...(reason !== '' && { reason }),
              },
            },
            {
              onSuccess: (updated) => {
                setConfirming(false);
                setSaved(
                  `${updated.number} is scheduled for ${formatDateTime(updated.schedule?.start)} (${updated.state}).`,
                );
                void invalidatePaths(queryClient, ['/api/v1/calendar', '/api/v1/changes']);
              },
            },
          );
        }}
      />
    </div>
  );
}
