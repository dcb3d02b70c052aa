import type { OsvRecord } from '@patchgate/osv';
import { describe, expect, it } from 'vitest';
import { severityAtLeast, statedSeverity } from './severity.ts';

function record(fields: Partial<OsvRecord>): OsvRecord {
  return {
    id: 'TEST-1',
    modified: '2024-01-01T00:00:00Z',
    aliases: [],
    related: [],
    upstream: [],
    severity: [],
    affected: [],
    references: [],
    ...fields,
  };
}

describe('statedSeverity', () => {
  it.each([
    [
      { summary: 'Important: openssl security update' },
      { level: 'high', source: 'summary prefix "Important"' },
    ],
    [
      { summary: 'Critical: firefox security update' },
      { level: 'critical', source: 'summary prefix "Critical"' },
    ],
    [
      { database_specific: { severity: 'MODERATE' } },
      { level: 'medium', source: 'database_specific.severity "MODERATE"' },
    ],
    [
      { severity: [{ type: 'Ubuntu', score: 'high' }] },
      { level: 'high', source: 'severity[type=Ubuntu] "high"' },
    ],
    [{ summary: 'openssl - security update' }, { level: 'unknown' }],
    [
      { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] },
      { level: 'unknown' },
    ],
  ])('%j → %j', (fields, expected) => {
    expect(statedSeverity(record(fields as Partial<OsvRecord>))).toEqual(expected);
  });

  it('takes the highest stated level', () => {
    expect(
      statedSeverity(record({ summary: 'Low: x', database_specific: { severity: 'HIGH' } })).level,
    ).toBe('high');
  });

  it('orders levels for thresholds', () => {
    expect(severityAtLeast('high', 'medium')).toBe(true);
    expect(severityAtLeast('low', 'medium')).toBe(false);
    expect(severityAtLeast('unknown', 'low')).toBe(false);
  });
});
