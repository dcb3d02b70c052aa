/**
 * The calendar's own records: change freezes (one-off or recurring) and maintenance windows,
 * listed for everyone with calendar:read; created and deleted with calendar:manage.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import type { paths } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatDuration } from '../../ui/format.ts';
import { Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { fromLocalInput } from './calendar-dates.ts';

type Freeze =
  paths['/api/v1/calendar/freezes']['get']['responses']['200']['content']['application/json']['freezes'][number];
type MaintenanceWindow =
  paths['/api/v1/calendar/windows']['get']['responses']['200']['content']['application/json']['windows'][number];

export function FreezesSection() {
  const { can } = useSession();
  const manage = can('calendar:manage');
  const queryClient = useQueryClient();
  const freezes = $api.useQuery('get', '/api/v1/calendar/freezes');
  const remove = $api.useMutation('delete', '/api/v1/calendar/freezes/{id}');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Freeze | undefined>(undefined);
  return (
    <Section
      title="Freezes"
      actions={
        manage && (
          <button type="button" className="button button-small" onClick={() => setCreating(true)}>
            New freeze…
          </button>
        )
      }
    >
      <QueryState
        query={freezes}
        isEmpty={(data) => data.freezes.length === 0}
        empty={<EmptyState title="No freezes" />}
      >
        {(data) => (
          <table className="simple-table">
            <caption className="visually-hidden">Change freezes</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">When</th>
                <th scope="col">Emergency changes</th>
                {manage && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.freezes.map((freeze) => (
                <tr key={freeze.id}>
                  <td>{freeze.name}</td>
                  <td>
                    {freeze.recurrence === null
                      ? `${formatDateTime(freeze.start)} – ${formatDateTime(freeze.end)}`
                      : `${freeze.recurrence.rrule} from ${freeze.recurrence.dtstart} (${freeze.recurrence.timeZone}), ${formatDuration(freeze.recurrence.durationMinutes * 60_000)} each`}
                  </td>
                  <td>
                    {freeze.allowEmergency ? (
                      <Badge tone="warn">may override</Badge>
                    ) : (
                      <Badge tone="critical">never</Badge>
                    )}
                  </td>
                  {manage && (
                    <td>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Delete the freeze ${freeze.name}`}
                        onClick={() => setDeleting(freeze)}
                      >
                        Delete…
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <Dialog open={creating} title="New freeze" onClose={() => setCreating(false)}>
        <FreezeForm onDone={() => setCreating(false)} />
      </Dialog>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete the freeze ${deleting?.name ?? ''}`}
        message="Changes may then be scheduled in its time again."
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : undefined}
        onClose={() => {
          setDeleting(undefined);
          remove.reset();
        }}
        onConfirm={() => {
          if (deleting === undefined) return;
          remove.mutate(
            { params: { path: { id: deleting.id } } },
            {
              onSuccess: () => {
                setDeleting(undefined);
                void invalidatePaths(queryClient, ['/api/v1/calendar', '/api/v1/changes']);
              },
            },
          );
        }}
      />
    </Section>
  );
}

function FreezeForm({ onDone }: { readonly onDone: () => void }) {
  const queryClient = useQueryClient();
  const create = $api.useMutation('post', '/api/v1/calendar/freezes');
  const [name, setName] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [allowEmergency, setAllowEmergency] = useState(false);
  const ids = { name: useId(), start: useId(), end: useId(), emergency: useId() };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const from = fromLocalInput(start);
    const to = fromLocalInput(end);
    if (from === undefined || to === undefined) return;
    create.mutate(
      { body: { name: name.trim(), start: from, end: to, allowEmergency, exdates: [] } },
      {
        onSuccess: () => {
          void invalidatePaths(queryClient, ['/api/v1/calendar', '/api/v1/changes']);
          onDone();
        },
      },
    );
  };
  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input
          id={ids.name}
          value={name}
          required
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.start}>Start (UTC)</label>
        <input
          id={ids.start}
          type="datetime-local"
          value={start}
          required
          onChange={(e) => setStart(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.end}>End (UTC)</label>
        <input
          id={ids.end}
          type="datetime-local"
          value={end}
          required
          onChange={(e) => setEnd(e.target.value)}
        />
      </div>
      <div className="row">
        <input
          id={ids.emergency}
          type="checkbox"
          checked={allowEmergency}
          onChange={(e) => setAllowEmergency(e.target.checked)}
        />
        <label htmlFor={ids.emergency}>Emergency changes may override it</label>
      </div>
      {create.isError && (
        <p className="form-error" role="alert">
          {errorMessage(create.error)}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create freeze'}
        </button>
      </div>
    </form>
  );
}

export function WindowsSection() {
  const { can } = useSession();
  const manage = can('calendar:manage');
  const queryClient = useQueryClient();
  const windows = $api.useQuery('get', '/api/v1/calendar/windows');
  const remove = $api.useMutation('delete', '/api/v1/calendar/windows/{id}');
  const [deleting, setDeleting] = useState<MaintenanceWindow | undefined>(undefined);
  return (
    <Section title="Maintenance windows">
      <QueryState
        query={windows}
        isEmpty={(data) => data.windows.length === 0}
        empty={<EmptyState title="No maintenance windows" />}
      >
        {(data) => (
          <table className="simple-table">
            <caption className="visually-hidden">Maintenance windows</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Recurrence</th>
                <th scope="col">Length</th>
                <th scope="col">Assets</th>
                {manage && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.windows.map((window) => (
                <tr key={window.id}>
                  <td>{window.name}</td>
                  <td>
                    <code>{window.rrule}</code> from {window.dtstart} ({window.timeZone})
                  </td>
                  <td>
                    {formatDuration(window.durationMinutes * 60_000)}
                    {window.cutoffMinutes > 0 &&
                      `, no new work in the last ${window.cutoffMinutes} min`}
                  </td>
                  <td>
                    <code>{window.selectorText}</code>
                    <span className="muted small">
                      {' '}
                      ({window.assets.length} asset{window.assets.length === 1 ? '' : 's'} today)
                    </span>
                  </td>
                  {manage && (
                    <td>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Delete the window ${window.name}`}
                        onClick={() => setDeleting(window)}
                      >
                        Delete…
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete the window ${deleting?.name ?? ''}`}
        message="Changes on its assets then have no window there."
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : undefined}
        onClose={() => {
          setDeleting(undefined);
          remove.reset();
        }}
        onConfirm={() => {
          if (deleting === undefined) return;
          remove.mutate(
            { params: { path: { id: deleting.id } } },
            {
              onSuccess: () => {
                setDeleting(undefined);
                void invalidatePaths(queryClient, ['/api/v1/calendar', '/api/v1/changes']);
              },
            },
          );
        }}
      />
    </Section>
  );
}
