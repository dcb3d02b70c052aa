/**
 * Notifications (notifications:manage): channels (list, add and edit with the fields of their
 * kind, test, delete), subscriptions (events → a channel, for an audience, digest, time zone,
 * quiet hours; add, edit, delete), contacts (the addresses of users, teams, asset groups and
 * roles; kind filter in the URL; add, delete), message templates (one per event, opened by URL:
 * edit, see the built-in message, reset) and the delivery log (status filter in the URL, keyset
 * pages, retry a failed delivery).
 */
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { Badge, statusTone } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { CheckboxRow, Field, FormDialog, MutationError } from '../../ui/forms.tsx';
import { CheckboxGroup } from './common.tsx';
import './notifications.css';
import { errorsAt } from '../../ui/field-errors.ts';
import type { Audience, Channel, Delivery, NotificationEvent, Subscription } from './types.ts';
import type { paths } from '../../api/client.ts';
import { RowButton } from '../../ui/row-button.tsx';
import { ChoiceFilter } from '../../ui/choice-filter.tsx';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Contact = Json<
  paths['/api/v1/notification-contacts']['get']['responses'][200]
>['contacts'][number];
type ContactKind = Contact['kind'];
type Template = Json<
  paths['/api/v1/notification-templates']['get']['responses'][200]
>['templates'][number];

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
      <ContactsSection />
      <TemplatesSection />
      <DeliveriesSection channels={channels.data?.channels ?? []} />
    </>
  );
}

function ChannelsSection({ channels }: { readonly channels: ReturnType<typeof useChannels> }) {
  const [editing, setEditing] = useState<Channel | 'new' | undefined>();
  const [testing, setTesting] = useState<Channel | undefined>();
  const remove = useConfirmAction('delete', '/api/v1/notification-channels/{id}', {
    init: (channel: Channel) => ({ params: { path: { id: channel.id } } }),
    invalidate: ['/api/v1/notification-channels', '/api/v1/notification-subscriptions'],
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
                        <RowButton
                          name={`Test ${channel.name}`}
                          onClick={() => setTesting(channel)}
                        >
                          Test
                        </RowButton>
                        <RowButton
                          name={`Edit ${channel.name}`}
                          onClick={() => setEditing(channel)}
                        >
                          Edit
                        </RowButton>
                        <RowButton
                          name={`Delete ${channel.name}`}
                          onClick={() => remove.ask(channel)}
                          danger
                        >
                          Delete
                        </RowButton>
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
      <ConfirmActionDialog
        action={remove}
        title={(channel) => `Delete ${channel.name}?`}
        message={() => (
          <p>
            The channel and every subscription through it are removed: nobody hears through it any
            more. Its delivery log stays.
          </p>
        )}
        confirmLabel="Delete channel"
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
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Subscription | undefined>();
  const remove = useConfirmAction('delete', '/api/v1/notification-subscriptions/{id}', {
    init: (subscription: Subscription) => ({ params: { path: { id: subscription.id } } }),
    invalidate: ['/api/v1/notification-subscriptions'],
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
                      <span className="row-tight">
                        <RowButton
                          name={`Edit subscription ${subscription.name}`}
                          onClick={() => setEditing(subscription)}
                        >
                          Edit
                        </RowButton>
                        <RowButton
                          name={`Delete subscription ${subscription.name}`}
                          onClick={() => remove.ask(subscription)}
                          danger
                        >
                          Delete
                        </RowButton>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {creating && <SubscriptionDialog channels={channels} onClose={() => setCreating(false)} />}
      {editing !== undefined && (
        <SubscriptionDialog
          key={editing.id}
          channels={channels}
          subscription={editing}
          onClose={() => setEditing(undefined)}
        />
      )}
      <ConfirmActionDialog
        action={remove}
        title={(subscription) => `Delete subscription ${subscription.name}?`}
        message={(subscription) => (
          <p>Its audience will no longer hear about {subscription.events.join(', ')}.</p>
        )}
        confirmLabel="Delete subscription"
      />
    </Section>
  );
}

function useSubscriptions() {
  return $api.useQuery('get', '/api/v1/notification-subscriptions');
}

const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Add a subscription, or (with `subscription`) change it: the form covers its whole schema. */
function SubscriptionDialog({
  channels,
  subscription,
  onClose,
}: {
  readonly channels: readonly Channel[];
  readonly subscription?: Subscription;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const editing = subscription !== undefined;
  const [name, setName] = useState(subscription?.name ?? '');
  const [channel, setChannel] = useState(subscription?.channelId ?? channels[0]?.id ?? '');
  const [audience, setAudience] = useState<Audience>(subscription?.audience ?? 'cab');
  const [audienceValue, setAudienceValue] = useState(subscription?.audienceValue ?? '');
  const [chosen, setChosen] = useState<NotificationEvent[]>(
    subscription === undefined ? ['approval-needed'] : [...subscription.events],
  );
  const [digest, setDigest] = useState<'none' | 'daily' | 'weekly'>(subscription?.digest ?? 'none');
  const [digestHour, setDigestHour] = useState(String(subscription?.digestHour ?? 8));
  const [digestWeekday, setDigestWeekday] = useState(String(subscription?.digestWeekday ?? 1));
  const [timeZone, setTimeZone] = useState(subscription?.timeZone ?? 'UTC');
  const [quietStart, setQuietStart] = useState(subscription?.quietHours?.start ?? '');
  const [quietEnd, setQuietEnd] = useState(subscription?.quietHours?.end ?? '');
  const [enabled, setEnabled] = useState(subscription?.enabled ?? true);
  const done = async () => {
    await invalidatePaths(queryClient, ['/api/v1/notification-subscriptions']);
    onClose();
  };
  const create = $api.useMutation('post', '/api/v1/notification-subscriptions', {
    onSuccess: done,
  });
  const update = $api.useMutation('patch', '/api/v1/notification-subscriptions/{id}', {
    onSuccess: done,
  });
  const error = create.error ?? update.error;
  const needsValue = audience === 'asset-group' || audience === 'address';
  const quiet = quietStart !== '' || quietEnd !== '';
  const submit = () => {
    const fields = {
      name,
      channel,
      audience,
      events: chosen,
      digest,
      digestHour: Number(digestHour),
      digestWeekday: Number(digestWeekday),
      timeZone,
      enabled,
    };
    const quietHours = { start: quietStart, end: quietEnd };
    if (subscription === undefined)
      create.mutate({
        body: {
          ...fields,
          ...(needsValue && { audienceValue }),
          ...(quiet && { quietHours }),
        },
      });
    else
      update.mutate({
        params: { path: { id: subscription.id } },
        body: {
          ...fields,
          audienceValue: needsValue ? audienceValue : null,
          quietHours: quiet ? quietHours : null,
        },
      });
  };
  return (
    <FormDialog
      title={editing ? `Edit subscription ${subscription.name}` : 'Add a subscription'}
      onClose={onClose}
      wide
      onSubmit={submit}
      error={error}
      submitLabel={editing ? 'Save' : 'Add subscription'}
      busyLabel="Saving…"
      busy={create.isPending || update.isPending}
      disabled={chosen.length === 0}
    >
      <div className="form-columns">
        <Field id="subscription-name" label="Name" error={errorsAt(error, 'body.name')}>
          {(control) => (
            <input
              {...control}
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field id="subscription-channel" label="Channel" error={errorsAt(error, 'body.channel')}>
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
        <Field id="subscription-digest" label="Delivery" error={errorsAt(error, 'body.digest')}>
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
            error={errorsAt(error, 'body.audienceValue')}
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
        <Field
          id="subscription-time-zone"
          label="Time zone"
          hint="IANA name, e.g. Europe/Berlin: of the digest hour and the quiet hours."
          error={errorsAt(error, 'body.timeZone')}
        >
          {(control) => (
            <input
              {...control}
              required
              value={timeZone}
              onChange={(event) => setTimeZone(event.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="form-columns">
        {digest !== 'none' && (
          <Field
            id="subscription-digest-hour"
            label="Digest hour (0–23)"
            error={errorsAt(error, 'body.digestHour')}
          >
            {(control) => (
              <input
                {...control}
                type="number"
                min={0}
                max={23}
                required
                value={digestHour}
                onChange={(event) => setDigestHour(event.target.value)}
              />
            )}
          </Field>
        )}
        {digest === 'weekly' && (
          <Field id="subscription-digest-weekday" label="Digest weekday">
            {(control) => (
              <select
                {...control}
                value={digestWeekday}
                onChange={(event) => setDigestWeekday(event.target.value)}
              >
                {weekdays.map((day, index) => (
                  <option key={day} value={String(index + 1)}>
                    {day}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field
          id="subscription-quiet-start"
          label="Quiet hours from (optional)"
          hint="Non-urgent messages wait until the end; emergencies and failures do not."
          error={errorsAt(error, 'body.quietHours.start')}
        >
          {(control) => (
            <input
              {...control}
              type="time"
              required={quiet}
              value={quietStart}
              onChange={(event) => setQuietStart(event.target.value)}
            />
          )}
        </Field>
        <Field
          id="subscription-quiet-end"
          label="Quiet hours until"
          error={errorsAt(error, 'body.quietHours.end')}
        >
          {(control) => (
            <input
              {...control}
              type="time"
              required={quiet}
              value={quietEnd}
              onChange={(event) => setQuietEnd(event.target.value)}
            />
          )}
        </Field>
      </div>
      <CheckboxGroup
        legend="Events"
        options={events}
        value={chosen}
        onChange={setChosen}
        columns={3}
      />
      {errorsAt(error, 'body.events') !== undefined && (
        <span className="field-error">{errorsAt(error, 'body.events')}</span>
      )}
      <CheckboxRow label="Enabled (it notifies)" checked={enabled} onChange={setEnabled} />
    </FormDialog>
  );
}

// --- contacts --------------------------------------------------------------------------------

const contactKinds: readonly ContactKind[] = ['user', 'team', 'asset-group', 'role'];
const contactKeyHints: Record<ContactKind, string> = {
  user: 'The user id (an approver notified as the change’s pending approver).',
  team: 'An owner team, as assets name it (audience service-owners).',
  'asset-group': 'An asset group: its end users (audience asset-group).',
  role: 'A role audience: cab or operators.',
};

function ContactsSection() {
  const url = useUrlState(['contactKind'] as const);
  const kind = contactKinds.find((k) => k === url.values.contactKind);
  const contacts = $api.useQuery('get', '/api/v1/notification-contacts');
  const [adding, setAdding] = useState(false);
  const remove = useConfirmAction('delete', '/api/v1/notification-contacts/{id}', {
    init: (contact: Contact) => ({ params: { path: { id: contact.id } } }),
    invalidate: ['/api/v1/notification-contacts'],
  });
  return (
    <Section
      title="Contacts"
      actions={
        <button type="button" className="button" onClick={() => setAdding(true)}>
          Add contact
        </button>
      }
    >
      <p className="muted">
        The e-mail addresses of users, owner teams, asset groups and roles: where e-mail
        subscriptions send to each audience.
      </p>
      <div className="filters">
        <ChoiceFilter
          id="contact-kind-filter"
          label="Kind"
          any="Any kind"
          value={kind}
          options={contactKinds}
          onChange={(value) => url.set({ contactKind: value })}
        />
      </div>
      <QueryState
        query={contacts}
        loadingLabel="Loading contacts…"
        isEmpty={(data) => data.contacts.every((c) => kind !== undefined && c.kind !== kind)}
        empty={
          <EmptyState
            title={
              kind === undefined
                ? 'No contacts: e-mail audiences have no addresses yet.'
                : `No ${kind} contacts.`
            }
          />
        }
      >
        {(data) => (
          <div className="table-scroll-x">
            <table className="simple-table" aria-label="Contacts">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Key</th>
                  <th scope="col">Address</th>
                  <th scope="col">Added</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.contacts
                  .filter((c) => kind === undefined || c.kind === kind)
                  .map((contact) => (
                    <tr key={contact.id}>
                      <td>{contact.kind}</td>
                      <th scope="row" className="mono small">
                        {contact.key}
                      </th>
                      <td>{contact.address}</td>
                      <td className="small">{formatDateTime(contact.createdAt)}</td>
                      <td>
                        <RowButton
                          name={`Delete contact ${contact.address} of ${contact.kind} ${contact.key}`}
                          onClick={() => remove.ask(contact)}
                          danger
                        >
                          Delete
                        </RowButton>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {adding && <ContactDialog onClose={() => setAdding(false)} />}
      <ConfirmActionDialog
        action={remove}
        title={(contact) => `Delete contact ${contact.address}?`}
        message={(contact) => (
          <p>
            {contact.kind} {contact.key} will no longer be e-mailed at this address.
          </p>
        )}
        confirmLabel="Delete contact"
      />
    </Section>
  );
}

function ContactDialog({ onClose }: { readonly onClose: () => void }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<ContactKind>('team');
  const [key, setKey] = useState('');
  const [address, setAddress] = useState('');
  const add = $api.useMutation('post', '/api/v1/notification-contacts', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/notification-contacts']);
      onClose();
    },
  });
  return (
    <FormDialog
      title="Add a contact"
      onClose={onClose}
      onSubmit={() => add.mutate({ body: { kind, key, address } })}
      error={add.error}
      submitLabel="Add contact"
      busyLabel="Adding…"
      busy={add.isPending}
    >
      <Field id="contact-kind" label="Kind">
        {(control) => (
          <select
            {...control}
            value={kind}
            onChange={(event) => setKind(event.target.value as ContactKind)}
          >
            {contactKinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        id="contact-key"
        label="Key"
        hint={contactKeyHints[kind]}
        error={errorsAt(add.error, 'body.key')}
      >
        {(control) => (
          <input
            {...control}
            required
            value={key}
            onChange={(event) => setKey(event.target.value)}
          />
        )}
      </Field>
      <Field
        id="contact-address"
        label="E-mail address"
        error={errorsAt(add.error, 'body.address')}
      >
        {(control) => (
          <input
            {...control}
            type="email"
            required
            value={address}
            onChange={(event) => setAddress(event.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}

// --- message templates -----------------------------------------------------------------------

const phaseLabels: Record<Template['phase'], string> = {
  pre: 'before the window',
  during: 'during the window',
  post: 'after the window',
};

function TemplatesSection() {
  const url = useUrlState(['template'] as const);
  const templates = $api.useQuery('get', '/api/v1/notification-templates');
  const open = templates.data?.templates.find((t) => t.event === url.values.template);
  return (
    <Section title="Message templates">
      <p className="muted">
        The subject and body of each event&rsquo;s message, with <code>{'{{value}}'}</code>{' '}
        placeholders. An edited template can be reset to its built-in message.
      </p>
      <QueryState
        query={templates}
        loadingLabel="Loading templates…"
        isEmpty={(data) => data.templates.length === 0}
        empty={<EmptyState title="No templates." />}
      >
        {(data) => (
          <div className="table-scroll-x">
            <table className="simple-table" aria-label="Message templates">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">When</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Template</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.templates.map((template) => (
                  <tr key={template.event}>
                    <th scope="row" className="mono small">
                      {template.event}
                    </th>
                    <td className="small">{phaseLabels[template.phase]}</td>
                    <td className="small break">{template.subject}</td>
                    <td>
                      {template.custom ? (
                        <Badge tone="info">edited</Badge>
                      ) : (
                        <Badge>built-in</Badge>
                      )}
                    </td>
                    <td>
                      <RowButton
                        name={`Open the ${template.event} template`}
                        onClick={() => url.set({ template: template.event })}
                      >
                        Open
                      </RowButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {open !== undefined && (
        <TemplateDialog
          key={open.event}
          template={open}
          onClose={() => url.set({ template: undefined })}
        />
      )}
    </Section>
  );
}

function TemplateDialog({
  template,
  onClose,
}: {
  readonly template: Template;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState(template.subject);
  const [body, setBody] = useState(template.body);
  const [saved, setSaved] = useState<string | undefined>();
  const refresh = () => invalidatePaths(queryClient, ['/api/v1/notification-templates']);
  const path = { params: { path: { event: template.event } } };
  // What the server holds now (the answer of the last save or reset): the form differs from it?
  const [stored, setStored] = useState({
    subject: template.subject,
    body: template.body,
    custom: template.custom,
  });
  const save = $api.useMutation('put', '/api/v1/notification-templates/{event}', {
    onSuccess: async (answer) => {
      setStored({ subject: answer.subject, body: answer.body, custom: answer.custom });
      setSaved('Saved: new messages use this template.');
      await refresh();
    },
  });
  const reset = useConfirmAction('delete', '/api/v1/notification-templates/{event}', {
    init: (event: Template['event']) => ({ params: { path: { event } } }),
    invalidate: ['/api/v1/notification-templates'],
    onSuccess: (_, builtIn) => {
      setStored({ subject: builtIn.subject, body: builtIn.body, custom: builtIn.custom });
      setSubject(builtIn.subject);
      setBody(builtIn.body);
      setSaved('Reset: new messages use the built-in message.');
    },
  });
  const changed = subject !== stored.subject || body !== stored.body;
  return (
    <>
      <Dialog open title={`Template: ${template.event}`} onClose={onClose} wide>
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(undefined);
            save.mutate({ ...path, body: { subject, body } });
          }}
        >
          <p className="muted">
            Sent {phaseLabels[template.phase]};{' '}
            {stored.custom ? 'edited (not the built-in message).' : 'the built-in message.'}{' '}
            Placeholders it may use:{' '}
            {template.values.map((value, index) => (
              <span key={value}>
                {index > 0 && ', '}
                <code>{`{{${value}}}`}</code>
              </span>
            ))}
          </p>
          <Field id="template-subject" label="Subject" error={errorsAt(save.error, 'body.subject')}>
            {(control) => (
              <input
                {...control}
                required
                value={subject}
                onChange={(event) => setSubject(event.target.value)}
              />
            )}
          </Field>
          <Field id="template-body" label="Body" error={errorsAt(save.error, 'body.body')}>
            {(control) => (
              <textarea
                {...control}
                required
                rows={10}
                className="mono"
                value={body}
                onChange={(event) => setBody(event.target.value)}
              />
            )}
          </Field>
          <details>
            <summary>The built-in message</summary>
            <p className="small">
              <strong>Subject:</strong> <span className="mono">{template.default.subject}</span>
            </p>
            <pre className="small mono notifications-template-body">{template.default.body}</pre>
          </details>
          {saved !== undefined && !changed && !save.isPending && (
            <p className="form-success" role="status">
              {saved}
            </p>
          )}
          <MutationError error={save.error} />
          <div className="form-actions">
            <button type="button" className="button" onClick={onClose}>
              Close
            </button>
            {stored.custom && (
              <button
                type="button"
                className="button button-danger"
                onClick={() => reset.ask(template.event)}
              >
                Reset to built-in
              </button>
            )}
            <button
              type="submit"
              className="button button-primary"
              disabled={save.isPending || !changed}
            >
              {save.isPending ? 'Saving…' : 'Save template'}
            </button>
          </div>
        </form>
      </Dialog>
      <ConfirmActionDialog
        action={reset}
        title={(event) => `Reset the ${event} template?`}
        message={() => (
          <p>The edited subject and body are dropped; the built-in message is sent again.</p>
        )}
        confirmLabel="Reset template"
      />
    </>
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
        <ChoiceFilter
          id="delivery-status"
          label="Status"
          any="Any status"
          value={status}
          options={deliveryStatuses}
          onChange={(value) => url.set({ delivery: value })}
        />
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
