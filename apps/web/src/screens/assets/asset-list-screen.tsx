/**
 * /assets: every asset the API lists, filtered and sorted by the server (GET /api/v1/assets: the
 * filters and sort live in the URL), in the virtualised table, pages loaded as the end comes
 * into view. Each row: its last inventory, its agent (GET /api/v1/agents, fetched beside the
 * list, not after it) and its actionable findings (counted per visible row). Creating one or
 * importing many (assets:write) happens in a dialog.
 */
import type { InfiniteData } from '@tanstack/react-query';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useId, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, errorMessage, unwrap } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, PriorityBadge } from '../../ui/badges.tsx';
import type { ColumnDef, SortingState } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { formatDate, formatDateTime, formatNumber, formatRelative } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { AgentCell } from './agent-cell.tsx';
import type { AssetFormValues } from './asset-form.tsx';
import { AssetForm, bodyOf, emptyAsset } from './asset-form.tsx';
import type { Agent, Asset, AssetListQuery, AssetPage } from './asset-types.ts';
import {
  assetKinds,
  assetSorts,
  criticalities,
  criticalityTone,
  environments,
  exposures,
  exposureTone,
} from './asset-types.ts';
import './assets.css';

const filterKeys = [
  'q',
  'environment',
  'criticality',
  'exposure',
  'kind',
  'owner',
  'group',
  'tag',
] as const;
const urlKeys = [...filterKeys, 'sort', 'order'] as const;
type UrlKey = (typeof urlKeys)[number];

const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | undefined =>
  values.find((candidate) => candidate === value);

/** The URL's filters as the API's query (unknown values are dropped, not sent). */
export function assetQueryOf(values: Partial<Record<UrlKey, string>>): AssetListQuery {
  const query: AssetListQuery = {
    sort: oneOf(assetSorts, values.sort) ?? 'name',
    order: values.order === 'desc' ? 'desc' : 'asc',
    limit: 200,
  };
  const environment = oneOf(environments, values.environment);
  const criticality = oneOf(criticalities, values.criticality);
  const exposure = oneOf(exposures, values.exposure);
  const kind = oneOf(assetKinds, values.kind);
  return {
    ...query,
    ...(values.q !== undefined && { q: values.q }),
    ...(environment !== undefined && { environment }),
    ...(criticality !== undefined && { criticality }),
    ...(exposure !== undefined && { exposure }),
    ...(kind !== undefined && { kind }),
    ...(values.owner !== undefined && { owner: values.owner }),
    ...(values.group !== undefined && { group: values.group }),
    ...(values.tag !== undefined && { tag: values.tag }),
  };
}

/**
 * Pages of GET /api/v1/assets for one filter, under openapi-react-query's query key (so
 * `invalidatePaths` reaches it). Not `$api.useInfiniteQuery`: it sends `cursor=0` for the first
 * page, which the API rightly refuses as a cursor.
 */
function useAssetPages(query: AssetListQuery) {
  return useInfiniteQuery<
    AssetPage,
    Error,
    InfiniteData<AssetPage, string | undefined>,
    readonly unknown[],
    string | undefined
  >({
    queryKey: ['get', '/api/v1/assets', { params: { query } }],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/assets', {
          params: { query: { ...query, ...(pageParam !== undefined && { cursor: pageParam }) } },
          signal,
        }),
      ),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function AssetListScreen() {
  const url = useUrlState(urlKeys);
  const { values } = url;
  const set: typeof url.set = (changes, options) => url.set(changes, options);
  const { can } = useSession();
  const query = assetQueryOf(values);
  const assets = useAssetPages(query);
  // Beside the list, not after it: one call for every agent.
  const agents = $api.useQuery('get', '/api/v1/agents', {}, { enabled: can('agents:read') });
  const agentByAsset = useMemo(() => {
    const map = new Map<string, Agent>();
    for (const agent of agents.data?.agents ?? []) map.set(agent.assetId, agent);
    return map;
  }, [agents.data]);
  const rows = useMemo(
    () => assets.data?.pages.flatMap((page) => page.assets) ?? [],
    [assets.data],
  );
  const total = assets.data?.pages[0]?.total;
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const filtered = filterKeys.some((key) => values[key] !== undefined);

  const sorting: SortingState = [{ id: query.sort ?? 'name', desc: query.order === 'desc' }];
  const columns = useMemo(
    () => assetColumns(agentByAsset, can('agents:read'), can('findings:read')),
    [agentByAsset, can],
  );

  return (
    <>
      <PageHeader
        title="Assets"
        description="Hosts, container images and applications: what they run, who owns them, how exposed they are."
        actions={
          can('assets:write') && (
            <>
              <button type="button" className="button" onClick={() => setImporting(true)}>
                Import assets
              </button>
              <button
                type="button"
                className="button button-primary"
                onClick={() => setCreating(true)}
              >
                New asset
              </button>
            </>
          )
        }
      />
      <AssetFilters values={values} set={set} />
      {assets.isPending ? (
        <Loading label="Loading assets…" />
      ) : assets.isError ? (
        <ErrorState error={assets.error} onRetry={() => void assets.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={filtered ? 'No asset matches these filters' : 'No assets yet'}>
          {filtered ? (
            <button
              type="button"
              className="button"
              onClick={() => set(Object.fromEntries(filterKeys.map((key) => [key, undefined])))}
            >
              Clear the filters
            </button>
          ) : (
            <p>
              Create one here, import a list, or enrol an agent (
              <Link to="/admin/enrolment-tokens">enrolment tokens</Link>).
            </p>
          )}
        </EmptyState>
      ) : (
        <DataTable<Asset>
          label="Assets"
          rows={rows}
          columns={columns}
          rowId={(asset) => asset.id}
          manualSorting
          sorting={sorting}
          onSortingChange={(updater) => {
            const next = typeof updater === 'function' ? updater(sorting) : updater;
            const first = next[0];
            set({
              sort: first === undefined || first.id === 'name' ? undefined : first.id,
              order: first?.desc === true ? 'desc' : undefined,
            });
          }}
          rowHeight={44}
          onEndReached={() => {
            if (assets.hasNextPage && !assets.isFetchingNextPage) void assets.fetchNextPage();
          }}
          footer={
            <span role="status">
              {total === undefined
                ? ''
                : `${formatNumber(rows.length)} of ${formatNumber(total)} assets`}
              {assets.isFetchingNextPage && ' · loading more…'}
            </span>
          }
        />
      )}
      <CreateAssetDialog open={creating} onClose={() => setCreating(false)} />
      <ImportAssetsDialog open={importing} onClose={() => setImporting(false)} />
    </>
  );
}

function AssetFilters({
  values,
  set,
}: {
  readonly values: Partial<Record<UrlKey, string>>;
  readonly set: (
    changes: Partial<Record<UrlKey, string | undefined>>,
    options?: { replace?: boolean },
  ) => void;
}) {
  const id = useId();
  // Free text is applied on submit (or Enter), so typing does not fire a request per key.
  const [text, setText] = useState({
    q: values.q ?? '',
    owner: values.owner ?? '',
    group: values.group ?? '',
    tag: values.tag ?? '',
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    set({
      q: text.q.trim(),
      owner: text.owner.trim(),
      group: text.group.trim(),
      tag: text.tag.trim(),
    });
  };
  const select = (
    key: 'environment' | 'criticality' | 'exposure' | 'kind',
    label: string,
    options: readonly string[],
  ) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select
        id={`${id}-${key}`}
        value={values[key] ?? ''}
        onChange={(event) => set({ [key]: event.target.value })}
      >
        <option value="">any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
  const textField = (key: 'q' | 'owner' | 'group' | 'tag', label: string, placeholder: string) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type={key === 'q' ? 'search' : 'text'}
        placeholder={placeholder}
        value={text[key]}
        onChange={(event) => setText((previous) => ({ ...previous, [key]: event.target.value }))}
      />
    </div>
  );
  return (
    <form className="filters" role="search" aria-label="Filter assets" onSubmit={submit}>
      {textField('q', 'Name contains', 'web-')}
      {select('environment', 'Environment', environments)}
      {select('criticality', 'Criticality', criticalities)}
      {select('exposure', 'Exposure', exposures)}
      {select('kind', 'Kind', assetKinds)}
      {textField('owner', 'Owner', 'team-web')}
      {textField('group', 'Group', 'web')}
      {textField('tag', 'Tag', 'pci')}
      <button type="submit" className="button">
        Apply
      </button>
    </form>
  );
}

function assetColumns(
  agentByAsset: ReadonlyMap<string, Agent>,
  showAgents: boolean,
  showFindings: boolean,
): ColumnDef<Asset, unknown>[] {
  const columns: (ColumnDef<Asset, unknown> | false)[] = [
    {
      id: 'name',
      accessorKey: 'name',
      header: 'Name',
      size: 220,
      cell: ({ row }) => (
        <span className="asset-name-cell">
          <Link to={`/assets/${encodeURIComponent(row.original.id)}`} className="asset-name">
            {row.original.name}
          </Link>
          <span className="muted small">{row.original.kind}</span>
        </span>
      ),
    },
    {
      id: 'environment',
      header: 'Environment',
      enableSorting: false,
      cell: ({ row }) => row.original.environment ?? <span className="muted">unknown</span>,
    },
    {
      id: 'criticality',
      header: 'Criticality',
      enableSorting: false,
      cell: ({ row }) => (
        <Badge tone={criticalityTone[row.original.criticality]}>{row.original.criticality}</Badge>
      ),
    },
    {
      id: 'exposure',
      header: 'Exposure',
      enableSorting: false,
      cell: ({ row }) => (
        <Badge tone={exposureTone[row.original.exposure]}>{row.original.exposure}</Badge>
      ),
    },
    {
      id: 'owner',
      header: 'Owner',
      enableSorting: false,
      cell: ({ row }) => row.original.owner ?? <span className="muted">—</span>,
    },
    {
      id: 'groups',
      header: 'Groups',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.groups.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className="label-list">
            {row.original.groups.map((group) => (
              <Link
                key={group}
                to={`/assets?group=${encodeURIComponent(group)}`}
                title={`Only the assets of group ${group}`}
              >
                {group}
              </Link>
            ))}
          </span>
        ),
    },
    showFindings && {
      id: 'findings',
      header: 'Open findings',
      enableSorting: false,
      cell: ({ row }) => <OpenFindingsCell asset={row.original} />,
    },
    {
      id: 'inventory',
      header: 'Last inventory',
      enableSorting: false,
      cell: ({ row }) => {
        const snapshot = row.original.currentSnapshot;
        if (snapshot === null) return <span className="muted">none yet</span>;
        return (
          <span title={formatDateTime(snapshot.takenAt)}>
            {formatRelative(snapshot.takenAt)}{' '}
            <span className="muted small">({formatNumber(snapshot.packageCount)} packages)</span>
          </span>
        );
      },
    },
    showAgents && {
      id: 'agent',
      header: 'Agent',
      enableSorting: false,
      cell: ({ row }) => <AgentCell agent={agentByAsset.get(row.original.id)} />,
    },
    {
      id: 'createdAt',
      accessorKey: 'createdAt',
      header: 'Created',
      cell: ({ row }) => formatDate(row.original.createdAt),
    },
    {
      id: 'updatedAt',
      accessorKey: 'updatedAt',
      header: 'Updated',
      cell: ({ row }) => formatRelative(row.original.updatedAt),
    },
  ];
  return columns.filter((column): column is ColumnDef<Asset, unknown> => column !== false);
}

/** The actionable findings of one asset (only rows in view are rendered, so only they ask). */
function OpenFindingsCell({ asset }: { readonly asset: Asset }) {
  const summary = $api.useQuery('get', '/api/v1/findings/summary', {
    params: { query: { assetId: asset.id } },
  });
  if (summary.isPending) return <span className="muted small">…</span>;
  if (summary.isError) return <span className="muted small">unavailable</span>;
  const byPriority = summary.data.byPriority;
  const open = byPriority.P1 + byPriority.P2 + byPriority.P3 + byPriority.P4 + byPriority.P5;
  const urgent = (['P1', 'P2'] as const).filter((priority) => byPriority[priority] > 0);
  return (
    <Link to={`/findings?asset=${encodeURIComponent(asset.name)}`} className="row-inline">
      <span>
        {formatNumber(open)}
        <span className="visually-hidden"> open findings on {asset.name}</span>
      </span>
      {urgent.map((priority) => (
        <span key={priority} className="row-inline">
          <PriorityBadge priority={priority} />
          <span className="small">{byPriority[priority]}</span>
        </span>
      ))}
    </Link>
  );
}

function CreateAssetDialog({
  open,
  onClose,
}: {
  readonly open: boolean;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = $api.useMutation('post', '/api/v1/assets', {
    onSuccess: async (asset) => {
      await invalidatePaths(queryClient, ['/api/v1/assets']);
      onClose();
      void navigate(`/assets/${encodeURIComponent(asset.id)}`);
    },
  });
  return (
    <Dialog open={open} title="New asset" onClose={onClose} wide>
      <AssetForm
        initial={emptyAsset}
        submitLabel="Create asset"
        busy={create.isPending}
        error={create.isError ? errorMessage(create.error) : undefined}
        onSubmit={(values: AssetFormValues) => create.mutate({ body: bodyOf(values) })}
        onCancel={onClose}
      />
    </Dialog>
  );
}

const importExample = `[
  { "name": "web-02", "environment": "production", "criticality": "high", "exposure": "internet", "owner": "team-web", "groups": ["web"] }
]`;

function ImportAssetsDialog({
  open,
  onClose,
}: {
  readonly open: boolean;
  readonly onClose: () => void;
}) {
  return (
    <Dialog open={open} title="Import assets" onClose={onClose} wide>
      <ImportForm onClose={onClose} />
    </Dialog>
  );
}

function ImportForm({ onClose }: { readonly onClose: () => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [text, setText] = useState('');
  const [parseError, setParseError] = useState<string | undefined>();
  const run = $api.useMutation('post', '/api/v1/assets/import', {
    onSuccess: () => invalidatePaths(queryClient, ['/api/v1/assets']),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      setParseError(`This is not JSON: ${cause instanceof Error ? cause.message : String(cause)}`);
      return;
    }
    if (!Array.isArray(body)) {
      setParseError('Give a JSON array of assets.');
      return;
    }
    setParseError(undefined);
    // The server validates each entry (422 naming body[i].field).
    run.mutate({ body: body as never });
  };
  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-json`}>Assets (JSON array)</label>
        <textarea
          id={`${id}-json`}
          rows={10}
          className="mono"
          required
          placeholder={importExample}
          aria-describedby={`${id}-hint`}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <span id={`${id}-hint`} className="field-hint">
          Matched by name: a new name is created, an existing asset changes only the fields given.
          At most 10,000 in one import.
        </span>
      </div>
      {(parseError !== undefined || run.isError) && (
        <p className="form-error" role="alert">
          {parseError ?? errorMessage(run.error)}
        </p>
      )}
      {run.isSuccess && (
        <p className="form-success" role="status">
          Created {run.data.created}, updated {run.data.updated}, unchanged {run.data.unchanged}.
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="button button-primary" disabled={run.isPending}>
          {run.isPending ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
