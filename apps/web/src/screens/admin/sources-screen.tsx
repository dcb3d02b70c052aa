/**
 * Advisory sources (advisories:read; changes need advisories:manage): the configured sources
 * (add, edit, delete, sync now), the catalogue of built-in public feeds (enable, disable), and
 * the sync runs with their state, counts, errors and progress (filters in the URL; each run
 * opens its detail at /admin/sources/runs/<id>).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDateTime, formatDuration, formatNumber } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { Field, FormDialog, MutationError } from '../../ui/forms.tsx';
import { SyncProgress } from './sync-progress.tsx';
import type { AdvisorySource, CatalogueEntry, SourceKind, SyncRun } from './types.ts';
import { RowButton } from '../../ui/row-button.tsx';
import { ChoiceFilter } from '../../ui/choice-filter.tsx';

const sourceKinds: readonly SourceKind[] = [
  'osv-directory',
  'osv-file',
  'osv-zip',
  'kev',
  'epss',
  'cve5',
  'nvd',
];
const runStates = ['running', 'succeeded', 'failed', 'cancelled'] as const;

export const describeInterval = (seconds: number | null): string =>
  seconds === null ? 'on request' : `every ${formatDuration(seconds * 1000)}`;

export function SourcesScreen() {
  const { can } = useSession();
  const manage = can('advisories:manage');
  const sources = $api.useQuery('get', '/api/v1/advisory-sources');
  const catalogue = $api.useQuery('get', '/api/v1/advisory-catalogue');
  const [editing, setEditing] = useState<AdvisorySource | 'new' | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const queryClient = useQueryClient();
  const affected = ['/api/v1/advisory-sources', '/api/v1/advisory-catalogue', '/api/v1/sync-runs'];
  const refresh = () => invalidatePaths(queryClient, affected);
  const sync = $api.useMutation('post', '/api/v1/advisory-sources/{id}/sync', {
    onSuccess: async (answer) => {
      setNotice(
        answer.alreadyQueued ? 'A sync of this source was already queued.' : 'Sync queued.',
      );
      await refresh();
    },
  });
  const remove = useConfirmAction('delete', '/api/v1/advisory-sources/{id}', {
    init: (source: AdvisorySource) => ({ params: { path: { id: source.id } } }),
    invalidate: affected,
  });
  const names = new Map(sources.data?.sources.map((source) => [source.id, source.name]));

  return (
    <>
      <PageHeader
        title="Advisory sources"
        description="Where Patchgate reads advisories and CVE facts from, and how each sync went."
        actions={
          manage ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setEditing('new')}
            >
              Add source
            </button>
          ) : undefined
        }
      />
      {notice !== undefined && (
        <p className="form-success" role="status">
          {notice}
        </p>
      )}
      {sync.error !== null && <MutationError error={sync.error} />}
      <Section title="Sources">
        <QueryState
          query={sources}
          isEmpty={(data) => data.sources.length === 0}
          empty={
            <EmptyState title="No advisory sources yet.">
              Add a source, or enable one of the built-in feeds below.
            </EmptyState>
          }
        >
          {(data) => (
            <div className="table-scroll-x">
              <table className="simple-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">From</th>
                    <th scope="col">Schedule</th>
                    <th scope="col">Last sync</th>
                    {manage && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {data.sources.map((source) => (
                    <tr key={source.id}>
                      <th scope="row">{source.name}</th>
                      <td>
                        <Badge>{source.kind}</Badge>
                      </td>
                      <td className="mono small break">{source.url ?? source.path}</td>
                      <td>
                        {source.enabled ? describeInterval(source.intervalSeconds) : 'disabled'}
                      </td>
                      <td>
                        {source.lastSync === null ? (
                          'never'
                        ) : (
                          <Link to={`/admin/sources/runs/${source.lastSync.runId}`}>
                            <StatusBadge status={source.lastSync.state} />{' '}
                            {formatDateTime(source.lastSync.at)}
                          </Link>
                        )}
                      </td>
                      {manage && (
                        <td>
                          <span className="row-tight">
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Sync now: ${source.name}`}
                              disabled={sync.isPending}
                              onClick={() => {
                                setNotice(undefined);
                                sync.mutate({ params: { path: { id: source.id } } });
                              }}
                            >
                              Sync now
                            </button>
                            <RowButton
                              name={`Edit ${source.name}`}
                              onClick={() => setEditing(source)}
                            >
                              Edit
                            </RowButton>
                            <RowButton
                              name={`Delete ${source.name}`}
                              onClick={() => remove.ask(source)}
                              danger
                            >
                              Delete
                            </RowButton>
                          </span>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </Section>
      <SyncRuns names={names} sources={sources.data?.sources ?? []} />
      <Section title="Built-in feeds">
        <QueryState
          query={catalogue}
          isEmpty={(data) => data.entries.length === 0}
          empty={<EmptyState title="This server has no built-in feeds." />}
        >
          {(data) => <CatalogueTable entries={data.entries} manage={manage} onChange={refresh} />}
        </QueryState>
      </Section>
      {editing !== undefined && (
        <SourceDialog
          key={editing === 'new' ? 'new' : editing.id}
          source={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
          onSaved={async () => {
            setEditing(undefined);
            await refresh();
          }}
        />
      )}
      <ConfirmActionDialog
        action={remove}
        title={(source) => `Delete ${source.name}?`}
        message={() => (
          <p>
            The source, its sync runs and the advisories it last wrote are deleted; findings that
            rested on them are reconciled. This cannot be undone.
          </p>
        )}
        confirmLabel="Delete source"
      />
    </>
  );
}

function CatalogueTable({
  entries,
  manage,
  onChange,
}: {
  readonly entries: readonly CatalogueEntry[];
  readonly manage: boolean;
  readonly onChange: () => Promise<void>;
}) {
  const enable = $api.useMutation('post', '/api/v1/advisory-catalogue/{id}/enable', {
    onSuccess: onChange,
  });
  const disable = useConfirmAction('post', '/api/v1/advisory-catalogue/{id}/disable', {
    init: (entry: CatalogueEntry) => ({ params: { path: { id: entry.id } } }),
    // The screen's own refresh (sources, catalogue, sync runs).
    invalidate: [],
    onSuccess: () => void onChange(),
  });
  return (
    <>
      <MutationError error={enable.error} />
      <div className="table-scroll-x">
        <table className="simple-table">
          <thead>
            <tr>
              <th scope="col">Feed</th>
              <th scope="col">Publisher</th>
              <th scope="col">Licence</th>
              <th scope="col">Integrity</th>
              <th scope="col">Schedule</th>
              <th scope="col">State</th>
              {manage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <th scope="row">
                  {entry.name}
                  <div className="mono small muted break">{entry.url}</div>
                </th>
                <td>{entry.publisher}</td>
                <td>{entry.licence}</td>
                <td className="small">{entry.integrity}</td>
                <td>{describeInterval(entry.intervalSeconds)}</td>
                <td>{entry.enabled ? <Badge tone="ok">enabled</Badge> : <Badge>off</Badge>}</td>
                {manage && (
                  <td>
                    {entry.enabled ? (
                      <RowButton name={`Disable ${entry.name}`} onClick={() => disable.ask(entry)}>
                        Disable
                      </RowButton>
                    ) : (
                      <button
                        type="button"
                        className="button button-small button-primary"
                        aria-label={`Enable ${entry.name}`}
                        disabled={enable.isPending}
                        onClick={() =>
                          enable.mutate({
                            params: { path: { id: entry.id } },
                            body: { sync: true },
                          })
                        }
                      >
                        Enable
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmActionDialog
        action={disable}
        title={(entry) => `Disable ${entry.name}?`}
        message={(entry) => (
          <p>
            Its schedule stops: no more downloads from {entry.publisher}. The advisories it already
            brought stay.
          </p>
        )}
        confirmLabel="Disable feed"
        danger={false}
      />
    </>
  );
}

function SourceDialog({
  source,
  onClose,
  onSaved,
}: {
  readonly source: AdvisorySource | undefined;
  readonly onClose: () => void;
  readonly onSaved: () => Promise<void>;
}) {
  const [name, setName] = useState(source?.name ?? '');
  const [kind, setKind] = useState<SourceKind>(source?.kind ?? 'osv-directory');
  const [from, setFrom] = useState<'path' | 'url'>(source?.url != null ? 'url' : 'path');
  const [location, setLocation] = useState(source?.url ?? source?.path ?? '');
  const [checksumUrl, setChecksumUrl] = useState(source?.checksumUrl ?? '');
  const [hours, setHours] = useState(
    source?.intervalSeconds != null ? String(source.intervalSeconds / 3600) : '',
  );
  const [enabled, setEnabled] = useState(source?.enabled ?? true);
  const create = $api.useMutation('post', '/api/v1/advisory-sources', { onSuccess: onSaved });
  const update = $api.useMutation('patch', '/api/v1/advisory-sources/{id}', {
    onSuccess: onSaved,
  });
  const intervalSeconds = hours.trim() === '' ? null : Math.round(Number(hours) * 3600);
  const submit = () => {
    const where =
      from === 'url'
        ? { url: location, checksumUrl: checksumUrl.trim() === '' ? null : checksumUrl }
        : { path: location };
    if (source === undefined)
      create.mutate({ body: { name, kind, ...where, intervalSeconds, enabled } });
    else
      update.mutate({
        params: { path: { id: source.id } },
        body: { name, ...where, intervalSeconds, enabled },
      });
  };
  const busy = create.isPending || update.isPending;
  return (
    <FormDialog
      title={source === undefined ? 'Add an advisory source' : `Edit ${source.name}`}
      onClose={onClose}
      wide
      onSubmit={submit}
      error={create.error ?? update.error}
      submitLabel={source === undefined ? 'Add source' : 'Save'}
      busyLabel="Saving…"
      busy={busy}
    >
      <div className="form-columns">
        <Field id="source-name" label="Name">
          {(control) => (
            <input
              {...control}
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field id="source-kind" label="Kind">
          {(control) => (
            <select
              {...control}
              value={kind}
              disabled={source !== undefined}
              onChange={(event) => setKind(event.target.value as SourceKind)}
            >
              {sourceKinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset className="field">
        <legend>Read from</legend>
        <div className="row">
          <label className="checkbox">
            <input
              type="radio"
              name="source-from"
              checked={from === 'path'}
              onChange={() => setFrom('path')}
            />
            a path on the server
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="source-from"
              checked={from === 'url'}
              onChange={() => setFrom('url')}
            />
            an https URL
          </label>
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="source-location">{from === 'url' ? 'URL' : 'Path'}</label>
        <input
          id="source-location"
          className="mono"
          required
          aria-describedby="source-location-hint"
          value={location}
          onChange={(event) => setLocation(event.target.value)}
        />
        <span id="source-location-hint" className="field-hint">
          {from === 'url'
            ? 'https only, on a host the server allows (the catalogue hosts and PATCHGATE_DOWNLOAD_ALLOWED_HOSTS).'
            : 'Inside an allowed advisory root; a relative path starts at <data dir>/advisories.'}
        </span>
      </div>
      {from === 'url' && (
        <div className="field">
          <label htmlFor="source-checksum">Checksum URL (optional)</label>
          <input
            id="source-checksum"
            className="mono"
            value={checksumUrl}
            onChange={(event) => setChecksumUrl(event.target.value)}
          />
        </div>
      )}
      <div className="form-columns">
        <div className="field">
          <label htmlFor="source-interval">Sync every (hours)</label>
          <input
            id="source-interval"
            type="number"
            min={1 / 60}
            max={720}
            step="any"
            aria-describedby="source-interval-hint"
            value={hours}
            onChange={(event) => setHours(event.target.value)}
          />
          <span id="source-interval-hint" className="field-hint">
            Empty: only when asked (Sync now).
          </span>
        </div>
        <label className="checkbox align-end">
          <input
            type="checkbox"
            checked={enabled}
            onChange={(event) => setEnabled(event.target.checked)}
          />
          Schedule enabled
        </label>
      </div>
    </FormDialog>
  );
}

function SyncRuns({
  names,
  sources,
}: {
  readonly names: ReadonlyMap<string, string>;
  readonly sources: readonly AdvisorySource[];
}) {
  const url = useUrlState(['source', 'state'] as const);
  const state = runStates.find((s) => s === url.values.state);
  const query = {
    limit: 50,
    ...(url.values.source !== undefined && { sourceId: url.values.source }),
    ...(state !== undefined && { state }),
  };
  const runs = $api.useInfiniteQuery(
    'get',
    '/api/v1/sync-runs',
    { params: { query } },
    {
      pageParamName: 'offset',
      initialPageParam: 0,
      getNextPageParam: (last) => last.nextOffset ?? undefined,
      refetchInterval: (q) =>
        q.state.data?.pages.some((page) => page.runs.some((run) => run.state === 'running'))
          ? 3000
          : false,
    },
  );
  const rows = useMemo(() => runs.data?.pages.flatMap((page) => page.runs) ?? [], [runs.data]);
  const columns = useMemo<ColumnDef<SyncRun, unknown>[]>(
    () => [
      {
        id: 'startedAt',
        header: 'Started',
        accessorKey: 'startedAt',
        cell: ({ row }) => (
          <Link to={`/admin/sources/runs/${row.original.id}`}>
            {formatDateTime(row.original.startedAt)}
          </Link>
        ),
      },
      {
        // Names come from the sources' query, which may answer after the runs: read them when
        // rendering the cell (an accessor's value is cached with the rows).
        id: 'source',
        header: 'Source',
        accessorKey: 'sourceId',
        cell: ({ row }) => names.get(row.original.sourceId) ?? row.original.sourceId,
      },
      {
        id: 'state',
        header: 'State',
        accessorKey: 'state',
        cell: ({ row }) => <StatusBadge status={row.original.state} />,
      },
      {
        id: 'progress',
        header: 'Progress / duration',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.state === 'running' ? (
            <SyncProgress jobId={row.original.jobId} />
          ) : row.original.finishedAt !== null ? (
            formatDuration(
              new Date(row.original.finishedAt).getTime() -
                new Date(row.original.startedAt).getTime(),
            )
          ) : (
            '—'
          ),
      },
      {
        id: 'counts',
        header: 'Read · new · updated · unchanged · withdrawn',
        enableSorting: false,
        cell: ({ row }) => {
          const c = row.original.counts;
          return (
            <span className="mono small">
              {[c.read, c.new, c.updated, c.unchanged, c.withdrawn].map(formatNumber).join(' · ')}
            </span>
          );
        },
      },
      {
        id: 'errors',
        header: 'Errors',
        accessorFn: (run) => run.counts.errors,
        cell: ({ row }) =>
          row.original.error !== null ? (
            <span className="error-text" title={row.original.error}>
              {row.original.error.slice(0, 80)}
            </span>
          ) : row.original.counts.errors > 0 ? (
            <Badge tone="warn">{formatNumber(row.original.counts.errors)} errors</Badge>
          ) : (
            '0'
          ),
      },
    ],
    [names],
  );
  return (
    <Section title="Sync runs">
      <div className="filters">
        <div className="field">
          <label htmlFor="runs-source">Source</label>
          <select
            id="runs-source"
            value={url.values.source ?? ''}
            onChange={(event) => url.set({ source: event.target.value })}
          >
            <option value="">All sources</option>
            {sources.map((source) => (
              <option key={source.id} value={source.id}>
                {source.name}
              </option>
            ))}
          </select>
        </div>
        <ChoiceFilter
          id="runs-state"
          label="State"
          any="Any state"
          value={state}
          options={runStates}
          onChange={(value) => url.set({ state: value })}
        />
      </div>
      {runs.isPending ? (
        <Loading label="Loading sync runs…" />
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No sync runs match." />
      ) : (
        <DataTable
          label="Sync runs"
          rows={rows}
          columns={columns}
          rowId={(run) => run.id}
          height="50vh"
          onEndReached={() => {
            if (runs.hasNextPage && !runs.isFetchingNextPage) void runs.fetchNextPage();
          }}
          footer={
            <>
              <span>{formatNumber(rows.length)} runs shown</span>
              {runs.hasNextPage && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={runs.isFetchingNextPage}
                  onClick={() => void runs.fetchNextPage()}
                >
                  {runs.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              )}
            </>
          }
        />
      )}
    </Section>
  );
}
