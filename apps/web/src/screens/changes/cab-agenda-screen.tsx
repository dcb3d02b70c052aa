/**
 * `/cab`: the CAB agenda (`GET /api/v1/changes/agenda`): the changes awaiting a decision, the
 * earliest window first, then the highest risk — each with its risk and why, its window, its
 * conflicts and the pre-flight's warnings, and approve/reject with a comment right there.
 * "Mine" keeps the changes whose open stage this user may decide; the others say why not
 * (separation of duties, another group's stage, already decided).
 */
import { Link } from 'react-router';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { ConflictList } from './change-detail-panels.tsx';
import { DecisionButtons } from './change-decision.tsx';
import type { ChangeDetail } from './change-model.ts';
import { decisionStanding, peopleByIdFrom, riskTone, scopeText } from './change-model.ts';
import './changes.css';

export function CabAgendaScreen() {
  const { user } = useSession();
  const url = useUrlState(['show'] as const);
  const { values } = url;
  const show = values.show === 'all' ? 'all' : 'mine';
  // Fired together.
  const agenda = $api.useQuery('get', '/api/v1/changes/agenda');
  const groups = $api.useQuery('get', '/api/v1/approver-groups');
  const policy = $api.useQuery('get', '/api/v1/approval-policy');
  const people = peopleByIdFrom(groups.data);
  const myGroups = (groups.data?.groups ?? [])
    .filter((g) => g.members.some((m) => m.id === user?.id))
    .map((g) => g.name);

  const all = agenda.data?.changes ?? [];
  const mine =
    user === null || user === undefined
      ? []
      : all.filter((c) => decisionStanding(c, user).kind === 'eligible');
  const shown = show === 'mine' ? mine : all;

  return (
    <>
      <PageHeader
        title="CAB agenda"
        description={
          <>
            Changes awaiting a decision, the earliest window first, then the highest risk.
            {myGroups.length > 0
              ? ` You decide for ${myGroups.join(', ')}.`
              : ' You are in no approver group.'}
          </>
        }
        actions={
          <Link className="button" to="/changes?state=authorise">
            As a list
          </Link>
        }
      />
      <div className="tabs" role="tablist" aria-label="Which changes">
        {(
          [
            ['mine', `Awaiting my decision (${mine.length})`],
            ['all', `All awaiting the board (${all.length})`],
          ] as const
        ).map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={show === id}
            aria-controls="cab-agenda-list"
            onClick={() => url.set({ show: id === 'mine' ? undefined : id })}
          >
            {agenda.isPending ? label.replace(/ \(\d+\)$/, '') : label}
          </button>
        ))}
      </div>
      <div id="cab-agenda-list" role="tabpanel" className="stack">
        {agenda.isPending || user === undefined ? (
          <Loading label="Loading the agenda…" />
        ) : agenda.isError ? (
          <ErrorState error={agenda.error} onRetry={() => void agenda.refetch()} />
        ) : shown.length === 0 ? (
          <EmptyState
            title={
              show === 'mine'
                ? 'Nothing awaits your decision'
                : 'No change awaits the board’s decision'
            }
          >
            {show === 'mine' && all.length > 0 && (
              <button type="button" className="button" onClick={() => url.set({ show: 'all' })}>
                See all {all.length} awaiting the board
              </button>
            )}
          </EmptyState>
        ) : (
          shown.map((change) => <AgendaItem key={change.id} change={change} people={people} />)
        )}
      </div>
      {policy.data !== undefined && (
        <Section title={`Approval policy (version ${policy.data.version})`}>
          <details>
            <summary>Which rule decides which approvals a change needs</summary>
            <ol>
              {policy.data.rules.map((rule) => (
                <li key={rule.id}>
                  <strong className="mono">{rule.id}</strong>
                  {rule.description ? `: ${rule.description}` : ''}{' '}
                  {rule.stages
                    .map(
                      (s, i) =>
                        `stage ${i + 1} ${s.name} (${
                          s.quorum.kind === 'any'
                            ? 'any one'
                            : s.quorum.kind === 'count'
                              ? `${s.quorum.count}`
                              : 'all'
                        } of ${s.groups.join(', ')})`,
                    )
                    .join(', then ')}
                </li>
              ))}
            </ol>
          </details>
        </Section>
      )}
    </>
  );
}

function AgendaItem({
  change,
  people,
}: {
  readonly change: ChangeDetail;
  readonly people: ReadonlyMap<string, string>;
}) {
  const stage = change.approvals.stages.find((s) => s.stage === change.approvals.currentStage);
  const preflight = change.preflight;
  return (
    <section className="card cab-item" aria-labelledby={`cab-${change.id}`}>
      <div className="card-header">
        <h2 id={`cab-${change.id}`}>
          <Link to={`/changes/${change.number}`}>
            {change.number} · {change.title}
          </Link>
        </h2>
        <div className="row">
          <Badge tone={riskTone[change.risk.level]}>risk {change.risk.level}</Badge>
          <Badge>{change.type}</Badge>
        </div>
      </div>
      <div className="cab-body">
        <div>
          <Facts
            items={[
              [
                'Window',
                change.schedule === null
                  ? 'not scheduled'
                  : `${formatDateTime(change.schedule.start)} – ${formatDateTime(change.schedule.end)}`,
              ],
              ['Requester', change.requester.name],
              ['Implementer', change.implementer?.name ?? '—'],
              [
                'Scope',
                `${scopeText(change.counts)} (${change.findings.filter((f) => f.kev).length} KEV)`,
              ],
              [
                'Plan version',
                `v${change.planVersion}${change.planCheck.ok ? '' : ' (not valid)'}`,
              ],
            ]}
          />
          <details className="cab-risk">
            <summary>
              Why risk {change.risk.level} (score {change.risk.score})
            </summary>
            <p>{change.risk.explanation}</p>
            <ul>
              {change.risk.factors.map((f) => (
                <li key={f.id}>
                  {f.label}: +{f.points} — {f.detail}
                </li>
              ))}
            </ul>
          </details>
        </div>
        <div className="stack">
          {stage !== undefined && (
            <p>
              Stage {stage.stage} of {change.approvals.stages.length}: <strong>{stage.name}</strong>{' '}
              — {stage.approvals.length} of {stage.required} from{' '}
              {stage.groups.map((g) => g.name).join(', ')}
              {stage.approvals.length > 0 &&
                ` (approved by ${stage.approvals.map((a) => people.get(a.approverId) ?? a.approverId).join(', ')})`}
            </p>
          )}
          <div>
            <h3 className="cab-subtitle">Conflicts</h3>
            {change.conflicts.length === 0 ? (
              <p className="muted">
                {change.schedule === null ? 'Not scheduled: none checked yet.' : 'None.'}
              </p>
            ) : (
              <ConflictList conflicts={change.conflicts} />
            )}
          </div>
          <div>
            <h3 className="cab-subtitle">Pre-flight</h3>
            {preflight === null ? (
              <p className="muted">No pre-flight yet.</p>
            ) : (
              <>
                <p>
                  <StatusBadge status={preflight.state} /> {preflight.hosts.passed} of{' '}
                  {preflight.hosts.total} hosts passed
                  {preflight.hosts.noAgent > 0
                    ? `, ${preflight.hosts.noAgent} without an agent`
                    : ''}{' '}
                  ({formatDateTime(preflight.checkedAt)})
                </p>
                {preflight.warnings.length > 0 && (
                  <ul className="change-warnings">
                    {preflight.warnings.map((w) => (
                      <li key={w}>{w}</li>
                    ))}
                  </ul>
                )}
              </>
            )}
          </div>
          <DecisionButtons change={change} compact />
        </div>
      </div>
    </section>
  );
}
