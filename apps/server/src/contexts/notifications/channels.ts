/**
 * Sending one message through one channel: generic webhook (signed JSON), Slack- and
 * Teams-shaped incoming webhooks, SMTP e-mail (docs/adr/0031-notification-channels-and-signing.md).
 * Every send has a timeout and reports a result instead of throwing; the caller records it in
 * the delivery log and decides about retries.
 */
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { ChannelKind } from './model.ts';
import { deliveryIdHeader, signatureHeader, webhookSignature } from './signing.ts';

export interface WebhookSettings {
  readonly url: string;
}
export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'starttls-opportunistic' | 'none' | 'tls';
  readonly username?: string | undefined;
  readonly from: string;
  readonly caCertificate?: string | undefined;
}
export interface ChannelSecrets {
  readonly secret?: string | undefined;
  readonly password?: string | undefined;
  readonly url?: string | undefined;
}

/** A channel as the sender needs it: settings and secrets together (never sent to clients). */
export type SendableChannel =
  | {
      readonly kind: 'webhook';
      readonly settings: WebhookSettings;
      readonly secrets: ChannelSecrets;
    }
  | {
      readonly kind: 'slack' | 'teams';
      readonly settings: object;
      readonly secrets: ChannelSecrets;
    }
  | { readonly kind: 'email'; readonly settings: EmailSettings; readonly secrets: ChannelSecrets };

export interface OutboundMessage {
  /** The delivery id: Patchgate-Delivery-Id, the e-mail's Message-ID. */
  readonly id: string;
  readonly event: string;
  readonly recipient: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** An iCalendar METHOD:REQUEST document to attach to an e-mail. */
  readonly calendar?: string | undefined;
  /** The structured data of a webhook's JSON body. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** Files to attach to an e-mail (a scheduled report); webhooks carry a link instead. */
  readonly attachments?: readonly MessageAttachment[] | undefined;
}

export interface MessageAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface SendResult {
  readonly ok: boolean;
  readonly code: number | null;
  readonly error: string | null;
  /** Retrying cannot help (4xx other than 408/429, bad settings). */
  readonly permanent: boolean;
  readonly durationMs: number;
}

export interface SendOptions {
  readonly now: Date;
  readonly timeoutMs: number;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The JSON body of each webhook kind. */
export function webhookBody(kind: 'webhook' | 'slack' | 'teams', message: OutboundMessage): string {
  switch (kind) {
    case 'webhook':
      return JSON.stringify({
        id: message.id,
        event: message.event,
        subject: message.subject,
        text: message.text,
        ...message.payload,
      });
    case 'slack':
      // Slack incoming webhooks: `text` is the notification fallback, blocks the layout.
      return JSON.stringify({
        text: message.subject,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: message.subject.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: message.text.slice(0, 3000) } },
        ],
      });
    case 'teams':
      // Teams (Workflows) incoming webhooks take a message with an Adaptive Card attachment.
      return JSON.stringify({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                {
                  type: 'TextBlock',
                  text: message.subject,
                  weight: 'Bolder',
                  size: 'Medium',
                  wrap: true,
                },
                { type: 'TextBlock', text: message.text, wrap: true },
              ],
            },
          },
        ],
      });
  }
}

async function sendWebhook(
  channel: Extract<SendableChannel, { kind: 'webhook' | 'slack' | 'teams' }>,
  message: OutboundMessage,
  options: SendOptions,
): Promise<Omit<SendResult, 'durationMs'>> {
  const url = channel.kind === 'webhook' ? channel.settings.url : channel.secrets.url;
  if (url === undefined || !isHttpUrl(url))
    return { ok: false, code: null, error: 'the channel URL is not http(s)', permanent: true };
  const body = webhookBody(channel.kind, message);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Patchgate-Notifications',
    [deliveryIdHeader]: message.id,
  };
  if (channel.kind === 'webhook' && channel.secrets.secret !== undefined)
    headers[signatureHeader] = webhookSignature(
      channel.secrets.secret,
      Math.floor(options.now.getTime() / 1000),
      body,
    );
  try {
    const response = await request(url, {
      method: 'POST',
      headers,
      body,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: AbortSignal.timeout(options.timeoutMs),
      // undici's request does not follow redirects: a 3xx is an answer, not a new target.
    });
    await response.body.dump();
    const code = response.statusCode;
    if (code >= 200 && code < 300) return { ok: true, code, error: null, permanent: false };
    const permanent = code >= 400 && code < 500 && code !== 408 && code !== 429;
    return { ok: false, code, error: `the receiver answered HTTP ${code}`, permanent };
  } catch (error) {
    return { ok: false, code: null, error: errorText(error), permanent: false };
  }
}

async function sendEmail(
  channel: Extract<SendableChannel, { kind: 'email' }>,
  message: OutboundMessage,
  options: SendOptions,
): Promise<Omit<SendResult, 'durationMs'>> {
  const { settings, secrets } = channel;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(settings.username !== undefined &&
      secrets.password !== undefined && {
        auth: { user: settings.username, pass: secrets.password },
      }),
    tls: {
      minVersion: 'TLSv1.2',
      // SNI takes host names only (RFC 6066 §3); an IP address is checked against the SAN.
      ...(isIP(settings.host) === 0 && { servername: settings.host }),
      ...(settings.caCertificate !== undefined && { ca: settings.caCertificate }),
    },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: message.recipient,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: `<${message.id}@patchgate>`,
      date: options.now,
      headers: { 'Patchgate-Delivery-Id': message.id },
      ...(message.calendar !== undefined && {
        icalEvent: { method: 'REQUEST', filename: 'change-window.ics', content: message.calendar },
      }),
      ...(message.attachments !== undefined &&
        message.attachments.length > 0 && {
          attachments: message.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
          })),
        }),
    });
    const code = Number(/^(\d{3})/.exec(info.response)?.[1] ?? 250);
    return { ok: true, code, error: null, permanent: false };
  } catch (error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    const numeric = typeof code === 'number' ? code : null;
    // 5xx replies are permanent (RFC 5321 §4.2.1), except that a failed AUTH may be fixed.
    const permanent = numeric !== null && numeric >= 500 && numeric !== 535;
    return { ok: false, code: numeric, error: errorText(error), permanent };
  } finally {
    transport.close();
  }
}

export async function sendMessage(
  channel: SendableChannel,
  message: OutboundMessage,
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const result =
    channel.kind === 'email'
      ? await sendEmail(channel, message, options)
      : await sendWebhook(channel, message, options);
  return { ...result, durationMs: Math.round(performance.now() - started) };
}

export const channelKindNames: Record<ChannelKind, string> = {
  webhook: 'generic webhook',
  slack: 'Slack webhook',
  teams: 'Teams webhook',
  email: 'SMTP e-mail',
};
