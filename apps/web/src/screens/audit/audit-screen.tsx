/**
 * The audit log (audit:read): the chain's verification first (verified up to event N, the
 * signed checkpoints, or the first break), with "Verify now" and "Sign a checkpoint now"; then
 * the events, newest first (or oldest first), filtered by action, actor, subject and time —
 * every filter and the open event in the URL — in the virtualised table, a page at a time as
 * the list scrolls; an event opens in a dialog with what changed.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, unwrap } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { NotPermitted } from '../admin/common.tsx';
import './audit.css';
import { EventDetails } from './event-details.tsx';
import type { AuditEvent, AuditQuery, Verification } from './types.ts';
import { Field } from '../../ui/forms.tsx';

const filterKeys = ['action', 'actor', 'subjectType', 'subject', 'since', 'until'] as const;
const urlKeys = [...filterKeys, 'order', 'event'] as const;
type UrlKey = (typeof urlKeys)[number];
type Filters = Partial<Record<(typeof filterKeys)[number], string>>;

/** Actions worth offering in the filter (any other can be typed). */
const commonActions = [
  'user.login',
  'user.login_failed',
  'user.logout',
  'user.created',
  'user.updated',
  'user.password_reset',
  'token.created',
  'token.revoked',
  'finding.triaged',
  'finding_exception.requested',
  'change.submit',
  'change.scheduled',
  'rollout.create',
  'advisory-source.updated',
  'notification.channel-created',
];

const pageSize = 100;
const isDay = (value: string | undefined): value is string =>
  value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value);
const nextDay = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

/** The URL's filters as the API's query (dates are whole UTC days, `until` inclusive). */
export function auditQueryOf(values: Partial<Record<UrlKey, string>>): AuditQuery {
  return {
    limit: pageSize,
    order: values.order === 'asc' ? 'asc' : 'desc',
    ...(values.action !== undefined && { action: values.action }),
    ...(values.actor !== undefined && { actorId: values.actor }),
    ...(values.subjectType !== undefined && { subjectType: values.subjectType }),
    ...(values.subject !== undefined && { subjectId: values.subject }),
    ...(isDay(values.since) && { since: `${values.since}T00:00:00.000Z` }),
    ...(isDay(values.until) && { until: nextDay(values.until) }),
  };
}

export function AuditScreen() {
  const { can } = useSession();
  if (!can('audit:read')) return <NotPermitted title="Audit log" permissions={['audit:read']} />;
  return <AuditLog />;
}

function AuditLog() {
  const url = useUrlState(urlKeys);
  const query = auditQueryOf(url.values);
  const init = { params: { query } };
  // The verification and the first page of events load in parallel.
  const verification = $api.useQuery('get', '/api/v1/audit/verification', undefined, {
    staleTime: 60_000,
  });
  const events = useInfiniteQuery({
    queryKey: ['get', '/api/v1/audit/events', init],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/audit/events', {
          signal,
          params: {
            query: {
              ...query,
              ...(pageParam !== null &&
                (query.order === 'desc' ? { beforeSeq: pageParam } : { afterSeq: pageParam })),
            },
          },
        }),
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) =>
      (query.order === 'desc' ? last.nextBeforeSeq : last.nextAfterSeq) ?? undefined,
  });
  const rows = useMemo(
    () => events.data?.pages.flatMap((page) => page.events) ?? [],
    [events.data],
  );
  const selected = url.values.event !== undefined ? Number(url.values.event) : undefined;

  /** A link to this screen with some filters changed (and no event open). */
  const linkWith = (changes: Filters): string => {
    const params = new URLSearchParams();
    for (const key of urlKeys) {
      const value = key in changes ? changes[key as keyof Filters] : url.values[key];
      if (value !== undefined && value !== '' && key !== 'event') params.set(key, value);
    }
    const search = params.toString();
    return search === '' ? '/audit' : `/audit?${search}`;
  };

  const columns = useMemo<ColumnDef<AuditEvent, unknown>[]>(
    () => [
      {
        id: 'seq',
        header: '#',
        size: 80,
        accessorKey: 'seq',
        cell: ({ row }) => (
          <button
            type="button"
            className="link-button mono"
            aria-label={`Open event ${row.original.seq}: ${row.original.action}`}
            onClick={() => url.set({ event: String(row.original.seq) })}
          >
            {row.original.seq}
          </button>
        ),
      },
      {
        id: 'occurredAt',
        header: 'When (UTC)',
        accessorKey: 'occurredAt',
        cell: ({ row }) => formatDateTime(row.original.occurredAt),
      },
      {
        id: 'action',
        header: 'Action',
        accessorKey: 'action',
        cell: ({ row }) => (
          <Link
            className="mono"
            to={linkWith({ action: row.original.action })}
            title={`Only ${row.original.action} events`}
          >
            {row.original.action}
          </Link>
        ),
      },
      {
        id: 'actor',
        header: 'Actor',
        accessorFn: (event) => event.actor.name,
        cell: ({ row }) => {
          const { actor } = row.original;
          return (
            <span className="row-tight">
              {actor.id !== null && actor.type !== 'system' ? (
                <Link to={linkWith({ actor: actor.id })} title={`Only events by ${actor.name}`}>
                  {actor.name}
                </Link>
              ) : (
                actor.name
              )}
              {actor.type !== 'user' && <Badge>{actor.type}</Badge>}
            </span>
          );
        },
      },
      {
        id: 'subject',
        header: 'Subject',
        accessorFn: (event) => `${event.subject.type} ${event.subject.id ?? ''}`,
        cell: ({ row }) => {
          const { subject } = row.original;
          return (
            <Link
              className="mono small"
              to={linkWith({
                subjectType: subject.type,
                subject: subject.id ?? undefined,
              })}
              title={`Only events on this ${subject.type}`}
            >
              {subject.type}
              {subject.id !== null &&
                `: ${subject.id.length > 24 ? `${subject.id.slice(0, 8)}…` : subject.id}`}
            </Link>
          );
        },
      },
      {
        id: 'ip',
        header: 'From',
        accessorFn: (event) => event.ip ?? '',
        cell: ({ row }) => <span className="mono small">{row.original.ip ?? '—'}</span>,
      },
    ],
    // linkWith reads the current URL values
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [url.values],
  );

  const filtered = filterKeys.some((key) => url.values[key] !== undefined);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every state change that matters, hash-chained and anchored by signed checkpoints."
      />
      <VerificationPanel
        verification={verification}
        onOpenEvent={(seq) => url.set({ event: String(seq) })}
      />
      <Section title="Events">
        <AuditFilters
          key={filterKeys.map((key) => url.values[key] ?? '').join('|')}
          values={url.values}
          onApply={(filters) => url.set({ ...filters, event: undefined })}
          onClear={() => url.set(Object.fromEntries(urlKeys.map((key) => [key, undefined])))}
          order={query.order ?? 'desc'}
          onOrder={(order) => url.set({ order: order === 'desc' ? undefined : order })}
        />
        {events.isPending ? (
          <Loading label="Loading audit events…" />
        ) : events.isError ? (
          <ErrorState error={events.error} onRetry={() => void events.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title={filtered ? 'No event matches these filters.' : 'No events yet.'} />
        ) : (
          <DataTable
            label="Audit events"
            rows={rows}
            columns={columns}
            rowId={(event) => String(event.seq)}
            {...(selected !== undefined && { currentId: String(selected) })}
            height="60vh"
            onEndReached={() => {
              if (events.hasNextPage && !events.isFetchingNextPage) void events.fetchNextPage();
            }}
            footer={
              <>
                <span>
                  {formatNumber(rows.length)} events shown
                  {events.hasNextPage ? ', more as you scroll' : ', all that match'}
                </span>
                {events.hasNextPage && (
                  <button
                    type="button"
                    className="button button-small"
                    disabled={events.isFetchingNextPage}
                    onClick={() => void events.fetchNextPage()}
                  >
                    {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
                  </button>
                )}
              </>
            }
          />
        )}
      </Section>
      <EventDialog
        seq={selected}
        loaded={rows.find((event) => event.seq === selected)}
        onClose={() => url.set({ event: undefined }, { replace: true })}
      />
    </>
  );
}

function AuditFilters({
  values,
  onApply,
  onClear,
  order,
  onOrder,
}: {
  readonly values: Filters;
  readonly onApply: (filters: Filters) => void;
  readonly onClear: () => void;
  readonly order: 'asc' | 'desc';
  readonly onOrder: (order: 'asc' | 'desc') => void;
}) {
  const [draft, setDraft] = useState<Filters>(values);
  const field = (key: keyof Filters) => ({
    value: draft[key] ?? '',
    onChange: (event: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [key]: event.target.value })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed: Filters = {};
    for (const key of filterKeys) trimmed[key] = draft[key]?.trim() || undefined;
    onApply(trimmed);
  };
  return (
    <form
      className="filters audit-filters"
      role="search"
      aria-label="Filter audit events"
      onSubmit={submit}
    >
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <input id="audit-action" list="audit-actions" className="mono" {...field('action')} />
        <datalist id="audit-actions">
          {commonActions.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor (user id)</label>
        <input id="audit-actor" className="mono" {...field('actor')} />
      </div>
      <Field id="audit-subject-type" label="Subject type">
        {(control) => (
          <input {...control} placeholder="user, change, asset…" {...field('subjectType')} />
        )}
      </Field>
      <div className="field">
        <label htmlFor="audit-subject">Subject id</label>
        <input id="audit-subject" className="mono" {...field('subject')} />
      </div>
      <div className="field">
        <label htmlFor="audit-since">From (UTC day)</label>
        <input id="audit-since" type="date" {...field('since')} />
      </div>
      <div className="field">
        <label htmlFor="audit-until">To (UTC day, inclusive)</label>
        <input id="audit-until" type="date" {...field('until')} />
      </div>
      <Field id="audit-order" label="Order">
        {(control) => (
          <select
            {...control}
            value={order}
            onChange={(event) => onOrder(event.target.value as 'asc' | 'desc')}
          >
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        )}
      </Field>
      <div className="row">
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
        <button type="button" className="button" onClick={onClear}>
          Clear
        </button>
      </div>
    </form>
  );
}

function VerificationPanel({
  verification,
  onOpenEvent,
}: {
  readonly verification: UseQueryResult<Verification, unknown>;
  readonly onOpenEvent: (seq: number) => void;
}) {
  const queryClient = useQueryClient();
  const [signed, setSigned] = useState<string | undefined>();
  const checkpoint = $api.useMutation('post', '/api/v1/audit/checkpoints', {
    onSuccess: async (taken) => {
      setSigned(
        `Checkpoint ${taken.checkpoint.number} signed over ${formatNumber(taken.checkpoint.seq)} events${taken.webhook !== undefined ? ` (webhook copy ${taken.webhook})` : ''}.`,
      );
      await queryClient.invalidateQueries({ queryKey: ['get', '/api/v1/audit/verification'] });
    },
  });
  const verifying = verification.isFetching;
  const actions = (
    <>
      <button
        type="button"
        className="button button-primary"
        disabled={verifying}
        onClick={() => {
          setSigned(undefined);
          void verification.refetch();
        }}
      >
        {verifying ? 'Verifying…' : 'Verify now'}
      </button>
      <button
        type="button"
        className="button"
        disabled={checkpoint.isPending || verification.data?.ok === false}
        onClick={() => checkpoint.mutate({})}
      >
        Sign a checkpoint now
      </button>
    </>
  );
  return (
    <Section title="Chain verification" actions={actions} className="audit-verification">
      {verification.isPending ? (
        <Loading label="Verifying the chain…" />
      ) : verification.isError ? (
        <ErrorState error={verification.error} onRetry={() => void verification.refetch()} />
      ) : (
        <VerificationResult
          result={verification.data}
          checkedAt={verification.dataUpdatedAt}
          onOpenEvent={onOpenEvent}
        />
      )}
      {signed !== undefined && (
        <p className="form-success" role="status">
          {signed}
        </p>
      )}
      {checkpoint.error !== null && (
        <p className="form-error" role="alert">
          {errorMessage(checkpoint.error)}
        </p>
      )}
    </Section>
  );
}

export function VerificationResult({
  result,
  checkedAt,
  onOpenEvent,
}: {
  readonly result: Verification;
  readonly checkedAt: number;
  readonly onOpenEvent: (seq: number) => void;
}) {
  const { checkpoints } = result;
  return (
    <div className={result.ok ? 'verdict verdict-ok' : 'verdict verdict-broken'}>
      {result.ok ? (
        <p className="verdict-title" role="status">
          <span aria-hidden="true">✓ </span>
          Verified: all {formatNumber(result.events)} events chain correctly
          {checkpoints.last !== null
            ? ` and agree with ${formatNumber(checkpoints.count)} signed checkpoint${checkpoints.count === 1 ? '' : 's'}.`
            : '.'}
        </p>
      ) : (
        <div role="alert">
          <p className="verdict-title">
            <span aria-hidden="true">✗ </span>
            Broken: the log verifies only up to event {formatNumber(result.events)}.
          </p>
          {result.brokenAt !== undefined && (
            <p>
              Event {result.brokenAt.seq}: {result.brokenAt.reason}{' '}
              <button
                type="button"
                className="button button-small"
                onClick={() => onOpenEvent(result.brokenAt?.seq ?? 0)}
              >
                Look at event {result.brokenAt.seq}
              </button>
            </p>
          )}
        </div>
      )}
      <dl className="facts">
        <div className="fact">
          <dt>Verified up to</dt>
          <dd>event {formatNumber(result.events)}</dd>
        </div>
        <div className="fact">
          <dt>Last checkpoint</dt>
          <dd>
            {checkpoints.last === null
              ? 'none yet'
              : `#${checkpoints.last.number}, event ${formatNumber(checkpoints.last.seq)}, ${formatDateTime(checkpoints.last.takenAt)}`}
          </dd>
        </div>
        <div className="fact">
          <dt>Not yet under a checkpoint</dt>
          <dd>{formatNumber(checkpoints.eventsAfterLast)} events (protected by the chain alone)</dd>
        </div>
        <div className="fact">
          <dt>Signing key</dt>
          <dd className="mono small">{checkpoints.keyId ?? 'none'}</dd>
        </div>
        <div className="fact">
          <dt>Checked</dt>
          <dd>{checkedAt === 0 ? '—' : formatDateTime(new Date(checkedAt).toISOString())}</dd>
        </div>
      </dl>
      {checkpoints.problems.length > 0 && (
        <div className="verdict-problems">
          <p className="verdict-title">Checkpoint problems</p>
          <ul>
            {checkpoints.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The open event: from the loaded rows, else fetched by its seq (a shared URL). */
function EventDialog({
  seq,
  loaded,
  onClose,
}: {
  readonly seq: number | undefined;
  readonly loaded: AuditEvent | undefined;
  readonly onClose: () => void;
}) {
  const valid = seq !== undefined && Number.isInteger(seq) && seq >= 1;
  const fetched = useQuery({
    queryKey: [
      'get',
      '/api/v1/audit/events',
      { params: { query: { afterSeq: (seq ?? 1) - 1, limit: 1 } } },
    ],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/audit/events', {
          signal,
          params: { query: { afterSeq: (seq ?? 1) - 1, limit: 1 } },
        }),
      ),
    enabled: valid && loaded === undefined,
  });
  const event = loaded ?? fetched.data?.events.find((e) => e.seq === seq);
  return (
    <Dialog
      open={seq !== undefined}
      title={event !== undefined ? `Event ${event.seq}: ${event.action}` : `Event ${seq ?? ''}`}
      onClose={onClose}
      wide
    >
      {event !== undefined ? (
        <EventDetails event={event} />
      ) : !valid ? (
        <p>There is no event with this number.</p>
      ) : fetched.isPending ? (
        <Loading label="Loading the event…" />
      ) : fetched.isError ? (
        <ErrorState error={fetched.error} />
      ) : (
        <p role="alert">Event {seq} is not in the log: it may have been removed.</p>
      )}
    </Dialog>
  );
}
