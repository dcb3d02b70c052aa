/**
 * The calendar's own records: change freezes (one-off or recurring) and maintenance windows,
 * listed for everyone with calendar:read; created, edited and deleted with calendar:manage.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { paths } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatDuration } from '../../ui/format.ts';
import { Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { fromLocalInput, toLocalInput } from './calendar-dates.ts';
import { Field, Form } from '../../ui/forms.tsx';
import { RowButton } from '../../ui/row-button.tsx';

type Freeze =
  paths['/api/v1/calendar/freezes']['get']['responses']['200']['content']['application/json']['freezes'][number];
type MaintenanceWindow =
  paths['/api/v1/calendar/windows']['get']['responses']['200']['content']['application/json']['windows'][number];

export function FreezesSection() {
  const { can } = useSession();
  const manage = can('calendar:manage');
  const freezes = $api.useQuery('get', '/api/v1/calendar/freezes');
  const remove = useConfirmAction('delete', '/api/v1/calendar/freezes/{id}', {
    init: (freeze: Freeze) => ({ params: { path: { id: freeze.id } } }),
    invalidate: ['/api/v1/calendar', '/api/v1/changes'],
  });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Freeze | undefined>(undefined);
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
                    <td className="calendar-row-actions">
                      <RowButton
                        name={`Edit the freeze ${freeze.name}`}
                        onClick={() => setEditing(freeze)}
                      >
                        Edit…
                      </RowButton>
                      <RowButton
                        name={`Delete the freeze ${freeze.name}`}
                        onClick={() => remove.ask(freeze)}
                      >
                        Delete…
                      </RowButton>
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
      <Dialog
        open={editing !== undefined}
        title={`Edit the freeze ${editing?.name ?? ''}`}
        onClose={() => setEditing(undefined)}
      >
        {editing !== undefined && (
          <FreezeForm freeze={editing} onDone={() => setEditing(undefined)} />
        )}
      </Dialog>
      <ConfirmActionDialog
        action={remove}
        title={(freeze) => `Delete the freeze ${freeze.name}`}
        message={() => 'Changes may then be scheduled in its time again.'}
        confirmLabel="Delete"
      />
    </Section>
  );
}

/**
 * Create a freeze, or edit one (`freeze`): one-off (start and end) or recurring (an RFC 5545 rule
 * on the wall clock of a time zone, and the length of each occurrence). Editing a recurring
 * freeze sends its whole recurrence (the API's PATCH replaces it); its excluded dates are kept.
 */
function FreezeForm({ freeze, onDone }: { readonly freeze?: Freeze; readonly onDone: () => void }) {
  const queryClient = useQueryClient();
  const createFreeze = $api.useMutation('post', '/api/v1/calendar/freezes');
  const updateFreeze = $api.useMutation('patch', '/api/v1/calendar/freezes/{id}');
  const create = freeze === undefined ? createFreeze : updateFreeze;
  const recurrence = freeze?.recurrence ?? null;
  const [recurring, setRecurring] = useState(recurrence !== null);
  const [name, setName] = useState(freeze?.name ?? '');
  const [start, setStart] = useState(toLocalInput(freeze?.start));
  const [end, setEnd] = useState(toLocalInput(freeze?.end));
  const [rrule, setRrule] = useState(recurrence?.rrule ?? 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20');
  const [dtstart, setDtstart] = useState(recurrence?.dtstart.slice(0, 16) ?? '');
  const [timeZone, setTimeZone] = useState(recurrence?.timeZone ?? 'Europe/Berlin');
  const [duration, setDuration] = useState(String(recurrence?.durationMinutes ?? 1440));
  const [allowEmergency, setAllowEmergency] = useState(freeze?.allowEmergency ?? false);
  const ids = { emergency: useId(), rrule: useId(), kind: useId() };
  const submit = () => {
    let when;
    if (recurring) {
      when = {
        recurrence: {
          rrule: rrule.trim(),
          dtstart,
          timeZone: timeZone.trim(),
          durationMinutes: Number(duration),
        },
      };
    } else {
      const from = fromLocalInput(start);
      const to = fromLocalInput(end);
      if (from === undefined || to === undefined) return;
      when = { start: from, end: to };
    }
    const body = { name: name.trim(), ...when, allowEmergency };
    const onSuccess = () => {
      void invalidatePaths(queryClient, ['/api/v1/calendar', '/api/v1/changes']);
      onDone();
    };
    if (freeze === undefined)
      createFreeze.mutate({ body: { ...body, exdates: [] } }, { onSuccess });
    else updateFreeze.mutate({ params: { path: { id: freeze.id } }, body }, { onSuccess });
  };
  return (
    <Form
      onSubmit={submit}
      error={create.error}
      onCancel={onDone}
      submitLabel={freeze === undefined ? 'Create freeze' : 'Save freeze'}
      busyLabel="Saving…"
      busy={create.isPending}
    >
      <Field label="Name">
        {(control) => (
          <input
            {...control}
            value={name}
            required
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <fieldset className="field calendar-fieldset">
        <legend>When</legend>
        <div className="row">
          <label className="row calendar-check">
            <input
              type="radio"
              name={ids.kind}
              checked={!recurring}
              onChange={() => setRecurring(false)}
            />
            Once (start and end)
          </label>
          <label className="row calendar-check">
            <input
              type="radio"
              name={ids.kind}
              checked={recurring}
              onChange={() => setRecurring(true)}
            />
            Recurring
          </label>
        </div>
      </fieldset>
      {recurring ? (
        <>
          <div className="field">
            <label htmlFor={ids.rrule}>Recurrence (RFC 5545 RRULE)</label>
            <input
              id={ids.rrule}
              value={rrule}
              required
              maxLength={1000}
              aria-describedby={`${ids.rrule}-hint`}
              onChange={(e) => setRrule(e.target.value)}
            />
            <span id={`${ids.rrule}-hint`} className="field-hint">
              FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20, FREQ=WEEKLY;BYDAY=FR…
              {freeze !== undefined &&
                freeze.exdates.length > 0 &&
                ` Its ${freeze.exdates.length} excluded date${freeze.exdates.length === 1 ? '' : 's'} stay.`}
            </span>
          </div>
          <Field label="First occurrence (wall clock of the time zone)">
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={dtstart}
                required
                onChange={(e) => setDtstart(e.target.value)}
              />
            )}
          </Field>
          <Field label="Time zone (IANA)">
            {(control) => (
              <input
                {...control}
                value={timeZone}
                required
                onChange={(e) => setTimeZone(e.target.value)}
              />
            )}
          </Field>
          <Field label="Length of each occurrence (minutes)">
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                value={duration}
                required
                onChange={(e) => setDuration(e.target.value)}
              />
            )}
          </Field>
        </>
      ) : (
        <>
          <Field label="Start (UTC)">
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={start}
                required
                onChange={(e) => setStart(e.target.value)}
              />
            )}
          </Field>
          <Field label="End (UTC)">
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={end}
                required
                onChange={(e) => setEnd(e.target.value)}
              />
            )}
          </Field>
        </>
      )}
      <div className="row">
        <input
          id={ids.emergency}
          type="checkbox"
          checked={allowEmergency}
          onChange={(e) => setAllowEmergency(e.target.checked)}
        />
        <label htmlFor={ids.emergency}>Emergency changes may override it</label>
      </div>
    </Form>
  );
}

export function WindowsSection() {
  const { can } = useSession();
  const manage = can('calendar:manage');
  const windows = $api.useQuery('get', '/api/v1/calendar/windows');
  const remove = useConfirmAction('delete', '/api/v1/calendar/windows/{id}', {
    init: (window: MaintenanceWindow) => ({ params: { path: { id: window.id } } }),
    invalidate: ['/api/v1/calendar', '/api/v1/changes'],
  });
  const [editing, setEditing] = useState<MaintenanceWindow | 'new' | undefined>(undefined);
  return (
    <Section
      title="Maintenance windows"
      actions={
        manage && (
          <button type="button" className="button button-small" onClick={() => setEditing('new')}>
            New window…
          </button>
        )
      }
    >
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
                    <td className="calendar-row-actions">
                      <RowButton
                        name={`Edit the window ${window.name}`}
                        onClick={() => setEditing(window)}
                      >
                        Edit…
                      </RowButton>
                      <RowButton
                        name={`Delete the window ${window.name}`}
                        onClick={() => remove.ask(window)}
                      >
                        Delete…
                      </RowButton>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <Dialog
        open={editing !== undefined}
        title={
          editing === 'new' || editing === undefined
            ? 'New maintenance window'
            : `Edit the window ${editing.name}`
        }
        onClose={() => setEditing(undefined)}
        wide
      >
        {editing !== undefined && (
          <WindowForm
            window={editing === 'new' ? undefined : editing}
            onDone={() => setEditing(undefined)}
          />
        )}
      </Dialog>
      <ConfirmActionDialog
        action={remove}
        title={(window) => `Delete the window ${window.name}`}
        message={() => 'Changes on its assets then have no window there.'}
        confirmLabel="Delete"
      />
    </Section>
  );
}

const splitNames = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const environmentNames = ['production', 'staging', 'test', 'development'] as const;
type EnvironmentName = (typeof environmentNames)[number];

/**
 * Create or edit a maintenance window: an RFC 5545 rule on the wall clock of a time zone, its
 * length and cutoff, and the assets it applies to (names, groups, environments: every field
 * given must hold; none: every asset). The server checks the rule (422 with its reason).
 */
function WindowForm({
  window,
  onDone,
}: {
  readonly window?: MaintenanceWindow;
  readonly onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const createWindow = $api.useMutation('post', '/api/v1/calendar/windows');
  const updateWindow = $api.useMutation('patch', '/api/v1/calendar/windows/{id}');
  const pending = createWindow.isPending || updateWindow.isPending;
  const failure = createWindow.error ?? updateWindow.error;
  const [name, setName] = useState(window?.name ?? '');
  const [rrule, setRrule] = useState(window?.rrule ?? 'FREQ=WEEKLY;BYDAY=TU');
  const [dtstart, setDtstart] = useState(window?.dtstart.slice(0, 16) ?? '');
  const [timeZone, setTimeZone] = useState(window?.timeZone ?? 'Europe/Berlin');
  const [duration, setDuration] = useState(String(window?.durationMinutes ?? 240));
  const [cutoff, setCutoff] = useState(String(window?.cutoffMinutes ?? 30));
  const [names, setNames] = useState((window?.selector.names ?? []).join(', '));
  const [groups, setGroups] = useState((window?.selector.groups ?? []).join(', '));
  const [environments, setEnvironments] = useState<EnvironmentName[]>(
    (window?.selector.environments ?? []).filter((e): e is EnvironmentName =>
      (environmentNames as readonly string[]).includes(e),
    ),
  );
  const ids = { rrule: useId(), names: useId(), groups: useId() };
  const submit = () => {
    const selector = {
      ...(splitNames(names).length > 0 && { names: splitNames(names) }),
      ...(splitNames(groups).length > 0 && { groups: splitNames(groups) }),
      ...(environments.length > 0 && { environments }),
    };
    const body = {
      name: name.trim(),
      rrule: rrule.trim(),
      dtstart,
      timeZone: timeZone.trim(),
      durationMinutes: Number(duration),
      cutoffMinutes: Number(cutoff),
      selector,
    };
    const onSuccess = () => {
      void invalidatePaths(queryClient, ['/api/v1/calendar', '/api/v1/changes']);
      onDone();
    };
    if (window === undefined) createWindow.mutate({ body }, { onSuccess });
    else updateWindow.mutate({ params: { path: { id: window.id } }, body }, { onSuccess });
  };
  return (
    <Form
      onSubmit={submit}
      error={failure}
      onCancel={onDone}
      submitLabel={window === undefined ? 'Create window' : 'Save window'}
      busyLabel="Saving…"
      busy={pending}
    >
      <div className="calendar-form-grid">
        <Field label="Name">
          {(control) => (
            <input
              {...control}
              value={name}
              required
              maxLength={200}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <div className="field">
          <label htmlFor={ids.rrule}>Recurrence (RFC 5545 RRULE)</label>
          <input
            id={ids.rrule}
            value={rrule}
            required
            maxLength={1000}
            aria-describedby={`${ids.rrule}-hint`}
            onChange={(e) => setRrule(e.target.value)}
          />
          <span id={`${ids.rrule}-hint`} className="field-hint">
            FREQ=DAILY, FREQ=WEEKLY;BYDAY=TU,TH, FREQ=MONTHLY;BYDAY=1SU…
          </span>
        </div>
        <Field label="First occurrence (wall clock of the time zone)">
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              value={dtstart}
              required
              onChange={(e) => setDtstart(e.target.value)}
            />
          )}
        </Field>
        <Field label="Time zone (IANA)">
          {(control) => (
            <input
              {...control}
              value={timeZone}
              required
              onChange={(e) => setTimeZone(e.target.value)}
            />
          )}
        </Field>
        <Field label="Length (minutes)">
          {(control) => (
            <input
              {...control}
              type="number"
              min={1}
              value={duration}
              required
              onChange={(e) => setDuration(e.target.value)}
            />
          )}
        </Field>
        <Field label="Cutoff before the end (minutes)">
          {(control) => (
            <input
              {...control}
              type="number"
              min={0}
              value={cutoff}
              required
              onChange={(e) => setCutoff(e.target.value)}
            />
          )}
        </Field>
        <div className="field">
          <label htmlFor={ids.names}>Asset names (comma-separated)</label>
          <input id={ids.names} value={names} onChange={(e) => setNames(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.groups}>Groups (comma-separated)</label>
          <input id={ids.groups} value={groups} onChange={(e) => setGroups(e.target.value)} />
        </div>
      </div>
      <fieldset className="field calendar-fieldset">
        <legend>Environments (none: any)</legend>
        <div className="row">
          {environmentNames.map((environment) => (
            <label key={environment} className="row calendar-check">
              <input
                type="checkbox"
                checked={environments.includes(environment)}
                onChange={(e) =>
                  setEnvironments((current) =>
                    e.target.checked
                      ? [...current, environment]
                      : current.filter((x) => x !== environment),
                  )
                }
              />
              {environment}
            </label>
          ))}
        </div>
      </fieldset>
    </Form>
  );
}
