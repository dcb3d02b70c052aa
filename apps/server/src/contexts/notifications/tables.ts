/**
 * The notifications context's tables (migration 0015). JSON is text, timestamps ISO 8601 UTC
 * text, booleans 0/1 (docs/adr/0007-server-storage.md). Secrets (signing secrets, SMTP
 * passwords, chat webhook URLs) live in `secrets_json` and never leave the server through the
 * API (docs/adr/0031-notification-channels-and-signing.md).
 */
export interface NotificationChannelTable {
  id: string;
  name: string;
  /** `webhook`, `slack`, `teams`, `email`. */
  kind: string;
  /** Non-secret settings: JSON of the kind's config (url, SMTP host/port/security/from…). */
  config_json: string;
  /** Secret settings: JSON `{ secret?, password?, url? }`. */
  secrets_json: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface NotificationSubscriptionTable {
  id: string;
  name: string;
  channel_id: string;
  /** `cab`, `approvers`, `service-owners`, `operators`, `asset-group`, `address`. */
  audience: string;
  /** The asset group (audience `asset-group`) or the address (audience `address`). */
  audience_value: string | null;
  /** JSON array of notification events (`submitted`, `scheduled`, `finding-overdue`…). */
  events_json: string;
  /** `none`, `daily`, `weekly`. */
  digest: string;
  /** Local hour (0-23) a digest is sent at, in `time_zone`. */
  digest_hour: number;
  /** Weekly digests: ISO weekday 1 (Monday) … 7 (Sunday). */
  digest_weekday: number;
  time_zone: string;
  /** Quiet hours, local `HH:MM`; both null: none. */
  quiet_start: string | null;
  quiet_end: string | null;
  /** The due time of the last digest gathered (ISO), so each due time is gathered once. */
  last_digest_at: string | null;
  enabled: number;
  created_at: string;
  updated_at: string;
}

/** Who an address belongs to: a user (id), an owner team, an asset group, or a role. */
export interface NotificationContactTable {
  id: string;
  /** `user`, `team`, `asset-group`, `role` (`cab`, `operators`). */
  kind: string;
  key: string;
  address: string;
  created_at: string;
}

/** A template overriding the built-in default of one notification event. */
export interface NotificationTemplateTable {
  event: string;
  subject: string;
  body: string;
  updated_at: string;
  updated_by: string | null;
}

/**
 * One message to one recipient through one channel: the outbox row. Its id is derived from
 * what caused it (event, subscription, recipient), so a re-run writes nothing twice.
 */
export interface NotificationDeliveryTable {
  id: string;
  subscription_id: string | null;
  channel_id: string;
  /** The job (domain event fan-out, digest, findings run) that wrote it. */
  source_id: string;
  /** The notification event (`scheduled`…), or `digest`, or `test`. */
  event: string;
  change_id: string | null;
  /** An e-mail address, or `channel` for webhook and chat channels. */
  recipient: string;
  urgent: number;
  /** `pending`, `held` (quiet hours), `digest` (waits for its digest), `digested`, `sent`, `failed`. */
  status: string;
  /** The rendered message: JSON `{ subject, text, html, calendar?, payload }`. */
  message_json: string;
  /** A digest delivery: the id of the digest that carried this one. */
  digest_id: string | null;
  not_before: string;
  attempts: number;
  last_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

/** The delivery log: every attempt with its outcome. */
export interface NotificationAttemptTable {
  delivery_id: string;
  attempt: number;
  at: string;
  /** `sent`, `failed`. */
  outcome: string;
  /** The HTTP status or SMTP reply code, when there was one. */
  code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface NotificationTables {
  notification_channels: NotificationChannelTable;
  notification_subscriptions: NotificationSubscriptionTable;
  notification_contacts: NotificationContactTable;
  notification_templates: NotificationTemplateTable;
  notification_deliveries: NotificationDeliveryTable;
  notification_attempts: NotificationAttemptTable;
}
