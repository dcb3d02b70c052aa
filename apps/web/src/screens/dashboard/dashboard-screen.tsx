/**
 * The dashboard: one call (`GET /api/v1/dashboard`) feeds every chart and figure, so nothing
 * waits on anything else. Every mark and figure links into the list it counts (the server names
 * the findings filter of each), and the live stream refetches it when findings, changes,
 * rollouts or agents change.
 */
import { Link } from 'react-router';
import type { operations } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { PriorityBadge, StatusBadge } from '../../ui/badges.tsx';
import {
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRelative,
} from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import type { SeriesStyle, SimpleBar, StackedRow } from './charts.tsx';
import { Bars, SlaChart, StackedBars } from './charts.tsx';
import './dashboard.css';

type Dashboard = operations['getDashboard']['responses'][200]['content']['application/json'];
type FindingsFilter = Dashboard['findings']['filter'];

/** The web UI's findings list for a server-named filter (its keys mirror GET /api/v1/findings). */
export function findingsLink(filter: FindingsFilter): string {
  const query = new URLSearchParams(filter.query).toString();
  return query === '' ? '/findings' : `/findings?${query}`;
}

const dueSeries: readonly SeriesStyle[] = [
  { key: 'overdue', label: 'overdue', color: 'var(--chart-1)' },
  { key: 'dueSoon', label: 'due within 7 days', color: 'var(--chart-2)' },
  { key: 'later', label: 'due later', color: 'var(--chart-4)' },
  { key: 'noDueDate', label: 'no due date', color: 'var(--chart-5)' },
];

const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatNumber(n)} ${n === 1 ? one : many}`;

export function DashboardScreen() {
  const { can } = useSession();
  const canRead = can('findings:read');
  const query = $api.useQuery('get', '/api/v1/dashboard', {}, { enabled: canRead });
  const header = (
    <PageHeader
      title="Dashboard"
      description="What is open and overdue, how well the SLA holds, and what is changing this week. Every bar and figure opens the list it counts."
    />
  );
  if (!canRead)
    return (
      <>
        {header}
        <EmptyState title="The dashboard needs the permission to read findings." />
      </>
    );
  if (query.isPending)
    return (
      <>
        {header}
        <Loading label="Loading the dashboard…" />
      </>
    );
  if (query.isError)
    return (
      <>
        {header}
        <ErrorState
          error={query.error}
          title="The dashboard could not be loaded"
          onRetry={() => void query.refetch()}
        />
      </>
    );
  const data = query.data;
  return (
    <>
      {header}
      {data.findings.assets === 0 ? (
        <EmptyState title="No findings yet: add an asset and upload its inventory.">
          <p>
            Patchgate matches each asset's packages against the advisories.{' '}
            <Link to="/assets">Add an asset</Link> (or enrol an agent under{' '}
            <Link to="/admin/enrolment-tokens">enrolment tokens</Link>), and check the advisory
            sources under <Link to="/admin/sources">sources</Link>.
          </p>
        </EmptyState>
      ) : (
        <DashboardBody data={data} />
      )}
      <p className="muted small dashboard-generated">
        Figures as of {formatDateTime(data.generatedAt)}; “overdue” counts from{' '}
        {formatDate(data.today)} (UTC).
      </p>
    </>
  );
}

function Figures({ data }: { readonly data: Dashboard }) {
  const f = data.findings;
  const figures: { key: string; value: number; label: string; to: string; tone?: string }[] = [
    { key: 'open', value: f.open, label: 'open findings', to: findingsLink(f.filter) },
    {
      key: 'overdue',
      value: f.overdue,
      label: 'overdue',
      to: '/findings?overdue=true',
      ...(f.overdue > 0 && { tone: 'critical' }),
    },
    {
      key: 'kev',
      value: f.kevInternet.count,
      label: 'KEV on internet-facing assets',
      to: findingsLink(f.kevInternet.filter),
      ...(f.kevInternet.count > 0 && { tone: 'critical' }),
    },
  ];
  if (data.changes !== undefined)
    figures.push({
      key: 'changes',
      value: data.changes.count,
      label: 'changes this week',
      to: `/calendar?view=week&date=${data.changes.weekStart.slice(0, 10)}`,
    });
  if (data.rollouts !== undefined)
    figures.push({
      key: 'rollouts',
      value: data.rollouts.count,
      label: 'rollouts running',
      to: '/rollouts',
    });
  if (data.agents !== undefined)
    figures.push({
      key: 'agents',
      value: data.agents.notReporting.length,
      label: 'agents not reporting',
      to: '/admin/agents',
      ...(data.agents.notReporting.length > 0 && { tone: 'warn' }),
    });
  return (
    <ul className="dashboard-figures" aria-label="Key figures">
      {figures.map((figure) => (
        <li key={figure.key}>
          <Link
            to={figure.to}
            className={`dashboard-figure${figure.tone === undefined ? '' : ` dashboard-figure-${figure.tone}`}`}
          >
            <span className="stat-value">{formatNumber(figure.value)}</span>{' '}
            <span className="stat-label">{figure.label}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function DashboardBody({ data }: { readonly data: Dashboard }) {
  const f = data.findings;
  const rows: StackedRow[] = f.byPriority.map((row) => ({
    label: row.priority,
    to: findingsLink(row.filter),
    segments: dueSeries.map((s) => {
      const cell = row[s.key as 'overdue' | 'dueSoon' | 'later' | 'noDueDate'];
      return { key: s.key, label: s.label, count: cell.count, to: findingsLink(cell.filter) };
    }),
  }));
  const teamBars: SimpleBar[] = f.overdueByTeam.map((t) => {
    const name = t.team ?? 'no owner team';
    // The team's overdue findings (the list filters by owner team); the team's assets only if
    // the server ever names no exact list.
    const toFindings = t.filter.exact || t.assetsQuery === null;
    const to = toFindings
      ? findingsLink(t.filter)
      : `/assets?${new URLSearchParams(t.assetsQuery ?? {}).toString()}`;
    return {
      key: name,
      label: name,
      count: t.count,
      to,
      ariaLabel: `${name} overdue: ${plural(t.count, 'finding')}${
        toFindings ? '' : ` on ${plural(t.assets.length, 'asset')}, show the team's assets`
      }`,
    };
  });
  const environmentBars: SimpleBar[] = f.overdueByEnvironment.map((e) => {
    const name = e.environment ?? 'unknown environment';
    return {
      key: name,
      label: name,
      count: e.count,
      to: findingsLink(e.filter),
      ariaLabel: `${name} overdue: ${plural(e.count, 'finding')}`,
    };
  });
  const latest = [...data.sla.weeks].reverse().find((w) => w.compliance !== null);
  return (
    <div className="dashboard">
      <Figures data={data} />
      <div className="dashboard-grid">
        <Section title="Open findings by priority and due status" className="dashboard-wide">
          {f.open === 0 ? (
            <EmptyState title="No open findings: everything found is fixed, accepted or triaged." />
          ) : (
            <StackedBars
              title="Open findings by priority and due status"
              rows={rows}
              series={dueSeries}
            />
          )}
        </Section>
        <Section title="SLA compliance per week" className="dashboard-wide">
          <p className="muted small">
            {latest === undefined
              ? 'No finding fell due or was fixed in the last 12 weeks.'
              : `Latest week with findings due or fixed: ${formatPercent(latest.compliance ?? 0)} fixed on time (target ${formatPercent(data.sla.target)}).`}{' '}
            <span title={data.sla.definition}>
              Share of the findings due or fixed in a week that were fixed by their due date.
            </span>
          </p>
          <SlaChart
            title="SLA compliance per week"
            target={data.sla.target}
            points={data.sla.weeks.map((w) => ({
              weekStart: w.weekStart,
              counted: w.counted,
              met: w.met,
              compliance: w.compliance,
              to: findingsLink(w.filter),
            }))}
          />
        </Section>
        <Section title="Overdue by team">
          {teamBars.length === 0 ? (
            <EmptyState title="Nothing overdue." />
          ) : (
            <Bars title="Overdue findings by owner team" bars={teamBars} color="var(--chart-1)" />
          )}
        </Section>
        <Section title="Overdue by environment">
          {environmentBars.length === 0 ? (
            <EmptyState title="Nothing overdue." />
          ) : (
            <Bars
              title="Overdue findings by environment"
              bars={environmentBars}
              color="var(--chart-2)"
            />
          )}
        </Section>
        <KevSection kev={f.kevInternet} />
        {data.changes !== undefined && <ChangesSection changes={data.changes} />}
        {data.rollouts !== undefined && <RolloutsSection rollouts={data.rollouts} />}
        {data.agents !== undefined && <AgentsSection agents={data.agents} />}
      </div>
    </div>
  );
}

function KevSection({ kev }: { readonly kev: Dashboard['findings']['kevInternet'] }) {
  return (
    <Section title="KEV on internet-facing assets">
      <Link
        to={findingsLink(kev.filter)}
        className={`dashboard-big${kev.count > 0 ? ' dashboard-big-critical' : ''}`}
      >
        <span className="stat-value">{formatNumber(kev.count)}</span>{' '}
        <span className="stat-label">known exploited, open, on internet-facing assets</span>
      </Link>
      {kev.top.length > 0 && (
        <ul className="dashboard-list">
          {kev.top.map((row) => (
            <li key={row.id}>
              <PriorityBadge priority={row.priority} />{' '}
              <Link to={`/findings/${row.id}`}>
                {row.advisoryId} · {row.packageName}
              </Link>{' '}
              <span className="muted">on {row.assetName}</span>
              {row.dueDate !== null && (
                <span className={row.overdue ? 'dashboard-overdue' : 'muted'}>
                  {' '}
                  · {row.overdue ? 'overdue since' : 'due'} {formatDate(row.dueDate)}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function ChangesSection({ changes }: { readonly changes: NonNullable<Dashboard['changes']> }) {
  return (
    <Section
      title="Changes this week"
      actions={
        <Link
          className="button button-small"
          to={`/calendar?view=week&date=${changes.weekStart.slice(0, 10)}`}
        >
          Calendar
        </Link>
      }
    >
      {changes.items.length === 0 ? (
        <EmptyState title="No change scheduled this week." />
      ) : (
        <ul className="dashboard-list">
          {changes.items.map((c) => (
            <li key={c.id}>
              <Link to={`/changes/${c.id}`}>
                {c.number} {c.title}
              </Link>{' '}
              <StatusBadge status={c.state} />
              <div className="muted small">
                {formatDateTime(c.start)} · {plural(c.assets, 'asset')}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function RolloutsSection({ rollouts }: { readonly rollouts: NonNullable<Dashboard['rollouts']> }) {
  return (
    <Section title="Rollouts running">
      {rollouts.items.length === 0 ? (
        <EmptyState title="No rollout is running." />
      ) : (
        <ul className="dashboard-list">
          {rollouts.items.map((r) => {
            const percent = Math.round(r.progress * 100);
            const label = `${r.changeNumber}: ${r.hostsDone} of ${plural(r.hostsTotal, 'host')} done`;
            return (
              <li key={r.id}>
                <Link to={`/rollouts/${r.id}`}>
                  {r.changeNumber} {r.changeTitle}
                </Link>{' '}
                <StatusBadge status={r.phase} />
                <div
                  className="dashboard-progress"
                  role="progressbar"
                  aria-label={label}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                >
                  <div className="dashboard-progress-bar" style={{ width: `${percent}%` }} />
                </div>
                <div className="muted small">
                  {r.hostsDone} of {plural(r.hostsTotal, 'host')} done ({percent} %)
                  {r.currentWave !== null && ` · wave ${r.currentWave}`}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

function AgentsSection({ agents }: { readonly agents: NonNullable<Dashboard['agents']> }) {
  return (
    <Section
      title="Agents not reporting"
      actions={
        <Link className="button button-small" to="/admin/agents">
          All agents
        </Link>
      }
    >
      {agents.notReporting.length === 0 ? (
        <EmptyState
          title={
            agents.total === 0
              ? 'No agent is enrolled.'
              : `All ${plural(agents.total, 'agent')} reported recently.`
          }
        />
      ) : (
        <ul className="dashboard-list">
          {agents.notReporting.map((a) => (
            <li key={a.agentId}>
              <Link to={`/assets/${a.assetId}`}>{a.name}</Link>{' '}
              <span className="muted">
                {a.lastSeenAt === null ? 'never seen' : `last seen ${formatRelative(a.lastSeenAt)}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
