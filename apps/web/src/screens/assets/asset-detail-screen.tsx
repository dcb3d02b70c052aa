/**
 * /assets/:assetId (an id or a name, as the API takes both): the asset's attributes (edited with
 * PATCH by assets:write), and tabs in the URL (`?tab=`): inventory, snapshot history and diff,
 * available updates, findings, maintenance windows, scheduled changes, agent. The asset, its
 * findings summary, the agents and the calendar are asked in parallel; a tab's own lists only
 * when it is opened.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatNumber, formatRelative } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { AgentCell } from './agent-cell.tsx';
import { AssetForm, bodyOf, valuesOf } from './asset-form.tsx';
import { InventoryTab } from './asset-inventory-tab.tsx';
import {
  AgentTab,
  ChangesTab,
  FindingsTab,
  UpdatesTab,
  useCalendarAround,
  WindowsTab,
} from './asset-more-tabs.tsx';
import { SnapshotsTab } from './asset-snapshots-tab.tsx';
import type { TabDef } from './asset-tabs.tsx';
import { Tabs } from './asset-tabs.tsx';
import { UploadInventoryButton } from './asset-upload.tsx';
import type { Agent, Asset, FindingSummary } from './asset-types.ts';
import { criticalityTone, exposureTone } from './asset-types.ts';
import './assets.css';

const tabIds = [
  'overview',
  'inventory',
  'snapshots',
  'updates',
  'findings',
  'windows',
  'changes',
  'agent',
] as const;
type TabId = (typeof tabIds)[number];
const tabLabels: Record<TabId, string> = {
  overview: 'Overview',
  inventory: 'Inventory',
  snapshots: 'Snapshot history',
  updates: 'Available updates',
  findings: 'Findings',
  windows: 'Maintenance windows',
  changes: 'Changes',
  agent: 'Agent',
};

const urlKeys = ['tab', 'snapshot', 'pkg', 'ecosystem', 'from', 'to', 'security'] as const;

export function AssetDetailScreen() {
  const { assetId = '' } = useParams();
  const url = useUrlState(urlKeys);
  const { values } = url;
  const set: typeof url.set = (changes, options) => url.set(changes, options);
  const { can } = useSession();
  const tab: TabId = tabIds.find((id) => id === values.tab) ?? 'overview';
  const path = { id: assetId };
  // Independent: all fired at once.
  const asset = $api.useQuery('get', '/api/v1/assets/{id}', { params: { path } });
  const findings = $api.useQuery(
    'get',
    '/api/v1/findings/summary',
    { params: { query: { asset: assetId } } },
    { enabled: can('findings:read') },
  );
  const agents = $api.useQuery('get', '/api/v1/agents', {}, { enabled: can('agents:read') });
  const calendar = useCalendarAround(can('calendar:read'));
  const windows = $api.useQuery(
    'get',
    '/api/v1/calendar/windows',
    {},
    { enabled: can('calendar:read') },
  );

  if (asset.isPending)
    return (
      <>
        <PageHeader title={assetId} />
        <Loading label="Loading the asset…" />
      </>
    );
  if (asset.isError)
    return (
      <>
        <PageHeader title={assetId} />
        <ErrorState
          error={asset.error}
          title="This asset could not be loaded"
          onRetry={() => void asset.refetch()}
        />
        <p>
          <Link to="/assets">All assets</Link>
        </p>
      </>
    );
  const data = asset.data;
  const agent = agents.data?.agents.find((candidate) => candidate.assetId === data.id);
  const myWindows = windows.data?.windows.filter((window) => window.assets.includes(data.name));
  const open = findings.data
    ? Object.values(findings.data.byPriority).reduce((sum, count) => sum + count, 0)
    : undefined;

  const tabs: TabDef<TabId>[] = tabIds.map((id) => ({
    id,
    label:
      id === 'findings' && open !== undefined
        ? `${tabLabels[id]} (${formatNumber(open)})`
        : id === 'windows' && myWindows !== undefined
          ? `${tabLabels[id]} (${myWindows.length})`
          : tabLabels[id],
  }));

  return (
    <>
      <PageHeader
        title={data.name}
        description={
          <span className="row-inline">
            <span>{data.kind}</span>
            <span aria-hidden="true">·</span>
            <span>{data.environment ?? 'environment unknown'}</span>
            <Badge tone={criticalityTone[data.criticality]}>criticality {data.criticality}</Badge>
            <Badge tone={exposureTone[data.exposure]}>exposure {data.exposure}</Badge>
          </span>
        }
        actions={<AssetActions asset={data} />}
      >
        <p className="small">
          <Link to="/assets">All assets</Link>
        </p>
      </PageHeader>
      <Tabs
        label="Asset"
        tabs={tabs}
        current={tab}
        onSelect={(id) => set({ tab: id === 'overview' ? undefined : id })}
      >
        {tab === 'overview' && (
          <Overview
            asset={data}
            open={open}
            findingsQuery={findings}
            agent={agent}
            agentsLoaded={!can('agents:read') || agents.isSuccess}
            windowCount={myWindows?.length}
            onTab={(id) => set({ tab: id })}
          />
        )}
        {tab === 'inventory' && (
          <InventoryTab
            asset={data}
            snapshotId={values.snapshot ?? data.currentSnapshot?.id}
            search={values.pkg ?? ''}
            ecosystem={values.ecosystem}
            onChange={(changes) => set(changes, { replace: true })}
          />
        )}
        {tab === 'snapshots' && (
          <SnapshotsTab
            asset={data}
            from={values.from}
            to={values.to}
            onPick={(changes) => set(changes)}
            onOpen={(snapshot) => set({ tab: 'inventory', snapshot })}
          />
        )}
        {tab === 'updates' && (
          <UpdatesTab
            asset={data}
            securityOnly={values.security === 'true'}
            onSecurityOnly={(only) =>
              set({ security: only ? 'true' : undefined }, { replace: true })
            }
          />
        )}
        {tab === 'findings' && <FindingsTab asset={data} summary={findings} />}
        {tab === 'windows' && (
          <WindowsTab asset={data} windows={windows} calendar={calendar} mine={myWindows} />
        )}
        {tab === 'changes' && <ChangesTab asset={data} />}
        {tab === 'agent' && <AgentTab agents={agents} agent={agent} />}
      </Tabs>
    </>
  );
}

function AssetActions({ asset }: { readonly asset: Asset }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const update = $api.useMutation('patch', '/api/v1/assets/{id}', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/assets', '/api/v1/findings']);
      setEditing(false);
    },
  });
  const remove = $api.useMutation('delete', '/api/v1/assets/{id}', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/assets', '/api/v1/findings']);
      void navigate('/assets');
    },
  });
  if (!can('assets:write')) return null;
  return (
    <>
      <UploadInventoryButton asset={asset} />
      <button type="button" className="button" onClick={() => setEditing(true)}>
        Edit asset
      </button>
      <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
        Delete asset
      </button>
      <Dialog open={editing} title={`Edit ${asset.name}`} onClose={() => setEditing(false)} wide>
        <AssetForm
          initial={valuesOf(asset)}
          submitLabel="Save changes"
          busy={update.isPending}
          error={update.isError ? errorMessage(update.error) : undefined}
          onSubmit={(values) =>
            update.mutate({ params: { path: { id: asset.id } }, body: bodyOf(values) })
          }
          onCancel={() => setEditing(false)}
        />
      </Dialog>
      <ConfirmDialog
        open={deleting}
        title={`Delete ${asset.name}?`}
        message={
          <p>
            Its inventory history, available updates and labels are deleted, and its findings are
            closed. The audit log keeps the asset as it was.
          </p>
        }
        confirmLabel="Delete asset"
        danger
        busy={remove.isPending}
        error={remove.isError ? errorMessage(remove.error) : undefined}
        onConfirm={() => remove.mutate({ params: { path: { id: asset.id } } })}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}

function Overview({
  asset,
  open,
  findingsQuery,
  agent,
  agentsLoaded,
  windowCount,
  onTab,
}: {
  readonly asset: Asset;
  readonly open: number | undefined;
  readonly findingsQuery: { readonly isError: boolean; readonly data?: FindingSummary | undefined };
  readonly agent: Agent | undefined;
  readonly agentsLoaded: boolean;
  readonly windowCount: number | undefined;
  readonly onTab: (tab: TabId) => void;
}) {
  const snapshot = asset.currentSnapshot;
  const byPriority = findingsQuery.data?.byPriority;
  return (
    <>
      <div className="summary-cards">
        <Section title="Open findings">
          {byPriority === undefined ? (
            <p className="muted">{findingsQuery.isError ? 'Not available.' : '…'}</p>
          ) : (
            <>
              <p className="stat">
                <span className="stat-value">{formatNumber(open ?? 0)}</span>
                <span className="stat-label">
                  actionable · {byPriority.P1} P1 · {byPriority.P2} P2 ·{' '}
                  {findingsQuery.data?.overdue ?? 0} overdue
                </span>
              </p>
              <Link to={`/findings?asset=${encodeURIComponent(asset.name)}`}>Open in findings</Link>
            </>
          )}
        </Section>
        <Section title="Inventory">
          {snapshot === null ? (
            <p className="muted">No inventory uploaded yet.</p>
          ) : (
            <>
              <p className="stat">
                <span className="stat-value">{formatNumber(snapshot.packageCount)}</span>
                <span className="stat-label">
                  packages · taken {formatDateTime(snapshot.takenAt)} · {snapshot.format}
                </span>
              </p>
              <button
                type="button"
                className="button button-small"
                onClick={() => onTab('inventory')}
              >
                Show the packages
              </button>
            </>
          )}
        </Section>
        <Section title="Agent">
          {!agentsLoaded ? (
            <p className="muted">…</p>
          ) : agent === undefined ? (
            <p className="muted">No agent reports for this asset.</p>
          ) : (
            <>
              <p>
                <AgentCell agent={agent} />
              </p>
              <p className="muted small">Last seen {formatRelative(agent.lastSeenAt)}</p>
              <button type="button" className="button button-small" onClick={() => onTab('agent')}>
                Show the agent
              </button>
            </>
          )}
        </Section>
        <Section title="Maintenance windows">
          <p className="muted">
            {windowCount === undefined
              ? 'Not available.'
              : windowCount === 0
                ? 'No window applies to this asset.'
                : windowCount === 1
                  ? '1 window applies.'
                  : `${windowCount} windows apply.`}
          </p>
          <button type="button" className="button button-small" onClick={() => onTab('windows')}>
            Show the windows
          </button>
        </Section>
      </div>
      <Section title="Attributes">
        <Facts
          items={[
            ['Name', asset.name],
            ['Kind', asset.kind],
            ['OS release', asset.osRelease],
            ['Environment', asset.environment ?? 'unknown'],
            ['Criticality', asset.criticality],
            ['Exposure', asset.exposure],
            ['Owner', asset.owner],
            ['Tags', asset.tags.length === 0 ? null : asset.tags.join(', ')],
            ['Groups', asset.groups.length === 0 ? null : asset.groups.join(', ')],
            ['Maintenance window (declared)', asset.maintenanceWindow],
            ['Created', formatDateTime(asset.createdAt)],
            ['Updated', formatDateTime(asset.updatedAt)],
            ['Id', <code key="id">{asset.id}</code>],
          ]}
        />
      </Section>
    </>
  );
}
