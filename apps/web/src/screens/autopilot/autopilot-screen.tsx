/**
 * Autopilot (/autopilot, `changes:read`): the rules that create changes by themselves — what
 * each selects, on which assets, how often it runs, when it last ran and is next due, paused or
 * not and why — and their runs. A change manager (`changes:manage`) creates and edits rules,
 * pauses and resumes them (with a reason), runs one now (the page follows the new run) and
 * deletes one (asked first: its runs go, the changes it made stay). The tab and the runs'
 * rule filter live in the URL.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { Field, MutationError } from '../../ui/forms.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, Loading, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { NotPermitted } from '../admin/common.tsx';
import { Tabs } from '../assets/asset-tabs.tsx';
import './autopilot.css';
import { RULES, RUNS, RuleDialog } from './rule-dialog.tsx';
import {
  describeNextRun,
  describeScope,
  describeSelection,
  scheduleLabels,
  stageLabels,
} from './rule-format.ts';
import type { AutopilotRule, AutopilotRun } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';

type Tab = 'rules' | 'runs';

export function AutopilotScreen() {
  const { user, can } = useSession();
  const url = useUrlState(['tab', 'rule'] as const);
  if (user === undefined) return <Loading />;
  if (!can('changes:read'))
    return <NotPermitted title="Autopilot" permissions={['changes:read']} />;
  const tab: Tab = url.values.tab === 'runs' ? 'runs' : 'rules';
  return (
    <div className="autopilot">
      <PageHeader
        title="Autopilot"
        description="Rules that turn findings or available updates into changes by themselves, on a schedule: one change per maintenance window and asset group, carried as far as the rule says."
      />
      <Tabs<Tab>
        label="Autopilot sections"
        tabs={[
          { id: 'rules', label: 'Rules' },
          { id: 'runs', label: 'Runs' },
        ]}
        current={tab}
        onSelect={(next) => url.set({ tab: next === 'rules' ? undefined : next })}
      >
        {tab === 'rules' ? (
          <Rules />
        ) : (
          <Runs rule={url.values.rule} onRule={(rule) => url.set({ rule }, { replace: true })} />
        )}
      </Tabs>
    </div>
  );
}

function Rules() {
  const { can } = useSession();
  const manage = can('changes:manage');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const query = $api.useQuery('get', RULES);
  // The newest run of each rule (scheduled or run-now), beside when it last ran on its schedule.
  const runs = $api.useQuery('get', RUNS, { params: { query: { limit: 200 } } });
  const latestRun = new Map<string, AutopilotRun>();
  for (const r of runs.data?.runs ?? []) if (!latestRun.has(r.ruleId)) latestRun.set(r.ruleId, r);
  const [editing, setEditing] = useState<AutopilotRule | 'new' | undefined>();
  const refresh = () => invalidatePaths(queryClient, [RULES, RUNS]);
  const withReason = (rule: AutopilotRule, reason: string) => ({
    params: { path: { id: rule.id } },
    body: reason === '' ? {} : { reason },
  });
  const pause = useConfirmAction('post', `${RULES}/{id}/pause`, {
    init: withReason,
    invalidate: [RULES, RUNS],
  });
  const resume = useConfirmAction('post', `${RULES}/{id}/resume`, {
    init: withReason,
    invalidate: [RULES, RUNS],
  });
  const remove = useConfirmAction('delete', `${RULES}/{id}`, {
    init: (rule: AutopilotRule) => ({ params: { path: { id: rule.id } } }),
    invalidate: [RULES, RUNS],
  });
  const run = $api.useMutation('post', `${RULES}/{id}/run`, {
    onSuccess: async (started: AutopilotRun) => {
      await refresh();
      await navigate(`/autopilot/runs/${started.id}`);
    },
  });
  return (
    <>
      <div className="autopilot-toolbar">
        {manage ? (
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            New rule
          </button>
        ) : (
          <p className="muted small" id="autopilot-manage-note">
            Creating, changing, pausing and running rules needs the permission{' '}
            <code>changes:manage</code>.
          </p>
        )}
      </div>
      <MutationError error={run.error} />
      <QueryState
        query={query}
        loadingLabel="Loading the autopilot rules…"
        isEmpty={(data) => data.rules.length === 0}
        empty={
          <EmptyState title="No autopilot rule yet: every change is made by a person.">
            {manage && 'A rule creates changes from findings or available updates on a schedule.'}
          </EmptyState>
        }
      >
        {(data) => (
          <div className="table-scroll">
            <table className="simple-table autopilot-rules" aria-label="Autopilot rules">
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">State</th>
                  <th scope="col">Selects</th>
                  <th scope="col">Assets</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.rules.map((rule) => {
                  const d = rule.definition;
                  return (
                    <tr key={rule.id}>
                      <th scope="row">{d.name}</th>
                      <td>
                        {rule.paused ? (
                          <>
                            <Badge tone="warn">paused</Badge>
                            <div className="muted small">
                              {rule.pausedReason ?? 'no reason given'}
                              {rule.pausedAt !== null && ` · ${formatDateTime(rule.pausedAt)}`}
                            </div>
                          </>
                        ) : (
                          <Badge tone="ok">active</Badge>
                        )}
                      </td>
                      <td>
                        {describeSelection(d)}
                        <div className="muted small">
                          {d.type} changes
                          {d.template !== undefined && ` (${d.template})`} · cool-down{' '}
                          {d.coolDownDays} d · rings +{d.rings.join('/+')}
                        </div>
                      </td>
                      <td>{describeScope(d.scope)}</td>
                      <td>
                        {scheduleLabels[d.schedule]}
                        <div className="muted small">{stageLabels[d.stage]}</div>
                      </td>
                      <td>
                        {rule.lastRunAt === null
                          ? 'Not on its schedule yet'
                          : `On its schedule ${formatDateTime(rule.lastRunAt)}`}
                        {latestRun.has(rule.id) && (
                          <div className="small">
                            <Link to={`/autopilot/runs/${latestRun.get(rule.id)?.id ?? ''}`}>
                              Latest run {formatDateTime(latestRun.get(rule.id)?.createdAt)}
                            </Link>{' '}
                            ({latestRun.get(rule.id)?.state})
                          </div>
                        )}
                        {rule.lastChangeId !== null && (
                          <div className="small">
                            <Link to={`/changes/${rule.lastChangeId}`}>its last change</Link>
                          </div>
                        )}
                        <div className="small">
                          <Link to={`/autopilot?tab=runs&rule=${encodeURIComponent(rule.id)}`}>
                            Runs of {d.name}
                          </Link>
                        </div>
                      </td>
                      <td>{describeNextRun(rule)}</td>
                      <td>
                        {manage ? (
                          <div className="row">
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Run now: ${d.name}`}
                              title={
                                rule.paused
                                  ? 'A paused rule does not run: resume it first'
                                  : undefined
                              }
                              disabled={run.isPending || rule.paused}
                              onClick={() => run.mutate({ params: { path: { id: rule.id } } })}
                            >
                              Run now
                            </button>
                            <RowButton name={`Edit ${d.name}`} onClick={() => setEditing(rule)}>
                              Edit
                            </RowButton>
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`${rule.paused ? 'Resume' : 'Pause'} ${d.name}`}
                              onClick={() => (rule.paused ? resume : pause).ask(rule)}
                            >
                              {rule.paused ? 'Resume' : 'Pause'}
                            </button>
                            <RowButton
                              name={`Delete ${d.name}`}
                              onClick={() => remove.ask(rule)}
                              danger
                            >
                              Delete
                            </RowButton>
                          </div>
                        ) : (
                          <span className="muted small">Needs changes:manage</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {editing !== undefined && (
        <RuleDialog
          {...(editing !== 'new' && { rule: editing })}
          onClose={() => setEditing(undefined)}
        />
      )}
      <ConfirmActionDialog
        action={pause}
        title={(rule) => `Pause ${rule.definition.name}?`}
        message={() => 'It neither runs on its schedule nor on request until someone resumes it.'}
        confirmLabel="Pause rule"
        danger={false}
        reason={{ label: 'Reason (optional)', required: false }}
      />
      <ConfirmActionDialog
        action={resume}
        title={(rule) => `Resume ${rule.definition.name}?`}
        message={() => 'It runs again on its schedule and on request.'}
        confirmLabel="Resume rule"
        danger={false}
        reason={{ label: 'Reason (optional)', required: false }}
      />
      <ConfirmActionDialog
        action={remove}
        title={(rule) => `Delete ${rule.definition.name}?`}
        message={() => 'The rule and its runs are deleted; the changes it made stay.'}
        confirmLabel="Delete rule"
      />
    </>
  );
}

const isActive = (run: AutopilotRun) => run.state === 'queued' || run.state === 'running';

function Runs({
  rule,
  onRule,
}: {
  readonly rule: string | undefined;
  readonly onRule: (rule: string | undefined) => void;
}) {
  const rules = $api.useQuery('get', RULES);
  const query = $api.useQuery(
    'get',
    RUNS,
    { params: { query: { limit: 200, ...(rule !== undefined && { rule }) } } },
    { refetchInterval: (q) => (q.state.data?.runs.some(isActive) === true ? 2000 : false) },
  );
  const ruleName = (id: string) =>
    rules.data?.rules.find((r) => r.id === id)?.definition.name ?? id;
  return (
    <>
      <div className="filters">
        <Field label="Rule">
          {(control) => (
            <select
              {...control}
              value={rule ?? ''}
              onChange={(e) => onRule(e.target.value === '' ? undefined : e.target.value)}
            >
              <option value="">Every rule</option>
              {rule !== undefined && rules.data?.rules.every((r) => r.id !== rule) === true && (
                <option value={rule}>{rule}</option>
              )}
              {rules.data?.rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.definition.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <QueryState
        query={query}
        loadingLabel="Loading the runs…"
        isEmpty={(data) => data.runs.length === 0}
        empty={
          <EmptyState
            title={
              rule === undefined
                ? 'No run yet: rules run on their schedule, or on request.'
                : `No run of ${ruleName(rule)} yet.`
            }
          />
        }
      >
        {(data) => (
          <div className="table-scroll">
            <table className="simple-table" aria-label="Autopilot runs">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">State</th>
                  <th scope="col">Changes created</th>
                  <th scope="col">Held back</th>
                  <th scope="col">Skipped</th>
                  <th scope="col">Finished</th>
                </tr>
              </thead>
              <tbody>
                {data.runs.map((r) => (
                  <tr key={r.id}>
                    <th scope="row">
                      <Link to={`/autopilot/runs/${r.id}`}>{formatDateTime(r.createdAt)}</Link>
                    </th>
                    <td>{ruleName(r.ruleId)}</td>
                    <td>{r.trigger === 'manual' ? 'run now' : 'schedule'}</td>
                    <td>
                      <StatusBadge status={r.state} />
                      {r.error !== null && <div className="muted small">{r.error}</div>}
                    </td>
                    <td>{r.createdChanges.length}</td>
                    <td>{r.heldBack.length}</td>
                    <td>{r.skipped.length}</td>
                    <td>{formatDateTime(r.finishedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </>
  );
}
