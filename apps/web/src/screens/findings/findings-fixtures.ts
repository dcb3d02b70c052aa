/** Findings as the API answers them, for the component tests (typed by the generated schema). */
import type { FindingDetail, FindingException, FindingRow } from './finding-types.ts';

let counter = 0;
/** A UUID (version 8, as the server's finding ids) unique per call. */
export const nextId = (): string =>
  `0000${(++counter).toString(16).padStart(4, '0')}-0000-8000-8000-000000000000`;

export function findingRow(overrides: Partial<FindingRow> = {}): FindingRow {
  return {
    id: nextId(),
    asset: {
      id: 'a0000000-0000-4000-8000-000000000001',
      name: 'web-01',
      environment: 'production',
      criticality: 'high',
      exposure: 'internet',
      groups: ['web'],
      tags: [],
    },
    package: {
      ecosystem: 'Debian:12',
      name: 'openssl',
      version: '3.0.11-1~deb12u1',
      sourceName: 'openssl',
      instances: [{ version: '3.0.11-1~deb12u1' }],
    },
    advisory: {
      id: 'DSA-5678-1',
      aliases: ['CVE-2024-0001'],
      cves: ['CVE-2024-0001'],
      summary: 'openssl: a buffer overread',
    },
    match: {
      ecosystem: 'Debian:12',
      name: 'openssl',
      version: '3.0.11-1~deb12u1',
      by: 'range',
      range: '< 3.0.13-1~deb12u1',
    },
    fixedVersions: ['3.0.13-1~deb12u1'],
    state: 'open',
    status: 'open',
    firstSeenAt: '2026-12-01T10:00:00.000Z',
    lastSeenAt: '2026-12-05T10:00:00.000Z',
    fixedAt: null,
    fixedByChangeId: null,
    reopenedAt: null,
    priority: 'P1',
    dueDate: '2026-12-08',
    overdue: false,
    severity: 'high',
    unknownSeverity: null,
    kev: true,
    epss: 0.42,
    triage: null,
    accepted: null,
    ...overrides,
  };
}

export function findingDetail(overrides: Partial<FindingDetail> = {}): FindingDetail {
  return {
    ...findingRow(),
    decision: {
      priority: 'P1',
      dueDate: '2026-12-08',
      timeline: '7 days',
      severity: 'high',
      drivingCve: 'CVE-2024-0001',
      explanation: {
        policy: { id: 'default', name: 'Patchgate default', version: '3' },
        rule: { id: 'kev-internet', description: 'known exploited on an internet-facing asset' },
        inputs: [
          { name: 'kev', value: true, source: 'CISA KEV', timestamp: '2026-11-30T00:00:00.000Z' },
          { name: 'epss', value: 0.42, source: 'FIRST EPSS' },
          { name: 'exposure', value: 'internet', source: 'asset context (web-01)' },
          {
            name: 'cvssVector',
            value: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
            source: 'NVD',
          },
        ],
        due: '7 days from detection on 2026-12-01',
        text: 'Patchgate default, rule kev-internet: CVE-2024-0001 (DSA-5678-1) in openssl: known exploited. Priority P1, due 2026-12-08.',
      },
    },
    exceptions: [],
    history: [
      {
        at: '2026-12-01T10:00:00.000Z',
        action: 'finding.detected',
        actor: null,
        before: null,
        after: null,
      },
    ],
    ...overrides,
  };
}

export function exception(overrides: Partial<FindingException> = {}): FindingException {
  return {
    id: nextId(),
    findingId: '00000001-0000-8000-8000-000000000000',
    assetId: 'a0000000-0000-4000-8000-000000000001',
    advisoryId: 'DSA-5678-1',
    owner: 'team-web',
    reason: 'compensating WAF rule',
    expiresAt: '2027-03-01T23:59:59.000Z',
    state: 'requested',
    requestedBy: { id: 'someone-else', name: 'Maria Keller' },
    requestedAt: '2026-12-05T09:00:00.000Z',
    decidedBy: null,
    decidedAt: null,
    decisionNote: null,
    closedAt: null,
    finding: {
      assetName: 'web-01',
      packageName: 'openssl',
      packageVersion: '3.0.11-1',
      advisorySummary: 'openssl security update',
      priority: 'P1',
    },
    ...overrides,
  };
}
