/**
 * The asset's other tabs: available updates (GET …/available-updates), findings (the summary and
 * the most urgent few, then the findings screen), the maintenance windows whose selector picks
 * it (GET /calendar/windows: each window lists the assets it applies to today) with their next
 * occurrences, every change whose scope holds it (GET /changes?assetId=), and its agent (GET
 * /agents, matched by asset id).
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { riskTone } from '../changes/change-model.ts';
import { Badge, PriorityBadge, StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDate, formatDateTime, formatNumber, formatRelative } from '../../ui/format.ts';
import { Facts, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { AgentCell } from './agent-cell.tsx';
import type {
  Agent,
  AgentList,
  Asset,
  AvailableUpdate,
  CalendarRange,
  FindingSummary,
  MaintenanceWindow,
} from './asset-types.ts';

/** The calendar from 30 days ago to 60 days ahead (fixed per visit, so the query key is stable). */
export function useCalendarAround(enabled: boolean) {
  const [range] = useState(() => {
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    return {
      from: new Date(hour - 30 * 86_400_000).toISOString(),
      to: new Date(hour + 60 * 86_400_000).toISOString(),
    };
  });
  return $api.useQuery('get', '/api/v1/calendar', { params: { query: range } }, { enabled });
}

type Query<T> = Pick<
  UseQueryResult<T, unknown>,
  'data' | 'error' | 'isPending' | 'isError' | 'refetch'
>;

// --- available updates ------------------------------------------------------------------------

const updateColumns: ColumnDef<AvailableUpdate, unknown>[] = [
  {
    id: 'name',
    accessorKey: 'name',
    header: 'Package',
    cell: ({ row }) => (
      <>
        <strong>{row.original.name}</strong>
        {row.original.arch !== null && <span className="muted small"> {row.original.arch}</span>}
      </>
    ),
  },
  {
    id: 'installed',
    accessorKey: 'installedVersion',
    header: 'Installed',
    cell: ({ row }) => <code>{row.original.installedVersion}</code>,
  },
  {
    id: 'candidate',
    accessorKey: 'candidateVersion',
    header: 'Available',
    cell: ({ row }) => <code>{row.original.candidateVersion}</code>,
  },
  {
    id: 'security',
    accessorFn: (update) => (update.security ? 0 : 1),
    header: 'Kind',
    cell: ({ row }) =>
      row.original.security ? <Badge tone="high">security</Badge> : <Badge>regular</Badge>,
  },
  {
    id: 'origins',
    header: 'From',
    enableSorting: false,
    cell: ({ row }) => row.original.origins.map((origin) => origin.archive).join(', '),
  },
];

export function UpdatesTab({
  asset,
  securityOnly,
  onSecurityOnly,
}: {
  readonly asset: Asset;
  readonly securityOnly: boolean;
  readonly onSecurityOnly: (only: boolean) => void;
}) {
  const updates = $api.useQuery('get', '/api/v1/assets/{id}/available-updates', {
    params: { path: { id: asset.id }, query: securityOnly ? { security: 'true' } : {} },
  });
  const [sorting, setSorting] = useState([{ id: 'security', desc: false }]);
  return (
    <Section
      title="Available updates"
      actions={
        <label className="row-inline">
          <input
            type="checkbox"
            checked={securityOnly}
            onChange={(event) => onSecurityOnly(event.target.checked)}
          />
          Security updates only
        </label>
      }
    >
      <QueryState
        query={updates}
        isEmpty={(data) => data.report === null}
        empty={
          <EmptyState title="No report of available updates yet">
            <p>
              An agent sends one after each inventory; or upload the output of{' '}
              <code>apt list --upgradable</code>.
            </p>
          </EmptyState>
        }
      >
        {(data) => (
          <>
            {data.report !== null && (
              <Facts
                items={[
                  ['Reported', formatDateTime(data.report.takenAt)],
                  ['Updates', formatNumber(data.report.updates)],
                  ['Security updates', formatNumber(data.report.securityUpdates)],
                  [
                    'Kept back',
                    data.report.keptBack.length === 0 ? 'none' : data.report.keptBack.join(', '),
                  ],
                  ['Format', data.report.format],
                ]}
              />
            )}
            {data.updates.length === 0 ? (
              <EmptyState
                title={securityOnly ? 'No security update is pending' : 'Everything is up to date'}
              />
            ) : (
              <div className="tab-table">
                <DataTable<AvailableUpdate>
                  label="Available updates"
                  rows={data.updates}
                  columns={updateColumns}
                  rowId={(update) => `${update.name}|${update.arch ?? ''}`}
                  sorting={sorting}
                  onSortingChange={(updater) =>
                    setSorting((previous) =>
                      (typeof updater === 'function' ? updater(previous) : updater).map((sort) => ({
                        id: sort.id,
                        desc: sort.desc,
                      })),
                    )
                  }
                  height="55vh"
                />
              </div>
            )}
          </>
        )}
      </QueryState>
    </Section>
  );
}

// --- findings -------------------------------------------------------------------------------

export function FindingsTab({
  asset,
  summary,
}: {
  readonly asset: Asset;
  readonly summary: Query<FindingSummary>;
}) {
  const urgent = $api.useQuery('get', '/api/v1/findings', {
    params: { query: { assetId: asset.id, actionable: 'true', sort: 'priority', limit: 10 } },
  });
  const all = `/findings?asset=${encodeURIComponent(asset.name)}`;
  return (
    <>
      <Section title="Findings on this asset" actions={<Link to={all}>Open in findings</Link>}>
        <QueryState query={summary}>
          {(data) => (
            <Facts
              items={[
                [
                  'P1',
                  <FindingCount
                    key="P1"
                    asset={asset.name}
                    priority="P1"
                    count={data.byPriority.P1}
                  />,
                ],
                [
                  'P2',
                  <FindingCount
                    key="P2"
                    asset={asset.name}
                    priority="P2"
                    count={data.byPriority.P2}
                  />,
                ],
                [
                  'P3',
                  <FindingCount
                    key="P3"
                    asset={asset.name}
                    priority="P3"
                    count={data.byPriority.P3}
                  />,
                ],
                [
                  'P4',
                  <FindingCount
                    key="P4"
                    asset={asset.name}
                    priority="P4"
                    count={data.byPriority.P4}
                  />,
                ],
                [
                  'P5',
                  <FindingCount
                    key="P5"
                    asset={asset.name}
                    priority="P5"
                    count={data.byPriority.P5}
                  />,
                ],
                [
                  'Overdue',
                  <Link key="overdue" to={`${all}&overdue=true`}>
                    {formatNumber(data.overdue)}
                  </Link>,
                ],
                ['Accepted (exceptions)', formatNumber(data.accepted)],
                ['Fixed', formatNumber(data.byState.fixed)],
              ]}
            />
          )}
        </QueryState>
      </Section>
      <Section title="Most urgent">
        <QueryState
          query={urgent}
          isEmpty={(data) => data.findings.length === 0}
          empty={<EmptyState title="Nothing to fix on this asset" />}
        >
          {(data) => (
            <table className="simple-table">
              <caption className="visually-hidden">The ten most urgent findings</caption>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Advisory</th>
                  <th scope="col">Package</th>
                  <th scope="col">Fixed in</th>
                  <th scope="col">Due</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.findings.map((finding) => (
                  <tr key={finding.id}>
                    <td>
                      <PriorityBadge priority={finding.priority} />
                      {finding.kev && (
                        <>
                          {' '}
                          <Badge tone="critical">KEV</Badge>
                        </>
                      )}
                    </td>
                    <td>
                      <Link to={`/findings/${encodeURIComponent(finding.id)}`}>
                        {finding.advisory.cves[0] ?? finding.advisory.id}
                      </Link>
                    </td>
                    <td>
                      {finding.package.name} <code>{finding.package.version}</code>
                    </td>
                    <td>{finding.fixedVersions.join(', ') || '—'}</td>
                    <td>
                      {formatDate(finding.dueDate)}
                      {finding.overdue && (
                        <>
                          {' '}
                          <Badge tone="critical">overdue</Badge>
                        </>
                      )}
                    </td>
                    <td>
                      <StatusBadge status={finding.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </QueryState>
      </Section>
    </>
  );
}

function FindingCount({
  asset,
  priority,
  count,
}: {
  readonly asset: string;
  readonly priority: string;
  readonly count: number;
}) {
  return (
    <Link
      to={`/findings?asset=${encodeURIComponent(asset)}&priority=${priority}`}
      aria-label={`${count} ${priority} findings`}
    >
      {formatNumber(count)}
    </Link>
  );
}

// --- maintenance windows --------------------------------------------------------------------

export function WindowsTab({
  asset,
  windows,
  calendar,
  mine,
}: {
  readonly asset: Asset;
  readonly windows: Query<{ windows: MaintenanceWindow[] }>;
  readonly calendar: Query<CalendarRange>;
  readonly mine: readonly MaintenanceWindow[] | undefined;
}) {
  const [now] = useState(() => Date.now());
  return (
    <Section title="Maintenance windows that apply">
      {asset.maintenanceWindow !== null && (
        <p className="muted">Declared on the asset: {asset.maintenanceWindow}</p>
      )}
      <QueryState
        query={windows}
        isEmpty={() => (mine ?? []).length === 0}
        empty={
          <EmptyState title="No maintenance window selects this asset">
            <p>
              Windows pick assets by name, environment, criticality, exposure, team, tag or group (
              <Link to="/calendar">calendar</Link>).
            </p>
          </EmptyState>
        }
      >
        {() => (
          <table className="simple-table">
            <caption className="visually-hidden">Windows whose selector picks {asset.name}</caption>
            <thead>
              <tr>
                <th scope="col">Window</th>
                <th scope="col">Selects</th>
                <th scope="col">Recurrence</th>
                <th scope="col">Length</th>
                <th scope="col">Next occurrences</th>
              </tr>
            </thead>
            <tbody>
              {(mine ?? []).map((window) => {
                const next = (calendar.data?.windows ?? [])
                  .filter((o) => o.windowId === window.id && new Date(o.end).getTime() > now)
                  .slice(0, 3);
                return (
                  <tr key={window.id}>
                    <td>{window.name}</td>
                    <td>
                      <code>{window.selectorText || 'every asset'}</code>
                    </td>
                    <td>
                      <code>{window.rrule}</code>{' '}
                      <span className="muted small">({window.timeZone})</span>
                    </td>
                    <td>{window.durationMinutes} min</td>
                    <td>
                      {calendar.isError ? (
                        <span className="muted">unavailable</span>
                      ) : next.length === 0 ? (
                        <span className="muted">none in the next 60 days</span>
                      ) : (
                        <ul className="plain-list">
                          {next.map((occurrence) => (
                            <li key={occurrence.start}>
                              <Link
                                to={`/calendar?view=week&date=${occurrence.start.slice(0, 10)}`}
                              >
                                {formatDateTime(occurrence.start)}
                              </Link>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
    </Section>
  );
}

// --- changes --------------------------------------------------------------------------------

/**
 * Every change whose scope includes the asset, in any state, newest first (`GET /api/v1/changes
 * ?assetId=`), a page at a time. `calendar` and `mine` are no longer read (the list filters by
 * asset now); the asset screen may stop passing them.
 */
export function ChangesTab({ asset }: { readonly asset: Asset }) {
  const { can } = useSession();
  const allowed = can('changes:read');
  const changes = $api.useInfiniteQuery(
    'get',
    '/api/v1/changes',
    { params: { query: { assetId: asset.id, limit: 50 } } },
    {
      enabled: allowed,
      initialPageParam: null,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    },
  );
  const rows = changes.data?.pages.flatMap((page) => page.changes) ?? [];
  return (
    <Section title="Changes touching this asset" actions={<Link to="/changes">All changes</Link>}>
      {!allowed ? (
        <EmptyState title="Reading changes needs the permission to read changes (changes:read)." />
      ) : (
        <QueryState
          query={changes}
          loadingLabel="Loading the changes…"
          isEmpty={() => rows.length === 0}
          empty={<EmptyState title="No change has this asset in its scope" />}
        >
          {() => (
            <>
              <p className="muted small">
                Every change request whose scope includes {asset.name}, in any state, newest first.
              </p>
              <table className="simple-table">
                <caption className="visually-hidden">Changes touching {asset.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Change</th>
                    <th scope="col">State</th>
                    <th scope="col">Type</th>
                    <th scope="col">Risk</th>
                    <th scope="col">Window</th>
                    <th scope="col">Assets</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((change) => (
                    <tr key={change.id}>
                      <td>
                        <Link to={`/changes/${encodeURIComponent(change.number)}`}>
                          {change.number} {change.title}
                        </Link>
                      </td>
                      <td>
                        <StatusBadge status={change.state} />
                      </td>
                      <td>{change.type}</td>
                      <td>
                        <Badge tone={riskTone[change.risk.level]}>{change.risk.level}</Badge>
                      </td>
                      <td>
                        {change.schedule === null
                          ? 'not scheduled'
                          : `${formatDateTime(change.schedule.start)} – ${formatDateTime(change.schedule.end)}`}
                      </td>
                      <td>{formatNumber(change.counts.assets)}</td>
                      <td>{formatDateTime(change.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {changes.hasNextPage && (
                <button
                  type="button"
                  className="button"
                  disabled={changes.isFetchingNextPage}
                  onClick={() => void changes.fetchNextPage()}
                >
                  {changes.isFetchingNextPage ? 'Loading more…' : 'Load more changes'}
                </button>
              )}
            </>
          )}
        </QueryState>
      )}
    </Section>
  );
}

// --- agent ----------------------------------------------------------------------------------

export function AgentTab({
  agents,
  agent,
}: {
  readonly agents: Query<AgentList>;
  readonly agent: Agent | undefined;
}) {
  if (agents.isPending) return <Loading label="Loading the agent…" />;
  if (agents.isError)
    return <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />;
  if (agent === undefined)
    return (
      <EmptyState title="No agent reports for this asset">
        <p>
          Enrol one with an <Link to="/admin/enrolment-tokens">enrolment token</Link>; until then,
          inventories are uploaded by hand or by CI.
        </p>
      </EmptyState>
    );
  return (
    <Section title="Agent" actions={<Link to="/admin/agents">All agents</Link>}>
      <p>
        <AgentCell agent={agent} />
      </p>
      <Facts
        items={[
          ['Status', agent.online ? 'online' : 'offline'],
          [
            'Last seen',
            `${formatDateTime(agent.lastSeenAt)} (${formatRelative(agent.lastSeenAt)})`,
          ],
          ['Last heartbeat', formatDateTime(agent.lastHeartbeatAt)],
          ['Version', agent.version],
          ['Host name', agent.hostname],
          ['Operating system', agent.os?.prettyName ?? agent.os?.id],
          ['Architecture', agent.architecture],
          ['Package managers', agent.packageManagers.join(', ') || null],
          [
            'Reboot',
            agent.rebootRequired
              ? `pending${agent.rebootPackages.length > 0 ? ` (${agent.rebootPackages.join(', ')})` : ''}`
              : 'not needed',
          ],
          ['Services to restart', agent.servicesNeedingRestart.join(', ') || 'none'],
          ['Last inventory', formatDateTime(agent.lastInventoryAt)],
          ['Last updates report', formatDateTime(agent.lastUpdatesAt)],
          [
            'Clock skew',
            agent.clockSkewMs === null ? null : `${Math.round(agent.clockSkewMs / 1000)} s`,
          ],
          ['Results queued on the host', formatNumber(agent.queuedResults)],
          ['Enrolled', formatDateTime(agent.enrolledAt)],
          ['Revoked', agent.revokedAt === null ? 'no' : formatDateTime(agent.revokedAt)],
        ]}
      />
    </Section>
  );
}
