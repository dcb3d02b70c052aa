/**
 * Recommendation rules (ADR 0046): each reads the review records of a period (and the trends
 * made of them) and proposes at most one recommendation per subject, with the evidence behind
 * it and what accepting it does. Pure: the service stores, refreshes and decides them.
 */
import type { MaintenanceWindow } from '@patchgate/calendar';
import type { ChangeReviewRecord } from '../changes/index.ts';
import type { Evidence, EvidenceChange, RecommendationAction } from './schema.ts';
import type { Period } from './trends.ts';
import { causeOf, changeFailed, firstWaveFailures, windowOfChange } from './trends.ts';

export interface Candidate {
  readonly rule: string;
  readonly subjectKey: string;
  readonly title: string;
  readonly detail: string;
  readonly evidence: Evidence;
  readonly action: RecommendationAction;
  /**
   * A decision (accepted or dismissed) on the subject stands while it is at or after this
   * instant: the newest evidence (review rules) or the start of the compared period (SLA).
   */
  readonly freshAt: string;
}

/** The thresholds of the rules (one place, named in the ADR). */
export const thresholds = {
  /** canary-failures: at least this many changes to the package failed in their first wave… */
  canaryFailures: 2,
  /** …out of at least this many changes to it… */
  canaryMinChanges: 3,
  /** …and in at least this share of them (2 of 16 is noise: a package patched with many others). */
  canaryMinShare: 0.25,
  /** window-overrun: at least this many overruns of one window. */
  windowOverruns: 3,
  /** Windows are lengthened in steps of this many minutes (covering the largest overrun). */
  windowStepMinutes: 15,
  /** failure-cause: the same kind and step failed in at least this many changes. */
  causeChanges: 3,
  /** group-failures: at least this many changes failed on the group's hosts… */
  groupFailedChanges: 2,
  /** …and the group's failure rate is at least this multiple of the overall rate. */
  groupRateFactor: 2,
  /** Follow-up actions are due this many days after they are accepted. */
  followUpDays: 14,
} as const;

/** The test wave the canary rule adds before a template's first wave. */
export const testWave = {
  name: 'test',
  environments: ['test', 'development', 'staging'],
  bakeMinutes: 60,
} as const;

type WithFacts = ChangeReviewRecord & { readonly facts: NonNullable<ChangeReviewRecord['facts']> };

const at = (r: ChangeReviewRecord): string => r.factsRecordedAt ?? r.review?.updatedAt ?? '';
/** The newest of the changes' instants. */
const newest = (records: readonly ChangeReviewRecord[]): string =>
  records.map(at).reduce((max, t) => (t > max ? t : max), '');
const evidenceChange = (r: ChangeReviewRecord, note: string): EvidenceChange => ({
  id: r.id,
  number: r.number,
  title: r.title,
  at: at(r),
  note,
});
const periodOf = (p: Period) => ({ from: p.from, to: p.to });
const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The most used template among the changes (ties: by name); undefined when none used one. */
function mostUsedTemplate(records: readonly ChangeReviewRecord[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of records)
    if (r.templateId !== null) counts.set(r.templateId, (counts.get(r.templateId) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function canaryFailures(records: readonly WithFacts[], period: Period): Candidate[] {
  const names = [...new Set(records.flatMap((r) => r.packages))].sort();
  return names.flatMap((name) => {
    const touching = records.filter((r) => r.packages.includes(name));
    const failedFirst = touching.filter((r) => firstWaveFailures(r.facts).length > 0);
    if (
      failedFirst.length < thresholds.canaryFailures ||
      touching.length < thresholds.canaryMinChanges ||
      failedFirst.length < thresholds.canaryMinShare * touching.length
    )
      return [];
    const template = mostUsedTemplate(touching);
    const action: RecommendationAction =
      template === undefined
        ? {
            kind: 'follow-up',
            title: `Test ${name} updates in a non-production wave before the canary`,
            owner: null,
            dueInDays: thresholds.followUpDays,
          }
        : {
            kind: 'add-test-wave',
            template,
            wave: { ...testWave, environments: [...testWave.environments] },
          };
    const remedy =
      template === undefined
        ? 'test them in a non-production wave first'
        : `add a test wave to the template ${template}`;
    return [
      {
        rule: 'canary-failures',
        subjectKey: `canary-failures:${name}`,
        title: `Changes to ${name} failed in the canary wave ${failedFirst.length} of ${touching.length} times: ${remedy}`,
        detail:
          `Of ${plural(touching.length, 'change')} patching ${name} between ${period.from} and ${period.to}, ` +
          `${failedFirst.length} had hosts fail in their first wave (${failedFirst.map((r) => r.number).join(', ')}). ` +
          (template === undefined
            ? 'None used a standard template: a follow-up action is proposed.'
            : `Accepting saves a new version of ${template} whose first wave holds only ${testWave.environments.join(', ')} assets, baked ${testWave.bakeMinutes} minutes.`),
        evidence: {
          period: periodOf(period),
          counts: { changes: touching.length, failedInFirstWave: failedFirst.length },
          changes: touching.map((r) => {
            const failures = firstWaveFailures(r.facts);
            const wave = r.facts.waves[0]?.name ?? '(none)';
            return evidenceChange(
              r,
              failures.length === 0
                ? `first wave ${wave} passed`
                : `${plural(failures.length, 'host')} failed in first wave ${wave}: ${[...new Set(failures.map(causeOf))].join(', ')}`,
            );
          }),
          facts: { package: name, ...(template !== undefined && { template }) },
        },
        action,
        freshAt: newest(touching),
      },
    ];
  });
}

function windowOverruns(
  records: readonly WithFacts[],
  windows: readonly MaintenanceWindow[],
  period: Period,
): Candidate[] {
  return [...windows]
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((window) => {
      const ran = records.filter((r) => windowOfChange(r, windows)?.id === window.id);
      const overran = ran.filter((r) => (r.facts.overrunMinutes ?? 0) > 0);
      if (overran.length < thresholds.windowOverruns) return [];
      const largest = Math.max(...overran.map((r) => r.facts.overrunMinutes ?? 0));
      const step = thresholds.windowStepMinutes;
      const byMinutes = Math.max(step, Math.ceil(largest / step) * step);
      return [
        {
          rule: 'window-overrun',
          subjectKey: `window-overrun:${window.id}`,
          title: `Window ${window.name} overran ${overran.length} times: lengthen it by ${byMinutes} minutes`,
          detail:
            `${overran.length} of ${plural(ran.length, 'change')} run in the window ${window.name} (${window.durationMinutes} minutes) ` +
            `between ${period.from} and ${period.to} ended after it closed, by up to ${largest} minutes. ` +
            `Accepting makes the window ${window.durationMinutes + byMinutes} minutes long.`,
          evidence: {
            period: periodOf(period),
            counts: {
              changes: ran.length,
              overruns: overran.length,
              maxOverrunMinutes: largest,
              durationMinutes: window.durationMinutes,
            },
            changes: overran.map((r) =>
              evidenceChange(
                r,
                `planned end ${r.facts.planned.end ?? r.scheduledEnd ?? '?'}, ended ${r.facts.actual.end ?? '?'}: ${r.facts.overrunMinutes ?? 0} minutes over`,
              ),
            ),
            facts: { windowId: window.id, windowName: window.name, rrule: window.rrule },
          },
          action: {
            kind: 'lengthen-window',
            windowId: window.id,
            windowName: window.name,
            byMinutes,
          },
          freshAt: newest(overran),
        },
      ];
    });
}

function failureCauses(records: readonly WithFacts[], period: Period): Candidate[] {
  const causes = new Map<string, { kind: string; step: string | null; records: WithFacts[] }>();
  for (const r of records)
    for (const f of r.facts.failures) {
      const cause = causeOf(f);
      const entry = causes.get(cause) ?? { kind: f.kind, step: f.step, records: [] };
      if (!entry.records.includes(r)) entry.records.push(r);
      causes.set(cause, entry);
    }
  return [...causes]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .flatMap(([cause, entry]) => {
      if (entry.records.length < thresholds.causeChanges) return [];
      const failures = entry.records.flatMap((r) =>
        r.facts.failures.filter((f) => causeOf(f) === cause),
      );
      return [
        {
          rule: 'failure-cause',
          subjectKey: `failure-cause:${cause}`,
          title: `${cause} failed in ${entry.records.length} changes: find the common cause`,
          detail:
            `The same failure (${cause}) stopped ${plural(failures.length, 'host')} in ${entry.records.length} changes ` +
            `between ${period.from} and ${period.to}. Accepting opens a follow-up action to find and remove its cause.`,
          evidence: {
            period: periodOf(period),
            counts: { changes: entry.records.length, failures: failures.length },
            changes: entry.records.map((r) => {
              const own = r.facts.failures.filter((f) => causeOf(f) === cause);
              return evidenceChange(
                r,
                own.map((f) => `${f.assetName} (wave ${f.wave}): ${f.detail}`).join('; '),
              );
            }),
            facts: { kind: entry.kind, step: entry.step },
          },
          action: {
            kind: 'follow-up',
            title: `Find and remove the cause of recurring ${cause} failures`,
            owner: null,
            dueInDays: thresholds.followUpDays,
          },
          freshAt: newest(entry.records),
        },
      ];
    });
}

function groupFailures(records: readonly WithFacts[], period: Period): Candidate[] {
  const failedOverall = records.filter((r) => changeFailed(r.facts)).length;
  if (records.length === 0) return [];
  const overall = failedOverall / records.length;
  const groups = [...new Set(records.flatMap((r) => r.assets.flatMap((a) => a.groups)))].sort();
  return groups.flatMap((group) => {
    const touching = records.filter((r) => r.assets.some((a) => a.groups.includes(group)));
    const failedOn = touching.filter((r) => {
      const ids = new Set(r.assets.filter((a) => a.groups.includes(group)).map((a) => a.id));
      return r.facts.failures.some((f) => ids.has(f.assetId));
    });
    const groupRate = failedOn.length / touching.length;
    if (
      failedOn.length < thresholds.groupFailedChanges ||
      groupRate < thresholds.groupRateFactor * overall ||
      groupRate === 0
    )
      return [];
    return [
      {
        rule: 'group-failures',
        subjectKey: `group-failures:${group}`,
        title: `Changes fail more often on group ${group}: ${failedOn.length} of ${touching.length} (${percent(groupRate)}, overall ${percent(overall)})`,
        detail:
          `Between ${period.from} and ${period.to}, hosts of the group ${group} failed in ${failedOn.length} of the ${touching.length} changes that touched it, ` +
          `against ${failedOverall} of ${records.length} changes overall. Accepting opens a follow-up action to look into the group's hosts.`,
        evidence: {
          period: periodOf(period),
          counts: {
            changes: touching.length,
            failedChanges: failedOn.length,
            allChanges: records.length,
            allFailedChanges: failedOverall,
          },
          changes: failedOn.map((r) => {
            const ids = new Set(r.assets.filter((a) => a.groups.includes(group)).map((a) => a.id));
            const own = r.facts.failures.filter((f) => ids.has(f.assetId));
            return evidenceChange(r, own.map((f) => `${f.assetName}: ${causeOf(f)}`).join('; '));
          }),
          facts: { group },
        },
        action: {
          kind: 'follow-up',
          title: `Look into why changes fail on the hosts of group ${group}`,
          owner: null,
          dueInDays: thresholds.followUpDays,
        },
        freshAt: newest(failedOn),
      },
    ];
  });
}

/** Every rule over the review records of the period (the SLA rule is sla.ts). */
export function reviewRules(
  records: readonly ChangeReviewRecord[],
  windows: readonly MaintenanceWindow[],
  period: Period,
): Candidate[] {
  const withFacts = records.filter((r): r is WithFacts => r.facts !== null);
  return [
    ...canaryFailures(withFacts, period),
    ...windowOverruns(withFacts, windows, period),
    ...failureCauses(withFacts, period),
    ...groupFailures(withFacts, period),
  ];
}
