/**
 * Report schedules (/reports/schedules, `reports:manage`): which report is made when (an RRULE
 * in a time zone), over which relative period, and which notification channels receive it
 * (e-mail with the file attached, a webhook or chat with a link). Create, pause or resume, run
 * now (follows the new run), delete (asked first).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { CheckboxRow, Field, FormDialog, MutationError } from '../../ui/forms.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import type { RelativePeriod, ReportRun, ReportSchedule, ReportTypeInfo } from './types.ts';
import { relativePeriods } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';

const periodLabels: Record<RelativePeriod, string> = {
  'previous-day': 'the previous day',
  'previous-week': 'the previous week',
  'previous-month': 'the previous month',
  'previous-quarter': 'the previous quarter',
  'last-30-days': 'the last 30 days',
  'last-90-days': 'the last 90 days',
};

export const recurrences = [
  { id: 'daily', label: 'Daily at 06:00', rrule: 'FREQ=DAILY;BYHOUR=6;BYMINUTE=0' },
  {
    id: 'weekly',
    label: 'Weekly, Monday 06:00',
    rrule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=6;BYMINUTE=0',
  },
  {
    id: 'monthly',
    label: 'Monthly, on the 1st at 06:00',
    rrule: 'FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=6;BYMINUTE=0',
  },
  { id: 'custom', label: 'Custom RRULE', rrule: '' },
] as const;

const SCHEDULES = '/api/v1/report-schedules' as const;

export function SchedulesScreen() {
  const queryClient = useQueryClient();
  const query = $api.useQuery('get', SCHEDULES);
  const types = $api.useQuery('get', '/api/v1/report-types');
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const refresh = () => invalidatePaths(queryClient, [SCHEDULES, '/api/v1/reports']);
  const patch = $api.useMutation('patch', `${SCHEDULES}/{id}`, { onSuccess: refresh });
  const run = $api.useMutation('post', `${SCHEDULES}/{id}/run`, {
    onSuccess: async (started: ReportRun) => {
      await refresh();
      await navigate(`/reports/runs/${started.id}`);
    },
  });
  const remove = useConfirmAction('delete', `${SCHEDULES}/{id}`, {
    init: (schedule: ReportSchedule) => ({ params: { path: { id: schedule.id } } }),
    invalidate: [SCHEDULES, '/api/v1/reports'],
  });
  const typeTitle = (type: string) => types.data?.types.find((t) => t.type === type)?.title ?? type;
  const mutationError = patch.error ?? run.error;
  return (
    <>
      <PageHeader
        title="Report schedules"
        description="Reports made on a recurrence and delivered through notification channels: e-mail with the file attached, webhooks and chat with a link."
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New schedule
          </button>
        }
      />
      <MutationError error={mutationError} />
      <QueryState
        query={query}
        loadingLabel="Loading the schedules…"
        isEmpty={(data) => data.schedules.length === 0}
        empty={<EmptyState title="No schedule yet: reports are made on demand only." />}
      >
        {(data) => (
          <table className="simple-table reports-schedules" aria-label="Report schedules">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Report</th>
                <th scope="col">When</th>
                <th scope="col">Period</th>
                <th scope="col">Channels</th>
                <th scope="col">Next run</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.schedules.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.name} {!s.enabled && <Badge tone="warn">paused</Badge>}
                  </th>
                  <td>
                    {typeTitle(s.type)} · {s.format.toUpperCase()}
                  </td>
                  <td>
                    <code>{s.rrule}</code>
                    <div className="muted small">{s.timeZone}</div>
                  </td>
                  <td>{periodLabels[s.period]}</td>
                  <td>
                    {s.channelIds.length} channel{s.channelIds.length === 1 ? '' : 's'}
                    {s.recipients.length > 0 && (
                      <div className="muted small">{s.recipients.join(', ')}</div>
                    )}
                  </td>
                  <td>{s.enabled ? formatDateTime(s.nextRunAt) : '—'}</td>
                  <td>
                    <div className="row">
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Run now: ${s.name}`}
                        disabled={run.isPending}
                        onClick={() => run.mutate({ params: { path: { id: s.id } } })}
                      >
                        Run now
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`${s.enabled ? 'Pause' : 'Resume'} ${s.name}`}
                        disabled={patch.isPending}
                        onClick={() =>
                          patch.mutate({
                            params: { path: { id: s.id } },
                            body: { enabled: !s.enabled },
                          })
                        }
                      >
                        {s.enabled ? 'Pause' : 'Resume'}
                      </button>
                      <RowButton name={`Delete ${s.name}`} onClick={() => remove.ask(s)} danger>
                        Delete
                      </RowButton>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      {creating && (
        <ScheduleDialog types={types.data?.types ?? []} onClose={() => setCreating(false)} />
      )}
      <ConfirmActionDialog
        action={remove}
        title={(schedule) => `Delete ${schedule.name}?`}
        message={() => 'It will make no more reports. The reports it made stay.'}
        confirmLabel="Delete schedule"
      />
    </>
  );
}

function ChannelPicker({
  selected,
  onChange,
}: {
  readonly selected: readonly string[];
  readonly onChange: (ids: string[]) => void;
}) {
  const { can } = useSession();
  const allowed = can('notifications:manage');
  const channels = $api.useQuery('get', '/api/v1/notification-channels', {}, { enabled: allowed });
  if (!allowed || channels.isError)
    return (
      <Field
        label="Channel ids (comma-separated)"
        hint="Listing the channels needs notifications:manage; an administrator can tell you their ids."
      >
        {(control) => (
          <input
            {...control}
            value={selected.join(',')}
            onChange={(e) =>
              onChange(
                e.target.value
                  .split(',')
                  .map((id) => id.trim())
                  .filter((id) => id !== ''),
              )
            }
          />
        )}
      </Field>
    );
  return (
    <fieldset className="field reports-channels">
      <legend>Deliver to</legend>
      {channels.isPending && <span className="muted small">Loading the channels…</span>}
      {channels.data?.channels.length === 0 && (
        <span className="muted small">No channel yet: add one under Administration.</span>
      )}
      {channels.data?.channels.map((channel) => (
        <CheckboxRow
          key={channel.id}
          label={`${channel.name} (${channel.kind}${channel.enabled ? '' : ', off'})`}
          checked={selected.includes(channel.id)}
          onChange={(checked) =>
            onChange(
              checked ? [...selected, channel.id] : selected.filter((id) => id !== channel.id),
            )
          }
        />
      ))}
    </fieldset>
  );
}

function ScheduleDialog({
  types,
  onClose,
}: {
  readonly types: readonly ReportTypeInfo[];
  readonly onClose: () => void;
}) {
  const periodTypes = types.filter((t) => t.needs === 'period');
  const [name, setName] = useState('');
  const [type, setType] = useState(periodTypes[0]?.type ?? '');
  const [format, setFormat] = useState('');
  const [recurrence, setRecurrence] = useState<string>('weekly');
  const [rrule, setRrule] = useState('');
  const [timeZone, setTimeZone] = useState('UTC');
  const [period, setPeriod] = useState<RelativePeriod>('previous-week');
  const [team, setTeam] = useState('');
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [recipients, setRecipients] = useState('');
  const queryClient = useQueryClient();
  const create = $api.useMutation('post', SCHEDULES, {
    onSuccess: async () => {
      await invalidatePaths(queryClient, [SCHEDULES]);
      onClose();
    },
  });
  const chosen = periodTypes.find((t) => t.type === type) ?? periodTypes[0];
  const formats = chosen?.formats ?? [];
  const chosenFormat = formats.find((f) => f === format) ?? formats[0];
  const emails = recipients
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
  const preset = recurrences.find((r) => r.id === recurrence);
  const finalRrule = preset === undefined || preset.id === 'custom' ? rrule.trim() : preset.rrule;
  return (
    <FormDialog
      title="New report schedule"
      onClose={onClose}
      onSubmit={() =>
        chosen !== undefined &&
        chosenFormat !== undefined &&
        create.mutate({
          body: {
            name: name.trim(),
            type: chosen.type,
            format: chosenFormat,
            rrule: finalRrule,
            timeZone: timeZone.trim(),
            period,
            ...(team.trim() !== '' && { scope: { team: team.trim() } }),
            channelIds,
            ...(emails.length > 0 && { recipients: emails }),
            enabled: true,
          },
        })
      }
      error={create.error}
      submitLabel="Create schedule"
      busyLabel="Creating…"
      busy={create.isPending}
      disabled={
        name.trim() === '' || finalRrule === '' || chosen === undefined || channelIds.length === 0
      }
      wide
    >
      <Field label="Name">
        {(control) => (
          <input {...control} required value={name} onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <div className="reports-form-row">
        <Field label="Report type">
          {(control) => (
            <select
              {...control}
              value={chosen?.type ?? ''}
              onChange={(e) => setType(e.target.value)}
            >
              {periodTypes.map((t) => (
                <option key={t.type} value={t.type}>
                  {t.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Format">
          {(control) => (
            <select
              {...control}
              value={chosenFormat ?? ''}
              onChange={(e) => setFormat(e.target.value)}
            >
              {formats.map((f) => (
                <option key={f} value={f}>
                  {f.toUpperCase()}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="reports-form-row">
        <Field label="When">
          {(control) => (
            <select {...control} value={recurrence} onChange={(e) => setRecurrence(e.target.value)}>
              {recurrences.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Time zone" hint="An IANA name: UTC, Europe/Berlin…">
          {(control) => (
            <input
              {...control}
              required
              value={timeZone}
              onChange={(e) => setTimeZone(e.target.value)}
            />
          )}
        </Field>
      </div>
      {recurrence === 'custom' && (
        <Field label="RRULE" hint="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=FR;BYHOUR=17">
          {(control) => (
            <input {...control} required value={rrule} onChange={(e) => setRrule(e.target.value)} />
          )}
        </Field>
      )}
      <div className="reports-form-row">
        <Field label="Period covered">
          {(control) => (
            <select
              {...control}
              value={period}
              onChange={(e) => setPeriod(e.target.value as RelativePeriod)}
            >
              {relativePeriods.map((p) => (
                <option key={p} value={p}>
                  {periodLabels[p]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Team (optional)">
          {(control) => (
            <input {...control} value={team} onChange={(e) => setTeam(e.target.value)} />
          )}
        </Field>
      </div>
      <ChannelPicker selected={channelIds} onChange={setChannelIds} />
      <Field
        label="E-mail recipients (comma-separated)"
        hint="Needed when a channel is an e-mail channel: the report is attached."
      >
        {(control) => (
          <input {...control} value={recipients} onChange={(e) => setRecipients(e.target.value)} />
        )}
      </Field>
    </FormDialog>
  );
}
