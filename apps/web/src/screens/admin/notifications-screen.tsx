/**
 * Notifications (notifications:manage): channels (list, add and edit with the fields of their
 * kind, test, delete), subscriptions (events → a channel, for an audience; add, delete) and the
 * delivery log (status filter in the URL, keyset pages, retry a failed delivery).
 */
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { Badge, statusTone } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { Field, FormDialog, MutationError } from '../../ui/forms.tsx';
import { CheckboxGroup } from './common.tsx';
import type { Audience, Channel, Delivery, NotificationEvent, Subscription } from './types.ts';

type ChannelKind = Channel['kind'];
const channelKinds: readonly ChannelKind[] = ['webhook', 'slack', 'teams', 'email'];
const kindLabels: Record<ChannelKind, string> = {
  webhook: 'Signed webhook',
  slack: 'Slack webhook',
  teams: 'Microsoft Teams webhook',
  email: 'E-mail (SMTP)',
};
const securities = ['starttls', 'starttls-opportunistic', 'tls', 'none'] as const;
const audiences: readonly Audience[] = [
  'cab',
  'approvers',
  'service-owners',
  'operators',
  'asset-group',
  'address',
];
const events: readonly NotificationEvent[] = [
  'submitted',
  'approval-needed',
  'approval-progress',
  'approved',
  'rejected',
  'scheduled',
  'starting',
  'completed',
  'failed',
  'rolled-back',
  'review-due',
  'finding-due-soon',
  'finding-overdue',
  'rollout.started',
  'rollout.wave-completed',
  'rollout.paused',
  'rollout.halted',
  'rollout.completed',
  'rollout.rolled-back',
];
const deliveryStatuses = ['pending', 'held', 'digest', 'digested', 'sent', 'failed'] as const;

export function NotificationsScreen() {
  // Both at once (no waterfall); the deliveries' query starts in its section, in parallel.
  const channels = useChannels();
  const subscriptions = useSubscriptions();
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Where change and rollout events are sent, to whom, and what was delivered."
      />
      <ChannelsSection channels={channels} />
      <SubscriptionsSection
        subscriptions={subscriptions}
        channels={channels.data?.channels ?? []}
      />
      <DeliveriesSection channels={channels.data?.channels ?? []} />
    </>
  );
}

function ChannelsSection({ channels }: { readonly channels: ReturnType<typeof useChannels> }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Channel | 'new' | undefined>();
  const [testing, setTesting] = useState<Channel | undefined>();
  const [deleting, setDeleting] = useState<Channel | undefined>();
  const remove = $api.useMutation('delete', '/api/v1/notification-channels/{id}', {
    onSuccess: async () => {
      setDeleting(undefined);
      await invalidatePaths(queryClient, [
        '/api/v1/notification-channels',
        '/api/v1/notification-subscriptions',
      ]);
    },
  });
  return (
    <Section
      title="Channels"
      actions={
        <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
          Add channel
        </button>
      }
    >
      <QueryState
        query={channels}
        isEmpty={(data) => data.channels.length === 0}
        empty={
          <EmptyState title="No channels yet: add a webhook, Slack, Teams or e-mail channel." />
        }
      >
        {(data) => (
          <div className="table-scroll-x">
            <table className="simple-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Target</th>
                  <th scope="col">State</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.channels.map((channel) => (
                  <tr key={channel.id}>
                    <th scope="row">{channel.name}</th>
                    <td>{kindLabels[channel.kind]}</td>
                    <td className="mono small break">{channel.target}</td>
                    <td>
                      {channel.enabled ? <Badge tone="ok">enabled</Badge> : <Badge>disabled</Badge>}
                    </td>
                    <td>
                      <span className="row-tight">
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Test ${channel.name}`}
                          onClick={() => setTesting(channel)}
                        >
                          Test
                        </button>
                        <button
                          type="button"
                          className="button button-small"
                          aria-label={`Edit ${channel.name}`}
                          onClick={() => setEditing(channel)}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="button button-small button-danger"
                          aria-label={`Delete ${channel.name}`}
                          onClick={() => {
                            remove.reset();
                            setDeleting(channel);
                          }}
                        >
                          Delete
                        </button>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {editing !== undefined && (
        <ChannelDialog
          key={editing === 'new' ? 'new' : editing.id}
          channel={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
      {testing !== undefined && (
        <TestChannelDialog
          key={testing.id}
          channel={testing}
          onClose={() => setTesting(undefined)}
        />
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deleting?.name ?? 'channel'}?`}
        message={
          <p>
            The channel and every subscription through it are removed: nobody hears through it any
            more. Its delivery log stays.
          </p>
        }
        confirmLabel="Delete channel"
        danger
        busy={remove.isPending}
        error={remove.error !== null ? errorMessage(remove.error) : undefined}
        onConfirm={() => {
          if (deleting !== undefined) remove.mutate({ params: { path: { id: deleting.id } } });
        }}
        onClose={() => setDeleting(undefined)}
      />
    </Section>
  );
}

function useChannels() {
  return $api.useQuery('get', '/api/v1/notification-channels');
}

const setting = (channel: Channel | undefined, key: string): string => {
  const value = channel?.settings[key];
  return value === undefined ? '' : String(value);
};

function ChannelDialog({
  channel,
  onClose,
}: {
  readonly channel: Channel | undefined;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? 'webhook');
  const [name, setName] = useState(channel?.name ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [url, setUrl] = useState(channel?.kind === 'webhook' ? setting(channel, 'url') : '');
  const [secret, setSecret] = useState('');
  const [host, setHost] = useState(setting(channel, 'host'));
  const [port, setPort] = useState(setting(channel, 'port') || '587');
  const [security, setSecurity] = useState<(typeof securities)[number]>(
    securities.find((s) => s === setting(channel, 'security')) ?? 'starttls',
  );
  const [username, setUsername] = useState(setting(channel, 'username'));
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState(setting(channel, 'from'));
  const done = async () => {
    await invalidatePaths(queryClient, ['/api/v1/notification-channels']);
    onClose();
  };
  const create = $api.useMutation('post', '/api/v1/notification-channels', { onSuccess: done });
  const update = $api.useMutation('patch', '/api/v1/notification-channels/{id}', {
    onSuccess: done,
  });
  const editing = channel !== undefined;
  const submit = () => {
    if (!editing) {
      const body =
        kind === 'email'
          ? {
              name,
              kind,
              enabled,
              host,
              port: Number(port),
              security,
              from,
              ...(username !== '' && { username }),
              ...(password !== '' && { password }),
            }
          : kind === 'webhook'
            ? { name, kind, enabled, url, secret }
            : { name, kind, enabled, url };
      create.mutate({ body });
      return;
    }
    // Secrets and URLs the server does not return are changed only when typed again.
    const body =
      kind === 'email'
        ? {
            name,
            enabled,
            host,
            port: Number(port),
            security,
            from,
            username: username === '' ? null : username,
            ...(password !== '' && { password }),
          }
        : {
            name,
            enabled,
            ...(url !== '' && { url }),
            ...(kind === 'webhook' && secret !== '' && { secret }),
          };
    update.mutate({ params: { path: { id: channel.id } }, body });
  };
  const busy = create.isPending || update.isPending;
  return (
    <FormDialog
      title={editing ? `Edit ${channel.name}` : 'Add a channel'}
      onClose={onClose}
      wide
      onSubmit={submit}
      error={create.error ?? update.error}
      submitLabel={editing ? 'Save' : 'Add channel'}
      busyLabel="Saving…"
      busy={busy}
    >
      <div className="form-columns">
        <Field id="channel-name" label="Name">
          {(control) => (
            <input
              {...control}
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field id="channel-kind" label="Kind">
          {(control) => (
            <select
              {...control}
              value={kind}
              disabled={editing}
              onChange={(event) => setKind(event.target.value as ChannelKind)}
            >
              {channelKinds.map((k) => (
                <option key={k} value={k}>
                  {kindLabels[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {kind !== 'email' ? (
        <>
          <Field
            id="channel-url"
            label="Webhook URL"
            hint={
              <>
                {editing
                  ? `Now: ${channel.target}. Leave empty to keep it (Slack and Teams URLs are secrets, never shown).`
                  : 'https; Slack and Teams webhook URLs are kept as secrets.'}
              </>
            }
          >
            {(control) => (
              <input
                {...control}
                type="url"
                className="mono"
                required={!editing}
                value={url}
                onChange={(event) => setUrl(event.target.value)}
              />
            )}
          </Field>
          {kind === 'webhook' && (
            <Field
              id="channel-secret"
              label="Signing secret"
              hint={
                <>
                  Signs each body (Patchgate-Signature, HMAC-SHA256).{' '}
                  {editing && ' Leave empty to keep the current secret.'}
                </>
              }
            >
              {(control) => (
                <input
                  {...control}
                  type="password"
                  autoComplete="off"
                  required={!editing}
                  value={secret}
                  onChange={(event) => setSecret(event.target.value)}
                />
              )}
            </Field>
          )}
        </>
      ) : (
        <>
          <div className="form-columns">
            <Field id="channel-host" label="SMTP host">
              {(control) => (
                <input
                  {...control}
                  required
                  value={host}
                  onChange={(event) => setHost(event.target.value)}
                />
              )}
            </Field>
            <Field id="channel-port" label="Port">
              {(control) => (
                <input
                  {...control}
                  type="number"
                  min={1}
                  max={65535}
                  required
                  value={port}
                  onChange={(event) => setPort(event.target.value)}
                />
              )}
            </Field>
            <div className="field">
              <label htmlFor="channel-security">Security</label>
              <select
                id="channel-security"
                value={security}
                onChange={(event) => setSecurity(event.target.value as (typeof securities)[number])}
              >
                {securities.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="form-columns">
            <Field id="channel-from" label="From address">
              {(control) => (
                <input
                  {...control}
                  type="email"
                  required
                  value={from}
                  onChange={(event) => setFrom(event.target.value)}
                />
              )}
            </Field>
            <Field id="channel-username" label="SMTP username (optional)">
              {(control) => (
                <input
                  {...control}
                  autoComplete="off"
                  value={username}
                  onChange={(event) => setUsername(event.target.value)}
                />
              )}
            </Field>
            <Field id="channel-password" label="SMTP password">
              {(control) => (
                <input
                  {...control}
                  type="password"
                  autoComplete="off"
                  placeholder={editing ? 'unchanged' : ''}
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                />
              )}
            </Field>
          </div>
        </>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(event) => setEnabled(event.target.checked)}
        />
        Enabled
      </label>
    </FormDialog>
  );
}

function TestChannelDialog({
  channel,
  onClose,
}: {
  readonly channel: Channel;
  readonly onClose: () => void;
}) {
  const [recipient, setRecipient] = useState('');
  const test = $api.useMutation('post', '/api/v1/notification-channels/{id}/test');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.mutate({
      params: { path: { id: channel.id } },
      body: channel.kind === 'email' && recipient !== '' ? { recipient } : {},
    });
  };
  return (
    <Dialog open title={`Test ${channel.name}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p>Sends a test message through this channel now and reports what the receiver answered.</p>
        {channel.kind === 'email' && (
          <Field id="test-recipient" label="Send to">
            {(control) => (
              <input
                {...control}
                type="email"
                required
                value={recipient}
                onChange={(event) => setRecipient(event.target.value)}
              />
            )}
          </Field>
        )}
        {test.data !== undefined && (
          <p className={test.data.ok ? 'form-success' : 'form-error'} role="status">
            {test.data.ok ? 'Delivered' : 'Failed'}
            {test.data.code !== null && ` (answer ${test.data.code})`} in{' '}
            {Math.round(test.data.durationMs)} ms
            {test.data.error !== null && `: ${test.data.error}`}
          </p>
        )}
        <MutationError error={test.error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="button button-primary" disabled={test.isPending}>
            {test.isPending ? 'Sending…' : 'Send test message'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function SubscriptionsSection({
  subscriptions,
  channels,
}: {
  readonly subscriptions: ReturnType<typeof useSubscriptions>;
  readonly channels: readonly Channel[];
}) {
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Subscription | undefined>();
  const remove = $api.useMutation('delete', '/api/v1/notification-subscriptions/{id}', {
    onSuccess: async () => {
      setDeleting(undefined);
      await invalidatePaths(queryClient, ['/api/v1/notification-subscriptions']);
    },
  });
  return (
    <Section
      title="Subscriptions"
      actions={
        <button
          type="button"
          className="button"
          disabled={channels.length === 0}
          onClick={() => setCreating(true)}
        >
          Add subscription
        </button>
      }
    >
      <QueryState
        query={subscriptions}
        isEmpty={(data) => data.subscriptions.length === 0}
        empty={<EmptyState title="No subscriptions: nobody is notified yet." />}
      >
        {(data) => (
          <div className="table-scroll-x">
            <table className="simple-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Events</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Audience</th>
                  <th scope="col">Digest</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.subscriptions.map((subscription) => (
                  <tr key={subscription.id}>
                    <th scope="row">
                      {subscription.name}
                      {!subscription.enabled && (
                        <>
                          {' '}
                          <Badge>disabled</Badge>
                        </>
                      )}
                    </th>
                    <td className="small">{subscription.events.join(', ')}</td>
                    <td>{subscription.channelName}</td>
                    <td>
                      {subscription.audience}
                      {subscription.audienceValue !== null && `: ${subscription.audienceValue}`}
                    </td>
                    <td>
                      {subscription.digest === 'none' ? 'each event' : subscription.digest}
                      {subscription.quietHours !== null &&
                        ` · quiet ${subscription.quietHours.start}–${subscription.quietHours.end}`}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        aria-label={`Delete subscription ${subscription.name}`}
                        onClick={() => {
                          remove.reset();
                          setDeleting(subscription);
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {creating && <SubscriptionDialog channels={channels} onClose={() => setCreating(false)} />}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete subscription ${deleting?.name ?? ''}?`}
        message={<p>Its audience will no longer hear about {deleting?.events.join(', ')}.</p>}
        confirmLabel="Delete subscription"
        danger
        busy={remove.isPending}
        error={remove.error !== null ? errorMessage(remove.error) : undefined}
        onConfirm={() => {
          if (deleting !== undefined) remove.mutate({ params: { path: { id: deleting.id } } });
        }}
        onClose={() => setDeleting(undefined)}
      />
    </Section>
  );
}

function useSubscriptions() {
  return $api.useQuery('get', '/api/v1/notification-subscriptions');
}

function SubscriptionDialog({
  channels,
  onClose,
}: {
  readonly channels: readonly Channel[];
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [channel, setChannel] = useState(channels[0]?.id ?? '');
  const [audience, setAudience] = useState<Audience>('cab');
  const [audienceValue, setAudienceValue] = useState('');
  const [chosen, setChosen] = useState<NotificationEvent[]>(['approval-needed']);
  const [digest, setDigest] = useState<'none' | 'daily' | 'weekly'>('none');
  const create = $api.useMutation('post', '/api/v1/notification-subscriptions', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/notification-subscriptions']);
      onClose();
    },
  });
  const needsValue = audience === 'asset-group' || audience === 'address';
  const submit = () => {
    create.mutate({
      body: {
        name,
        channel,
        audience,
        events: chosen,
        digest,
        ...(needsValue && { audienceValue }),
      },
    });
  };
  return (
    <FormDialog
      title="Add a subscription"
      onClose={onClose}
      wide
      onSubmit={submit}
      error={create.error}
      submitLabel="Add subscription"
      busyLabel="Adding…"
      busy={create.isPending}
      disabled={chosen.length === 0}
    >
      <div className="form-columns">
        <Field id="subscription-name" label="Name">
          {(control) => (
            <input
              {...control}
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field id="subscription-channel" label="Channel">
          {(control) => (
            <select
              {...control}
              value={channel}
              onChange={(event) => setChannel(event.target.value)}
            >
              {channels.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="subscription-digest" label="Delivery">
          {(control) => (
            <select
              {...control}
              value={digest}
              onChange={(event) => setDigest(event.target.value as 'none' | 'daily' | 'weekly')}
            >
              <option value="none">Each event as it happens</option>
              <option value="daily">Daily digest</option>
              <option value="weekly">Weekly digest</option>
            </select>
          )}
        </Field>
      </div>
      <div className="form-columns">
        <Field id="subscription-audience" label="Audience">
          {(control) => (
            <select
              {...control}
              value={audience}
              onChange={(event) => setAudience(event.target.value as Audience)}
            >
              {audiences.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        {needsValue && (
          <Field
            id="subscription-audience-value"
            label={<>{audience === 'address' ? 'Address' : 'Asset group'}</>}
          >
            {(control) => (
              <input
                {...control}
                required
                value={audienceValue}
                onChange={(event) => setAudienceValue(event.target.value)}
              />
            )}
          </Field>
        )}
      </div>
      <CheckboxGroup
        legend="Events"
        options={events}
        value={chosen}
        onChange={setChosen}
        columns={3}
      />
    </FormDialog>
  );
}

function DeliveriesSection({ channels }: { readonly channels: readonly Channel[] }) {
  const url = useUrlState(['delivery'] as const);
  const status = deliveryStatuses.find((s) => s === url.values.delivery);
  const init = { params: { query: { limit: 50, ...(status !== undefined && { status }) } } };
  const queryClient = useQueryClient();
  // Keyset pages: the first page has no cursor (openapi-react-query would send cursor=0).
  const deliveries = useInfiniteQuery({
    queryKey: ['get', '/api/v1/notification-deliveries', init],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/notification-deliveries', {
          signal,
          params: {
            query: { ...init.params.query, ...(pageParam !== null && { cursor: pageParam }) },
          },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [retried, setRetried] = useState<string | undefined>();
  const retry = $api.useMutation('post', '/api/v1/notification-deliveries/{id}/retry', {
    onSuccess: async (delivery) => {
      setRetried(`Delivery to ${delivery.recipient} queued again.`);
      await invalidatePaths(queryClient, ['/api/v1/notification-deliveries']);
    },
  });
  const names = useMemo(() => new Map(channels.map((c) => [c.id, c.name])), [channels]);
  const rows = useMemo(
    () => deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [],
    [deliveries.data],
  );
  const columns = useMemo<ColumnDef<Delivery, unknown>[]>(
    () => [
      {
        id: 'createdAt',
        header: 'Created',
        accessorKey: 'createdAt',
        cell: ({ row }) => formatDateTime(row.original.createdAt),
      },
      { id: 'event', header: 'Event', accessorKey: 'event' },
      {
        id: 'status',
        header: 'Status',
        accessorKey: 'status',
        cell: ({ row }) => (
          <>
            <Badge
              tone={statusTone(row.original.status === 'sent' ? 'delivered' : row.original.status)}
            >
              {row.original.status}
            </Badge>
            {row.original.urgent && (
              <>
                {' '}
                <Badge tone="high">urgent</Badge>
              </>
            )}
          </>
        ),
      },
      {
        id: 'channel',
        header: 'Channel',
        accessorKey: 'channelId',
        cell: ({ row }) => names.get(row.original.channelId) ?? 'removed channel',
      },
      { id: 'recipient', header: 'Recipient', accessorKey: 'recipient' },
      { id: 'subject', header: 'Subject', accessorKey: 'subject' },
      {
        id: 'attempts',
        header: 'Attempts · last answer',
        accessorKey: 'attempts',
        cell: ({ row }) => (
          <span className="small">
            {row.original.attempts}
            {row.original.lastCode !== null && ` · ${row.original.lastCode}`}
            {row.original.lastError !== null && (
              <span className="error-text"> · {row.original.lastError}</span>
            )}
          </span>
        ),
      },
      {
        id: 'actions',
        header: 'Actions',
        enableSorting: false,
        cell: ({ row }) =>
          row.original.status === 'failed' ? (
            <button
              type="button"
              className="button button-small"
              aria-label={`Retry the delivery to ${row.original.recipient}`}
              disabled={retry.isPending}
              onClick={() => {
                setRetried(undefined);
                retry.mutate({ params: { path: { id: row.original.id } } });
              }}
            >
              Retry
            </button>
          ) : null,
      },
    ],
    [names, retry],
  );
  return (
    <Section title="Recent deliveries">
      <div className="filters">
        <Field id="delivery-status" label="Status">
          {(control) => (
            <select
              {...control}
              value={status ?? ''}
              onChange={(event) => url.set({ delivery: event.target.value })}
            >
              <option value="">Any status</option>
              {deliveryStatuses.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {retried !== undefined && (
        <p className="form-success" role="status">
          {retried}
        </p>
      )}
      <MutationError error={retry.error} />
      {deliveries.isPending ? (
        <Loading label="Loading deliveries…" />
      ) : deliveries.isError ? (
        <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="Nothing delivered yet." />
      ) : (
        <DataTable
          label="Deliveries"
          rows={rows}
          columns={columns}
          rowId={(d) => d.id}
          height="50vh"
          onEndReached={() => {
            if (deliveries.hasNextPage && !deliveries.isFetchingNextPage)
              void deliveries.fetchNextPage();
          }}
          footer={
            <>
              <span>{formatNumber(rows.length)} deliveries shown</span>
              {deliveries.hasNextPage && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={deliveries.isFetchingNextPage}
                  onClick={() => void deliveries.fetchNextPage()}
                >
                  {deliveries.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              )}
            </>
          }
        />
      )}
    </Section>
  );
}
