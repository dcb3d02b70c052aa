/**
 * Set or move a change's window (POST /schedule). Times are UTC, as everywhere in the UI; the
 * next feasible slot (GET /next-slot) can fill the form; an emergency change may override a
 * freeze that allows it. The server's refusal (a start in the past: 422, a freeze: 409) is shown.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { CheckboxRow, Field, FormDialog } from '../../ui/forms.tsx';
import { formatDateTime } from '../../ui/format.ts';
import type { ChangeDetail } from './change-model.ts';

/** `2026-12-06T10:00:00.000Z` → `2026-12-06T10:00` (a datetime-local input's value, UTC). */
const toInput = (iso: string | null | undefined): string =>
  iso === null || iso === undefined ? '' : iso.slice(0, 16);
const fromInput = (value: string): string => `${value}:00Z`;

export function ScheduleDialog({
  change,
  onClose,
}: {
  readonly change: Pick<ChangeDetail, 'id' | 'number' | 'type' | 'schedule'>;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [start, setStart] = useState(toInput(change.schedule?.start));
  const [end, setEnd] = useState(toInput(change.schedule?.end));
  const [override, setOverride] = useState(false);
  const [reason, setReason] = useState('');
  const nextSlot = $api.useQuery(
    'get',
    '/api/v1/changes/{id}/next-slot',
    { params: { path: { id: change.id } } },
    { enabled: false },
  );
  const mutation = $api.useMutation('post', '/api/v1/changes/{id}/schedule', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/changes', '/api/v1/calendar']);
      onClose();
    },
  });
  const submit = () => {
    mutation.mutate({
      params: { path: { id: change.id } },
      body: {
        start: fromInput(start),
        ...(end !== '' && { end: fromInput(end) }),
        ...(override && { overrideFreeze: true }),
        ...(reason.trim() !== '' && { reason: reason.trim() }),
      },
    });
  };
  const fillNextSlot = async () => {
    const slot = (await nextSlot.refetch()).data;
    if (slot?.start) setStart(toInput(slot.start));
    if (slot?.end) setEnd(toInput(slot.end));
  };
  return (
    <FormDialog
      title={`Schedule ${change.number}`}
      onClose={onClose}
      onSubmit={submit}
      error={mutation.error}
      submitLabel="Schedule"
      busyLabel="Working…"
      busy={mutation.isPending}
      disabled={start === ''}
    >
      <p className="muted small">
        Times are UTC. Conflicts (outside a window, assets in another change) are listed on the
        change, not refused; a freeze is refused unless an emergency change may override it.
      </p>
      <div className="row">
        <button type="button" className="button" onClick={() => void fillNextSlot()}>
          Use the next feasible slot
        </button>
        {nextSlot.data !== undefined && (
          <span className="small" aria-live="polite">
            {nextSlot.data.start === null
              ? `No slot: ${nextSlot.data.reason ?? 'none found'}`
              : `Next slot ${formatDateTime(nextSlot.data.start)} – ${formatDateTime(nextSlot.data.end)}`}
          </span>
        )}
        {nextSlot.isError && <span className="small">{errorMessage(nextSlot.error)}</span>}
      </div>
      <Field label="Start (UTC)">
        {(control) => (
          <input
            {...control}
            type="datetime-local"
            required
            value={start}
            onChange={(e) => setStart(e.target.value)}
          />
        )}
      </Field>
      <Field
        label="End (UTC)"
        hint="Empty: the start plus the plan’s estimated duration (or two hours)."
      >
        {(control) => (
          <input
            {...control}
            type="datetime-local"
            value={end}
            onChange={(e) => setEnd(e.target.value)}
          />
        )}
      </Field>
      {change.type === 'emergency' && (
        <CheckboxRow
          label="Override a freeze that allows emergency changes"
          checked={override}
          onChange={setOverride}
        />
      )}
      <Field label="Why this time (optional)">
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}
