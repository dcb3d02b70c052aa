/**
 * Webhook signatures (docs/adr/0031-notification-channels-and-signing.md), as Stripe and GitHub
 * do it: `Patchgate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a receiver that checks it is recent (5 minutes)
 * refuses a replayed request; `Patchgate-Delivery-Id` lets it drop a redelivered one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'patchgate-signature';
export const deliveryIdHeader = 'patchgate-delivery-id';

export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Verify a request as a receiver should: the header parses, the timestamp is within
 * `toleranceSeconds` of `now`, and one `v1` signature matches (compared in constant time).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): { ok: true } | { ok: false; reason: string } {
  if (header === undefined) return { ok: false, reason: 'no signature header' };
  const fields = header.split(',').map((f) => f.trim().split('='));
  const t = Number(fields.find(([k]) => k === 't')?.[1]);
  const signatures = fields.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (!Number.isInteger(t) || signatures.length === 0)
    return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds)
    return { ok: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(webhookSignature(secret, t, body).split('v1=')[1] ?? '', 'hex');
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
