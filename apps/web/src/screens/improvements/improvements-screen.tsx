/**
 * The improvement loop (/improvements, `reports:read`): recommendations with the evidence behind
 * each, which a change manager (`improvements:manage`) accepts (the edit is applied through its
 * context, or a follow-up action is made) or dismisses with a reason; the follow-up actions from
 * reviews and accepted recommendations, tracked to closure; and the review trends across changes
 * (recurring failure causes, packages and groups that fail more often, waves whose gates caught
 * problems, windows that overrun). Tab, state and period live in the URL.
 */
import { useState } from 'react';
import { Link } from 'react-router';
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
import { columnLabel } from '../reports/format-cell.ts';
import { lastDays } from '../reports/period.ts';
import { useGet, useSend } from '../reports/untyped.ts';
import { describeAction, Evidence } from './evidence.tsx';
import './improvements.css';
import type { ImprovementAction, Recommendation } from './types.ts';
import { actionStates } from './types.ts';

const RECOMMENDATIONS = '/api/v1/recommendations';
const ACTIONS = '/api/v1/improvement-actions';

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
  const query = useGet<{ recommendations: Recommendation[] }>(RECOMMENDATIONS, {
    query: { state: state === 'all' ? undefined : state },
  });
  const [deciding, setDeciding] = useState<
    { kind: 'accept' | 'dismiss'; recommendation: Recommendation } | undefined
  >();
  const refresh = useSend<unknown, undefined>(
    'POST',
    () => ({ path: `${RECOMMENDATIONS}/refresh` }),
    [RECOMMENDATIONS],
  );
  const decide = useSend<
    Recommendation,
    { kind: 'accept' | 'dismiss'; id: string; reason: string }
  >(
    'POST',
    ({ kind, id, reason }) => ({
      path: `${RECOMMENDATIONS}/{id}/${kind}`,
      init: { path: { id } },
      body: reason === '' ? {} : { reason },
    }),
    [RECOMMENDATIONS, ACTIONS],
    () => setDeciding(undefined),
  );
  return (
    <>
      <div className="filters">
        <StateSelect
          label="State"
          value={state}
          options={['open', 'accepted', 'dismissed', 'all']}
          onChange={onState}
        />
        {manage && (
          <div className="improvements-refresh">
            <button
              type="button"
              className="button"
              disabled={refresh.isPending}
              onClick={() => refresh.mutate(undefined)}
            >
              {refresh.isPending ? 'Refreshing…' : 'Refresh recommendations'}
            </button>
          </div>
        )}
      </div>
      <MutationError error={refresh.error} />
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
                  <Evidence evidence={r.evidence} label={`Evidence for ${r.title}`} />
                </details>
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
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Dismiss: ${r.title}`}
                      onClick={() => setDeciding({ kind: 'dismiss', recommendation: r })}
                    >
                      Dismiss
                    </button>
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
        error={decide.error?.message}
        onConfirm={(reason) =>
          deciding !== undefined &&
          decide.mutate({ kind: deciding.kind, id: deciding.recommendation.id, reason })
        }
        onClose={() => {
          decide.reset();
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
  const query = useGet<{ actions: ImprovementAction[] }>(ACTIONS, {
    query: { state: state === 'all' ? undefined : state },
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
                const overdue =
                  a.dueDate !== null &&
                  a.dueDate !== undefined &&
                  (a.state === 'open' || a.state === 'in_progress') &&
                  a.dueDate < new Date().toISOString().slice(0, 10);
                return (
                  <tr key={a.id}>
                    <th scope="row">
                      {a.title}
                      {a.note !== null && a.note !== undefined && a.note !== '' && (
                        <div className="muted small">{a.note}</div>
                      )}
                    </th>
                    <td>
                      {a.changeId !== null && a.changeId !== undefined ? (
                        <Link to={`/changes/${a.changeId}`}>
                          review of {a.changeNumber ?? 'the change'}
                        </Link>
                      ) : a.recommendationId !== null && a.recommendationId !== undefined ? (
                        'a recommendation'
                      ) : (
                        (a.source ?? '—')
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
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Update ${a.title}`}
                          onClick={() => setEditing(a)}
                        >
                          Update
                        </button>
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

interface ActionBody {
  title?: string;
  state?: string;
  owner?: string;
  dueDate?: string;
  note?: string;
}

function ActionDialog({
  action,
  onClose,
}: {
  readonly action: ImprovementAction | undefined;
  readonly onClose: () => void;
}) {
  const [title, setTitle] = useState('');
  const [state, setState] = useState(action?.state ?? 'open');
  const [owner, setOwner] = useState(action?.owner ?? '');
  const [dueDate, setDueDate] = useState(action?.dueDate ?? '');
  const [note, setNote] = useState(action?.note ?? '');
  const send = useSend<ImprovementAction, ActionBody>(
    action === undefined ? 'POST' : 'PATCH',
    (body) =>
      action === undefined
        ? { path: ACTIONS, body }
        : { path: `${ACTIONS}/{id}`, init: { path: { id: action.id } }, body },
    [ACTIONS],
    () => onClose(),
  );
  const submit = () => {
    const common = {
      ...(owner.trim() !== '' && { owner: owner.trim() }),
      ...(dueDate !== '' && { dueDate }),
      ...(note.trim() !== '' && { note: note.trim() }),
    };
    send.mutate(action === undefined ? { title: title.trim(), ...common } : { state, ...common });
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
            <select {...control} value={state} onChange={(e) => setState(e.target.value)}>
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
  const query = useGet<Record<string, unknown>>('/api/v1/review-trends', { query: { from, to } });
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
        {(data) => {
          const entries = Object.entries(data).filter(([key]) => key !== 'from' && key !== 'to');
          const lists = entries.filter(([, value]) => Array.isArray(value));
          const facts = entries.filter(([, value]) => !Array.isArray(value));
          return (
            <>
              {facts.length > 0 && (
                <Section title="Across the reviews">
                  <Evidence evidence={Object.fromEntries(facts)} label="Review figures" />
                </Section>
              )}
              {lists.map(([key, value]) => {
                const title = columnLabel(key);
                return (
                  <Section key={key} title={title}>
                    {(value as unknown[]).length === 0 ? (
                      <EmptyState title="Nothing recurs in this period." />
                    ) : (
                      <Evidence evidence={value} label={title} />
                    )}
                  </Section>
                );
              })}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
