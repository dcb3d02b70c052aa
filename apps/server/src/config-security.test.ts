import { describe, expect, it } from 'vitest';
import { configFromEnv, fastifyTrustProxy } from './config.ts';

describe('security settings', () => {
  it('defaults: no proxy trusted, metrics private, checkpoints in the data directory', () => {
    const result = configFromEnv({ PATCHGATE_DATA_DIR: 'state' }, '/srv/patchgate');
    expect(result.ok && result.config).toMatchObject({
      trustProxy: false,
      metricsPublic: false,
      auditKeyFile: '/srv/patchgate/state/audit-checkpoint-key.pem',
      auditCheckpointFile: '/srv/patchgate/state/audit-checkpoints.jsonl',
      auditCheckpointIntervalSeconds: 900,
    });
    expect(result.ok && 'auditCheckpointWebhook' in result.config).toBe(false);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.1, 192.168.0.0/16', ['10.0.0.1', '192.168.0.0/16']],
  ])('reads PATCHGATE_TRUST_PROXY=%j', (value, expected) => {
    const result = configFromEnv({ PATCHGATE_TRUST_PROXY: value }, '/srv');
    expect(result.ok && result.config.trustProxy).toEqual(expected);
  });

  it('trusts a hop count of proxies, nearest first', () => {
    const trust = fastifyTrustProxy(2) as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => trust('10.0.0.1', hop))).toEqual([true, true, false]);
  });

  it('names the variable of a bad value', () => {
    expect(
      configFromEnv(
        {
          PATCHGATE_AUDIT_CHECKPOINT_INTERVAL_SECONDS: 'often',
          PATCHGATE_AUDIT_CHECKPOINT_WEBHOOK: 'ftp://example.org/x',
        },
        '/srv',
      ),
    ).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^PATCHGATE_AUDIT_CHECKPOINT_INTERVAL_SECONDS: /) as unknown,
        expect.stringMatching(/^PATCHGATE_AUDIT_CHECKPOINT_WEBHOOK: /) as unknown,
      ],
    });
  });
});
