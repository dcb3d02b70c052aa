/**
 * One autopilot run (/autopilot/runs/:runId, `changes:read`): asked again every second while
 * queued or running; then what it matched — the changes it created (each linked to its change,
 * with the state and slot the run left it in and why it stopped short), the items it held back
 * (the cool-down, until when) and those it skipped, with the reason — or why it failed.
 */
import { Link, useParams } from 'react-router';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, Loading, QueryState } from '../../ui/states.tsx';
import { NotPermitted } from '../admin/common.tsx';
import './autopilot.css';
import { RULES, RUNS } from './rule-dialog.tsx';
import type { AutopilotRun, RunItem } from './types.ts';

const isActive = (run: AutopilotRun) => run.state === 'queued' || run.state === 'running';

/** `web-01 · openssl → 3.0.15-1 · CVE-2026-1 (KEV)`. */
function ItemText({ item }: { readonly item: RunItem }) {
  return (
    <>
      <Link to={`/assets/${item.assetId}`}>{item.assetName}</Link> · {item.packageName}
      {item.targetVersion !== null && ` → ${item.targetVersion}`}
      {item.kind === 'finding' ? (
        <>
          {' '}
          ·{' '}
          <Link to={`/findings/${item.id}`}>
            finding{item.advisoryId !== undefined && ` ${item.advisoryId}`}
          </Link>
          {item.kev === true && (
            <>
              {' '}
              <Badge tone="critical">KEV</Badge>
            </>
          )}
        </>
      ) : (
        ' · available update'
      )}
    </>
  );
}

/** A few items as a list; many folded behind a summary (a run may carry dozens). */
function ItemList({ items }: { readonly items: readonly RunItem[] }) {
  const list = (
    <ul className="autopilot-items">
      {items.map((item) => (
        <li key={`${item.kind}:${item.id}`}>
          <ItemText item={item} />
        </li>
      ))}
    </ul>
  );
  if (items.length <= 5) return list;
  const assets = new Set(items.map((item) => item.assetName));
  const packages = [...new Set(items.map((item) => item.packageName))];
  return (
    <details>
      <summary>
        {items.length} items on {assets.size} asset{assets.size === 1 ? '' : 's'}:{' '}
        {packages.slice(0, 6).join(', ')}
        {packages.length > 6 && ` and ${packages.length - 6} more packages`}
      </summary>
      {list}
    </details>
  );
}

/** Skipped items by their reason (a run often skips many for the same one). */
function byReason(skipped: AutopilotRun['skipped']): [string, RunItem[]][] {
  const groups = new Map<string, RunItem[]>();
  for (const s of skipped) groups.set(s.reason, [...(groups.get(s.reason) ?? []), s.item]);
  return [...groups.entries()];
}

export function AutopilotRunScreen() {
  const { user, can } = useSession();
  const { runId = '' } = useParams();
  const allowed = can('changes:read');
  const query = $api.useQuery(
    'get',
    `${RUNS}/{id}`,
    { params: { path: { id: runId } } },
    {
      enabled: allowed,
      refetchInterval: (q) => (q.state.data !== undefined && isActive(q.state.data) ? 1000 : false),
    },
  );
  const ruleId = query.data?.ruleId;
  const rule = $api.useQuery(
    'get',
    `${RULES}/{id}`,
    { params: { path: { id: ruleId ?? '' } } },
    { enabled: allowed && ruleId !== undefined },
  );
  if (user === undefined) return <Loading />;
  if (!allowed) return <NotPermitted title="Autopilot run" permissions={['changes:read']} />;
  const ruleName = rule.data?.definition.name ?? ruleId ?? '';
  return (
    <QueryState query={query} loadingLabel="Loading the run…">
      {(run) => {
        const matched = run.createdChanges.reduce((n, c) => n + c.items.length, 0);
        return (
          <div className="autopilot">
            <PageHeader
              title={`Autopilot run of ${ruleName}`}
              description={
                <>
                  {run.trigger === 'manual' ? 'Run now' : 'On its schedule'} ·{' '}
                  {formatDateTime(run.createdAt)} · <StatusBadge status={run.state} />
                </>
              }
              actions={
                <Link
                  className="button button-small"
                  to={`/autopilot?tab=runs&rule=${encodeURIComponent(run.ruleId)}`}
                >
                  Runs of this rule
                </Link>
              }
            />
            <Section title="Run">
              {isActive(run) && <Loading label={`The run is ${run.state}…`} />}
              {run.state === 'failed' && (
                <div className="state state-error" role="alert">
                  <p className="state-title">The run failed</p>
                  <p>{run.error ?? 'No reason was recorded.'}</p>
                </div>
              )}
              <Facts
                items={[
                  ['Rule', <Link to="/autopilot">{ruleName}</Link>],
                  ['Trigger', run.trigger === 'manual' ? 'run now' : 'its schedule'],
                  [
                    'Requested by',
                    run.requestedBy === null
                      ? '—'
                      : run.requestedBy === user?.id
                        ? `${user.displayName} (you)`
                        : `user ${run.requestedBy}`,
                  ],
                  ['Queued', formatDateTime(run.createdAt)],
                  ['Started', formatDateTime(run.startedAt)],
                  ['Finished', formatDateTime(run.finishedAt)],
                ]}
              />
              {!isActive(run) && run.state !== 'failed' && (
                <p>
                  It matched {matched + run.heldBack.length + run.skipped.length} item
                  {matched + run.heldBack.length + run.skipped.length === 1 ? '' : 's'}: {matched}{' '}
                  in {run.createdChanges.length} new change
                  {run.createdChanges.length === 1 ? '' : 's'}, {run.heldBack.length} held back,{' '}
                  {run.skipped.length} skipped.
                </p>
              )}
            </Section>
            <Section title="Changes it created">
              {run.createdChanges.length === 0 ? (
                <EmptyState
                  title={
                    isActive(run) ? 'None yet: the run is not finished.' : 'It created no change.'
                  }
                />
              ) : (
                <div className="table-scroll">
                  <table className="simple-table autopilot-run" aria-label="Changes it created">
                    <thead>
                      <tr>
                        <th scope="col">Change</th>
                        <th scope="col">State</th>
                        <th scope="col">Scheduled</th>
                        <th scope="col">What it carries</th>
                      </tr>
                    </thead>
                    <tbody>
                      {run.createdChanges.map((c) => (
                        <tr key={c.changeId}>
                          <th scope="row">
                            <Link to={`/changes/${c.changeId}`}>{c.number ?? c.changeId}</Link>
                            <div className="small">{c.title}</div>
                            <div className="muted small">{c.reason}</div>
                          </th>
                          <td>
                            <StatusBadge status={c.state} />
                            {c.note !== null && <div className="muted small">{c.note}</div>}
                          </td>
                          <td>
                            {c.schedule === null
                              ? 'Not scheduled'
                              : `${formatDateTime(c.schedule.start)} – ${formatDateTime(c.schedule.end)}`}
                          </td>
                          <td>
                            <ItemList items={c.items} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </Section>
            <Section title="Held back">
              {run.heldBack.length === 0 ? (
                <EmptyState title="Nothing held back." />
              ) : (
                <table className="simple-table autopilot-run" aria-label="Held back">
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col">Why</th>
                      <th scope="col">Eligible on</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.heldBack.map((h) => (
                      <tr key={`${h.item.kind}:${h.item.id}`}>
                        <td>
                          <ItemText item={h.item} />
                        </td>
                        <td>{h.reason}</td>
                        <td>{formatDate(h.eligibleOn)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
            <Section title="Skipped">
              {run.skipped.length === 0 ? (
                <EmptyState title="Nothing skipped." />
              ) : (
                <table className="simple-table autopilot-run" aria-label="Skipped">
                  <thead>
                    <tr>
                      <th scope="col">Why</th>
                      <th scope="col">Items</th>
                    </tr>
                  </thead>
                  <tbody>
                    {byReason(run.skipped).map(([reason, items]) => (
                      <tr key={reason}>
                        <th scope="row">{reason}</th>
                        <td>
                          <ItemList items={items} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </div>
        );
      }}
    </QueryState>
  );
}
