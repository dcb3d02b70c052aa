/**
 * `/changes/:changeId` (its id or its number, CHG-0042): everything about one change on tabs
 * (`?tab=`), and the actions its state offers this user. Independent reads (the change, its
 * conflicts, pre-flight, verification, rollouts, the approvers' names) start together; each action
 * asks first (ConfirmDialog, a reason where the API takes one) and shows the server's refusal.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import {
  ApprovalsPanel,
  HistoryPanel,
  OverviewPanel,
  PlansPanel,
  PreflightPanel,
  ReviewPanel,
  SchedulePanel,
  ScopePanel,
  VerificationPanel,
} from './change-detail-panels.tsx';
import { EvidencePanel } from './change-evidence.tsx';
import type { ActionSpec, ChangeDetail } from './change-model.ts';
import { offeredActions, peopleByIdFrom, plannableStates, riskTone } from './change-model.ts';
import { RolloutDialog } from './rollout-dialog.tsx';
import { ScheduleDialog } from './schedule-dialog.tsx';
import './changes.css';

const tabs = [
  ['overview', 'Overview'],
  ['scope', 'Scope'],
  ['plans', 'Plans'],
  ['approvals', 'Approvals'],
  ['schedule', 'Schedule'],
  ['evidence', 'Evidence'],
  ['preflight', 'Pre-flight'],
  ['verification', 'Verification'],
  ['review', 'Review'],
  ['history', 'History'],
] as const;
type Tab = (typeof tabs)[number][0];

export function ChangeDetailScreen() {
  const { changeId = '' } = useParams();
  const url = useUrlState(['tab'] as const);
  const { values } = url;
  const tab: Tab = tabs.some(([id]) => id === values.tab) ? (values.tab as Tab) : 'overview';
  const path = { params: { path: { id: changeId } } };
  // Fired together: none waits for another (the API takes the number as well as the id).
  const change = $api.useQuery('get', '/api/v1/changes/{id}', path);
  const conflicts = $api.useQuery('get', '/api/v1/changes/{id}/conflicts', path);
  const preflight = $api.useQuery('get', '/api/v1/changes/{id}/preflight', path);
  const verification = $api.useQuery('get', '/api/v1/changes/{id}/verification', path);
  const rollouts = $api.useQuery('get', '/api/v1/rollouts', {
    params: { query: { change: changeId, limit: 20 } },
  });
  const groups = $api.useQuery('get', '/api/v1/approver-groups');
  const people = peopleByIdFrom(groups.data);

  if (change.isPending) return <Loading label={`Loading ${changeId}…`} />;
  if (change.isError)
    return (
      <>
        <PageHeader title={changeId} />
        <ErrorState error={change.error} onRetry={() => void change.refetch()} />
        <p>
          <Link to="/changes">All changes</Link>
        </p>
      </>
    );
  const data = change.data;
  const realRollouts = (rollouts.data?.rollouts ?? []).filter((r) => !r.dryRun);
  const latestRollout = realRollouts[0] ?? rollouts.data?.rollouts[0];

  return (
    <>
      <PageHeader
        title={`${data.number} · ${data.title}`}
        description={
          <span className="row">
            <StatusBadge status={data.state} />
            <Badge>{data.type}</Badge>
            <Badge tone={riskTone[data.risk.level]}>risk {data.risk.level}</Badge>
            <span className="muted">plan version {data.planVersion}</span>
            <span className="muted">requested by {data.requester.name}</span>
          </span>
        }
        actions={
          <ChangeActions
            change={data}
            {...(latestRollout !== undefined && { rolloutId: latestRollout.id })}
          />
        }
      />
      <div className="tabs" role="tablist" aria-label="Change sections">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`change-tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`change-panel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            onClick={() => url.set({ tab: id === 'overview' ? undefined : id })}
            onKeyDown={(event) => {
              const index = tabs.findIndex(([t]) => t === tab);
              const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
              if (step === 0) return;
              const next = tabs[(index + step + tabs.length) % tabs.length];
              if (next === undefined) return;
              url.set({ tab: next[0] === 'overview' ? undefined : next[0] }, { replace: true });
              document.getElementById(`change-tab-${next[0]}`)?.focus();
            }}
          >
            {label}
            {id === 'schedule' && data.conflicts.length > 0 && ` (${data.conflicts.length})`}
            {id === 'evidence' && data.evidence.length > 0 && ` (${data.evidence.length})`}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`change-panel-${tab}`}
        aria-labelledby={`change-tab-${tab}`}
        className="stack"
      >
        {tab === 'overview' && <OverviewPanel change={data} people={people} />}
        {tab === 'scope' && <ScopePanel change={data} />}
        {tab === 'plans' && <PlansPanel change={data} />}
        {tab === 'approvals' && <ApprovalsPanel change={data} people={people} />}
        {tab === 'schedule' && <SchedulePanel change={data} conflicts={conflicts} />}
        {tab === 'evidence' && <EvidencePanel change={data} />}
        {tab === 'preflight' && <PreflightPanel change={data} preflight={preflight} />}
        {tab === 'verification' && (
          <VerificationPanel verification={verification} rollouts={rollouts} />
        )}
        {tab === 'review' && <ReviewPanel change={data} />}
        {tab === 'history' && <HistoryPanel change={data} />}
      </div>
    </>
  );
}

/** The buttons of the actions this change's state offers this user, and where to go next. */
export function ChangeActions({
  change,
  rolloutId,
}: {
  readonly change: ChangeDetail;
  readonly rolloutId?: string;
}) {
  const { can } = useSession();
  const [open, setOpen] = useState<ActionSpec | 'schedule' | 'rollout' | undefined>();
  const actions = offeredActions(change.state, can);
  const schedulable =
    can('changes:request') && (change.state === 'authorise' || change.state === 'scheduled');
  return (
    <div className="row change-actions">
      {plannableStates.includes(change.state) && can('changes:request') && (
        <Link className="button" to={`/changes/${change.number}/plan`}>
          Edit plan
        </Link>
      )}
      <Link className="button" to={`/calendar?change=${change.id}`}>
        Calendar
      </Link>
      {rolloutId !== undefined && (
        <Link className="button" to={`/rollouts/${rolloutId}`}>
          Rollout
        </Link>
      )}
      {schedulable && (
        <button type="button" className="button" onClick={() => setOpen('schedule')}>
          {change.schedule === null ? 'Schedule' : 'Reschedule'}
        </button>
      )}
      {change.state === 'scheduled' && can('changes:implement') && (
        <button type="button" className="button button-primary" onClick={() => setOpen('rollout')}>
          Roll out
        </button>
      )}
      {actions.map((spec) => (
        <button
          key={spec.action}
          type="button"
          className={spec.danger ? 'button button-danger' : 'button'}
          onClick={() => setOpen(spec)}
        >
          {spec.label}
        </button>
      ))}
      {open === 'schedule' && <ScheduleDialog change={change} onClose={() => setOpen(undefined)} />}
      {open === 'rollout' && <RolloutDialog change={change} onClose={() => setOpen(undefined)} />}
      {open !== undefined && open !== 'schedule' && open !== 'rollout' && (
        <ActionDialog change={change} spec={open} onClose={() => setOpen(undefined)} />
      )}
    </div>
  );
}

const actionPaths = {
  submit: '/api/v1/changes/{id}/submit',
  start: '/api/v1/changes/{id}/start',
  complete: '/api/v1/changes/{id}/complete',
  fail: '/api/v1/changes/{id}/fail',
  'roll-back': '/api/v1/changes/{id}/roll-back',
  cancel: '/api/v1/changes/{id}/cancel',
  close: '/api/v1/changes/{id}/close',
  reopen: '/api/v1/changes/{id}/reopen',
  revise: '/api/v1/changes/{id}/revise',
} as const;

function ActionDialog({
  change,
  spec,
  onClose,
}: {
  readonly change: ChangeDetail;
  readonly spec: ActionSpec;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  // One dialog per action: its path is fixed while it is mounted.
  const mutation = $api.useMutation('post', actionPaths[spec.action], {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/changes', '/api/v1/rollouts']);
      onClose();
    },
  });
  return (
    <ConfirmDialog
      open
      title={`${spec.label}: ${change.number}`}
      message={<p>{spec.explain}</p>}
      confirmLabel={spec.label}
      danger={spec.danger}
      reason={{
        label: spec.reasonRequired ? 'Reason (required)' : 'Reason (optional)',
        required: spec.reasonRequired,
      }}
      busy={mutation.isPending}
      error={mutation.isError ? errorMessage(mutation.error) : undefined}
      onConfirm={(reason) =>
        mutation.mutate({
          params: { path: { id: change.id } },
          body: reason === '' ? {} : { reason },
        })
      }
      onClose={onClose}
    />
  );
}
