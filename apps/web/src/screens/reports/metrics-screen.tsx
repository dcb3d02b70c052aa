/**
 * The metrics overview (/reports): the figures of `GET /api/v1/metrics` for a period and scope
 * (in the URL), each a link to the rows it counts (/reports/rows, from `GET /metrics/rows`), the
 * breakdowns as bars and tables whose every number is such a link too, and trends of the
 * headline figures from the daily snapshots (`GET /metrics/trend`).
 */
import type { FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Field } from '../../ui/forms.tsx';
import { formatDateTime, formatNumber, formatPercent } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import type { SimpleBar } from '../dashboard/charts.tsx';
import { Bars } from '../dashboard/charts.tsx';
import type { PeriodScope } from './period.ts';
import { describeScope, lastDays, rowsLink, scopeQuery, usePeriodScope } from './period.ts';
import { formatValue, TrendChart } from './trend-chart.tsx';
import type { TrendUnit } from './trend-chart.tsx';
import type { DurationStats, KeyedSla, MetricName, MetricSet } from './types.ts';
import { priorities } from './types.ts';

const days = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} days`);
const ratio = (value: number | null) => (value === null ? '—' : formatPercent(value));

interface Figure {
  readonly metric: MetricName;
  readonly key?: string;
  readonly value: string;
  readonly label: string;
  readonly tone?: 'critical' | 'warn';
}

function figuresOf(m: MetricSet): { title: string; figures: Figure[] }[] {
  const r = m.remediation;
  const c = m.changes;
  const v = m.coverage;
  const alarm = (n: number, tone: 'critical' | 'warn' = 'critical') =>
    n > 0 ? { tone } : ({} as const);
  return [
    {
      title: 'Remediation',
      figures: [
        {
          metric: 'remediation.openFindings',
          value: formatNumber(r.openFindings),
          label: 'open findings',
        },
        {
          metric: 'remediation.overdueFindings',
          value: formatNumber(r.overdueFindings),
          label: 'overdue',
          ...alarm(r.overdueFindings),
        },
        {
          metric: 'remediation.slaCompliance',
          value: ratio(r.slaCompliance.ratio),
          label: `SLA compliance (${formatNumber(r.slaCompliance.met)} of ${formatNumber(r.slaCompliance.counted)} on time)`,
        },
        {
          metric: 'remediation.kevOpen',
          value: formatNumber(r.kevOpen),
          label: 'open in CISA KEV',
        },
        {
          metric: 'remediation.kevInternetFacing',
          value: formatNumber(r.kevInternetFacing),
          label: 'KEV on internet-facing assets',
          ...alarm(r.kevInternetFacing),
        },
        {
          metric: 'remediation.timeToRemediateDays',
          key: 'all',
          value: days(r.timeToRemediateDays.all.mean),
          label: 'mean time to remediate',
        },
        {
          metric: 'remediation.patchLatencyDays',
          value: days(r.patchLatencyDays.mean),
          label: 'mean patch latency',
        },
        {
          metric: 'remediation.exceptions.active',
          value: formatNumber(r.exceptions.active),
          label: 'active exceptions',
        },
      ],
    },
    {
      title: 'Change and deployment',
      figures: [
        {
          metric: 'changes.closedChanges',
          value: formatNumber(c.closedChanges),
          label: 'changes closed',
        },
        {
          metric: 'changes.changeSuccessRate',
          value: ratio(c.changeSuccessRate),
          label: 'change success rate',
        },
        { metric: 'changes.rollbackRate', value: ratio(c.rollbackRate), label: 'rollback rate' },
        {
          metric: 'changes.emergencyShare',
          value: ratio(c.emergencyShare),
          label: 'emergency changes',
        },
        {
          metric: 'changes.windowOverruns',
          value: formatNumber(c.windowOverruns),
          label: 'window overruns',
          ...alarm(c.windowOverruns, 'warn'),
        },
        {
          metric: 'changes.leadTimeDays',
          value: days(c.leadTimeDays.mean),
          label: 'mean lead time, finding to closed change',
        },
      ],
    },
    {
      title: 'Coverage',
      figures: [
        {
          metric: 'coverage.assetsReportingRatio',
          value: ratio(v.assetsReportingRatio),
          label: `of ${formatNumber(v.assets)} assets reported within ${v.reportingWindowDays} days`,
        },
        {
          metric: 'coverage.staleAgents',
          value: formatNumber(v.staleAgents),
          label: 'stale agents',
          ...alarm(v.staleAgents, 'warn'),
        },
        {
          metric: 'coverage.assetsWithoutWindow',
          value: formatNumber(v.assetsWithoutWindow),
          label: 'assets without a maintenance window',
        },
        {
          metric: 'coverage.assetsWithoutOwner',
          value: formatNumber(v.assetsWithoutOwner),
          label: 'assets without an owner',
        },
      ],
    },
  ];
}

function PeriodForm({
  value,
  onApply,
}: {
  readonly value: PeriodScope;
  readonly onApply: (next: PeriodScope) => void;
}) {
  const [draft, setDraft] = useState(value);
  const field = (name: keyof PeriodScope) => ({
    value: draft[name] ?? '',
    onChange: (event: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [name]: event.target.value })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const quick = (n: number) => {
    const next = { ...draft, ...lastDays(n) };
    setDraft(next);
    onApply(next);
  };
  return (
    <form className="filters reports-period" onSubmit={submit} aria-label="Period and scope">
      <Field label="From">{(c) => <input {...c} type="date" required {...field('from')} />}</Field>
      <Field label="To">{(c) => <input {...c} type="date" required {...field('to')} />}</Field>
      <Field label="Team">
        {(c) => <input {...c} placeholder="every team" {...field('team')} />}
      </Field>
      <Field label="Environment">
        {(c) => <input {...c} placeholder="every environment" {...field('environment')} />}
      </Field>
      <Field label="Asset group">
        {(c) => <input {...c} placeholder="every group" {...field('assetGroup')} />}
      </Field>
      <div className="row reports-period-actions">
        <button type="submit" className="button button-primary">
          Show
        </button>
        <button type="button" className="button" onClick={() => quick(30)}>
          Last 30 days
        </button>
        <button type="button" className="button" onClick={() => quick(90)}>
          Last 90 days
        </button>
      </div>
    </form>
  );
}

export function MetricsScreen() {
  const period = usePeriodScope();
  const scope = period.value;
  const query = $api.useQuery('get', '/api/v1/metrics', {
    params: { query: scopeQuery(scope) },
  });
  return (
    <>
      <PageHeader
        title="Metrics"
        description="How the patch programme does over a period: remediation, changes and coverage. Every figure opens the rows it counts."
        actions={
          <Link className="button button-primary" to="/reports/runs?generate=1">
            Generate a report
          </Link>
        }
      />
      <PeriodForm
        key={JSON.stringify(scope)}
        value={scope}
        onApply={(next) =>
          period.set({
            from: next.from,
            to: next.to,
            team: next.team?.trim(),
            environment: next.environment?.trim(),
            assetGroup: next.assetGroup?.trim(),
          })
        }
      />
      <QueryState query={query} loadingLabel="Computing the metrics…">
        {(metrics) => <MetricsBody metrics={metrics} scope={scope} />}
      </QueryState>
    </>
  );
}

function MetricsBody({
  metrics,
  scope,
}: {
  readonly metrics: MetricSet;
  readonly scope: PeriodScope;
}) {
  const r = metrics.remediation;
  const c = metrics.changes;
  const link = (metric: string, key?: string) => rowsLink(scope, metric, key);
  const priorityBars = (
    metric: string,
    counts: Readonly<Record<string, number>>,
    what: string,
  ): SimpleBar[] =>
    priorities.map((p) => ({
      key: p,
      label: p,
      count: counts[p] ?? 0,
      to: link(metric, p),
      ariaLabel: `${p} ${what}: ${formatNumber(counts[p] ?? 0)}`,
    }));
  const ageLabels: Record<string, string> = {
    d0_7: '0–7 days',
    d8_30: '8–30 days',
    d31_90: '31–90 days',
    d91_180: '91–180 days',
    d181plus: 'over 180 days',
  };
  const recordBars = (
    metric: string,
    record: Readonly<Record<string, number>>,
    labels: Readonly<Record<string, string>>,
    what: string,
  ): SimpleBar[] =>
    Object.entries(record).map(([key, count]) => ({
      key,
      label: labels[key] ?? key.replaceAll('_', ' '),
      count,
      to: link(metric, key),
      ariaLabel: `${labels[key] ?? key.replaceAll('_', ' ')} ${what}: ${formatNumber(count)}`,
    }));
  return (
    <div className="reports-body">
      <p className="muted small">
        {formatDateTime(metrics.asOf)} figures for {metrics.period.from} to {metrics.period.to},{' '}
        {describeScope(scope)}.
      </p>
      {figuresOf(metrics).map((group) => (
        <section key={group.title} className="reports-figure-group">
          <h2>{group.title}</h2>
          <ul className="reports-figures" aria-label={`${group.title} figures`}>
            {group.figures.map((f) => (
              <li key={`${f.metric}:${f.key ?? ''}`}>
                <Link
                  to={link(f.metric, f.key)}
                  className={`reports-figure${f.tone === undefined ? '' : ` reports-figure-${f.tone}`}`}
                >
                  <span className="stat-value">{f.value}</span>{' '}
                  <span className="stat-label">{f.label}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <Trends scope={scope} />
      <div className="reports-grid">
        <Section title="Open findings by priority">
          <Bars
            title="Open findings by priority"
            bars={priorityBars('remediation.openByPriority', r.openByPriority, 'open')}
            color="var(--chart-4)"
            labelWidth={60}
          />
        </Section>
        <Section title="Overdue findings by priority">
          <Bars
            title="Overdue findings by priority"
            bars={priorityBars('remediation.overdueByPriority', r.overdueByPriority, 'overdue')}
            color="var(--chart-1)"
            labelWidth={60}
          />
        </Section>
        <Section title="Open findings by age">
          <Bars
            title="Open findings by age"
            bars={recordBars('remediation.openByAge', r.openByAge, ageLabels, 'open')}
            color="var(--chart-2)"
          />
        </Section>
        <Section title="Changes by outcome">
          {c.closedChanges === 0 ? (
            <EmptyState title="No change ended in this period." />
          ) : (
            <Bars
              title="Changes by outcome"
              bars={recordBars('changes.byOutcome', c.byOutcome, {}, 'changes')}
              color="var(--chart-4)"
            />
          )}
        </Section>
        <Section title="Changes by type">
          {c.closedChanges === 0 ? (
            <EmptyState title="No change ended in this period." />
          ) : (
            <Bars
              title="Changes by type"
              bars={recordBars('changes.byType', c.byType, {}, 'changes')}
              color="var(--chart-5)"
            />
          )}
        </Section>
        <Section title="Failures per wave">
          {c.failuresPerWave.length === 0 ? (
            <EmptyState title="No rollout ended in this period." />
          ) : (
            <table className="simple-table" aria-label="Failures per wave">
              <thead>
                <tr>
                  <th scope="col">Wave</th>
                  <th scope="col">Hosts</th>
                  <th scope="col">Failed</th>
                </tr>
              </thead>
              <tbody>
                {c.failuresPerWave.map((w) => (
                  <tr key={w.wave}>
                    <th scope="row">{w.wave}</th>
                    <td>{formatNumber(w.hosts)}</td>
                    <td>
                      <Link
                        to={link('changes.failuresPerWave', w.wave)}
                        aria-label={`${w.wave}: ${formatNumber(w.failures)} of ${formatNumber(w.hosts)} hosts failed`}
                      >
                        {formatNumber(w.failures)}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      </div>
      <Section title="SLA compliance">
        <SlaTable metrics={metrics} link={link} />
      </Section>
      <Section title="Time to triage and to remediate">
        <DurationTable metrics={metrics} link={link} />
      </Section>
    </div>
  );
}

function SlaTable({
  metrics,
  link,
}: {
  readonly metrics: MetricSet;
  readonly link: (metric: string, key?: string) => string;
}) {
  const r = metrics.remediation;
  const groups: { title: string; metric: string; rows: readonly KeyedSla[] }[] = [
    {
      title: 'Priority',
      metric: 'remediation.slaComplianceByPriority',
      rows: priorities.map((p): KeyedSla => ({
        key: p,
        ...r.slaComplianceByPriority[p],
      })),
    },
    { title: 'Policy', metric: 'remediation.slaComplianceByPolicy', rows: r.slaComplianceByPolicy },
    { title: 'Team', metric: 'remediation.slaComplianceByTeam', rows: r.slaComplianceByTeam },
    {
      title: 'Environment',
      metric: 'remediation.slaComplianceByEnvironment',
      rows: r.slaComplianceByEnvironment,
    },
    {
      title: 'Asset group',
      metric: 'remediation.slaComplianceByAssetGroup',
      rows: r.slaComplianceByAssetGroup,
    },
  ];
  return (
    <table
      className="simple-table reports-sla"
      aria-label="SLA compliance by priority, policy, team, environment and asset group"
    >
      <thead>
        <tr>
          <th scope="col">By</th>
          <th scope="col">Which</th>
          <th scope="col">On time</th>
          <th scope="col">Late</th>
          <th scope="col">Counted</th>
          <th scope="col">Compliance</th>
        </tr>
      </thead>
      <tbody>
        {groups.flatMap((group) =>
          group.rows
            .filter((row) => row.counted > 0 || group.title === 'Priority')
            .map((row) => (
              <tr key={`${group.title}:${row.key}`}>
                <td>{group.title}</td>
                <th scope="row">{row.key}</th>
                <td>{formatNumber(row.met)}</td>
                <td>{formatNumber(row.missed)}</td>
                <td>{formatNumber(row.counted)}</td>
                <td>
                  <Link
                    to={link(group.metric, row.key)}
                    aria-label={`SLA for ${group.title.toLowerCase()} ${row.key}: ${ratio(row.ratio)} (${formatNumber(row.met)} of ${formatNumber(row.counted)})`}
                  >
                    {ratio(row.ratio)}
                  </Link>
                </td>
              </tr>
            )),
        )}
      </tbody>
    </table>
  );
}

function DurationTable({
  metrics,
  link,
}: {
  readonly metrics: MetricSet;
  readonly link: (metric: string, key?: string) => string;
}) {
  const r = metrics.remediation;
  const keys = ['all', ...priorities] as const;
  const cells = (metric: string, stats: DurationStats, key: string, what: string) => (
    <>
      <td>{days(stats.mean)}</td>
      <td>{days(stats.p90)}</td>
      <td>
        <Link
          to={link(metric, key)}
          aria-label={`${what} ${key === 'all' ? 'all priorities' : key}: ${formatNumber(stats.count)} findings`}
        >
          {formatNumber(stats.count)}
        </Link>
      </td>
    </>
  );
  return (
    <table className="simple-table" aria-label="Time to triage and to remediate, in days">
      <thead>
        <tr>
          <th scope="col">Priority</th>
          <th scope="col">Triage mean</th>
          <th scope="col">Triage p90</th>
          <th scope="col">Triaged</th>
          <th scope="col">Remediate mean</th>
          <th scope="col">Remediate p90</th>
          <th scope="col">Fixed</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key}>
            <th scope="row">{key === 'all' ? 'All' : key}</th>
            {cells('remediation.timeToTriageDays', r.timeToTriageDays[key], key, 'Triaged')}
            {cells('remediation.timeToRemediateDays', r.timeToRemediateDays[key], key, 'Fixed')}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const trends: readonly { metric: MetricName; title: string; unit: TrendUnit; target?: number }[] = [
  { metric: 'remediation.slaCompliance', title: 'SLA compliance', unit: 'ratio', target: 0.9 },
  { metric: 'remediation.openFindings', title: 'Open findings', unit: 'count' },
  { metric: 'remediation.overdueFindings', title: 'Overdue findings', unit: 'count' },
  { metric: 'changes.changeSuccessRate', title: 'Change success rate', unit: 'ratio' },
];

/** yesterday (UTC): the last day that has ended, so the last a snapshot can be made of. */
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/**
 * `reports:manage`: fill the period's missing snapshots (POST /metrics/snapshots/backfill, a
 * job), followed until it ends; then the trends are asked again.
 */
function Backfill({ scope }: { readonly scope: PeriodScope }) {
  const queryClient = useQueryClient();
  const to = scope.to < yesterday() ? scope.to : yesterday();
  const start = $api.useMutation('post', '/api/v1/metrics/snapshots/backfill');
  const jobId = start.data?.jobId;
  const job = $api.useQuery(
    'get',
    '/api/v1/jobs/{id}',
    { params: { path: { id: jobId ?? '' } } },
    {
      enabled: jobId !== undefined,
      refetchInterval: (q) =>
        q.state.data?.state === 'queued' || q.state.data?.state === 'running' ? 1000 : false,
    },
  );
  const state = job.data?.state;
  useEffect(() => {
    if (state === 'succeeded') void invalidatePaths(queryClient, ['/api/v1/metrics/trend']);
  }, [state, queryClient]);
  if (scope.from > to) return null;
  return (
    <div className="row reports-backfill">
      <button
        type="button"
        className="button button-small"
        disabled={start.isPending || state === 'queued' || state === 'running'}
        onClick={() => start.mutate({ body: { from: scope.from, to } })}
      >
        Fill missing snapshots ({scope.from} to {to})
      </button>
      <span className="small" role="status">
        {start.isError
          ? errorMessage(start.error)
          : state === undefined
            ? jobId === undefined
              ? ''
              : 'Queued…'
            : state === 'succeeded'
              ? 'Snapshots filled: the trends are up to date.'
              : state === 'failed' || state === 'cancelled'
                ? `The backfill ${state}: ${job.data?.error ?? 'no reason recorded'}`
                : `Filling snapshots${job.data?.progress ? ` (${job.data.progress.done} of ${job.data.progress.total} days)` : '…'}`}
      </span>
    </div>
  );
}

function Trends({ scope }: { readonly scope: PeriodScope }) {
  const { can } = useSession();
  return (
    <Section
      title="Trends from the daily snapshots"
      {...(can('reports:manage') && { actions: <Backfill scope={scope} /> })}
    >
      <div className="reports-trends">
        {trends.map((trend) => (
          <Trend key={trend.metric} scope={scope} {...trend} />
        ))}
      </div>
    </Section>
  );
}

function Trend({
  scope,
  metric,
  title,
  unit,
  target,
}: {
  readonly scope: PeriodScope;
  readonly metric: MetricName;
  readonly title: string;
  readonly unit: TrendUnit;
  readonly target?: number;
}) {
  const query = $api.useQuery('get', '/api/v1/metrics/trend', {
    params: { query: { metric, ...scopeQuery(scope) } },
  });
  return (
    <div className="reports-trend">
      <h3>{title}</h3>
      <QueryState
        query={query}
        loadingLabel={`Loading the ${title.toLowerCase()} trend…`}
        isEmpty={(data) => data.points.every((p) => p.value === null)}
        empty={<EmptyState title="No snapshot covers this period yet." />}
      >
        {(data) => {
          const last = [...data.points].reverse().find((p) => p.value !== null);
          return (
            <>
              <p className="muted small">
                Latest {formatValue(last?.value, unit)}
                {data.missingDays > 0 &&
                  ` · ${formatNumber(data.missingDays)} days without a snapshot`}
                {data.note !== null &&
                  data.note !== undefined &&
                  data.note !== '' &&
                  ` · ${data.note}`}
              </p>
              <TrendChart
                title={`${title} per day`}
                points={data.points}
                unit={unit}
                {...(target !== undefined && { target })}
              />
            </>
          );
        }}
      </QueryState>
    </div>
  );
}
