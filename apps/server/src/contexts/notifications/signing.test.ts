import { describe, expect, it } from 'vitest';
import { verifyWebhookSignature, webhookSignature } from './signing.ts';

describe('webhook signatures', () => {
  const now = new Date('2026-11-25T10:00:00.000Z');
  const t = now.getTime() / 1000;
  const body = '{"event":"scheduled"}';
  const header = webhookSignature('s3cret-s3cret-s3cret', t, body);

  it('is HMAC-SHA256 over "<t>.<body>", verifiable by a receiver', () => {
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('s3cret-s3cret-s3cret', header, body, now)).toEqual({ ok: true });
  });

  it.each([
    ['another secret', 'other-secret-other', header, body, now, 'signature does not match'],
    ['a changed body', 's3cret-s3cret-s3cret', header, `${body} `, now, 'signature does not match'],
    [
      'a replay',
      's3cret-s3cret-s3cret',
      header,
      body,
      new Date(now.getTime() + 301_000),
      'timestamp outside the tolerance',
    ],
    ['no header', 's3cret-s3cret-s3cret', undefined, body, now, 'no signature header'],
    ['junk', 's3cret-s3cret-s3cret', 'v1=zz', body, now, 'malformed signature header'],
  ])('refuses %s', (_, secret, h, b, at, reason) => {
    expect(verifyWebhookSignature(secret, h, b, at)).toEqual({ ok: false, reason });
  });
});
