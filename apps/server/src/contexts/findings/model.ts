/**
 * The findings context's closed vocabularies and stored shapes. VEX states and justifications
 * are CycloneDX 1.6's `analysis.state` / `analysis.justification`
 * (https://cyclonedx.org/docs/1.6/json/#vulnerabilities_items_analysis), shared with
 * @patchgate/triage so the CLI and the server speak the same words.
 */
import type { VexState } from '@patchgate/triage';
import { cyclonedxJustifications } from '@patchgate/triage';

/** Detection state: what the latest inventory says, independent of triage and exceptions. */
export const detectionStates = ['open', 'fixed', 'reopened'] as const;
export type DetectionState = (typeof detectionStates)[number];

/** CycloneDX's states minus `resolved_with_pedigree`, which needs a pedigree a server cannot give. */
export const triageStates = [
  'in_triage',
  'exploitable',
  'false_positive',
  'not_affected',
  'resolved',
] as const satisfies readonly VexState[];
export type TriageState = (typeof triageStates)[number];
export const triageJustifications = cyclonedxJustifications;
export type TriageJustification = (typeof triageJustifications)[number];

/** Triage states that take a finding out of the work queue ("open" counts). */
export const settledTriageStates: readonly TriageState[] = [
  'not_affected',
  'false_positive',
  'resolved',
];

/**
 * A finding's status, one word for where it stands, in this order of precedence: `fixed` (gone
 * from the inventory); `accepted` (an approved, unexpired exception); the settled triage state
 * (`not_affected`, `false_positive`, `resolved`: suppressed by VEX); else its detection state
 * (`open`, `reopened`), the work queue. Lists and gates show the work queue unless asked.
 */
export const findingStatuses = [
  'open',
  'reopened',
  'accepted',
  'not_affected',
  'false_positive',
  'resolved',
  'fixed',
] as const;
export type FindingStatus = (typeof findingStatuses)[number];

/** What `GET /api/v1/findings` and `patchgate findings list` show unless told otherwise. */
export const actionableStatuses: readonly FindingStatus[] = ['open', 'reopened'];

export const exceptionStates = ['requested', 'approved', 'rejected', 'expired', 'revoked'] as const;
export type ExceptionState = (typeof exceptionStates)[number];

/** Longest risk acceptance an exception may ask for. */
export const maxExceptionDays = 366;

/** One installed copy of the package the finding is about. */
export interface FindingInstance {
  readonly version: string;
  readonly purl?: string;
  readonly location?: string;
}

/** `findings.match_json`. */
export interface StoredMatch {
  readonly match: {
    readonly ecosystem: string;
    readonly name: string;
    readonly version: string;
    readonly by: 'range' | 'versions';
    readonly range?: string;
    readonly epochIgnored?: true;
  };
  readonly fixedVersions: readonly string[];
  readonly cves: readonly string[];
  readonly instances: readonly FindingInstance[];
}

/** Sort key of a finding without a due date: after every real date. */
export const noDueDate = '9999-12-31';

/**
 * Due status of a finding relative to today (UTC days): `overdue` due before today, `soon`
 * due today up to today + `dueSoonDays - 1`, `later` due on or after today + `dueSoonDays`,
 * `none` no due date. The findings list's `due` filter and the dashboard's buckets.
 */
export const dueStatuses = ['overdue', 'soon', 'later', 'none'] as const;
export type DueStatus = (typeof dueStatuses)[number];

/** "Due soon": due before today + 7. */
export const dueSoonDays = 7;

/** YYYY-MM-DD of `day` plus `days` (UTC). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
/** Sort key of a finding without an EPSS score: below every real score. */
export const noEpss = -1;
