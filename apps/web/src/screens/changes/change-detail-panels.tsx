/** The tabs of a change's page: each shows one part of `GET /api/v1/changes/{id}` or a related read. */
import type { UseQueryResult } from '@tanstack/react-query';
import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { paths } from '../../api/client.ts';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, PriorityBadge, StatusBadge } from '../../ui/badges.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { Facts, Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { DecisionButtons } from './change-decision.tsx';
import type { ChangeDetail, RiskLevel } from './change-model.ts';
import { plural, riskLevels, riskTone, scopeText } from './change-model.ts';
import { Field, FormDialog } from '../../ui/forms.tsx';

type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer T } } } };
}
  ? T
  : never;
type Query<T> = Pick<
  UseQueryResult<T, unknown>,
  'data' | 'error' | 'isPending' | 'isError' | 'refetch'
>;

/**
 * QueryState's query with the typed client's error (a problem body, not an Error): the state
 * component only hands the error to `errorMessage`, which reads both.
 */
const nameOf = (people: ReadonlyMap<string, string>, id: string) => people.get(id) ?? id;

// --- overview --------------------------------------------------------------------------------

export function OverviewPanel({
  change,
  people,
}: {
  readonly change: ChangeDetail;
  readonly people: ReadonlyMap<string, string>;
}) {
  return (
    <>
      <div className="grid">
        <Section title="Request">
          <Facts
            items={[
              ['Number', change.number],
              ['State', <StatusBadge key="s" status={change.state} />],
              ['Type', change.type],
              ['Requester', change.requester.name],
              ['Implementer', change.implementer?.name ?? '—'],
              [
                'Window',
                change.schedule === null
                  ? 'not scheduled'
                  : `${formatDateTime(change.schedule.start)} – ${formatDateTime(change.schedule.end)}`,
              ],
              ['Scope', scopeText(change.counts)],
              [
                'Template',
                change.template ? `${change.template.id} v${change.template.version}` : '—',
              ],
              [
                'Made by',
                change.createdBy.rule === null
                  ? 'a person'
                  : `autopilot rule ${change.createdBy.rule}${change.createdBy.reason ? `: ${change.createdBy.reason}` : ''}`,
              ],
              ['Created', formatDateTime(change.createdAt)],
              ['Updated', formatDateTime(change.updatedAt)],
            ]}
          />
          {change.description !== '' && <p className="change-description">{change.description}</p>}
        </Section>
        <Section title="Decision">
          <ApprovalSummary change={change} people={people} />
          <Readiness change={change} />
          <DecisionButtons change={change} />
        </Section>
      </div>
      <RiskSection change={change} />
      {change.freezeOverride !== null && (
        <Section title="Freeze override">
          <p>
            Scheduled into {change.freezeOverride.freezes.map((f) => f.name).join(', ')} by{' '}
            {change.freezeOverride.by.name} ({formatDateTime(change.freezeOverride.at)})
            {change.freezeOverride.reason ? `: ${change.freezeOverride.reason}` : ''}.
          </p>
        </Section>
      )}
    </>
  );
}

/** What the CAB looks at before deciding: plans, conflicts, the pre-flight. */
function Readiness({ change }: { readonly change: ChangeDetail }) {
  const { preflight } = change;
  const tab = (name: string) => `/changes/${change.number}?tab=${name}`;
  return (
    <ul className="change-readiness">
      <li>
        Plans:{' '}
        {change.planCheck.ok ? (
          'valid'
        ) : (
          <Link to={tab('plans')}>{plural(change.planCheck.errors.length, 'problem')}</Link>
        )}
      </li>
      <li>
        Conflicts:{' '}
        {change.schedule === null ? (
          'not scheduled yet'
        ) : change.conflicts.length === 0 ? (
          'none'
        ) : (
          <Link to={tab('schedule')}>{plural(change.conflicts.length, 'conflict')}</Link>
        )}
      </li>
      <li>
        Pre-flight:{' '}
        {preflight === null ? (
          'not run yet'
        ) : (
          <>
            <StatusBadge status={preflight.state} />{' '}
            <Link to={tab('preflight')}>
              {preflight.hosts.passed} of {plural(preflight.hosts.total, 'host')} passed
              {preflight.warnings.length > 0 && `, ${plural(preflight.warnings.length, 'warning')}`}
            </Link>
          </>
        )}
      </li>
    </ul>
  );
}

function ApprovalSummary({
  change,
  people,
}: {
  readonly change: ChangeDetail;
  readonly people: ReadonlyMap<string, string>;
}) {
  const a = change.approvals;
  const decided = a.stages.flatMap((s) => [
    ...s.approvals.map((d) => ({ ...d, decision: 'approved' as const, stage: s.name })),
    ...s.rejections.map((d) => ({ ...d, decision: 'rejected' as const, stage: s.name })),
  ]);
  return (
    <div className="stack">
      <p>
        {a.complete ? (
          <Badge tone="ok">approved</Badge>
        ) : a.rejected ? (
          <Badge tone="critical">rejected</Badge>
        ) : (
          <Badge tone="warn">awaiting decision</Badge>
        )}{' '}
        Plan version {a.planVersion}, policy rule <span className="mono">{a.ruleId}</span>
        {a.autoApproved ? ', approved by the system (template criteria hold)' : ''}
        {a.currentStage !== null ? `; stage ${a.currentStage} of ${a.stages.length} is open.` : '.'}
      </p>
      {decided.length > 0 && (
        <ul className="change-decisions">
          {decided.map((d) => (
            <li key={`${d.approverId}-${d.at}`}>
              <StatusBadge status={d.decision} /> {nameOf(people, d.approverId)} ({d.stage},{' '}
              {formatDateTime(d.at)}){d.comment ? `: “${d.comment}”` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function RiskSection({ change }: { readonly change: ChangeDetail }) {
  const { can } = useSession();
  const [overriding, setOverriding] = useState(false);
  const { risk } = change;
  return (
    <Section
      title="Risk"
      actions={
        can('changes:manage') && (
          <button type="button" className="button button-small" onClick={() => setOverriding(true)}>
            Override risk
          </button>
        )
      }
    >
      <p>
        <Badge tone={riskTone[risk.level]}>{risk.level}</Badge> score {risk.score}
        {risk.override !== null &&
          ` — overridden from the assessed ${risk.assessed}: ${risk.override.reason}`}
      </p>
      <p className="change-explanation">{risk.explanation}</p>
      {risk.factors.length > 0 && (
        <table className="simple-table">
          <caption className="visually-hidden">What the risk score is made of</caption>
          <thead>
            <tr>
              <th scope="col">Factor</th>
              <th scope="col">Points</th>
              <th scope="col">What was seen</th>
            </tr>
          </thead>
          <tbody>
            {risk.factors.map((f) => (
              <tr key={f.id}>
                <td>{f.label}</td>
                <td>{f.points}</td>
                <td>{f.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {overriding && <RiskOverrideDialog change={change} onClose={() => setOverriding(false)} />}
    </Section>
  );
}

function RiskOverrideDialog({
  change,
  onClose,
}: {
  readonly change: ChangeDetail;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [level, setLevel] = useState<RiskLevel>(change.risk.level);
  const [reason, setReason] = useState('');
  const mutation = $api.useMutation('put', '/api/v1/changes/{id}/risk', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/changes']);
      onClose();
    },
  });
  const submit = () => {
    mutation.mutate({
      params: { path: { id: change.id } },
      body: { level, reason: reason.trim() },
    });
  };
  return (
    <FormDialog
      title={`Override the risk of ${change.number}`}
      onClose={onClose}
      onSubmit={submit}
      error={mutation.error}
      submitLabel="Override"
      busy={mutation.isPending}
      disabled={reason.trim() === ''}
    >
      <p>Assessed: {change.risk.assessed}. The override is audited with its reason.</p>
      <Field label="Level">
        {(control) => (
          <select
            {...control}
            value={level}
            onChange={(e) => setLevel(e.target.value as RiskLevel)}
          >
            {riskLevels.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Reason (required)">
        {(control) => (
          <textarea
            {...control}
            required
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}

// --- scope -----------------------------------------------------------------------------------

export function ScopePanel({ change }: { readonly change: ChangeDetail }) {
  const assetName = new Map(change.assets.map((a) => [a.id, a.name]));
  return (
    <>
      <Section title={`Assets (${change.assets.length})`}>
        {change.assets.length === 0 ? (
          <EmptyState title="No asset in scope yet" />
        ) : (
          <table className="simple-table">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Environment</th>
                <th scope="col">Criticality</th>
                <th scope="col">Exposure</th>
                <th scope="col">Owner</th>
                <th scope="col">Groups</th>
              </tr>
            </thead>
            <tbody>
              {change.assets.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/assets/${a.id}`}>{a.name}</Link>
                  </td>
                  <td>{a.environment ?? '—'}</td>
                  <td>{a.criticality}</td>
                  <td>{a.exposure}</td>
                  <td>{a.owner ?? '—'}</td>
                  <td>{a.groups.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={`Patches (${change.patches.length})`}>
        {change.patches.length === 0 ? (
          <EmptyState title="No patch" />
        ) : (
          <table className="simple-table">
            <thead>
              <tr>
                <th scope="col">Asset</th>
                <th scope="col">Package</th>
                <th scope="col">From → to</th>
                <th scope="col">Target</th>
                <th scope="col">Origin</th>
              </tr>
            </thead>
            <tbody>
              {change.patches.map((p) => (
                <tr key={`${p.assetId}-${p.ecosystem}-${p.package}`}>
                  <td>
                    <Link to={`/assets/${p.assetId}`}>{p.assetName}</Link>
                  </td>
                  <td className="mono">{p.package}</td>
                  <td className="mono">
                    {p.fromVersion ?? '?'} → {p.toVersion ?? 'latest'}
                  </td>
                  <td>{p.mode}</td>
                  <td>{p.origin ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={`Findings fixed (${change.findings.length})`}>
        {change.findings.length === 0 ? (
          <EmptyState title="No finding linked" />
        ) : (
          <table className="simple-table">
            <thead>
              <tr>
                <th scope="col">Finding</th>
                <th scope="col">Priority</th>
                <th scope="col">Asset</th>
                <th scope="col">Package</th>
                <th scope="col">Advisories</th>
                <th scope="col">KEV</th>
                <th scope="col">Due</th>
              </tr>
            </thead>
            <tbody>
              {change.findings.map((f) => (
                <tr key={f.findingId}>
                  <td>
                    <Link
                      to={`/findings/${f.findingId}`}
                      aria-label={`Finding ${f.package} ${f.cves[0] ?? f.advisoryIds[0] ?? ''}`}
                    >
                      {f.findingId.slice(0, 8)}
                    </Link>
                  </td>
                  <td>
                    <PriorityBadge priority={f.priority} />
                  </td>
                  <td>{assetName.get(f.assetId) ?? f.assetId}</td>
                  <td className="mono">{f.package}</td>
                  <td>
                    {[...f.advisoryIds, ...f.cves.filter((c) => !f.advisoryIds.includes(c))].map(
                      (id, i) => (
                        <span key={id}>
                          {i > 0 && ', '}
                          <Link to={`/advisories/${encodeURIComponent(id)}`}>{id}</Link>
                        </span>
                      ),
                    )}
                  </td>
                  <td>{f.kev ? <Badge tone="critical">KEV</Badge> : 'no'}</td>
                  <td>{formatDate(f.dueDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}

// --- plans -----------------------------------------------------------------------------------

export function PlansPanel({ change }: { readonly change: ChangeDetail }) {
  const { plans } = change;
  const waves = plans.deploymentPlan?.waves ?? [];
  return (
    <>
      <Section
        title={`Plan version ${change.planVersion}`}
        actions={
          <Link className="button button-small" to={`/changes/${change.number}/plan`}>
            Open the plan editor
          </Link>
        }
      >
        {change.planCheck.ok ? (
          <p>
            <Badge tone="ok">valid</Badge> The plans are valid for a {change.type} change.
          </p>
        ) : (
          <div className="form-error" role="note">
            <p>The plans are not valid for a {change.type} change yet:</p>
            <ul>
              {change.planCheck.errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
        )}
        <table className="simple-table">
          <caption className="visually-hidden">Plan versions</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Author</th>
              <th scope="col">Why</th>
              <th scope="col">When</th>
              <th scope="col">Content hash</th>
            </tr>
          </thead>
          <tbody>
            {[...change.planVersions].reverse().map((v) => (
              <tr key={v.version}>
                <td>v{v.version}</td>
                <td>{v.author.name}</td>
                <td>{v.reason ?? '—'}</td>
                <td>{formatDateTime(v.createdAt)}</td>
                <td className="mono small">{v.hash.slice(0, 12)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Deployment: waves">
        {waves.length === 0 ? (
          <EmptyState title="No deployment plan: one wave with everything" />
        ) : (
          <ol className="change-waves">
            {waves.map((w) => (
              <li key={w.name}>
                <strong>{w.name}</strong>: {waveTarget(w)}; {String(w.concurrency)} at a time,
                tolerate {String(w.failureThreshold)} failed, bake {w.bakeMinutes} min,{' '}
                {w.gate === 'manual' ? 'manual gate' : 'starts automatically'}, on failure{' '}
                {w.onFailure}
                {w.healthChecks.length > 0 && (
                  <ul>
                    {w.healthChecks.map((h, i) => (
                      <li key={i}>
                        {h.name ? `${h.name}: ` : ''}
                        {h.kind === 'command'
                          ? `command ${h.command} (exit ${h.expectExitCode})`
                          : h.kind === 'http'
                            ? `HTTP ${h.url} (status ${h.expectStatus})`
                            : h.kind === 'systemd'
                              ? `systemd unit ${h.unit} active`
                              : `TCP ${h.host}:${h.port}`}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        )}
      </Section>
      <div className="grid">
        <Section title="Rollback plan">
          {plans.rollbackPlan === undefined ? (
            <p>
              None{change.type === 'standard' ? '' : ' — a normal or emergency change needs one'}.
            </p>
          ) : (
            <>
              <p>Triggers: {plans.rollbackPlan.triggers.join(', ') || '—'}</p>
              <ol>
                {plans.rollbackPlan.steps.map((s, i) => (
                  <li key={i}>
                    {s.kind === 'downgrade'
                      ? 'Downgrade to the versions recorded before'
                      : s.kind === 'restore-paths'
                        ? `Restore ${s.paths?.join(', ') ?? 'the backed-up paths'}`
                        : `Run ${s.command}`}
                    {s.description ? ` — ${s.description}` : ''}
                  </li>
                ))}
              </ol>
            </>
          )}
        </Section>
        <Section title="Test plan">
          {plans.testPlan === undefined ? (
            <p>None.</p>
          ) : (
            <>
              <p>{plans.testPlan.summary}</p>
              <p className="muted small">
                Environments: {plans.testPlan.environments.join(', ') || '—'}; suites:{' '}
                {plans.testPlan.automatedSuites.join(', ') || '—'}
              </p>
              {plans.testPlan.steps.length > 0 && (
                <ol>
                  {plans.testPlan.steps.map((s, i) => (
                    <li key={i}>
                      {s.description} — expect: {s.expectedResult}
                    </li>
                  ))}
                </ol>
              )}
            </>
          )}
          <p className="small">
            Evidence:{' '}
            {change.evidence.length === 0
              ? 'none recorded'
              : `${change.evidence.length} recorded (${change.evidence.filter((e) => e.outcome === 'failed').length} failed)`}{' '}
            — <Link to="?tab=evidence">see the Evidence tab</Link>
          </p>
        </Section>
        <Section title="Backup plan">
          {plans.backupPlan === undefined ? (
            <p>None.</p>
          ) : (
            <Facts
              items={[
                ['Package selection', plans.backupPlan.packageSelection ? 'recorded' : 'no'],
                ['Paths', plans.backupPlan.paths.join(', ') || '—'],
                ['Hooks', plans.backupPlan.hooks.map((h) => h.name).join(', ') || '—'],
                ['Restore', plans.backupPlan.restore],
                ['Kept', `${plans.backupPlan.retentionDays} days`],
              ]}
            />
          )}
        </Section>
        <Section title="Communication and roles">
          {plans.communicationPlan === undefined ? (
            <p>No communication plan.</p>
          ) : (
            <ul>
              {plans.communicationPlan.messages.map((m, i) => (
                <li key={i}>
                  {m.phase}: “{m.subject}” to {[...m.audiences, ...m.addresses].join(', ') || '—'}
                </li>
              ))}
            </ul>
          )}
          {plans.roles !== undefined && (
            <Facts
              items={[
                ['Requester', plans.roles.requester ?? '—'],
                ['Implementer', plans.roles.implementer ?? '—'],
                ['Approvers', plans.roles.approvers.join(', ') || '—'],
                ['Communicator', plans.roles.communicator ?? '—'],
                [
                  'On call',
                  plans.roles.onCall
                    ? `${plans.roles.onCall.name} (${plans.roles.onCall.contact})`
                    : '—',
                ],
              ]}
            />
          )}
        </Section>
      </div>
    </>
  );
}

type Wave = NonNullable<ChangeDetail['plans']['deploymentPlan']>['waves'][number];
function waveTarget(w: Wave): string {
  if (w.assets !== undefined) return `assets ${w.assets.join(', ')}`;
  if (w.selector !== undefined)
    return `assets where ${Object.entries(w.selector)
      .map(([k, v]) => `${k} ${(v as string[]).join('/')}`)
      .join(', ')}`;
  if (w.share !== undefined) return `${String(w.share)} of the remaining assets`;
  return 'every remaining asset';
}

// --- approvals -------------------------------------------------------------------------------

export function ApprovalsPanel({
  change,
  people,
}: {
  readonly change: ChangeDetail;
  readonly people: ReadonlyMap<string, string>;
}) {
  const a = change.approvals;
  return (
    <>
      <Section title={`Approval of plan version ${a.planVersion}`}>
        <ApprovalSummary change={change} people={people} />
        {a.retrospectiveReviewRequired && (
          <p>
            <Badge tone="warn">retrospective review</Badge> This change must be reviewed afterwards.
          </p>
        )}
        <DecisionButtons change={change} />
      </Section>
      {a.stages.map((s) => (
        <Section key={s.stage} title={`Stage ${s.stage}: ${s.name}`}>
          <p>
            {s.satisfied ? (
              <Badge tone="ok">satisfied</Badge>
            ) : a.currentStage === s.stage ? (
              <Badge tone="warn">open</Badge>
            ) : (
              <Badge>waiting</Badge>
            )}{' '}
            {s.approvals.length} of {s.required} approval{s.required === 1 ? '' : 's'} from{' '}
            {s.groups.map((g) => g.name).join(', ')} (
            {s.quorum.kind === 'any'
              ? 'any one'
              : s.quorum.kind === 'count'
                ? `${s.quorum.count} distinct`
                : 'all members'}
            ){s.freezeOverride ? ', the freeze override (nobody who approved another stage)' : ''}.
          </p>
          {s.unreachable !== null && <p className="form-error">{s.unreachable}</p>}
          <p className="small muted">
            {s.eligibleApproverIds.length > 0
              ? `Eligible: ${s.eligibleApproverIds.map((id) => nameOf(people, id)).join(', ')}`
              : s.satisfied || a.currentStage === s.stage
                ? 'Eligible: nobody'
                : `Members of ${s.groups.map((g) => g.name).join(', ')} decide once the earlier stages are satisfied.`}
          </p>
          {s.approvals.length + s.rejections.length > 0 && (
            <table className="simple-table">
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Comment</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {[
                  ...s.approvals.map((d) => ({ ...d, decision: 'approved' })),
                  ...s.rejections.map((d) => ({ ...d, decision: 'rejected' })),
                ].map((d) => (
                  <tr key={`${d.approverId}-${d.at}`}>
                    <td>
                      {nameOf(people, d.approverId)}
                      {d.onBehalfOf !== null && ` for ${nameOf(people, d.onBehalfOf)}`}
                    </td>
                    <td>
                      <StatusBadge status={d.decision} />
                    </td>
                    <td>{d.comment ?? '—'}</td>
                    <td>{formatDateTime(d.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      ))}
    </>
  );
}

// --- schedule and conflicts -----------------------------------------------------------------

export function SchedulePanel({
  change,
  conflicts,
}: {
  readonly change: ChangeDetail;
  readonly conflicts: Query<Json<'/api/v1/changes/{id}/conflicts'>>;
}) {
  return (
    <Section
      title="Schedule and conflicts"
      actions={
        <Link className="button button-small" to={`/calendar?change=${change.id}`}>
          Open in the calendar
        </Link>
      }
    >
      <p>
        {change.schedule === null
          ? 'Not scheduled yet.'
          : `Window ${formatDateTime(change.schedule.start)} – ${formatDateTime(change.schedule.end)}.`}
      </p>
      <QueryState
        query={conflicts}
        isEmpty={(d) => d.conflicts.length === 0}
        empty={<EmptyState title="No conflict" />}
      >
        {(d) => <ConflictList conflicts={d.conflicts} />}
      </QueryState>
    </Section>
  );
}

export function ConflictList({ conflicts }: { readonly conflicts: ChangeDetail['conflicts'] }) {
  return (
    <ul className="change-conflicts">
      {conflicts.map((c, i) => (
        <li key={i}>
          <Badge tone={c.kind === 'in-freeze' ? 'critical' : 'warn'}>
            {c.kind.replaceAll('-', ' ')}
          </Badge>{' '}
          {c.message}
          {c.otherChangeId !== undefined && (
            <>
              {' '}
              (<Link to={`/changes/${c.otherChangeId}`}>the other change</Link>)
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

// --- pre-flight ------------------------------------------------------------------------------

export function PreflightPanel({
  change,
  preflight,
}: {
  readonly change: ChangeDetail;
  readonly preflight: Query<Json<'/api/v1/changes/{id}/preflight'>>;
}) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const run = $api.useMutation('post', '/api/v1/changes/{id}/preflight', {
    onSuccess: () => invalidatePaths(queryClient, ['/api/v1/changes']),
  });
  return (
    <Section
      title="Pre-flight"
      actions={
        (can('changes:request') || can('changes:implement')) && (
          <button
            type="button"
            className="button button-small"
            disabled={run.isPending}
            onClick={() => run.mutate({ params: { path: { id: change.id } } })}
          >
            {run.isPending ? 'Requesting…' : 'Run pre-flight'}
          </button>
        )
      }
    >
      <p className="muted small">
        Each host’s agent simulates the patches: a removal or a conflict fails the pre-flight.
      </p>
      {run.isError && (
        <p className="form-error" role="alert">
          {errorMessage(run.error)}
        </p>
      )}
      <QueryState
        query={preflight}
        isEmpty={(d) => d.run === null}
        empty={<EmptyState title="No pre-flight has run yet" />}
      >
        {(d) => (
          <>
            <p>
              <StatusBadge status={d.run?.state ?? 'pending'} /> {d.run?.trigger} run requested by{' '}
              {d.run?.requestedBy.name} {formatDateTime(d.run?.createdAt)}
              {d.run?.finishedAt ? `, finished ${formatDateTime(d.run.finishedAt)}` : ''}
            </p>
            {d.warnings.length > 0 && (
              <ul className="change-warnings">
                {d.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
            <table className="simple-table">
              <thead>
                <tr>
                  <th scope="col">Host</th>
                  <th scope="col">Result</th>
                  <th scope="col">Packages</th>
                  <th scope="col">Simulation</th>
                </tr>
              </thead>
              <tbody>
                {d.hosts.map((h) => (
                  <tr key={h.assetId}>
                    <td>
                      <Link to={`/assets/${h.assetId}`}>{h.assetName}</Link>
                    </td>
                    <td>
                      <StatusBadge status={h.status} />
                      {h.detail ? ` ${h.detail}` : ''}
                    </td>
                    <td className="mono small">
                      {h.packages.map((p) => `${p.name} ${p.version}`).join(', ')}
                    </td>
                    <td className="small">
                      {h.simulation === null
                        ? '—'
                        : [
                            `${h.simulation.upgrade.length} upgraded`,
                            `${h.simulation.install.length} installed`,
                            h.simulation.remove.length > 0 &&
                              `removes ${h.simulation.remove.map((r) => r.name).join(', ')}`,
                            h.simulation.problems.length > 0 && h.simulation.problems.join('; '),
                            h.simulation.servicesNeedingRestart.length > 0 &&
                              `restarts ${h.simulation.servicesNeedingRestart.join(', ')}`,
                          ]
                            .filter(Boolean)
                            .join(' · ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </QueryState>
    </Section>
  );
}

// --- verification ---------------------------------------------------------------------------

export function VerificationPanel({
  verification,
  rollouts,
}: {
  readonly verification: Query<Json<'/api/v1/changes/{id}/verification'>>;
  readonly rollouts: Query<Json<'/api/v1/rollouts'>>;
}) {
  return (
    <>
      <Section title="Rollouts">
        <QueryState
          query={rollouts}
          isEmpty={(d) => d.rollouts.length === 0}
          empty={<EmptyState title="No rollout of this change yet" />}
        >
          {(d) => (
            <ul>
              {d.rollouts.map((r) => (
                <li key={r.id}>
                  <Link to={`/rollouts/${r.id}`}>
                    {r.dryRun ? 'Dry run' : 'Rollout'} of {formatDateTime(r.createdAt)}
                  </Link>{' '}
                  <StatusBadge status={r.phase} />
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </Section>
      <Section title="Verification of the installs">
        <QueryState
          query={verification}
          isEmpty={(d) => d.hosts.length === 0}
          empty={<EmptyState title="Nothing installed yet" />}
        >
          {(d) => (
            <>
              {d.rebootPending.length > 0 && (
                <p>
                  <Badge tone="warn">reboot pending</Badge> {d.rebootPending.join(', ')}
                </p>
              )}
              <table className="simple-table">
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">Versions</th>
                    <th scope="col">Mismatches</th>
                    <th scope="col">Installed</th>
                  </tr>
                </thead>
                <tbody>
                  {d.hosts.map((h) => (
                    <tr key={h.assetId}>
                      <td>
                        <Link to={`/assets/${h.assetId}`}>{h.assetName}</Link>
                      </td>
                      <td>
                        {h.confirmed ? (
                          <Badge tone="ok">confirmed</Badge>
                        ) : (
                          <Badge tone="critical">not confirmed</Badge>
                        )}
                        {h.rebootPending && <Badge tone="warn">reboot pending</Badge>}
                      </td>
                      <td className="mono small">
                        {h.mismatches
                          .map((m) => `${m.name}: ${m.actual ?? 'missing'} ≠ ${m.expected}`)
                          .join(', ') || '—'}
                      </td>
                      <td>{formatDateTime(h.installedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </QueryState>
      </Section>
    </>
  );
}

// --- review ----------------------------------------------------------------------------------

const reviewStates: readonly string[] = ['implementing', 'review', 'failed', 'rolled_back'];

export function ReviewPanel({ change }: { readonly change: ChangeDetail }) {
  const { can } = useSession();
  const facts = change.reviewFacts;
  return (
    <>
      <Section title="What the rollout recorded">
        {facts === null ? (
          <EmptyState title="No rollout has ended yet: the review is pre-filled when one does" />
        ) : (
          <>
            <Facts
              items={[
                ['Outcome', <StatusBadge key="o" status={facts.outcome.replaceAll('-', '_')} />],
                [
                  'Planned',
                  `${formatDateTime(facts.planned.start)} – ${formatDateTime(facts.planned.end)}`,
                ],
                [
                  'Actual',
                  `${formatDateTime(facts.actual.start)} – ${formatDateTime(facts.actual.end)}`,
                ],
                [
                  'Start delay',
                  facts.startDelayMinutes === null ? '—' : `${facts.startDelayMinutes} min`,
                ],
                ['Overrun', facts.overrunMinutes === null ? '—' : `${facts.overrunMinutes} min`],
                [
                  'Findings',
                  `${facts.findings.closed} of ${facts.findings.linked} closed (${facts.findings.closedByChange} by this change); due met ${facts.findings.dueMet}, missed ${facts.findings.dueMissed}`,
                ],
              ]}
            />
            <p>
              <Link to={`/rollouts/${facts.rolloutId}`}>The rollout</Link>
            </p>
            {facts.failures.length > 0 && (
              <ul>
                {facts.failures.map((f, i) => (
                  <li key={i}>
                    {f.assetName} ({f.wave}): {f.kind} {f.step ?? ''} — {f.detail}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Section>
      <Section title="Post-implementation review">
        {can('changes:implement') && reviewStates.includes(change.state) ? (
          <ReviewForm change={change} />
        ) : change.review === null ? (
          <EmptyState title="No review written yet">
            <p>The implementer writes it once implementation has started.</p>
          </EmptyState>
        ) : (
          <Facts
            items={[
              ['Went well', change.review.wentWell || '—'],
              ['Did not go well', change.review.didNotGoWell || '—'],
              ['Incidents', change.review.incidents.join(', ') || '—'],
              ['Lessons', change.review.lessons || '—'],
              [
                'Follow-ups',
                change.review.followUps
                  .map((f) => `${f.action} (${f.owner}, ${f.dueAt})`)
                  .join('; ') || '—',
              ],
              [
                'Written by',
                `${change.review.author.name}, ${formatDateTime(change.review.updatedAt)}`,
              ],
            ]}
          />
        )}
      </Section>
    </>
  );
}

function ReviewForm({ change }: { readonly change: ChangeDetail }) {
  const queryClient = useQueryClient();
  const facts = change.reviewFacts;
  const prefilled =
    facts === null
      ? ''
      : `Rollout ${facts.outcome}; ${facts.findings.closed} of ${facts.findings.linked} findings closed.`;
  const [wentWell, setWentWell] = useState(change.review?.wentWell ?? prefilled);
  const [didNotGoWell, setDidNotGoWell] = useState(
    change.review?.didNotGoWell ??
      (facts?.failures.map((f) => `${f.assetName}: ${f.detail}`).join('\n') || ''),
  );
  const [incidents, setIncidents] = useState(change.review?.incidents.join(', ') ?? '');
  const [lessons, setLessons] = useState(change.review?.lessons ?? '');
  const mutation = $api.useMutation('put', '/api/v1/changes/{id}/review', {
    onSuccess: () => invalidatePaths(queryClient, ['/api/v1/changes']),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({
      params: { path: { id: change.id } },
      body: {
        wentWell,
        didNotGoWell,
        lessons,
        incidents: incidents
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
        followUps: change.review?.followUps ?? [],
      },
    });
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field label="What went well">
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={wentWell}
            onChange={(e) => setWentWell(e.target.value)}
          />
        )}
      </Field>
      <Field label="What did not go well">
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={didNotGoWell}
            onChange={(e) => setDidNotGoWell(e.target.value)}
          />
        )}
      </Field>
      <Field label="Incidents (comma-separated references)">
        {(control) => (
          <input {...control} value={incidents} onChange={(e) => setIncidents(e.target.value)} />
        )}
      </Field>
      <Field label="Lessons learned">
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={lessons}
            onChange={(e) => setLessons(e.target.value)}
          />
        )}
      </Field>
      {mutation.isError && (
        <div className="form-error" role="alert">
          {errorMessage(mutation.error)}
        </div>
      )}
      {mutation.isSuccess && (
        <p className="form-success" role="status">
          Review saved.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={mutation.isPending}>
          Save the review
        </button>
      </div>
    </form>
  );
}

// --- history ---------------------------------------------------------------------------------

export function HistoryPanel({ change }: { readonly change: ChangeDetail }) {
  const { can } = useSession();
  const audit = $api.useQuery(
    'get',
    '/api/v1/audit/events',
    { params: { query: { subjectType: 'change', subjectId: change.id, limit: 200 } } },
    { enabled: can('audit:read') },
  );
  return (
    <>
      <Section title="State transitions">
        <table className="simple-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">State</th>
              <th scope="col">Who</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {[...change.history].reverse().map((h, i) => (
              <tr key={`${h.at}-${i}`}>
                <td>{formatDateTime(h.at)}</td>
                <td>{h.action}</td>
                <td>
                  {h.from === null ? '' : `${h.from.replaceAll('_', ' ')} → `}
                  {h.to.replaceAll('_', ' ')}
                </td>
                <td>
                  {h.actor.name}
                  {h.actor.type !== 'user' ? ` (${h.actor.type})` : ''}
                </td>
                <td>{h.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {can('audit:read') && (
        <Section
          title="Audit trail"
          actions={
            <Link
              className="button button-small"
              to={`/audit?subjectType=change&subjectId=${change.id}`}
            >
              In the audit log
            </Link>
          }
        >
          <QueryState
            query={audit}
            isEmpty={(d) => d.events.length === 0}
            empty={<EmptyState title="No audit event" />}
          >
            {(d) => (
              <table className="simple-table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Who</th>
                  </tr>
                </thead>
                <tbody>
                  {[...d.events].reverse().map((e) => (
                    <tr key={e.id}>
                      <td>{e.seq}</td>
                      <td>{formatDateTime(e.occurredAt)}</td>
                      <td className="mono">{e.action}</td>
                      <td>{e.actor.name}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </QueryState>
        </Section>
      )}
    </>
  );
}
