/**
 * The outbox and its delivery (docs/adr/0030-notifications-outbox.md).
 *
 * A change's domain event is delivered (events/subscriptions.ts) as one `notifications.fan-out`
 * job whose id derives from the event. Fan-out resolves the subscriptions, recipients and the
 * rendered messages, then writes every delivery row and one `notifications.deliver` job per row
 * in ONE transaction; each row's id derives from the fan-out job, the subscription, the event
 * and the recipient, and each job's id from its row, so a fan-out re-run after a crash writes
 * nothing twice. A deliver job sends one row, records the attempt in the delivery log and
 * throws on a retryable failure: the job runner retries it with exponential backoff. A crash
 * after the send and before its record resends the same message with the same
 * `Patchgate-Delivery-Id` (e-mail: the same Message-ID), which receivers use to drop it.
 */
import { changeInvitation } from '@patchgate/calendar';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { timestamp } from '../../clock.ts';
import type { Database } from '../../db/database.ts';
import type { Subscriber } from '../../events/index.ts';
import { derivedId } from '../../events/index.ts';
import type { DueFinding } from '../findings/index.ts';
import { findingsDueBy } from '../findings/index.ts';
import type { JobRunner } from '../jobs/index.ts';
import { defineJobType, enqueueJob } from '../jobs/index.ts';
import type { MessageAttachment } from './channels.ts';
import { sendMessage } from './channels.ts';
import type { ServerConfig } from '../../config.ts';
import { changeTemplateData, isAbsoluteLink, recipientLink, relativeLinkNote } from './defaults.ts';
import type {
  Audience,
  ChangeEventInput,
  DescribeChange,
  NotificationEvent,
  NotifiedChange,
} from './model.ts';
import { isUrgent, notificationEventsOf } from './model.ts';
import type { DeliveryRow, Executor, SubscriptionRow } from './repository.ts';
import {
  contactAddresses,
  enabledSubscriptions,
  findChannel,
  findDelivery,
  insertDelivery,
  listChannelRows,
} from './repository.ts';
import type { AttachmentRef, StoredMessage } from './service.ts';
import { effectiveTemplate, renderMessage, sendableChannel, sendTimeoutMs } from './service.ts';
import { placeholdersOf, plainToHtml } from './template.ts';
import { latestDigestDue, quietUntil } from './zoned-time.ts';

const changeEventNames = [
  'change.state-changed',
  'change.approval-requested',
  'change.approval-decided',
  'rollout.progressed',
] as const;
type ChangeEventName = (typeof changeEventNames)[number];

export const notificationJobs = {
  fanOut: defineJobType(
    'notifications.fan-out',
    z.object({ name: z.enum(changeEventNames), data: z.record(z.string(), z.unknown()) }),
  ),
  deliver: defineJobType('notifications.deliver', z.object({ deliveryId: z.string().min(1) })),
  digests: defineJobType('notifications.digests', z.object({})),
  findingsDue: defineJobType('notifications.findings-due', z.object({})),
};

/** Attempts of one delivery before it is failed for good (backoff: 30 s, 1, 2, 4, 8 min). */
export const deliveryMaxAttempts = 6;
/** How often due digests are gathered (a digest goes out within this of its hour). */
export const digestIntervalSeconds = 300;
/** The findings digest runs daily. */
export const findingsDueIntervalSeconds = 24 * 3600;
/** "Due soon": within this many days. */
export const dueSoonDays = 7;

/** The event subscriber main.ts wires for each change event: one fan-out job per event. */
export function notificationSubscriber<N extends ChangeEventName>(
  name: N,
): Subscriber<N, z.output<typeof notificationJobs.fanOut.payload>> {
  return {
    id: 'notifications.fan-out',
    job: notificationJobs.fanOut,
    payload: (data) => ({ name, data: { ...data } }),
  };
}

export interface NotificationJobOptions {
  /** The changes context's read of a change (main.ts wires it). */
  readonly describeChange: DescribeChange<Database>;
  /** Reads work-queue findings due by a day (default: the findings context's). */
  readonly findingsDue?: typeof findingsDueBy;
  readonly timeoutMs?: number;
  /**
   * The server's public address (PATCHGATE_PUBLIC_URL) that change links are made absolute
   * with; registerNotificationJobs takes it from the configuration when not given.
   */
  readonly publicUrl?: string | undefined;
  /**
   * Loads a file a delivery attaches (a scheduled report's content) when the e-mail is sent:
   * the owning context's read, wired in main.ts, so notifications never reads its tables.
   * Undefined when the file is gone.
   */
  readonly loadAttachment?: LoadAttachment;
}

/** The read main.ts wires for attachments (the reports context's `reportAttachment`). */
export type LoadAttachment = (
  database: Database,
  ref: AttachmentRef,
) => Promise<MessageAttachment | undefined>;

interface PlannedDelivery {
  readonly row: DeliveryRow;
}

/** The addresses an audience stands for (e-mail channels); deduplicated and sorted. */
export async function recipientsOf(
  db: Executor,
  subscription: Pick<SubscriptionRow, 'audience' | 'audience_value'>,
  change: NotifiedChange | undefined,
): Promise<string[]> {
  const value = subscription.audience_value;
  let addresses: string[];
  switch (subscription.audience as Audience) {
    case 'address':
      addresses = value === null ? [] : [value];
      break;
    case 'cab':
      addresses = await contactAddresses(db, 'role', ['cab']);
      break;
    case 'operators':
      addresses = await contactAddresses(db, 'role', ['operators']);
      break;
    case 'asset-group':
      addresses = value === null ? [] : await contactAddresses(db, 'asset-group', [value]);
      break;
    case 'approvers':
      addresses = await contactAddresses(db, 'user', change?.pendingApproverIds ?? []);
      break;
    case 'service-owners':
      addresses = await contactAddresses(db, 'team', change?.ownerTeams ?? []);
      break;
  }
  return [...new Set(addresses.map((a) => a.toLowerCase()))].sort();
}

function eventsOf(subscription: SubscriptionRow): NotificationEvent[] {
  return JSON.parse(subscription.events_json) as NotificationEvent[];
}

function newRow(
  now: string,
  fields: Pick<
    DeliveryRow,
    'id' | 'subscription_id' | 'channel_id' | 'source_id' | 'event' | 'change_id' | 'recipient'
  > &
    Partial<DeliveryRow>,
  message: StoredMessage,
): DeliveryRow {
  return {
    urgent: 0,
    status: 'pending',
    digest_id: null,
    not_before: now,
    attempts: 0,
    last_code: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    sent_at: null,
    ...fields,
    message_json: JSON.stringify(message),
  };
}

/** Where a message for `subscription` waits: sent now, held by quiet hours, or for its digest. */
function placement(
  subscription: SubscriptionRow,
  urgent: boolean,
  now: Date,
): Pick<DeliveryRow, 'status' | 'not_before'> {
  if (subscription.digest !== 'none') return { status: 'digest', not_before: now.toISOString() };
  if (!urgent && subscription.quiet_start !== null && subscription.quiet_end !== null) {
    const until = quietUntil(
      now,
      subscription.time_zone,
      subscription.quiet_start,
      subscription.quiet_end,
    );
    if (until !== undefined) return { status: 'held', not_before: until.toISOString() };
  }
  return { status: 'pending', not_before: now.toISOString() };
}

/**
 * The deliver job of a row, in the caller's transaction. Its id derives from the row and the
 * attempts made so far: a retry of a failed row gets a new job, a re-run of the same write none.
 */
export async function enqueueDelivery(
  trx: Executor,
  clock: ServerContext['clock'],
  row: Pick<DeliveryRow, 'id' | 'attempts' | 'not_before'>,
): Promise<void> {
  await enqueueJob(trx, clock, {
    id: derivedId(row.id, notificationJobs.deliver.kind, String(row.attempts)),
    kind: notificationJobs.deliver.kind,
    payload: { deliveryId: row.id },
    runAfter: row.not_before,
    maxAttempts: deliveryMaxAttempts,
    ifAbsent: true,
  });
}

/** Write the planned rows and a deliver job for each one to be sent, in one transaction. */
async function writeOutbox(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  planned: readonly PlannedDelivery[],
  extra?: (trx: Executor) => Promise<void>,
): Promise<number> {
  return ctx.database.db.transaction().execute(async (trx) => {
    let written = 0;
    for (const { row } of planned) {
      if (!(await insertDelivery(trx, row))) continue;
      written++;
      if (row.status === 'pending' || row.status === 'held')
        await enqueueDelivery(trx, ctx.clock, row);
    }
    if (extra !== undefined) await extra(trx);
    return written;
  });
}

/** Fan a change event out into delivery rows (see the module comment). */
export async function fanOut(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  options: NotificationJobOptions,
  sourceId: string,
  event: ChangeEventInput,
): Promise<{ deliveries: number; written: number }> {
  const { database, clock } = ctx;
  const events = notificationEventsOf(event);
  if (events.length === 0) return { deliveries: 0, written: 0 };
  const subscriptions = (await enabledSubscriptions(database.db)).filter((s) =>
    eventsOf(s).some((e) => events.includes(e)),
  );
  if (subscriptions.length === 0) return { deliveries: 0, written: 0 };
  const channels = new Map((await listChannelRows(database.db)).map((c) => [c.id, c] as const));
  const changeId = event.data.changeId;
  const described = await options.describeChange(database, changeId);
  const link = recipientLink(described?.link, options.publicUrl);
  // Recipients get the change with a link they can follow (absolute when the public URL is set).
  const change = described === undefined ? undefined : { ...described, link };
  const now = clock.now();
  const nowIso = now.toISOString();
  const planned: PlannedDelivery[] = [];
  for (const notification of events) {
    const template = await effectiveTemplate(database.db, notification);
    const urgent = isUrgent(notification, change);
    for (const subscription of subscriptions.filter((s) => eventsOf(s).includes(notification))) {
      const channel = channels.get(subscription.channel_id);
      if (channel === undefined) continue;
      const base = {
        subscription_id: subscription.id,
        channel_id: channel.id,
        source_id: sourceId,
        event: notification,
        change_id: changeId,
        urgent: urgent ? 1 : 0,
      };
      const failed = (error: string): PlannedDelivery => ({
        row: newRow(
          nowIso,
          {
            ...base,
            id: derivedId(sourceId, subscription.id, notification, '-'),
            recipient: '-',
            status: 'failed',
            last_error: error,
          },
          {
            subject: `[Patchgate] ${notification}: change ${changeId}`,
            text: error,
            html: plainToHtml(error),
            payload: {},
          },
        ),
      });
      if (change === undefined) {
        planned.push(failed(`change ${changeId} not found`));
        continue;
      }
      const recipients =
        channel.kind === 'email'
          ? await recipientsOf(database.db, subscription, change)
          : ['channel'];
      if (recipients.length === 0) {
        planned.push(failed(`no contact address for the audience ${subscription.audience}`));
        continue;
      }
      const data = changeTemplateData(change, event);
      // A relative link is said to be one, once, at the end of the message.
      const note =
        link !== undefined &&
        !isAbsoluteLink(link) &&
        placeholdersOf(template.body).includes('change.link')
          ? `\n\n${relativeLinkNote}`
          : '';
      const rendered = renderMessage({ ...template, body: template.body + note }, data);
      const payload = {
        audience: subscription.audience,
        phase: template.phase,
        change: { ...change },
        domainEvent: { name: event.name, ...event.data },
      };
      for (const recipient of recipients) {
        const calendar =
          channel.kind === 'email' &&
          notification === 'scheduled' &&
          change.windowStart !== null &&
          change.windowEnd !== null
            ? changeInvitation({
                id: change.id,
                title: change.title,
                description: rendered.text,
                start: new Date(change.windowStart),
                end: new Date(change.windowEnd),
                organizer: {
                  email: String(
                    (JSON.parse(channel.config_json) as { from?: string }).from ??
                      'patchgate@localhost',
                  ),
                  name: 'Patchgate',
                },
                attendees: [{ email: recipient }],
                // URL (RFC 5545 §3.8.4.6) is a URI: only an absolute link is one.
                ...(isAbsoluteLink(link) && { url: link }),
                // Minutes since the epoch: a later invitation for the same change supersedes
                // an earlier one (RFC 5546 §2.1.4), whatever the number of reschedules.
                sequence: Math.floor(now.getTime() / 60_000),
                stamp: now,
              })
            : undefined;
        planned.push({
          row: newRow(
            nowIso,
            {
              ...base,
              id: derivedId(sourceId, subscription.id, notification, recipient),
              recipient,
              ...placement(subscription, urgent, now),
            },
            { ...rendered, ...(calendar !== undefined && { calendar }), payload },
          ),
        });
      }
    }
  }
  const written = await writeOutbox(ctx, planned);
  return { deliveries: planned.length, written };
}

/** Send one delivery: the deliver job's body. Throws when the runner should retry. */
export async function deliver(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  deliveryId: string,
  attempt: number,
  timeoutMs = sendTimeoutMs,
  loadAttachment?: LoadAttachment,
): Promise<{ status: string; code?: number | null }> {
  const { database, clock } = ctx;
  const row = await findDelivery(database.db, deliveryId);
  if (row === undefined) return { status: 'gone' };
  // Already settled: a re-run after a crash between the record and the job's end sends nothing.
  if (row.status === 'sent' || row.status === 'failed' || row.status === 'digested')
    return { status: row.status };
  const channel = await findChannel(database.db, row.channel_id);
  const message = JSON.parse(row.message_json) as StoredMessage;
  // Only e-mail carries the file; webhooks and chats carry its link (in the message).
  const attached =
    message.attachment === undefined || channel?.kind !== 'email'
      ? undefined
      : loadAttachment === undefined
        ? null
        : ((await loadAttachment(database, message.attachment)) ?? null);
  const result =
    channel === undefined
      ? { ok: false, code: null, error: 'the channel was removed', permanent: true, durationMs: 0 }
      : attached === null
        ? {
            ok: false,
            code: null,
            error: `the attached ${message.attachment?.kind ?? 'file'} ${message.attachment?.id ?? ''} is no longer available`,
            permanent: true,
            durationMs: 0,
          }
        : channel.enabled !== 1
          ? {
              ok: false,
              code: null,
              error: 'the channel is disabled',
              permanent: true,
              durationMs: 0,
            }
          : await sendMessage(
              sendableChannel(channel),
              {
                id: row.id,
                event: row.event,
                recipient: row.recipient,
                subject: message.subject,
                text: message.text,
                html: message.html,
                calendar: message.calendar,
                payload: message.payload,
                ...(attached !== undefined && { attachments: [attached] }),
              },
              { now: clock.now(), timeoutMs },
            );
  const final = result.ok || result.permanent || attempt >= deliveryMaxAttempts;
  const status = result.ok ? 'sent' : final ? 'failed' : row.status;
  const now = timestamp(clock);
  await database.db.transaction().execute(async (trx) => {
    const number = row.attempts + 1;
    await trx
      .insertInto('notification_attempts')
      .values({
        delivery_id: row.id,
        attempt: number,
        at: now,
        outcome: result.ok ? 'sent' : 'failed',
        code: result.code,
        error: result.error,
        duration_ms: result.durationMs,
      })
      .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
      .execute();
    await trx
      .updateTable('notification_deliveries')
      .set({
        status,
        attempts: number,
        last_code: result.code,
        last_error: result.error,
        updated_at: now,
        ...(result.ok && { sent_at: now }),
      })
      .where('id', '=', row.id)
      .execute();
  });
  if (!final)
    throw new Error(
      `delivery ${row.id} attempt ${attempt} failed (${result.error ?? 'unknown'}); retried with backoff`,
    );
  return { status, code: result.code };
}

function digestMessage(
  subscription: SubscriptionRow,
  items: readonly DeliveryRow[],
): StoredMessage {
  const messages = items.map((i) => JSON.parse(i.message_json) as StoredMessage);
  // The relative-link note is said once for the whole digest, not once per item.
  const note = `\n\n${relativeLinkNote}`;
  const relative = messages.some((m) => m.text.endsWith(note));
  const text =
    messages
      .map(
        (m, n) =>
          `${n + 1}. ${m.subject}\n\n${m.text.endsWith(note) ? m.text.slice(0, -note.length) : m.text}`,
      )
      .join('\n\n----------------------------------------\n\n') + (relative ? note : '');
  return {
    subject: `[Patchgate] ${subscription.digest === 'weekly' ? 'Weekly' : 'Daily'} digest: ${items.length} notification${items.length === 1 ? '' : 's'} (${subscription.name})`,
    text,
    html: plainToHtml(text),
    payload: {
      digest: subscription.digest,
      items: items.map((i, n) => ({
        id: i.id,
        event: i.event,
        changeId: i.change_id,
        subject: messages[n]?.subject,
      })),
    },
  };
}

/** Gather every digest subscription's waiting messages whose digest is due into one each. */
export async function gatherDigests(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
): Promise<{ digests: number }> {
  const { database, clock } = ctx;
  const now = clock.now();
  let digests = 0;
  for (const subscription of await enabledSubscriptions(database.db)) {
    if (subscription.digest !== 'daily' && subscription.digest !== 'weekly') continue;
    const due = latestDigestDue(
      now,
      subscription.time_zone,
      subscription.digest,
      subscription.digest_hour,
      subscription.digest_weekday,
    ).toISOString();
    if (subscription.last_digest_at !== null && subscription.last_digest_at >= due) continue;
    const items = await database.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('subscription_id', '=', subscription.id)
      .where('status', '=', 'digest')
      .where('created_at', '<=', due)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const byRecipient = new Map<string, DeliveryRow[]>();
    for (const item of items)
      byRecipient.set(item.recipient, [...(byRecipient.get(item.recipient) ?? []), item]);
    const planned: PlannedDelivery[] = [...byRecipient].map(([recipient, group]) => ({
      row: newRow(
        now.toISOString(),
        {
          id: derivedId('digest', subscription.id, due, recipient),
          subscription_id: subscription.id,
          channel_id: subscription.channel_id,
          source_id: `digest:${subscription.id}:${due}`,
          event: 'digest',
          change_id: null,
          recipient,
        },
        digestMessage(subscription, group),
      ),
    }));
    await writeOutbox(ctx, planned, async (trx) => {
      for (const { row } of planned) {
        const ids = byRecipient.get(row.recipient)?.map((i) => i.id) ?? [];
        if (ids.length > 0)
          await trx
            .updateTable('notification_deliveries')
            .set({ status: 'digested', digest_id: row.id, updated_at: now.toISOString() })
            .where('id', 'in', ids)
            .where('status', '=', 'digest')
            .execute();
      }
      await trx
        .updateTable('notification_subscriptions')
        .set({ last_digest_at: due })
        .where('id', '=', subscription.id)
        .execute();
    });
    digests += planned.length;
  }
  return { digests };
}

function findingLines(findings: readonly DueFinding[]): string {
  const shown = findings
    .slice(0, 200)
    .map((f) => `${f.dueDate}  ${f.priority}  ${f.assetName}  ${f.packageName}  ${f.advisoryId}`);
  const more = findings.length - shown.length;
  return shown.join('\n') + (more > 0 ? `\n… and ${more} more` : '');
}

/** The daily findings run: one message per subscription and recipient, not one per finding. */
export async function notifyDueFindings(
  ctx: Pick<ServerContext, 'database' | 'clock'>,
  sourceId: string,
  read: typeof findingsDueBy = findingsDueBy,
): Promise<{ deliveries: number; written: number }> {
  const { database, clock } = ctx;
  const now = clock.now();
  const today = now.toISOString().slice(0, 10);
  const soonBy = new Date(now.getTime() + dueSoonDays * 86_400_000).toISOString().slice(0, 10);
  const subscriptions = (await enabledSubscriptions(database.db)).filter((s) =>
    eventsOf(s).some((e) => e === 'finding-due-soon' || e === 'finding-overdue'),
  );
  if (subscriptions.length === 0) return { deliveries: 0, written: 0 };
  const due = await read(database.db, soonBy, now.toISOString());
  const sets: Record<'finding-overdue' | 'finding-due-soon', DueFinding[]> = {
    'finding-overdue': due.filter((f) => f.dueDate < today),
    'finding-due-soon': due.filter((f) => f.dueDate >= today),
  };
  const channels = new Map((await listChannelRows(database.db)).map((c) => [c.id, c] as const));
  const planned: PlannedDelivery[] = [];
  for (const event of ['finding-overdue', 'finding-due-soon'] as const) {
    const template = await effectiveTemplate(database.db, event);
    for (const subscription of subscriptions.filter((s) => eventsOf(s).includes(event))) {
      const channel = channels.get(subscription.channel_id);
      if (channel === undefined) continue;
      const findings =
        subscription.audience === 'asset-group'
          ? sets[event].filter((f) => f.groups.includes(subscription.audience_value ?? ''))
          : sets[event];
      if (findings.length === 0) continue;
      const recipients =
        channel.kind === 'email'
          ? await recipientsOf(database.db, subscription, undefined)
          : ['channel'];
      const rendered = renderMessage(template, {
        findings: { count: findings.length, list: findingLines(findings), date: today },
      });
      const payload = {
        audience: subscription.audience,
        date: today,
        findings: findings.slice(0, 200).map((f) => ({ ...f })),
      };
      for (const recipient of recipients)
        planned.push({
          row: newRow(
            now.toISOString(),
            {
              id: derivedId('findings-due', today, subscription.id, event, recipient),
              subscription_id: subscription.id,
              channel_id: channel.id,
              source_id: sourceId,
              event,
              change_id: null,
              recipient,
              ...placement(subscription, false, now),
            },
            { ...rendered, payload },
          ),
        });
    }
  }
  const written = await writeOutbox(ctx, planned);
  return { deliveries: planned.length, written };
}

/** A report to send through channels (the reports context's scheduled delivery). */
export interface ReportNotice {
  /** Deliveries derive their ids from it (the report's id): a re-run writes nothing twice. */
  readonly sourceId: string;
  /** Notification channel ids. */
  readonly channelIds: readonly string[];
  /** E-mail addresses, for the e-mail channels. */
  readonly recipients: readonly string[];
  readonly report: {
    readonly id: string;
    readonly title: string;
    readonly type: string;
    readonly format: string;
    readonly filename: string;
    readonly contentType: string;
    readonly sizeBytes: number;
    readonly sha256: string;
    /** The content's path (`/api/v1/reports/<id>/content`), made absolute with the public URL. */
    readonly link: string;
  };
  /** Lines said before the link (the schedule, the period). */
  readonly summary: string;
}

/**
 * Queue a report's deliveries: e-mail channels get the file attached (loaded when sent), one
 * message per recipient; webhook and chat channels a link to the content, absolute with
 * PATCHGATE_PUBLIC_URL. Rows and jobs are written in one transaction with derived ids.
 */
export async function notifyReport(
  ctx: Pick<ServerContext, 'database' | 'clock'> & {
    readonly config?: Pick<ServerConfig, 'publicUrl'>;
  },
  notice: ReportNotice,
): Promise<{ deliveries: number; written: number; missingChannels: string[] }> {
  const { database, clock } = ctx;
  const nowIso = clock.now().toISOString();
  const link = recipientLink(notice.report.link, ctx.config?.publicUrl) ?? notice.report.link;
  const relative = isAbsoluteLink(link) ? '' : `\n\n${relativeLinkNote}`;
  const channels = new Map((await listChannelRows(database.db)).map((c) => [c.id, c] as const));
  const { report } = notice;
  const sizeText = `${report.filename}, ${report.sizeBytes} bytes, SHA-256 ${report.sha256}`;
  const subject = `[Patchgate] Report: ${report.title}`.replace(/[\r\n]+/g, ' ');
  const payload = { report: { ...report, link } };
  const planned: PlannedDelivery[] = [];
  const missingChannels: string[] = [];
  for (const channelId of notice.channelIds) {
    const channel = channels.get(channelId);
    if (channel === undefined) {
      missingChannels.push(channelId);
      continue;
    }
    const base = {
      subscription_id: null,
      channel_id: channel.id,
      source_id: notice.sourceId,
      event: 'report',
      change_id: null,
    };
    if (channel.kind === 'email') {
      const text = `${notice.summary}\n\nThe report is attached (${sizeText}).\nDownload: ${link}${relative}`;
      const recipients = [...new Set(notice.recipients.map((r) => r.toLowerCase()))].sort();
      if (recipients.length === 0)
        planned.push({
          row: newRow(
            nowIso,
            {
              ...base,
              id: derivedId(notice.sourceId, 'report', channel.id, '-'),
              recipient: '-',
              status: 'failed',
              last_error: 'no recipient address: the report schedule names none',
            },
            { subject, text, html: plainToHtml(text), payload },
          ),
        });
      for (const recipient of recipients)
        planned.push({
          row: newRow(
            nowIso,
            {
              ...base,
              id: derivedId(notice.sourceId, 'report', channel.id, recipient),
              recipient,
            },
            {
              subject,
              text,
              html: plainToHtml(text),
              payload,
              attachment: {
                kind: 'report',
                id: report.id,
                filename: report.filename,
                contentType: report.contentType,
              },
            },
          ),
        });
    } else {
      const text = `${notice.summary}\n\nDownload (${sizeText}): ${link}${relative}`;
      planned.push({
        row: newRow(
          nowIso,
          {
            ...base,
            id: derivedId(notice.sourceId, 'report', channel.id, 'channel'),
            recipient: 'channel',
          },
          { subject, text, html: plainToHtml(text), payload },
        ),
      });
    }
  }
  const written = await writeOutbox(ctx, planned);
  return { deliveries: planned.length, written, missingChannels };
}

/** The notification channels among `refs` (ids or names), for another context's validation. */
export async function notificationChannelsOf(
  database: Database,
  refs: readonly string[],
): Promise<{ id: string; name: string; kind: string; ref: string }[]> {
  const rows = await listChannelRows(database.db);
  return refs.flatMap((ref) => {
    const row = rows.find((r) => r.id === ref) ?? rows.find((r) => r.name === ref);
    return row === undefined ? [] : [{ id: row.id, name: row.name, kind: row.kind, ref }];
  });
}

/** Register the notification jobs on a runner (main.ts; the changes context's read injected). */
export function registerNotificationJobs(
  runner: Pick<JobRunner, 'handle'>,
  ctx: Pick<ServerContext, 'database' | 'clock'> & {
    readonly config?: Pick<ServerConfig, 'publicUrl'>;
  },
  given: NotificationJobOptions,
): void {
  const options = { ...given, publicUrl: given.publicUrl ?? ctx.config?.publicUrl };
  runner.handle(notificationJobs.fanOut, (job) =>
    fanOut(ctx, options, job.id, job.payload as ChangeEventInput),
  );
  runner.handle(notificationJobs.deliver, (job) =>
    deliver(ctx, job.payload.deliveryId, job.attempt, options.timeoutMs, options.loadAttachment),
  );
  runner.handle(notificationJobs.digests, () => gatherDigests(ctx));
  runner.handle(notificationJobs.findingsDue, (job) =>
    notifyDueFindings(ctx, job.id, options.findingsDue),
  );
}
