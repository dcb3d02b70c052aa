/**
 * The demo organisation's past: about 90 days of findings, exceptions, triage, changes and
 * reviews, so that on a fresh `patchgate server --demo` the dashboard's SLA weeks, the metrics
 * and their trends and every report have something to show.
 *
 * - **Deterministic**: one seeded generator (`mulberry32`), dates counted back from the day the
 *   history is seeded; ids are hashes of a fixed seed and a counter, so they do not depend on
 *   the day.
 * - **Idempotent**: every import skips rows whose id is stored already, so a second start (on
 *   the same day or a later one) adds nothing.
 * - **Through the contexts' doors**: assets through the inventory's `importAssets`, findings
 *   and exceptions through the findings' `importFindingHistory`, changes (transitions,
 *   approvals, review facts, reviews) through the changes' `importChangeHistory`, each audited
 *   by its context as `history: true` by the actor "demo history" with `demoHistoryNote`.
 * - **Plausible**: decisions (priority, due date, explanation) are the server policy's own,
 *   made as of the day each finding was first seen; changes sit in the occurrences of the demo's
 *   maintenance windows (the same rules as `apps/cli/src/demo.ts`' `demoWindows`); most
 *   findings are fixed on time, some late, and some on hosts that stopped reporting are still
 *   open and overdue; failures concentrate on openssl in the canary wave and on the database
 *   window, so the improvement loop has trends to find.
 *
 * The history's hosts web-02, web-03, db-02 and app-01 have no inventory (a reconcile skips
 * them, so their open findings stay open); on the demo's own assets (web-01, bridge, db-01,
 * which have one) every historical finding is fixed and uses advisory ids no example feed
 * has, so no reconcile reopens or closes them.
 */
import { createHash } from 'node:crypto';
import type { ChangeAction, ChangePlansInput, ChangeType } from '@patchgate/changes';
import { compileRecurrence, occurrencesBetween } from '@patchgate/calendar';
import type { Decision, Policy } from '@patchgate/policy';
import { defaultPolicy } from '@patchgate/policy';
import type { VulnerabilityFacts } from '@patchgate/sources';
import type { ServerContext } from '../context.ts';
import type { AuditActor } from '../contexts/audit/index.ts';
import { resolveUserRef } from '../contexts/auth/index.ts';
import type {
  HistoricalChange,
  HistoricalChangeAsset,
  HistoricalPerson,
  ReviewFacts,
} from '../contexts/changes/index.ts';
import { importChangeHistory } from '../contexts/changes/index.ts';
import type { HistoricalException, HistoricalFinding } from '../contexts/findings/index.ts';
import { findingsByIds, importFindingHistory } from '../contexts/findings/index.ts';
import { importAssets, listAssetFacts } from '../contexts/inventory/index.ts';
import { backfillSnapshots } from '../contexts/reports/index.ts';

/** How far back the history goes. */
export const demoHistoryDays = 90;

/** Who the audit log says wrote the history. */
export const demoHistoryActor: AuditActor = { type: 'system', id: null, name: 'demo history' };

/** What every audit event of the history says about it. */
export const demoHistoryNote =
  'demo data: the generated history of the demo organisation (patchgate server --demo), not real detections or changes';

const seed = 0x5eed_2026;
const hour = 3_600_000;
const day = 24 * hour;

/** A small, fast, seeded generator (mulberry32): the same sequence on every run. */
export function mulberry32(start: number): () => number {
  let a = start >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A UUID-shaped id from the seed and a name: the same on every run, on every day. */
export function historyId(name: string): string {
  const h = createHash('sha256').update(`patchgate-demo-history:${seed}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type Ecosystem = 'Debian:12' | 'AlmaLinux:8' | 'Go';

/** An asset of the history: the demo's three and four hosts of its past. */
export interface HistoryAsset {
  readonly name: string;
  readonly kind: 'host' | 'application';
  readonly osRelease?: string;
  readonly environment: 'production' | 'staging';
  readonly criticality: 'critical' | 'high' | 'medium';
  readonly exposure: 'internet' | 'internal';
  readonly owner: string;
  readonly tags: readonly string[];
  readonly groups: readonly string[];
  readonly ecosystem: Ecosystem;
  /** Has a current inventory in the demo (a reconcile owns its open findings). */
  readonly reporting: boolean;
  /** The demo window its changes are scheduled in. */
  readonly window: keyof typeof historyWindows;
}

export const historyAssets: readonly HistoryAsset[] = [
  {
    name: 'web-01',
    kind: 'host',
    environment: 'production',
    criticality: 'high',
    exposure: 'internet',
    owner: 'team-web',
    tags: ['pci'],
    groups: ['web'],
    ecosystem: 'Debian:12',
    reporting: true,
    window: 'web',
  },
  {
    name: 'bridge',
    kind: 'application',
    environment: 'staging',
    criticality: 'medium',
    exposure: 'internal',
    owner: 'team-mail',
    tags: [],
    groups: ['mail'],
    ecosystem: 'Go',
    reporting: true,
    window: 'staging',
  },
  {
    name: 'db-01',
    kind: 'host',
    osRelease: 'AlmaLinux:8',
    environment: 'production',
    criticality: 'critical',
    exposure: 'internal',
    owner: 'team-data',
    tags: [],
    groups: ['db'],
    ecosystem: 'AlmaLinux:8',
    reporting: true,
    window: 'db',
  },
  {
    name: 'web-02',
    kind: 'host',
    environment: 'production',
    criticality: 'high',
    exposure: 'internet',
    owner: 'team-web',
    tags: ['pci'],
    groups: ['web'],
    ecosystem: 'Debian:12',
    reporting: false,
    window: 'web',
  },
  {
    name: 'web-03',
    kind: 'host',
    environment: 'staging',
    criticality: 'medium',
    exposure: 'internal',
    owner: 'team-web',
    tags: [],
    groups: ['web'],
    ecosystem: 'Debian:12',
    reporting: false,
    window: 'staging',
  },
  {
    name: 'app-01',
    kind: 'host',
    environment: 'production',
    criticality: 'medium',
    exposure: 'internal',
    owner: 'team-shop',
    tags: ['pci'],
    groups: ['web'],
    ecosystem: 'Debian:12',
    reporting: false,
    window: 'web',
  },
  {
    name: 'db-02',
    kind: 'host',
    osRelease: 'AlmaLinux:8',
    environment: 'production',
    criticality: 'critical',
    exposure: 'internal',
    owner: 'team-data',
    tags: [],
    groups: ['db'],
    ecosystem: 'AlmaLinux:8',
    reporting: false,
    window: 'db',
  },
];

/** The demo's maintenance windows (the rules of apps/cli/src/demo.ts' `demoWindows`). */
export const historyWindows = {
  web: {
    name: 'web nightly',
    rrule: 'FREQ=DAILY',
    dtstart: '2026-01-01T22:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 240,
  },
  db: {
    name: 'database Sunday',
    rrule: 'FREQ=WEEKLY;BYDAY=SU',
    dtstart: '2026-01-04T02:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 180,
  },
  staging: {
    name: 'staging office hours',
    rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    dtstart: '2026-01-05T09:00',
    timeZone: 'Europe/Berlin',
    durationMinutes: 480,
  },
} as const;

interface PackageSpec {
  readonly name: string;
  readonly source?: string;
  readonly from: string;
  readonly to: string;
}

/** Packages that really are on such hosts, with a vulnerable and a fixed version. */
const packages: Readonly<Record<Ecosystem, readonly PackageSpec[]>> = {
  'Debian:12': [
    { name: 'openssl', from: '3.0.14-1~deb12u2', to: '3.0.15-1~deb12u1' },
    { name: 'libssl3', source: 'openssl', from: '3.0.14-1~deb12u2', to: '3.0.15-1~deb12u1' },
    { name: 'curl', from: '7.88.1-10+deb12u7', to: '7.88.1-10+deb12u8' },
    { name: 'nginx', from: '1.22.1-9', to: '1.22.1-9+deb12u1' },
    { name: 'libc6', source: 'glibc', from: '2.36-9+deb12u7', to: '2.36-9+deb12u9' },
    {
      name: 'openssh-server',
      source: 'openssh',
      from: '1:9.2p1-2+deb12u3',
      to: '1:9.2p1-2+deb12u4',
    },
    { name: 'libxml2', from: '2.9.14+dfsg-1.3~deb12u1', to: '2.9.14+dfsg-1.3~deb12u2' },
    { name: 'python3.11', from: '3.11.2-6+deb12u3', to: '3.11.2-6+deb12u4' },
    { name: 'sudo', from: '1.9.13p3-1+deb12u1', to: '1.9.13p3-1+deb12u2' },
    { name: 'libexpat1', source: 'expat', from: '2.5.0-1', to: '2.5.0-1+deb12u1' },
    { name: 'git', from: '1:2.39.5-0+deb12u1', to: '1:2.39.5-0+deb12u2' },
  ],
  'AlmaLinux:8': [
    { name: 'openssl', from: '1:1.1.1k-12.el8_9', to: '1:1.1.1k-14.el8_10' },
    { name: 'kernel', from: '4.18.0-553.16.1.el8_10', to: '4.18.0-553.30.1.el8_10' },
    { name: 'glibc', from: '2.28-251.el8_10.2', to: '2.28-251.el8_10.5' },
    { name: 'postgresql', from: '15.6-1.module_el8.10.0', to: '15.8-1.module_el8.10.0' },
    { name: 'sudo', from: '1.9.5p2-1.el8_9', to: '1.9.5p2-1.el8_10' },
    { name: 'curl', from: '7.61.1-34.el8', to: '7.61.1-34.el8_10.2' },
    { name: 'python3', from: '3.6.8-62.el8_10', to: '3.6.8-67.el8_10' },
  ],
  Go: [
    { name: 'golang.org/x/net', from: '0.17.0', to: '0.33.0' },
    { name: 'golang.org/x/crypto', from: '0.14.0', to: '0.31.0' },
    { name: 'google.golang.org/protobuf', from: '1.31.0', to: '1.33.0' },
    { name: 'github.com/golang-jwt/jwt/v4', from: '4.5.0', to: '4.5.1' },
  ],
};

const flaws = [
  'heap buffer overflow',
  'use-after-free',
  'denial of service through crafted input',
  'information disclosure',
  'local privilege escalation',
  'certificate validation bypass',
  'out-of-bounds read',
  'request smuggling',
] as const;

const severities = [
  ['critical', 0.14],
  ['high', 0.41],
  ['medium', 0.35],
  ['low', 0.1],
] as const;

/** The demo's people (apps/cli/src/demo.ts `demoUsers`), as the history names them. */
const usernames = ['admin', 'maria.keller', 'jonas.weber', 'aisha.khan', 'tom.berg'] as const;
type Username = (typeof usernames)[number];
type People = Readonly<Record<Username, { readonly id: string; readonly name: string }>>;

/** The input the history is planned from: the day, the assets (with their ids), the people. */
export interface HistoryInput {
  readonly now: Date;
  readonly days: number;
  readonly assetIds: ReadonlyMap<string, string>;
  readonly people: People;
  readonly policy: Policy;
}

export interface HistoryPlan {
  readonly findings: HistoricalFinding[];
  readonly changes: HistoricalChange[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const dayOf = (ms: number) => iso(ms).slice(0, 10);

/** The plan of the history (pure: the same input gives the same plan). */
export function planDemoHistory(input: HistoryInput): HistoryPlan {
  const random = mulberry32(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const now = input.now.getTime();
  const start = now - input.days * day;
  const person = (u: Username): HistoricalPerson => ({ type: 'user', ...input.people[u] });
  const assets = historyAssets.map((a) => ({ ...a, id: input.assetIds.get(a.name) ?? '' }));
  const assetFacts = (a: (typeof assets)[number]) => ({
    id: a.id,
    name: a.name,
    environment: a.environment,
    criticality: a.criticality,
    exposure: a.exposure,
    groups: a.groups,
    tags: a.tags,
  });

  // --- advisories and the findings they make ------------------------------------------------
  interface Planned {
    finding: Omit<HistoricalFinding, 'fixedAt' | 'fixedByChangeId' | 'triage' | 'exception'>;
    asset: (typeof assets)[number];
    spec: PackageSpec;
    fixedAt: number | null;
    fixedByChangeId?: string;
    triage?: HistoricalFinding['triage'];
    exception?: HistoricalException;
  }
  const planned: Planned[] = [];
  const advisoryCount = 96;
  for (let i = 0; i < advisoryCount; i++) {
    const ecosystem: Ecosystem = pick(['Debian:12', 'Debian:12', 'Debian:12', 'AlmaLinux:8', 'Go']);
    const spec = pick(packages[ecosystem]);
    const roll = random();
    let acc = 0;
    const severity = severities.find(([, p]) => (acc += p) >= roll)?.[0] ?? 'medium';
    const published = between(start - 5 * day, now - 2 * day);
    const cve = `CVE-2026-${String(41_000 + i * 37).padStart(5, '0')}`;
    const advisoryId =
      ecosystem === 'Debian:12'
        ? `DSA-${5_800 + i}-1`
        : ecosystem === 'AlmaLinux:8'
          ? `ALSA-2026:${String(8_100 + i * 3)}`
          : `GO-2026-${4_100 + i}`;
    const kev = severity === 'critical' ? chance(0.35) : severity === 'high' && chance(0.06);
    const epss = Number(
      (severity === 'critical' ? between(0.2, 0.95) : between(0.001, 0.2)).toFixed(4),
    );
    const facts: VulnerabilityFacts[] = [
      {
        cve,
        cvss: [],
        cwes: [],
        published: iso(published),
        epss: {
          source: 'demo history',
          score: epss,
          percentile: Math.min(0.99, epss * 1.8),
          scoreDate: dayOf(published),
        },
        ...(kev && {
          kev: {
            source: 'demo history',
            dateAdded: dayOf(published + day),
            knownRansomwareCampaignUse: 'Unknown' as const,
          },
        }),
      },
    ];
    const candidates = assets.filter((a) => a.ecosystem === ecosystem);
    const hit = candidates.filter(() => chance(0.6));
    const affected = hit.length > 0 ? hit : [pick(candidates)];
    const summary = `${spec.source ?? spec.name}: ${pick(flaws)} (${cve})`;
    for (const asset of affected) {
      const firstSeen = Math.min(published + between(0.1, 2) * day, now - 3 * hour);
      const decision: Decision = input.policy.decide({
        finding: {
          advisoryId,
          aliases: [cve],
          ecosystem,
          packageName: spec.name,
          installedVersion: spec.from,
          fixedVersions: [spec.to],
          statedSeverity: severity,
          advisoryCvss: [],
          advisoryPublished: iso(published),
        },
        facts,
        asset: {
          name: asset.name,
          environment: asset.environment,
          criticality: asset.criticality,
          exposure: asset.exposure,
          owner: asset.owner,
          tags: asset.tags,
        },
        detectedOn: dayOf(firstSeen),
      });
      // How long it took, as a share of the time the policy gave (or days when none).
      const slaMs =
        decision.dueDate === null
          ? 60 * day
          : Date.parse(`${decision.dueDate}T23:59:59.000Z`) - firstSeen;
      const fate = random();
      let fixedAt: number | null;
      if (fate < 0.74) fixedAt = firstSeen + slaMs * between(0.1, 0.9);
      else if (fate < 0.87) fixedAt = firstSeen + slaMs * between(1.05, 1.7);
      else fixedAt = null;
      if (fixedAt !== null && fixedAt > now - hour) fixedAt = null;
      // The demo's own assets have an inventory: whatever is open there, a reconcile decides.
      if (fixedAt === null && asset.reporting)
        fixedAt = Math.min(firstSeen + between(0.3, 0.9) * (now - firstSeen), now - 2 * hour);
      const n = planned.length;
      planned.push({
        finding: {
          id: historyId(`finding:${n}`),
          asset: assetFacts(asset),
          ecosystem,
          packageName: spec.name,
          packageVersion: spec.from,
          ...(spec.source !== undefined && { sourceName: spec.source }),
          fixedVersion: spec.to,
          advisoryId,
          aliases: [cve],
          summary,
          decision,
          kev,
          epss,
          firstSeenAt: iso(firstSeen),
        },
        asset,
        spec,
        fixedAt,
      });
    }
  }
  // One finding per (asset, package, advisory): an advisory picks its package once.

  // --- changes in the demo's windows ------------------------------------------------------
  const windowSlots = new Map<keyof typeof historyWindows, { start: number; end: number }[]>();
  for (const [key, spec] of Object.entries(historyWindows) as [
    keyof typeof historyWindows,
    (typeof historyWindows)[keyof typeof historyWindows],
  ][]) {
    const compiled = compileRecurrence(spec);
    if (!compiled.ok) throw new Error(`demo window ${spec.name}: ${compiled.error}`);
    windowSlots.set(
      key,
      occurrencesBetween(compiled.recurrence, new Date(start), new Date(now)).intervals.map(
        (i) => ({
          start: i.start.getTime(),
          end: i.end.getTime(),
        }),
      ),
    );
  }
  const used = new Set<string>();
  const linked = new Set<number>();
  let opensslChanges = 0;
  const changes: HistoricalChange[] = [];
  const changeCount = 42;
  const groupsOf = [
    { window: 'web' as const, names: ['web-01', 'web-02', 'app-01'], weight: 0.5 },
    { window: 'db' as const, names: ['db-01', 'db-02'], weight: 0.3 },
    { window: 'staging' as const, names: ['bridge', 'web-03'], weight: 0.2 },
  ];
  for (let c = 0; c < changeCount; c++) {
    const r = random();
    const group = r < 0.5 ? groupsOf[0] : r < 0.8 ? groupsOf[1] : groupsOf[2];
    if (group === undefined) continue;
    const typeRoll = random();
    const type: ChangeType =
      typeRoll < 0.12
        ? 'emergency'
        : // Standard (pre-approved) changes: staging, and routine web updates; never the databases.
          group.window === 'staging' || (group.window === 'web' && typeRoll < 0.45)
          ? 'standard'
          : 'normal';
    const scopeNames = group.names.filter(() => chance(0.7));
    if (scopeNames.length === 0) scopeNames.push(pick(group.names));
    const scope = assets.filter((a) => scopeNames.includes(a.name));
    // The slot: a window occurrence on or after a day of the period (emergencies: any time).
    const wanted = between(start + 6 * day, now - 1.5 * day);
    let slot: { start: number; end: number } | undefined;
    if (type === 'emergency') {
      const s = Math.floor(wanted / hour) * hour;
      slot = { start: s, end: s + 2 * hour };
    } else {
      slot = (windowSlots.get(scope[0]?.window ?? group.window) ?? []).find(
        (o) => o.start >= wanted && !used.has(`${group.window}:${o.start}`) && o.end < now - hour,
      );
    }
    if (slot === undefined) continue;
    used.add(`${group.window}:${slot.start}`);
    const estimate = type === 'emergency' ? 90 : Math.round(between(60, 150) / 15) * 15;
    const schedule = {
      start: slot.start,
      end: Math.min(slot.end, slot.start + estimate * 60_000 + 30 * 60_000),
    };
    const createdAt =
      slot.start - (type === 'emergency' ? between(2, 5) * hour : between(2, 6) * day);
    // The findings it closes: open on its assets when it was created.
    const candidates = planned
      .map((p, i) => ({ p, i }))
      .filter(
        ({ p, i }) =>
          !linked.has(i) &&
          scopeNames.includes(p.asset.name) &&
          Date.parse(p.finding.firstSeenAt) < createdAt &&
          // Still open now: on a host no change reached (it stopped reporting).
          p.fixedAt !== null &&
          p.fixedAt > slot.start - 3 * day,
      )
      .sort(
        (a, b) =>
          (a.p.finding.decision.dueDate ?? '9999').localeCompare(
            b.p.finding.decision.dueDate ?? '9999',
          ) || a.i - b.i,
      )
      .slice(0, type === 'emergency' ? 2 : 6);
    const outcomeRoll = random();
    const opensslCanary =
      candidates.some((x) => x.p.spec.name === 'openssl' || x.p.spec.source === 'openssl') &&
      scope.length > 1;
    // openssl on several hosts: every third such change that is implemented fails in its
    // canary wave (the pattern the improvement loop should find); the others fail now and then.
    const goesAhead = outcomeRoll >= 0.09;
    const opensslTurn = opensslCanary && goesAhead && candidates.length > 0 ? opensslChanges++ : -1;
    const outcome: 'succeeded' | 'failed' | 'rolled_back' | 'cancelled' | 'rejected' =
      outcomeRoll < 0.04
        ? type === 'normal'
          ? 'rejected'
          : 'cancelled'
        : outcomeRoll < 0.09
          ? 'cancelled'
          : opensslTurn % 3 === 1
            ? 'rolled_back'
            : outcomeRoll < 0.13
              ? 'rolled_back'
              : outcomeRoll < 0.16
                ? 'failed'
                : 'succeeded';
    if (candidates.length === 0) continue;
    const id = historyId(`change:${c}`);
    const patches = [
      ...new Map(
        candidates.map(({ p }) => [
          `${p.asset.id}\0${p.spec.name}`,
          {
            assetId: p.asset.id,
            ecosystem: p.finding.ecosystem,
            packageName: p.spec.name,
            fromVersion: p.spec.from,
            toVersion: p.spec.to,
          },
        ]),
      ).values(),
    ];
    const packageNames = [...new Set(patches.map((p) => p.packageName))];
    const title = `${type === 'emergency' ? 'Emergency: ' : ''}${packageNames.slice(0, 3).join(', ') || 'security updates'} on ${scopeNames.join(', ')}`;
    const canary =
      scope.length > 1 ? (scope.find((a) => a.criticality !== 'critical') ?? scope[0]) : undefined;
    const waves =
      canary === undefined
        ? [{ name: 'all', hosts: scope }]
        : [
            { name: 'canary', hosts: [canary] },
            { name: 'rest', hosts: scope.filter((a) => a !== canary) },
          ];
    const plans: ChangePlansInput = {
      testPlan: {
        summary: `Security updates of ${scopeNames.join(', ')}, smoke-tested after each wave.`,
        steps: [{ description: 'Open the service health page', expectedResult: 'HTTP 200' }],
      },
      deploymentPlan: {
        estimatedMinutes: estimate,
        waves: waves.map((w) => ({
          name: w.name,
          assets: w.hosts.map((h) => h.name),
          concurrency: 1,
          failureThreshold: 0,
          bakeMinutes: w.name === 'canary' ? 30 : 15,
          gate: 'auto' as const,
          onFailure: 'rollback' as const,
          healthChecks: [],
        })),
      },
      rollbackPlan: {
        triggers: ['health-check-failure' as const, 'manual' as const],
        steps: [{ kind: 'downgrade' as const }],
      },
    };
    const requester = person(pick(['admin', 'maria.keller', 'admin'] as const));
    const manager = person('maria.keller');
    const transitions: {
      action: ChangeAction;
      at: string;
      by: HistoricalPerson;
      reason?: string;
    }[] = [];
    const approvals: HistoricalChange['approvals'][number][] = [];
    let t = createdAt;
    const step = (action: ChangeAction, after: number, by: HistoricalPerson, reason?: string) => {
      t += after;
      transitions.push({ action, at: iso(t), by, ...(reason !== undefined && { reason }) });
    };
    const system: HistoricalPerson = { type: 'system', id: null, name: 'system' };
    // Every move before the window opens: each takes a share of the time left.
    const deadline = slot.start - 30 * 60_000;
    const later = (share: number) => (t += Math.max(0, deadline - t) * share);
    step('submit', Math.max(0, deadline - t) * between(0.02, 0.1), requester);
    step(
      'assess',
      Math.max(0, deadline - t) * between(0.02, 0.1),
      type === 'standard' ? system : manager,
    );
    if (outcome === 'rejected') {
      t += between(2, 20) * hour;
      const by = input.people['aisha.khan'];
      approvals.push({
        stage: 1,
        approver: by,
        decision: 'rejected',
        comment: 'No rollback tested for this package; resubmit with a test wave.',
        at: iso(t),
      });
      transitions.push({
        action: 'reject',
        at: iso(t),
        by: person('aisha.khan'),
        reason: 'No rollback tested for this package',
      });
    } else if (outcome === 'cancelled') {
      step(
        'cancel',
        between(3, 30) * hour,
        requester,
        'Superseded: the vendor shipped a newer point release, a new change covers it',
      );
    } else {
      // Approvals: the template (standard), the emergency approver, or owner then CAB (normal).
      if (type === 'standard') {
        approvals.push({
          stage: 1,
          approver: { id: 'system', name: 'system' },
          decision: 'approved',
          comment: 'standard change: pre-approved by its template',
          at: transitions[1]?.at ?? iso(t),
        });
      } else if (type === 'emergency') {
        later(between(0.1, 0.5));
        approvals.push({
          stage: 1,
          approver: input.people['jonas.weber'],
          decision: 'approved',
          comment: 'Emergency approved: exploited in the wild.',
          at: iso(t),
        });
      } else {
        later(between(0.1, 0.4));
        const owner = group.window === 'web' ? 'jonas.weber' : 'maria.keller';
        approvals.push({
          stage: 1,
          approver: input.people[owner],
          decision: 'approved',
          comment: 'Service owner: fine in the window.',
          at: iso(t),
        });
        const cab = (['maria.keller', 'jonas.weber', 'aisha.khan'] as const).filter(
          (u) => u !== owner,
        );
        for (const u of cab) {
          later(between(0.1, 0.4));
          approvals.push({
            stage: 2,
            approver: input.people[u],
            decision: 'approved',
            comment: null,
            at: iso(t),
          });
        }
      }
      const lastApproval = approvals[approvals.length - 1]?.at ?? iso(t);
      t = Math.max(t, Date.parse(lastApproval));
      transitions.push({
        action: 'approve',
        at: iso(Math.min(t, schedule.start - 60_000)),
        by:
          type === 'standard'
            ? system
            : person(type === 'emergency' ? 'jonas.weber' : 'aisha.khan'),
      });
    }
    let reviewFacts: ReviewFacts | undefined;
    let review: HistoricalChange['review'];
    const implemented =
      outcome === 'succeeded' || outcome === 'failed' || outcome === 'rolled_back';
    if (implemented) {
      const implementer = person('tom.berg');
      const actualStart = schedule.start + between(0, 20) * 60_000;
      const overrun = group.window === 'db' ? chance(0.6) : chance(0.12);
      const plannedMs = schedule.end - schedule.start;
      const actualEnd = overrun
        ? schedule.end + between(10, 55) * 60_000
        : actualStart + plannedMs * between(0.5, 0.95);
      const failedWave =
        outcome === 'succeeded'
          ? undefined
          : opensslCanary || chance(0.5)
            ? waves[0]
            : waves[waves.length - 1];
      const rolloutId = historyId(`rollout:${c}`);
      const hostOutcome = (wave: (typeof waves)[number], h: (typeof scope)[number]) => {
        if (failedWave === undefined) return 'succeeded';
        const waveIndex = waves.indexOf(wave);
        const failedIndex = waves.indexOf(failedWave);
        if (waveIndex > failedIndex) return 'skipped';
        // The host that failed stays failed (its rollback is in `rollbacks`); the others of
        // the waves that ran are rolled back with it, or kept their update when it halted.
        if (wave === failedWave && h === wave.hosts[0]) return 'failed';
        return outcome === 'rolled_back' ? 'rolled_back' : 'succeeded';
      };
      const hostPatches = (h: (typeof scope)[number], after: boolean) =>
        patches
          .filter((p) => p.assetId === h.id)
          .map((p) => ({ name: p.packageName, version: after ? p.toVersion : p.fromVersion }));
      const failedHost = failedWave?.hosts[0];
      const cause =
        failedHost === undefined
          ? undefined
          : failedHost.window === 'db'
            ? {
                kind: 'install',
                step: 'dnf upgrade',
                detail: 'postgresql did not start after the upgrade: shared library mismatch',
                log: ['Job for postgresql.service failed', 'libpq.so.5: version mismatch'],
              }
            : packageNames.includes('openssl') || packageNames.includes('libssl3')
              ? {
                  kind: 'health-check',
                  step: 'health check',
                  detail:
                    'http health check returned 502 after nginx restarted with the new libssl',
                  log: ['GET /healthz -> 502', 'upstream closed connection'],
                }
              : {
                  kind: 'install',
                  step: 'apt-get install',
                  detail: 'dpkg was interrupted: a lock held by unattended-upgrades',
                  log: ['E: Could not get lock /var/lib/dpkg/lock-frontend'],
                };
      // The findings: fixed by the change when it succeeded (the rescan an hour later).
      const items = candidates.map(({ p, i }): ReviewFacts['findings']['items'][number] => {
        if (outcome === 'succeeded') {
          linked.add(i);
          p.fixedAt = actualEnd + between(0.3, 1.5) * hour;
          p.fixedByChangeId = id;
        }
        const fixedAt = p.fixedAt !== null && p.fixedAt <= actualEnd + 2 * hour ? p.fixedAt : null;
        const due = p.finding.decision.dueDate;
        return {
          findingId: p.finding.id,
          assetName: p.asset.name,
          package: p.spec.name,
          advisory: p.finding.advisoryId,
          state: fixedAt === null ? 'open' : 'fixed',
          dueDate: due,
          fixedAt: fixedAt === null ? null : iso(fixedAt),
          fixedByChange: outcome === 'succeeded',
          due:
            due === null
              ? 'none'
              : fixedAt === null
                ? due < dayOf(actualEnd)
                  ? 'missed'
                  : 'open'
                : dayOf(fixedAt) <= due
                  ? 'met'
                  : 'missed',
        };
      });
      reviewFacts = {
        rolloutId,
        outcome:
          outcome === 'succeeded'
            ? 'completed'
            : outcome === 'rolled_back'
              ? 'rolled_back'
              : 'halted',
        planned: { start: iso(schedule.start), end: iso(schedule.end) },
        actual: { start: iso(actualStart), end: iso(actualEnd) },
        startDelayMinutes: Math.round((actualStart - schedule.start) / 60_000),
        overrunMinutes: Math.round((actualEnd - schedule.end) / 60_000),
        waves: waves.map((w) => ({
          name: w.name,
          state: w.hosts.every((h) => hostOutcome(w, h) === 'skipped')
            ? 'pending'
            : outcome === 'rolled_back'
              ? 'rolled_back'
              : w.hosts.some((h) => hostOutcome(w, h) === 'failed')
                ? 'halted'
                : 'completed',
          hosts: w.hosts.map((h) => {
            const o = hostOutcome(w, h);
            return {
              assetId: h.id,
              assetName: h.name,
              outcome: o,
              before: hostPatches(h, false),
              after: hostPatches(h, o === 'succeeded'),
              versionsConfirmed: o === 'skipped' ? null : o === 'succeeded',
              rebootPending:
                o === 'succeeded' &&
                packageNames.some((n) => n === 'kernel' || n === 'libc6' || n === 'glibc'),
            };
          }),
        })),
        failures:
          failedHost === undefined || failedWave === undefined || cause === undefined
            ? []
            : [
                {
                  assetId: failedHost.id,
                  assetName: failedHost.name,
                  wave: failedWave.name,
                  taskId: null,
                  ...cause,
                },
              ],
        rollbacks:
          outcome === 'rolled_back'
            ? waves
                .flatMap((w) =>
                  w.hosts.filter((h) => ['rolled_back', 'failed'].includes(hostOutcome(w, h))),
                )
                .map((h) => ({
                  assetId: h.id,
                  assetName: h.name,
                  outcome: 'succeeded',
                  restored: hostPatches(h, false),
                }))
            : [],
        findings: {
          linked: items.length,
          closed: items.filter((x) => x.state === 'fixed').length,
          closedByChange: items.filter((x) => x.fixedByChange).length,
          dueMet: items.filter((x) => x.due === 'met').length,
          dueMissed: items.filter((x) => x.due === 'missed').length,
          items,
        },
        recordedAt: iso(actualEnd),
      };
      transitions.push({ action: 'start', at: iso(actualStart), by: implementer });
      t = actualEnd;
      if (outcome === 'succeeded')
        transitions.push({ action: 'complete', at: iso(actualEnd), by: implementer });
      else if (outcome === 'failed')
        transitions.push({
          action: 'fail',
          at: iso(actualEnd),
          by: implementer,
          reason: cause?.detail ?? 'failed',
        });
      else
        transitions.push({
          action: 'roll-back',
          at: iso(actualEnd),
          by: implementer,
          reason: `rolled back: ${cause?.detail ?? 'health check failed'}`,
        });
      const reviewed = outcome !== 'succeeded' || type === 'emergency' || overrun || chance(0.3);
      const reviewAt = actualEnd + between(4, 40) * hour;
      if (reviewed && reviewAt < now - hour) {
        const followUps =
          outcome !== 'succeeded'
            ? [
                {
                  action:
                    cause?.kind === 'health-check'
                      ? 'Add a test wave on web-03 before the canary for openssl updates'
                      : group.window === 'db'
                        ? 'Rehearse the postgresql upgrade on a restored copy before the window'
                        : 'Stop unattended-upgrades during the window',
                  owner: scope[0]?.owner ?? 'team-web',
                  dueAt: dayOf(reviewAt + 14 * day),
                  done: reviewAt + 14 * day < now && chance(0.6),
                },
              ]
            : overrun
              ? [
                  {
                    action: `Lengthen the ${historyWindows[group.window].name} window by 30 minutes`,
                    owner: 'maria.keller',
                    dueAt: dayOf(reviewAt + 10 * day),
                    done: reviewAt + 10 * day < now && chance(0.5),
                  },
                ]
              : [];
        review = {
          wentWell:
            outcome === 'succeeded'
              ? 'Installed as planned; the findings closed with the next rescan.'
              : 'The canary caught the problem before the other hosts were touched.',
          didNotGoWell:
            outcome === 'succeeded'
              ? overrun
                ? `The window was overrun by ${Math.round((actualEnd - schedule.end) / 60_000)} minutes.`
                : ''
              : (cause?.detail ?? ''),
          incidents: outcome === 'succeeded' ? [] : [`INC-${2_000 + c}`],
          lessons:
            outcome === 'succeeded'
              ? overrun
                ? 'Plan the database restarts with more margin.'
                : 'Nothing new.'
              : 'Test the restart of dependent services in staging first.',
          followUps,
          author: input.people['tom.berg'],
          at: iso(reviewAt),
        };
        if (outcome !== 'succeeded')
          transitions.push({
            action: 'review',
            at: iso(reviewAt),
            by: implementer,
            reason: 'post-implementation review written',
          });
      }
      // Closed a day or two later, when the review (needed after a failure or an emergency) is in.
      const closeAt =
        Math.max(actualEnd, review === undefined ? 0 : Date.parse(review.at)) +
        between(6, 48) * hour;
      const needsReview = outcome !== 'succeeded' || type === 'emergency';
      if (closeAt < now - hour && (!needsReview || review !== undefined))
        transitions.push({ action: 'close', at: iso(closeAt), by: manager });
    }
    changes.push({
      id,
      title,
      description: `Fixes ${candidates.length} finding(s) on ${scopeNames.join(', ')}.`,
      type,
      requester,
      implementer: implemented ? input.people['tom.berg'] : null,
      createdAt: iso(createdAt),
      assets: scope.map((a): HistoricalChangeAsset => ({
        id: a.id,
        name: a.name,
        environment: a.environment,
        criticality: a.criticality,
        exposure: a.exposure,
        team: a.owner,
        groups: a.groups,
        tags: a.tags,
      })),
      patches,
      findings: candidates.map(({ p }) => ({
        findingId: p.finding.id,
        assetId: p.asset.id,
        packageName: p.spec.name,
        advisoryIds: [p.finding.advisoryId],
        cveIds: p.finding.aliases.filter((a) => a.startsWith('CVE-')),
        priority: p.finding.decision.priority,
        kev: p.finding.kev,
        dueDate: p.finding.decision.dueDate,
      })),
      plans,
      schedule:
        outcome === 'rejected' ? null : { start: iso(schedule.start), end: iso(schedule.end) },
      transitions,
      approvals,
      ...(reviewFacts !== undefined && { reviewFacts }),
      ...(review !== undefined && { review }),
    });
  }

  // --- triage and exceptions -------------------------------------------------------------
  let exceptionCount = 0;
  for (const [i, p] of planned.entries()) {
    const firstSeen = Date.parse(p.finding.firstSeenAt);
    const limit = p.fixedAt ?? now - hour;
    if (p.fixedAt === null && !p.asset.reporting && exceptionCount < 8 && chance(0.35)) {
      const kind = exceptionCount % 4;
      const requestedAt = firstSeen + between(1, 4) * day;
      if (requestedAt < now - 2 * hour) {
        exceptionCount++;
        const decidedAt = requestedAt + between(2, 30) * hour;
        const base = {
          id: historyId(`exception:${i}`),
          owner: p.asset.owner,
          reason:
            'The vendor fix needs a restart of the payment service; compensating control: WAF rule blocks the vector until the next release.',
          requestedBy: input.people['tom.berg'],
          requestedAt: iso(requestedAt),
        };
        p.exception =
          kind === 0 || kind === 1
            ? {
                ...base,
                state: 'approved',
                expiresAt: iso(now + between(15, 80) * day),
                decidedBy: input.people['aisha.khan'],
                decidedAt: iso(Math.min(decidedAt, now - hour)),
                decisionNote: 'Accepted until the next release.',
              }
            : kind === 2
              ? (() => {
                  const expiresAt = Math.min(requestedAt + between(10, 25) * day, now - 2 * hour);
                  return {
                    ...base,
                    state: 'expired' as const,
                    expiresAt: iso(expiresAt),
                    decidedBy: input.people['aisha.khan'],
                    decidedAt: iso(Math.min(decidedAt, expiresAt - hour)),
                    decisionNote: 'Accepted for two weeks.',
                    closedAt: iso(expiresAt + 0.5 * hour),
                  };
                })()
              : decidedAt < now - hour && chance(0.5)
                ? {
                    ...base,
                    state: 'rejected',
                    expiresAt: iso(now + 60 * day),
                    decidedBy: input.people['aisha.khan'],
                    decidedAt: iso(decidedAt),
                    decisionNote: 'Internet-facing: fix it in the next window.',
                  }
                : { ...base, state: 'requested', expiresAt: iso(now + 45 * day) };
        continue;
      }
    }
    if (!chance(0.4)) continue;
    const at = firstSeen + Math.min(between(0.05, 3) * day, (limit - firstSeen) * 0.8);
    if (at >= now) continue;
    const settle = p.fixedAt === null && !p.asset.reporting && chance(0.25);
    p.triage = settle
      ? chance(0.75)
        ? {
            state: 'not_affected',
            justification: 'code_not_reachable',
            detail:
              'The vulnerable module is not loaded on this host (checked with ldd and the service config).',
            by: 'aisha.khan',
            at: iso(at),
          }
        : {
            state: 'false_positive',
            detail: 'The backported fix is in the installed build (changelog checked).',
            by: 'aisha.khan',
            at: iso(at),
          }
      : {
          state: chance(0.7) ? 'exploitable' : 'in_triage',
          by: pick(['aisha.khan', 'jonas.weber']),
          at: iso(at),
        };
  }

  const findings: HistoricalFinding[] = planned.map((p) => ({
    ...p.finding,
    fixedAt:
      p.fixedAt === null ? null : iso(Math.max(p.fixedAt, Date.parse(p.finding.firstSeenAt))),
    ...(p.fixedByChangeId !== undefined && { fixedByChangeId: p.fixedByChangeId }),
    ...(p.triage !== undefined && { triage: p.triage }),
    ...(p.exception !== undefined && { exception: p.exception }),
  }));
  changes.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { findings, changes };
}

const nothing = { assets: 0, findings: 0, exceptions: 0, changes: 0, snapshots: 0 } as const;

/** The history's first finding (advisory 0 always has one) marks a seeded history. */
async function historySeeded(ctx: ServerContext): Promise<boolean> {
  const found = await findingsByIds(ctx, [historyId('finding:0')]);
  return found.length > 0;
}

export interface DemoHistoryOptions {
  /** Default `demoHistoryDays`. */
  readonly days?: number;
  /** The policy decisions are made by (default: the built-in default policy). */
  readonly policy?: Policy;
  /** Backfill the daily metric snapshots of the history's days (default true). */
  readonly snapshots?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface DemoHistoryResult {
  /** False when everything was there already (a second start). */
  readonly added: boolean;
  readonly assets: number;
  readonly findings: number;
  readonly exceptions: number;
  readonly changes: number;
  /** Daily metric snapshots written (every scope of every day of the history). */
  readonly snapshots: number;
  readonly days: number;
}

/**
 * Seed the demo's history (see the file's comment): create the history's hosts that are
 * missing, then import the findings and the changes. A second call adds nothing.
 */
export async function seedDemoHistory(
  ctx: ServerContext,
  options: DemoHistoryOptions = {},
): Promise<DemoHistoryResult> {
  const days = options.days ?? demoHistoryDays;
  const source = { actor: demoHistoryActor };
  // Seeded once: the plan counts back from its day, so a later start would plan other rows.
  if (await historySeeded(ctx)) return { added: false, ...nothing, days };
  const existing = new Set((await listAssetFacts(ctx.database)).map((a) => a.name));
  const missing = historyAssets.filter((a) => !existing.has(a.name));
  let assetsCreated = 0;
  if (missing.length > 0) {
    const result = await importAssets(
      ctx,
      source,
      missing.map((a) => ({
        name: a.name,
        kind: a.kind,
        ...(a.osRelease !== undefined && { osRelease: a.osRelease }),
        environment: a.environment,
        criticality: a.criticality,
        exposure: a.exposure,
        owner: a.owner,
        tags: [...a.tags],
        groups: [...a.groups],
      })),
    );
    assetsCreated = result.created;
  }
  const facts = await listAssetFacts(ctx.database);
  const assetIds = new Map(facts.map((a) => [a.name, a.id]));
  const people = {} as Record<Username, { id: string; name: string }>;
  for (const username of usernames) {
    const user = await resolveUserRef(ctx.database.db, username);
    // Without the demo's people (a bare server), the names stand in for the ids.
    people[username] = { id: user?.id ?? username, name: user?.username ?? username };
  }
  const plan = planDemoHistory({
    now: ctx.clock.now(),
    days,
    assetIds,
    people,
    policy: options.policy ?? defaultPolicy,
  });
  const findings = await importFindingHistory(ctx.database, ctx.clock, {
    actor: demoHistoryActor,
    note: demoHistoryNote,
    findings: plan.findings,
  });
  const changes = await importChangeHistory(ctx.database, ctx.clock, {
    actor: demoHistoryActor,
    note: demoHistoryNote,
    changes: plan.changes,
  });
  const added = assetsCreated + findings.findings + findings.exceptions + changes > 0;
  // The trends: a snapshot of every ended day of the history (reports' backfillSnapshots).
  let snapshots = 0;
  if (added && options.snapshots !== false) {
    const yesterday = new Date(ctx.clock.now().getTime() - day).toISOString().slice(0, 10);
    const from = new Date(ctx.clock.now().getTime() - days * day).toISOString().slice(0, 10);
    snapshots = await backfillSnapshots(ctx, {
      from,
      to: yesterday,
      source: { actor: demoHistoryActor },
      ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
    });
  }
  return {
    added,
    assets: assetsCreated,
    findings: findings.findings,
    exceptions: findings.exceptions,
    changes,
    snapshots,
    days,
  };
}
