/**
 * The notifications context's use cases behind the API: channels, subscriptions, contacts and
 * templates (each change audited in its transaction), and the delivery log.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { timestamp } from '../../clock.ts';
import { cursorError, decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/problems.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import type { ChannelSecrets, SendableChannel, SendResult } from './channels.ts';
import { sendMessage } from './channels.ts';
import { defaultTemplates, templateValuesOf } from './defaults.ts';
import type { ChannelKind, ContactKind, DeliveryStatus, NotificationEvent } from './model.ts';
import { notificationEvents, phaseOf } from './model.ts';
import type { ChannelRow, DeliveryRow, Executor, SubscriptionRow } from './repository.ts';
import {
  findChannel,
  findDelivery,
  findSubscription,
  listChannelRows,
  listSubscriptionRows,
  templateOverride,
} from './repository.ts';
import type {
  Channel,
  ChannelPatch,
  Delivery,
  DeliveryDetail,
  DeliveryQuery,
  SubscriptionInput as SubscriptionInputType,
  SubscriptionPatch,
  Subscription,
} from './schema.ts';
import { ChannelInput, SubscriptionInput } from './schema.ts';
import { renderHtml, renderTemplate, templateProblems } from './template.ts';
import { latestDigestDue } from './zoned-time.ts';

/** How long one send may take (connect, answer) before it counts as failed. */
export const sendTimeoutMs = 10_000;

function validation(error: z.ZodError, prefix = 'body'): ValidationError {
  const fields = error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  return new ValidationError(fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
}

// --- channels -------------------------------------------------------------------------------

interface StoredChannel {
  readonly config: Record<string, string | number | boolean>;
  readonly secrets: ChannelSecrets;
}

function storedForm(input: ChannelInput): StoredChannel {
  switch (input.kind) {
    case 'webhook':
      return { config: { url: input.url }, secrets: { secret: input.secret } };
    case 'slack':
    case 'teams':
      return { config: { origin: new URL(input.url).origin }, secrets: { url: input.url } };
    case 'email': {
      const { host, port, security, username, from, caCertificate, password } = input;
      return {
        config: {
          host,
          port,
          security,
          from,
          ...(username !== undefined && { username }),
          ...(caCertificate !== undefined && { caCertificate }),
        },
        secrets: password === undefined ? {} : { password },
      };
    }
  }
}

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function sendableChannel(row: ChannelRow): SendableChannel {
  const config = parseJson<Record<string, unknown>>(row.config_json);
  const secrets = parseJson<ChannelSecrets>(row.secrets_json);
  return { kind: row.kind as ChannelKind, settings: config, secrets } as SendableChannel;
}

function channelOf(row: ChannelRow): Channel {
  const config = parseJson<Record<string, string | number | boolean>>(row.config_json);
  const secrets = parseJson<Record<string, unknown>>(row.secrets_json);
  const kind = row.kind as ChannelKind;
  let target: string;
  if (kind === 'email') target = `smtp://${String(config['host'])}:${String(config['port'])}`;
  else if (kind === 'webhook') {
    const url = new URL(String(config['url']));
    target = `${url.origin}${url.pathname}`;
  } else target = `${String(config['origin'])}/…`;
  const settings = { ...config };
  if (typeof settings['caCertificate'] === 'string') settings['caCertificate'] = 'set';
  return {
    id: row.id,
    name: row.name,
    kind,
    enabled: row.enabled === 1,
    target,
    settings,
    secrets: Object.keys(secrets).sort(),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function requireChannel(db: Executor, ref: string): Promise<ChannelRow> {
  const row = await findChannel(db, ref);
  if (row === undefined) throw new NotFoundError(`Notification channel ${ref}`);
  return row;
}

async function requireFreeName(
  db: Executor,
  table: 'notification_channels' | 'notification_subscriptions',
  name: string,
  except?: string,
): Promise<void> {
  const taken = await db.selectFrom(table).select('id').where('name', '=', name).executeTakeFirst();
  if (taken !== undefined && taken.id !== except)
    throw new ConflictError(`The name "${name}" is already taken`);
}

export async function listChannels(ctx: ServerContext): Promise<Channel[]> {
  return (await listChannelRows(ctx.database.db)).map(channelOf);
}

export async function getChannel(ctx: ServerContext, ref: string): Promise<Channel> {
  return channelOf(await requireChannel(ctx.database.db, ref));
}

export async function createChannel(
  ctx: ServerContext,
  input: ChannelInput,
  source: RequestSource,
): Promise<Channel> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    await requireFreeName(trx, 'notification_channels', input.name);
    const stored = storedForm(input);
    const now = timestamp(clock);
    const row: ChannelRow = {
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      config_json: JSON.stringify(stored.config),
      secrets_json: JSON.stringify(stored.secrets),
      enabled: input.enabled ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto('notification_channels').values(row).execute();
    const channel = channelOf(row);
    // The audit records which secrets were set, never their values.
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.channel-created',
      subjectType: 'notification-channel',
      subjectId: row.id,
      after: channel,
    });
    return channel;
  });
}

export async function updateChannel(
  ctx: ServerContext,
  ref: string,
  patch: ChannelPatch,
  source: RequestSource,
): Promise<Channel> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const row = await requireChannel(trx, ref);
    const config = parseJson<Record<string, unknown>>(row.config_json);
    const secrets = parseJson<Record<string, unknown>>(row.secrets_json);
    // A chat channel stores only its origin as a setting; its URL is among the secrets.
    const settings = Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'origin'));
    const merged: Record<string, unknown> = {
      name: row.name,
      kind: row.kind,
      enabled: row.enabled === 1,
      ...settings,
      ...secrets,
    };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else if (value !== undefined) merged[key] = value;
    }
    const parsed = ChannelInput.safeParse(merged);
    if (!parsed.success) throw validation(parsed.error);
    if (parsed.data.name !== row.name)
      await requireFreeName(trx, 'notification_channels', parsed.data.name, row.id);
    const stored = storedForm(parsed.data);
    const updated: ChannelRow = {
      ...row,
      name: parsed.data.name,
      enabled: parsed.data.enabled ? 1 : 0,
      config_json: JSON.stringify(stored.config),
      secrets_json: JSON.stringify(stored.secrets),
      updated_at: timestamp(clock),
    };
    await trx.updateTable('notification_channels').set(updated).where('id', '=', row.id).execute();
    const channel = channelOf(updated);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.channel-updated',
      subjectType: 'notification-channel',
      subjectId: row.id,
      before: channelOf(row),
      after: {
        ...channel,
        // Which secrets were replaced (names only): a chat channel's URL is its secret.
        secretsChanged: Object.keys(stored.secrets).filter(
          (k) => k in patch && patch[k as keyof ChannelPatch] !== undefined,
        ),
      },
    });
    return channel;
  });
}

export async function deleteChannel(
  ctx: ServerContext,
  ref: string,
  source: RequestSource,
): Promise<void> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const row = await requireChannel(trx, ref);
    // Its subscriptions go with it (foreign key); its deliveries stay in the log.
    await trx.deleteFrom('notification_subscriptions').where('channel_id', '=', row.id).execute();
    await trx.deleteFrom('notification_channels').where('id', '=', row.id).execute();
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.channel-deleted',
      subjectType: 'notification-channel',
      subjectId: row.id,
      before: channelOf(row),
    });
  });
}

/** Send a test message through a channel now (not through the outbox); audited. */
export async function testChannel(
  ctx: ServerContext,
  ref: string,
  recipient: string | undefined,
  source: RequestSource,
): Promise<SendResult> {
  const { database, clock } = ctx;
  const row = await requireChannel(database.db, ref);
  if (row.kind === 'email' && recipient === undefined)
    throw new ValidationError(
      'body.recipient: an e-mail channel is tested by sending to an address',
      [{ field: 'body.recipient', message: 'required for an e-mail channel' }],
    );
  const id = randomUUID();
  const subject = `[Patchgate] Test of the notification channel "${row.name}"`;
  const text = `This is a test message from Patchgate through the channel "${row.name}".`;
  const result = await sendMessage(
    sendableChannel(row),
    {
      id,
      event: 'test',
      recipient: recipient ?? 'channel',
      subject,
      text,
      html: renderHtml(text, {}),
      payload: { test: true },
    },
    { now: clock.now(), timeoutMs: sendTimeoutMs },
  );
  await database.db.transaction().execute((trx) =>
    appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.channel-tested',
      subjectType: 'notification-channel',
      subjectId: row.id,
      after: {
        ok: result.ok,
        code: result.code,
        error: result.error,
        recipient: recipient ?? null,
      },
    }),
  );
  return result;
}

// --- subscriptions --------------------------------------------------------------------------

function subscriptionOf(row: SubscriptionRow, channelName: string): Subscription {
  return {
    id: row.id,
    name: row.name,
    channelId: row.channel_id,
    channelName,
    audience: row.audience as Subscription['audience'],
    audienceValue: row.audience_value,
    events: parseJson<NotificationEvent[]>(row.events_json),
    digest: row.digest as Subscription['digest'],
    digestHour: row.digest_hour,
    digestWeekday: row.digest_weekday,
    timeZone: row.time_zone,
    quietHours:
      row.quiet_start === null || row.quiet_end === null
        ? null
        : { start: row.quiet_start, end: row.quiet_end },
    enabled: row.enabled === 1,
    createdAt: row.created_at,
  };
}

export async function listSubscriptions(ctx: ServerContext): Promise<Subscription[]> {
  const channels = new Map(
    (await listChannelRows(ctx.database.db)).map((c) => [c.id, c.name] as const),
  );
  return (await listSubscriptionRows(ctx.database.db)).map((row) =>
    subscriptionOf(row, channels.get(row.channel_id) ?? ''),
  );
}

/** A subscription's columns as its (checked) input states them, the digest bookkeeping aside. */
function subscriptionColumns(input: SubscriptionInputType, channelId: string) {
  return {
    name: input.name,
    channel_id: channelId,
    audience: input.audience,
    audience_value: input.audienceValue ?? null,
    events_json: JSON.stringify([...new Set(input.events)]),
    digest: input.digest,
    digest_hour: input.digestHour,
    digest_weekday: input.digestWeekday,
    time_zone: input.timeZone,
    quiet_start: input.quietHours?.start ?? null,
    quiet_end: input.quietHours?.end ?? null,
    enabled: input.enabled ? 1 : 0,
  };
}

/**
 * The digest due last before `now` on the input's schedule (the next one is the first sent);
 * null without a digest.
 */
function lastDigestDue(input: SubscriptionInputType, now: Date): string | null {
  if (input.digest === 'none') return null;
  const { timeZone, digest, digestHour, digestWeekday } = input;
  return latestDigestDue(now, timeZone, digest, digestHour, digestWeekday).toISOString();
}

export async function createSubscription(
  ctx: ServerContext,
  input: SubscriptionInputType,
  source: RequestSource,
): Promise<Subscription> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const channel = await findChannel(trx, input.channel);
    if (channel === undefined)
      throw new ValidationError(`body.channel: no channel is named "${input.channel}"`, [
        { field: 'body.channel', message: 'names no channel' },
      ]);
    await requireFreeName(trx, 'notification_subscriptions', input.name);
    const now = clock.now();
    const row: SubscriptionRow = {
      id: randomUUID(),
      ...subscriptionColumns(input, channel.id),
      // The first digest is the next due time after the subscription exists.
      last_digest_at: lastDigestDue(input, now),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await trx.insertInto('notification_subscriptions').values(row).execute();
    const subscription = subscriptionOf(row, channel.name);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.subscription-created',
      subjectType: 'notification-subscription',
      subjectId: row.id,
      after: subscription,
    });
    return subscription;
  });
}

/**
 * Change a subscription: the patch is laid over its stored fields and the whole checked as when
 * it was created (an audience that needs a value gets one, a valid time zone…); a new digest
 * schedule starts from its next due time. Audited with before and after.
 */
export async function updateSubscription(
  ctx: ServerContext,
  ref: string,
  patch: SubscriptionPatch,
  source: RequestSource,
): Promise<Subscription> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const row = await findSubscription(trx, ref);
    if (row === undefined) throw new NotFoundError(`Notification subscription ${ref}`);
    const current = await findChannel(trx, row.channel_id);
    const merged: Record<string, unknown> = {
      name: row.name,
      channel: row.channel_id,
      audience: row.audience,
      ...(row.audience_value !== null && { audienceValue: row.audience_value }),
      events: parseJson<NotificationEvent[]>(row.events_json),
      digest: row.digest,
      digestHour: row.digest_hour,
      digestWeekday: row.digest_weekday,
      timeZone: row.time_zone,
      ...(row.quiet_start !== null &&
        row.quiet_end !== null && { quietHours: { start: row.quiet_start, end: row.quiet_end } }),
      enabled: row.enabled === 1,
    };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else if (value !== undefined) merged[key] = value;
    }
    const parsed = SubscriptionInput.safeParse(merged);
    if (!parsed.success) throw validation(parsed.error);
    const input = parsed.data;
    const channel =
      input.channel === row.channel_id ? current : await findChannel(trx, input.channel);
    if (channel === undefined)
      throw new ValidationError(`body.channel: no channel is named "${input.channel}"`, [
        { field: 'body.channel', message: 'names no channel' },
      ]);
    if (input.name !== row.name)
      await requireFreeName(trx, 'notification_subscriptions', input.name, row.id);
    const now = clock.now();
    const digestChanged =
      input.digest !== row.digest ||
      input.digestHour !== row.digest_hour ||
      input.digestWeekday !== row.digest_weekday ||
      input.timeZone !== row.time_zone;
    const updated: SubscriptionRow = {
      ...row,
      ...subscriptionColumns(input, channel.id),
      last_digest_at:
        digestChanged || row.last_digest_at === null || input.digest === 'none'
          ? lastDigestDue(input, now)
          : row.last_digest_at,
      updated_at: now.toISOString(),
    };
    await trx
      .updateTable('notification_subscriptions')
      .set(updated)
      .where('id', '=', row.id)
      .execute();
    const subscription = subscriptionOf(updated, channel.name);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.subscription-updated',
      subjectType: 'notification-subscription',
      subjectId: row.id,
      before: subscriptionOf(row, current?.name ?? ''),
      after: subscription,
    });
    return subscription;
  });
}

export async function deleteSubscription(
  ctx: ServerContext,
  ref: string,
  source: RequestSource,
): Promise<void> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const row = await findSubscription(trx, ref);
    if (row === undefined) throw new NotFoundError(`Notification subscription ${ref}`);
    await trx.deleteFrom('notification_subscriptions').where('id', '=', row.id).execute();
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.subscription-deleted',
      subjectType: 'notification-subscription',
      subjectId: row.id,
      before: subscriptionOf(row, ''),
    });
  });
}

// --- contacts -------------------------------------------------------------------------------

export interface ContactOut {
  id: string;
  kind: ContactKind;
  key: string;
  address: string;
  createdAt: string;
}

export async function listContacts(ctx: ServerContext): Promise<ContactOut[]> {
  const rows = await ctx.database.db
    .selectFrom('notification_contacts')
    .selectAll()
    .orderBy('kind')
    .orderBy('key')
    .orderBy('address')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as ContactKind,
    key: r.key,
    address: r.address,
    createdAt: r.created_at,
  }));
}

export async function addContact(
  ctx: ServerContext,
  input: { kind: ContactKind; key: string; address: string },
  source: RequestSource,
): Promise<ContactOut> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const address = input.address.toLowerCase();
    const existing = await trx
      .selectFrom('notification_contacts')
      .select('id')
      .where('kind', '=', input.kind)
      .where('key', '=', input.key)
      .where('address', '=', address)
      .executeTakeFirst();
    if (existing !== undefined)
      throw new ConflictError(`${address} is already a contact of ${input.kind} ${input.key}`);
    const contact = {
      id: randomUUID(),
      kind: input.kind,
      key: input.key,
      address,
      createdAt: timestamp(clock),
    };
    await trx
      .insertInto('notification_contacts')
      .values({
        id: contact.id,
        kind: contact.kind,
        key: contact.key,
        address: contact.address,
        created_at: contact.createdAt,
      })
      .execute();
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.contact-added',
      subjectType: 'notification-contact',
      subjectId: contact.id,
      after: contact,
    });
    return contact;
  });
}

export async function removeContact(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
): Promise<void> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('notification_contacts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`Contact ${id}`);
    await trx.deleteFrom('notification_contacts').where('id', '=', id).execute();
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.contact-removed',
      subjectType: 'notification-contact',
      subjectId: id,
      before: { kind: row.kind, key: row.key, address: row.address },
    });
  });
}

// --- templates ------------------------------------------------------------------------------

export interface EffectiveTemplate {
  event: NotificationEvent;
  phase: 'pre' | 'during' | 'post';
  subject: string;
  body: string;
  custom: boolean;
  values: string[];
  /** The built-in message, which a reset restores. */
  default: { subject: string; body: string };
}

export async function effectiveTemplate(
  db: Executor,
  event: NotificationEvent,
): Promise<EffectiveTemplate> {
  const override = await templateOverride(db, event);
  const base = override ?? defaultTemplates[event];
  return {
    event,
    phase: phaseOf[event],
    subject: base.subject,
    body: base.body,
    custom: override !== undefined,
    values: [...templateValuesOf(event)],
    default: { subject: defaultTemplates[event].subject, body: defaultTemplates[event].body },
  };
}

export async function listTemplates(ctx: ServerContext): Promise<EffectiveTemplate[]> {
  const out: EffectiveTemplate[] = [];
  for (const event of notificationEvents) out.push(await effectiveTemplate(ctx.database.db, event));
  return out;
}

export async function putTemplate(
  ctx: ServerContext,
  event: NotificationEvent,
  input: { subject: string; body: string },
  source: RequestSource,
): Promise<EffectiveTemplate> {
  const known = templateValuesOf(event);
  const fields = (['subject', 'body'] as const).flatMap((field) =>
    templateProblems(input[field], known).map((message) => ({ field: `body.${field}`, message })),
  );
  if (fields.length > 0)
    throw new ValidationError(fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const before = await effectiveTemplate(trx, event);
    const row = {
      event,
      subject: input.subject,
      body: input.body,
      updated_at: timestamp(clock),
      updated_by: source.actor.id,
    };
    await trx
      .insertInto('notification_templates')
      .values(row)
      .onConflict((oc) =>
        oc.column('event').doUpdateSet({
          subject: row.subject,
          body: row.body,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        }),
      )
      .execute();
    const after = await effectiveTemplate(trx, event);
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.template-updated',
      subjectType: 'notification-template',
      subjectId: event,
      before: { subject: before.subject, body: before.body },
      after: { subject: after.subject, body: after.body },
    });
    return after;
  });
}

export async function resetTemplate(
  ctx: ServerContext,
  event: NotificationEvent,
  source: RequestSource,
): Promise<EffectiveTemplate> {
  const { database, clock } = ctx;
  return database.db.transaction().execute(async (trx) => {
    const before = await effectiveTemplate(trx, event);
    await trx.deleteFrom('notification_templates').where('event', '=', event).execute();
    if (before.custom)
      await appendAuditEvent(trx, database.dialect, clock, {
        ...source,
        action: 'notification.template-reset',
        subjectType: 'notification-template',
        subjectId: event,
        before: { subject: before.subject, body: before.body },
      });
    return effectiveTemplate(trx, event);
  });
}

/** Render a template with its data: subject and text as they are, HTML escaped. */
export function renderMessage(
  template: { subject: string; body: string },
  data: Parameters<typeof renderTemplate>[1],
): { subject: string; text: string; html: string } {
  const text = renderTemplate(template.body, data);
  return {
    subject: renderTemplate(template.subject, data).replace(/[\r\n]+/g, ' '),
    text,
    html: renderHtml(template.body, data),
  };
}

// --- deliveries -----------------------------------------------------------------------------

export interface StoredMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly calendar?: string;
  readonly payload: Record<string, unknown>;
  /**
   * A file another context keeps (a scheduled report), attached to e-mails when sent: loaded
   * then through the loader main.ts gives (NotificationJobOptions.loadAttachment), never stored
   * here twice and never read from the other context's tables.
   */
  readonly attachment?: AttachmentRef;
}

/** What a delivery attaches: the owner's kind and id, and how the file is named. */
export interface AttachmentRef {
  readonly kind: 'report';
  readonly id: string;
  readonly filename: string;
  readonly contentType: string;
}

function deliveryOf(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    event: row.event,
    status: row.status as DeliveryStatus,
    channelId: row.channel_id,
    subscriptionId: row.subscription_id,
    changeId: row.change_id,
    recipient: row.recipient,
    urgent: row.urgent === 1,
    subject: parseJson<StoredMessage>(row.message_json).subject,
    attempts: row.attempts,
    lastCode: row.last_code,
    lastError: row.last_error,
    notBefore: row.not_before,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export async function listDeliveries(
  ctx: ServerContext,
  query: DeliveryQuery,
): Promise<{ deliveries: Delivery[]; nextCursor: string | null }> {
  let q = ctx.database.db.selectFrom('notification_deliveries').selectAll();
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.cursor !== undefined) {
    const [createdAt, id] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    if (Number.isNaN(Date.parse(createdAt))) throw cursorError('is not a cursor this API returned');
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    deliveries: page.map(deliveryOf),
    nextCursor:
      rows.length > query.limit && last !== undefined
        ? encodeCursor([last.created_at, last.id])
        : null,
  };
}

export async function getDelivery(ctx: ServerContext, id: string): Promise<DeliveryDetail> {
  const row = await findDelivery(ctx.database.db, id);
  if (row === undefined) throw new NotFoundError(`Delivery ${id}`);
  const log = await ctx.database.db
    .selectFrom('notification_attempts')
    .selectAll()
    .where('delivery_id', '=', id)
    .orderBy('attempt')
    .execute();
  return {
    ...deliveryOf(row),
    log: log.map((a) => ({
      attempt: a.attempt,
      at: a.at,
      outcome: a.outcome as 'sent' | 'failed',
      code: a.code,
      error: a.error,
      durationMs: a.duration_ms,
    })),
  };
}

/**
 * Send a failed delivery again (a person fixed the channel or the receiver): back to pending
 * with a new deliver job, audited. Its log keeps every earlier attempt.
 */
export async function retryDelivery(
  ctx: ServerContext,
  id: string,
  source: RequestSource,
  enqueue: (trx: Executor, row: DeliveryRow) => Promise<void>,
): Promise<DeliveryDetail> {
  const { database, clock } = ctx;
  await database.db.transaction().execute(async (trx) => {
    const row = await findDelivery(trx, id);
    if (row === undefined) throw new NotFoundError(`Delivery ${id}`);
    if (row.status !== 'failed')
      throw new ConflictError(`Delivery ${id} is ${row.status}: only a failed delivery is retried`);
    const now = timestamp(clock);
    const updated = await trx
      .updateTable('notification_deliveries')
      .set({ status: 'pending', not_before: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .returning('id')
      .executeTakeFirst();
    if (updated === undefined) throw new ConflictError(`Delivery ${id} changed meanwhile`);
    await enqueue(trx, { ...row, status: 'pending', not_before: now });
    await appendAuditEvent(trx, database.dialect, clock, {
      ...source,
      action: 'notification.delivery-retried',
      subjectType: 'notification-delivery',
      subjectId: id,
      before: { status: 'failed', attempts: row.attempts, lastError: row.last_error },
      after: { status: 'pending' },
    });
  });
  return getDelivery(ctx, id);
}
