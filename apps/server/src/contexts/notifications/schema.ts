/** The notifications API's schemas: strict inputs, every field described (they become OpenAPI). */
import { z } from 'zod';
import {
  audiences,
  channelKinds,
  contactKinds,
  deliveryStatuses,
  digestModes,
  notificationEvents,
} from './model.ts';
import { isTimeZone } from './zoned-time.ts';

const name = z.string().trim().min(1).max(100).describe('unique display name');
const httpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'only http and https URLs are allowed')
  .describe('where the JSON is POSTed (http or https)');
const enabled = z
  .boolean()
  .describe('whether the channel sends; a disabled one fails its deliveries');

export const emailSecurities = ['starttls', 'starttls-opportunistic', 'none', 'tls'] as const;

const webhookInput = z.strictObject({
  name,
  kind: z.literal('webhook').describe('generic JSON webhook, HMAC-SHA256 signed'),
  url: httpUrl,
  secret: z
    .string()
    .min(16)
    .max(200)
    .describe('signing secret (at least 16 characters); stored, never returned'),
  enabled: enabled.default(true),
});
const chatInput = (kind: 'slack' | 'teams') =>
  z.strictObject({
    name,
    kind: z.literal(kind).describe(`${kind}-shaped incoming webhook`),
    url: httpUrl.describe(
      'the incoming webhook URL; it is the credential, so it is stored as a secret and only its origin is returned',
    ),
    enabled: enabled.default(true),
  });
const emailFields = {
  host: z.string().trim().min(1).max(255).describe('SMTP server host name'),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .describe('SMTP port (587 submission, 465 implicit TLS, 25)'),
  security: z
    .enum(emailSecurities)
    .describe(
      'starttls: STARTTLS required (refuse to send in clear); starttls-opportunistic: use it when offered; none: never; tls: implicit TLS (port 465)',
    ),
  username: z.string().min(1).max(255).optional().describe('AUTH user name (with password)'),
  password: z.string().min(1).max(500).optional().describe('AUTH password; stored, never returned'),
  from: z.string().trim().email().max(255).describe('sender address'),
  caCertificate: z
    .string()
    .max(20_000)
    .regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate')
    .optional()
    .describe(
      'PEM CA certificate to trust for the server (a private relay); the system CAs otherwise',
    ),
};
const emailInput = z
  .strictObject({
    name,
    kind: z.literal('email').describe('SMTP e-mail'),
    ...emailFields,
    enabled: enabled.default(true),
  })
  .refine((e) => (e.username === undefined) === (e.password === undefined), {
    message: 'give username and password together',
    path: ['password'],
  });

export const ChannelInput = z
  .discriminatedUnion('kind', [webhookInput, chatInput('slack'), chatInput('teams'), emailInput])
  .describe('a channel: kind webhook, slack, teams or email, with its settings');
export type ChannelInput = z.infer<typeof ChannelInput>;

export const ChannelPatch = z
  .strictObject({
    name: name.optional(),
    enabled: enabled.optional(),
    url: httpUrl.optional(),
    secret: webhookInput.shape.secret.optional(),
    host: emailFields.host.optional(),
    port: emailFields.port.optional(),
    security: emailFields.security.optional(),
    username: emailFields.username.nullable(),
    password: emailFields.password.nullable(),
    from: emailFields.from.optional(),
    caCertificate: emailFields.caCertificate.nullable(),
  })
  .partial()
  .describe('fields to change; each must fit the channel kind; null removes an optional one');
export type ChannelPatch = z.infer<typeof ChannelPatch>;

export const Channel = z.object({
  id: z.string().describe('channel id'),
  name: z.string().describe('display name'),
  kind: z.enum(channelKinds).describe('webhook, slack, teams, email'),
  enabled: z.boolean().describe('whether it sends'),
  target: z.string().describe('where it sends, without secrets: a URL origin or smtp host:port'),
  settings: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .describe('the non-secret settings'),
  secrets: z
    .array(z.string())
    .describe('names of the secrets set (their values are never returned)'),
  createdAt: z.string().describe('ISO 8601'),
  updatedAt: z.string().describe('ISO 8601'),
});
export type Channel = z.infer<typeof Channel>;
export const ChannelList = z.object({ channels: z.array(Channel).describe('by name') });

export const ChannelTestResult = z.object({
  ok: z.boolean().describe('whether the receiver accepted the test message'),
  code: z.number().nullable().describe('HTTP status or SMTP reply code'),
  error: z.string().nullable().describe('why it failed'),
  durationMs: z.number().describe('milliseconds'),
});

const ref = z.string().trim().min(1).max(100);
export const IdParams = z.strictObject({ id: ref.describe('id (or, for channels, name)') });

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
  .describe('local time HH:MM');

const subscriptionChannel = ref.describe('the channel, by name or id');
const subscriptionAudience = z
  .enum(audiences)
  .describe(
    "who receives it (e-mail channels): cab, approvers (the change's pending approvers), service-owners (owner teams of its assets), operators, asset-group (end users of audienceValue), address (audienceValue itself)",
  );
const subscriptionAudienceValue = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .describe('the asset group (audience asset-group) or the e-mail address (audience address)');
const subscriptionEvents = z
  .array(z.enum(notificationEvents))
  .min(1)
  .max(notificationEvents.length)
  .describe(`what to notify: ${notificationEvents.join(', ')}`);
const subscriptionDigest = z
  .enum(digestModes)
  .describe('none: one message per event; daily/weekly: gathered into one message at digestHour');
const subscriptionDigestHour = z
  .number()
  .int()
  .min(0)
  .max(23)
  .describe('local hour digests are sent');
const subscriptionDigestWeekday = z
  .number()
  .int()
  .min(1)
  .max(7)
  .describe('weekly digests: ISO weekday, 1 Monday … 7 Sunday');
const subscriptionTimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'an IANA time zone such as Europe/Berlin')
  .describe('IANA time zone of digestHour and quiet hours');
const subscriptionQuietHours = z
  .strictObject({ start: hhmm, end: hhmm })
  .describe('non-urgent messages are held until the end; emergency changes and failures are not');
const subscriptionEnabled = z.boolean().describe('whether it notifies');

export const SubscriptionInput = z
  .strictObject({
    name,
    channel: subscriptionChannel,
    audience: subscriptionAudience,
    audienceValue: subscriptionAudienceValue.optional(),
    events: subscriptionEvents,
    digest: subscriptionDigest.default('none'),
    digestHour: subscriptionDigestHour.default(8),
    digestWeekday: subscriptionDigestWeekday.default(1),
    timeZone: subscriptionTimeZone.default('UTC'),
    quietHours: subscriptionQuietHours.optional(),
    enabled: subscriptionEnabled.default(true),
  })
  .superRefine((s, ctx) => {
    const needsValue = s.audience === 'asset-group' || s.audience === 'address';
    if (needsValue !== (s.audienceValue !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['audienceValue'],
        message: needsValue
          ? `audience ${s.audience} needs audienceValue`
          : `audience ${s.audience} takes no audienceValue`,
      });
    if (s.audience === 'address' && !z.email().safeParse(s.audienceValue).success)
      ctx.addIssue({ code: 'custom', path: ['audienceValue'], message: 'an e-mail address' });
  });
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

/**
 * A subscription's fields to change (the others keep their values); null removes audienceValue
 * or quietHours. The result is checked as a whole, as when it was created.
 */
export const SubscriptionPatch = z
  .strictObject({
    name: name.optional(),
    channel: subscriptionChannel.optional(),
    audience: subscriptionAudience.optional(),
    audienceValue: subscriptionAudienceValue.nullable().optional(),
    events: subscriptionEvents.optional(),
    digest: subscriptionDigest.optional(),
    digestHour: subscriptionDigestHour.optional(),
    digestWeekday: subscriptionDigestWeekday.optional(),
    timeZone: subscriptionTimeZone.optional(),
    quietHours: subscriptionQuietHours.nullable().optional(),
    enabled: subscriptionEnabled.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change' })
  .describe('fields to change; null removes audienceValue or quietHours');
export type SubscriptionPatch = z.infer<typeof SubscriptionPatch>;

export const Subscription = z.object({
  id: z.string().describe('subscription id'),
  name: z.string().describe('display name'),
  channelId: z.string().describe('channel id'),
  channelName: z.string().describe('channel name'),
  audience: z.enum(audiences).describe('who receives it'),
  audienceValue: z.string().nullable().describe('asset group or address'),
  events: z.array(z.enum(notificationEvents)).describe('what it notifies'),
  digest: z.enum(digestModes).describe('none, daily, weekly'),
  digestHour: z.number().describe('local hour'),
  digestWeekday: z.number().describe('ISO weekday'),
  timeZone: z.string().describe('IANA time zone'),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable().describe('local HH:MM'),
  enabled: z.boolean().describe('whether it notifies'),
  createdAt: z.string().describe('ISO 8601'),
});
export type Subscription = z.infer<typeof Subscription>;
export const SubscriptionList = z.object({
  subscriptions: z.array(Subscription).describe('by name'),
});

export const ContactInput = z.strictObject({
  kind: z
    .enum(contactKinds)
    .describe(
      'user (key: user id), team (owner team), asset-group (its end users), role (cab, operators)',
    ),
  key: z.string().trim().min(1).max(200).describe('the user id, team, asset group or role'),
  address: z.string().trim().email().max(255).describe('e-mail address'),
});
export const Contact = z.object({
  id: z.string().describe('contact id'),
  kind: z.enum(contactKinds).describe('user, team, asset-group, role'),
  key: z.string().describe('user id, team, asset group or role'),
  address: z.string().describe('e-mail address'),
  createdAt: z.string().describe('ISO 8601'),
});
export const ContactList = z.object({
  contacts: z.array(Contact).describe('by kind, key, address'),
});

export const EventParams = z.strictObject({
  event: z.enum(notificationEvents).describe('notification event'),
});
export const TemplateInput = z.strictObject({
  subject: z.string().min(1).max(300).describe('subject line, with {{value}} placeholders'),
  body: z.string().min(1).max(10_000).describe('plain-text body, with {{value}} placeholders'),
});
export const Template = z.object({
  event: z.enum(notificationEvents).describe('notification event'),
  phase: z.enum(['pre', 'during', 'post']).describe('before, during or after the change window'),
  subject: z.string().describe('subject template'),
  body: z.string().describe('body template'),
  custom: z.boolean().describe('true when edited; false: the built-in default'),
  values: z.array(z.string()).describe('the placeholders it may use'),
  default: z
    .object({
      subject: z.string().describe('built-in subject template'),
      body: z.string().describe('built-in body template'),
    })
    .describe('the built-in message: what a reset (DELETE) restores'),
});
export const TemplateList = z.object({ templates: z.array(Template).describe('one per event') });

export const DeliveryQuery = z.strictObject({
  status: z.enum(deliveryStatuses).optional().describe('only deliveries in this status'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size'),
  cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
});
export type DeliveryQuery = z.infer<typeof DeliveryQuery>;
export const Delivery = z.object({
  id: z.string().describe('delivery id, sent as Patchgate-Delivery-Id'),
  event: z.string().describe('notification event, digest or test'),
  status: z.enum(deliveryStatuses).describe('pending, held, digest, digested, sent, failed'),
  channelId: z.string().describe('channel id'),
  subscriptionId: z.string().nullable().describe('subscription id'),
  changeId: z.string().nullable().describe('the change it is about'),
  recipient: z.string().describe('e-mail address, or "channel"'),
  urgent: z.boolean().describe('goes through quiet hours'),
  subject: z.string().describe('rendered subject'),
  attempts: z.number().describe('attempts made'),
  lastCode: z.number().nullable().describe('HTTP status or SMTP code of the last attempt'),
  lastError: z.string().nullable().describe('why the last attempt failed'),
  notBefore: z.string().describe('not sent before (quiet hours)'),
  createdAt: z.string().describe('ISO 8601'),
  sentAt: z.string().nullable().describe('ISO 8601'),
});
export type Delivery = z.infer<typeof Delivery>;
export const DeliveryList = z.object({
  deliveries: z.array(Delivery).describe('newest first'),
  nextCursor: z.string().nullable().describe('cursor of the next page, null at the end'),
});
export const DeliveryDetail = Delivery.extend({
  log: z
    .array(
      z.object({
        attempt: z.number().describe('1, 2, …'),
        at: z.string().describe('ISO 8601'),
        outcome: z.enum(['sent', 'failed']).describe('sent or failed'),
        code: z.number().nullable().describe('HTTP status or SMTP code'),
        error: z.string().nullable().describe('error'),
        durationMs: z.number().describe('milliseconds'),
      }),
    )
    .describe('every attempt'),
});
export type DeliveryDetail = z.infer<typeof DeliveryDetail>;
