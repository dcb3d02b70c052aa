/**
 * The improvement loop (/improvements, `reports:read`): recommendations with the evidence behind
 * each, which a change manager (`improvements:manage`) accepts (the edit is applied through its
 * context, or a follow-up action is made) or dismisses with a reason; the follow-up actions from
 * reviews and accepted recommendations, tracked to closure; and the review trends across changes
 * (recurring failure causes, packages and groups that fail more often, waves whose gates caught
 * problems, windows that overrun). Tab, state and period live in the URL.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Field, FormDialog, MutationError } from '../../ui/forms.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, Loading, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { NotPermitted } from '../admin/common.tsx';
import { Tabs } from '../assets/asset-tabs.tsx';
import { formatPercent } from '../../ui/format.ts';
import { lastDays } from '../reports/period.ts';
import { describeAction, Evidence } from './evidence.tsx';
import './improvements.css';
import type {
  ActionState,
  ImprovementAction,
  Recommendation,
  RecommendationState,
  ReviewTrends,
} from './types.ts';
import { actionStates, recommendationStates } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';

const RECOMMENDATIONS = '/api/v1/recommendations' as const;
const ACTIONS = '/api/v1/improvement-actions' as const;

type Tab = 'recommendations' | 'actions' | 'trends';

export function ImprovementsScreen() {
  const { user, can } = useSession();
  const url = useUrlState(['tab', 'state', 'actionState', 'from', 'to'] as const);
  if (user === undefined) return <Loading />;
  if (!can('reports:read'))
    return <NotPermitted title="Improvements" permissions={['reports:read']} />;
  const tab = (url.values.tab ?? 'recommendations') as Tab;
  return (
    <div className="improvements">
      <PageHeader
        title="Improvements"
        description="What the post-implementation reviews teach across changes: recommendations with their evidence, the follow-up actions, and the trends behind them."
      />
      <Tabs<Tab>
        label="Improvement sections"
        tabs={[
          { id: 'recommendations', label: 'Recommendations' },
          { id: 'actions', label: 'Follow-up actions' },
          { id: 'trends', label: 'Review trends' },
        ]}
        current={tab}
        onSelect={(next) => url.set({ tab: next === 'recommendations' ? undefined : next })}
      >
        {tab === 'recommendations' && (
          <Recommendations
            state={url.values.state ?? 'open'}
            onState={(state) =>
              url.set({ state: state === 'open' ? undefined : state }, { replace: true })
            }
          />
        )}
        {tab === 'actions' && (
          <Actions
            state={url.values.actionState ?? 'open'}
            onState={(state) =>
              url.set({ actionState: state === 'open' ? undefined : state }, { replace: true })
            }
          />
        )}
        {tab === 'trends' && (
          <Trends
            from={url.values.from ?? lastDays(90).from}
            to={url.values.to ?? lastDays(90).to}
            onPeriod={(from, to) => url.set({ from, to })}
          />
        )}
      </Tabs>
    </div>
  );
}

function StateSelect({
  label,
  value,
  options,
  onChange,
}: {
  readonly label: string;
  readonly value: string;
  readonly options: readonly string[];
  readonly onChange: (value: string) => void;
}) {
  return (
    <Field label={label}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o.replaceAll('_', ' ')}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function Recommendations({
  state,
  onState,
}: {
  readonly state: string;
  readonly onState: (state: string) => void;
}) {
  const { can } = useSession();
  const manage = can('improvements:manage');
  const queryClient = useQueryClient();
  const query = $api.useQuery('get', RECOMMENDATIONS, {
    params: { query: state === 'all' ? {} : { state: state as RecommendationState } },
  });
  const [deciding, setDeciding] = useState<
    { kind: 'accept' | 'dismiss'; recommendation: Recommendation } | undefined
  >();
  const refresh = $api.useMutation('post', `${RECOMMENDATIONS}/refresh`, {
    onSuccess: () => invalidatePaths(queryClient, [RECOMMENDATIONS, ACTIONS]),
  });
  const decided = {
    onSuccess: async () => {
      await invalidatePaths(queryClient, [RECOMMENDATIONS, ACTIONS]);
      setDeciding(undefined);
    },
  };
  const accept = $api.useMutation('post', `${RECOMMENDATIONS}/{id}/accept`, decided);
  const dismiss = $api.useMutation('post', `${RECOMMENDATIONS}/{id}/dismiss`, decided);
  const decide = deciding?.kind === 'dismiss' ? dismiss : accept;
  return (
    <>
      <div className="filters">
        <StateSelect
          label="State"
          value={state}
          options={[...recommendationStates, 'all']}
          onChange={onState}
        />
        {manage && (
          <div className="improvements-refresh">
            <button
              type="button"
              className="button"
              disabled={refresh.isPending}
              onClick={() => refresh.mutate({})}
            >
              {refresh.isPending ? 'Refreshing…' : 'Refresh recommendations'}
            </button>
          </div>
        )}
      </div>
      <MutationError error={refresh.error} />
      {refresh.data !== undefined && (
        <p className="form-success" role="status">
          Refreshed: {refresh.data.created} new, {refresh.data.updated} updated,{' '}
          {refresh.data.resolved} resolved; {refresh.data.open} open.
          {refresh.data.actionsFromReviews > 0 &&
            ` ${refresh.data.actionsFromReviews} follow-ups of reviews now tracked.`}
        </p>
      )}
      <QueryState
        query={query}
        loadingLabel="Loading the recommendations…"
        isEmpty={(data) => data.recommendations.length === 0}
        empty={
          <EmptyState
            title={
              state === 'open'
                ? 'No open recommendation: the reviews show nothing that recurs.'
                : `No ${state === 'all' ? '' : `${state} `}recommendation.`
            }
          />
        }
      >
        {(data) => (
          <ul className="improvements-list" aria-label="Recommendations">
            {data.recommendations.map((r) => (
              <li key={r.id} className="card improvements-card">
                <div className="card-header">
                  <h2>{r.title}</h2>
                  <StatusBadge status={r.state} />
                </div>
                <p>{r.detail}</p>
                <p className="small">
                  <strong>Accepting will:</strong> {describeAction(r.action)}
                </p>
                <details className="improvements-evidence">
                  <summary>Evidence</summary>
                  <Evidence recommendation={r} />
                </details>
                {r.applied !== null && (
                  <p className="small">
                    <strong>Applied:</strong> <code>{JSON.stringify(r.applied)}</code>
                  </p>
                )}
                <p className="muted small">
                  Rule <code>{r.rule}</code> · {r.subjectKey} · since {formatDate(r.createdAt)}
                  {r.decidedAt !== null &&
                    ` · ${r.state} by ${r.decidedBy ?? 'someone'} ${formatDateTime(r.decidedAt)}`}
                  {r.reason !== null && r.reason !== '' && ` · “${r.reason}”`}
                </p>
                {manage && r.state === 'open' && (
                  <div className="row">
                    <button
                      type="button"
                      className="button button-primary button-small"
                      aria-label={`Accept: ${r.title}`}
                      onClick={() => setDeciding({ kind: 'accept', recommendation: r })}
                    >
                      Accept
                    </button>
                    <RowButton
                      name={`Dismiss: ${r.title}`}
                      onClick={() => setDeciding({ kind: 'dismiss', recommendation: r })}
                    >
                      Dismiss
                    </RowButton>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      <ConfirmDialog
        open={deciding !== undefined}
        title={
          deciding === undefined
            ? ''
            : `${deciding.kind === 'accept' ? 'Accept' : 'Dismiss'} this recommendation?`
        }
        message={
          deciding === undefined ? null : deciding.kind === 'accept' ? (
            <>
              <p>{deciding.recommendation.title}</p>
              <p>
                This will {describeAction(deciding.recommendation.action)}, recorded in the audit
                log.
              </p>
            </>
          ) : (
            <p>
              {deciding.recommendation.title}. It stays dismissed until its evidence changes; say
              why, for the audit log.
            </p>
          )
        }
        confirmLabel={deciding?.kind === 'dismiss' ? 'Dismiss' : 'Accept'}
        reason={
          deciding?.kind === 'dismiss'
            ? { label: 'Why dismiss it', required: true }
            : { label: 'Comment (optional)', required: false }
        }
        busy={decide.isPending}
        error={decide.error === null ? undefined : errorMessage(decide.error)}
        onConfirm={(reason) =>
          deciding !== undefined &&
          decide.mutate({
            params: { path: { id: deciding.recommendation.id } },
            body: reason === '' ? {} : { reason },
          })
        }
        onClose={() => {
          accept.reset();
          dismiss.reset();
          setDeciding(undefined);
        }}
      />
    </>
  );
}

function Actions({
  state,
  onState,
}: {
  readonly state: string;
  readonly onState: (state: string) => void;
}) {
  const { can } = useSession();
  const manage = can('improvements:manage');
  const query = $api.useQuery('get', ACTIONS, {
    params: { query: state === 'all' ? {} : { state: state as ActionState } },
  });
  const [editing, setEditing] = useState<ImprovementAction | 'new' | undefined>();
  return (
    <>
      <div className="filters">
        <StateSelect
          label="State"
          value={state}
          options={[...actionStates, 'all']}
          onChange={onState}
        />
        {manage && (
          <div className="improvements-refresh">
            <button type="button" className="button" onClick={() => setEditing('new')}>
              New action
            </button>
          </div>
        )}
      </div>
      <QueryState
        query={query}
        loadingLabel="Loading the follow-up actions…"
        isEmpty={(data) => data.actions.length === 0}
        empty={
          <EmptyState
            title={`No ${state === 'all' ? '' : `${state.replaceAll('_', ' ')} `}follow-up action.`}
          />
        }
      >
        {(data) => (
          <table className="simple-table improvements-actions" aria-label="Follow-up actions">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">From</th>
                <th scope="col">Owner</th>
                <th scope="col">Due</th>
                <th scope="col">State</th>
                {manage && <th scope="col">Change</th>}
              </tr>
            </thead>
            <tbody>
              {data.actions.map((a) => {
                const overdue = a.overdue;
                return (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.title}
                      {a.note !== null && a.note !== '' && (
                        <div className="muted small">{a.note}</div>
                      )}
                    </th>
                    <td>
                      {a.changeId !== null ? (
                        <Link to={`/changes/${a.changeId}`}>
                          {a.source === 'review' ? 'the change’s review' : 'the change'}
                        </Link>
                      ) : a.source === 'recommendation' ? (
                        'an accepted recommendation'
                      ) : (
                        'added by hand'
                      )}
                    </td>
                    <td>{a.owner ?? '—'}</td>
                    <td>
                      {formatDate(a.dueDate)} {overdue && <Badge tone="critical">overdue</Badge>}
                    </td>
                    <td>
                      <StatusBadge status={a.state} />
                    </td>
                    {manage && (
                      <td>
                        <RowButton name={`Update ${a.title}`} onClick={() => setEditing(a)}>
                          Update
                        </RowButton>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
      {editing !== undefined && (
        <ActionDialog
          action={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
    </>
  );
}

function ActionDialog({
  action,
  onClose,
}: {
  readonly action: ImprovementAction | undefined;
  readonly onClose: () => void;
}) {
  const [title, setTitle] = useState('');
  const [state, setState] = useState<ActionState>(action?.state ?? 'open');
  const [owner, setOwner] = useState(action?.owner ?? '');
  const [dueDate, setDueDate] = useState(action?.dueDate ?? '');
  const [note, setNote] = useState(action?.note ?? '');
  const queryClient = useQueryClient();
  const done = {
    onSuccess: async () => {
      await invalidatePaths(queryClient, [ACTIONS]);
      onClose();
    },
  };
  const create = $api.useMutation('post', ACTIONS, done);
  const update = $api.useMutation('patch', `${ACTIONS}/{id}`, done);
  const send = action === undefined ? create : update;
  const submit = () => {
    const common = {
      ...(owner.trim() !== '' && { owner: owner.trim() }),
      ...(dueDate !== '' && { dueDate }),
      ...(note.trim() !== '' && { note: note.trim() }),
    };
    if (action === undefined) create.mutate({ body: { title: title.trim(), ...common } });
    else update.mutate({ params: { path: { id: action.id } }, body: { state, ...common } });
  };
  return (
    <FormDialog
      title={action === undefined ? 'New follow-up action' : `Update: ${action.title}`}
      onClose={onClose}
      onSubmit={submit}
      error={send.error}
      submitLabel={action === undefined ? 'Create action' : 'Save'}
      busyLabel="Saving…"
      busy={send.isPending}
      disabled={action === undefined && title.trim() === ''}
    >
      {action === undefined ? (
        <Field label="What to do">
          {(control) => (
            <input {...control} required value={title} onChange={(e) => setTitle(e.target.value)} />
          )}
        </Field>
      ) : (
        <Field label="State">
          {(control) => (
            <select
              {...control}
              value={state}
              onChange={(e) => setState(e.target.value as ActionState)}
            >
              {actionStates.map((s) => (
                <option key={s} value={s}>
                  {s.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Owner">
        {(control) => (
          <input {...control} value={owner} onChange={(e) => setOwner(e.target.value)} />
        )}
      </Field>
      <Field label="Due date">
        {(control) => (
          <input
            {...control}
            type="date"
            value={dueDate}
            onChange={(e) => setDueDate(e.target.value)}
          />
        )}
      </Field>
      <Field label="Note">
        {(control) => (
          <textarea {...control} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        )}
      </Field>
    </FormDialog>
  );
}

function Trends({
  from,
  to,
  onPeriod,
}: {
  readonly from: string;
  readonly to: string;
  readonly onPeriod: (from: string, to: string) => void;
}) {
  const [draft, setDraft] = useState({ from, to });
  const query = $api.useQuery('get', '/api/v1/review-trends', {
    params: { query: { from, to } },
  });
  return (
    <>
      <form
        className="filters"
        aria-label="Review period"
        onSubmit={(event) => {
          event.preventDefault();
          onPeriod(draft.from, draft.to);
        }}
      >
        <Field label="From">
          {(control) => (
            <input
              {...control}
              type="date"
              value={draft.from}
              onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))}
            />
          )}
        </Field>
        <Field label="To">
          {(control) => (
            <input
              {...control}
              type="date"
              value={draft.to}
              onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))}
            />
          )}
        </Field>
        <div className="improvements-refresh">
          <button type="submit" className="button button-primary">
            Show
          </button>
        </div>
      </form>
      <QueryState query={query} loadingLabel="Loading the review trends…">
        {(data) => <TrendTables trends={data} />}
      </QueryState>
    </>
  );
}

function ChangeLinks({ changes }: { readonly changes: readonly { id: string; number: string }[] }) {
  if (changes.length === 0) return <>—</>;
  return (
    <>
      {changes.map((change, index) => (
        <span key={change.id}>
          {index > 0 && ', '}
          <Link to={`/changes/${change.id}`}>{change.number}</Link>
        </span>
      ))}
    </>
  );
}

const rate = (value: number | null) => (value === null ? '—' : formatPercent(value));

/** One column of a trend table: the first is the row's header. */
interface TrendColumn<Row> {
  readonly label: string;
  readonly cell: (row: Row) => ReactNode;
}

/** A review-trend table in its section, or why it is empty. */
function TrendTable<Row>({
  title,
  rows,
  empty,
  rowKey,
  columns,
}: {
  readonly title: string;
  readonly rows: readonly Row[];
  readonly empty: string;
  readonly rowKey: (row: Row) => string;
  readonly columns: readonly TrendColumn<Row>[];
}) {
  const [header, ...rest] = columns;
  return (
    <Section title={title}>
      {rows.length === 0 || header === undefined ? (
        <EmptyState title={empty} />
      ) : (
        <table className="simple-table" aria-label={title}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th scope="col" key={c.label}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={rowKey(row)}>
                <th scope="row">{header.cell(row)}</th>
                {rest.map((c) => (
                  <td key={c.label}>{c.cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

const minutes = (value: number | null) => (value === null ? '—' : `${Math.round(value)} min`);

function TrendTables({ trends }: { readonly trends: ReviewTrends }) {
  return (
    <>
      <p className="muted">
        {trends.changes} changes reviewed or rolled out from {trends.period.from} to{' '}
        {trends.period.to}; {trends.failedChanges} had a host failure or a rollback.
      </p>
      <TrendTable
        title="Recurring failure causes"
        rows={trends.failureCauses}
        empty="No failure recurs in this period."
        rowKey={(c) => c.cause}
        columns={[
          { label: 'Cause', cell: (c) => c.cause },
          { label: 'Failures', cell: (c) => c.failures },
          { label: 'Changes', cell: (c) => <ChangeLinks changes={c.changes} /> },
        ]}
      />
      <div className="improvements-grid">
        <TrendTable
          title="Packages that fail more often"
          rows={trends.packages}
          empty="No package was patched in this period."
          rowKey={(p) => p.package}
          columns={[
            { label: 'Package', cell: (p) => p.package },
            { label: 'Changes', cell: (p) => p.changes },
            { label: 'Failed', cell: (p) => p.failedChanges },
            { label: 'In the first wave', cell: (p) => p.failedInFirstWave },
            { label: 'Failure rate', cell: (p) => rate(p.failureRate) },
            { label: 'Failed changes', cell: (p) => <ChangeLinks changes={p.failed} /> },
          ]}
        />
        <TrendTable
          title="Asset groups that fail more often"
          rows={trends.assetGroups}
          empty="No asset group was changed in this period."
          rowKey={(g) => g.group}
          columns={[
            { label: 'Group', cell: (g) => g.group },
            { label: 'Changes', cell: (g) => g.changes },
            { label: 'Failed', cell: (g) => g.failedChanges },
            { label: 'Host failures', cell: (g) => g.hostFailures },
            { label: 'Failure rate', cell: (g) => rate(g.failureRate) },
            { label: 'Failed changes', cell: (g) => <ChangeLinks changes={g.failed} /> },
          ]}
        />
        <TrendTable
          title="Waves whose health gates caught problems"
          rows={trends.waves}
          empty="No rollout ran in this period."
          rowKey={(w) => `${w.position}:${w.wave}`}
          columns={[
            {
              label: 'Wave',
              cell: (w) => (
                <>
                  {w.wave} <span className="muted small">(wave {w.position + 1})</span>
                </>
              ),
            },
            { label: 'Changes', cell: (w) => w.changes },
            { label: 'Caught', cell: (w) => w.caught },
            { label: 'Host failures', cell: (w) => w.hostFailures },
            { label: 'Caught in', cell: (w) => <ChangeLinks changes={w.caughtIn} /> },
          ]}
        />
        <TrendTable
          title="Windows that overrun"
          rows={trends.windows}
          empty="No change ran in a window in this period."
          rowKey={(w) => w.windowId ?? w.windowName}
          columns={[
            { label: 'Window', cell: (w) => w.windowName },
            { label: 'Length', cell: (w) => minutes(w.durationMinutes) },
            { label: 'Changes', cell: (w) => w.changes },
            { label: 'Overruns', cell: (w) => w.overruns },
            { label: 'Longest overrun', cell: (w) => minutes(w.maxOverrunMinutes) },
            { label: 'Overran', cell: (w) => <ChangeLinks changes={w.overran} /> },
          ]}
        />
      </div>
    </>
  );
}
