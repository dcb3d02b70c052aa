/**
 * The policy contract: from a finding, what is known about its vulnerabilities and the asset
 * it sits on, decide a priority and a due date — and say exactly why.
 */
import type { Criticality, Environment, Exposure } from '@patchgate/model';
import type { VulnerabilityFacts } from '@patchgate/sources';

// The asset vocabulary lives in @patchgate/model (one copy for server, CLI and policies).
export type { Criticality, Environment, Exposure } from '@patchgate/model';
export { criticalities, environments, exposures } from '@patchgate/model';

/** P1 (fix now) … P5 (track): the order in which work is done. */
export const priorities = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Priority = (typeof priorities)[number];

/** What is known about the asset; standalone scans get it from --asset-context or a file. */
export interface AssetContext {
  readonly name?: string;
  readonly environment?: Environment;
  readonly criticality?: Criticality;
  readonly exposure: Exposure;
  readonly owner?: string;
  readonly tags: readonly string[];
}

/** SSVC deployer outcomes (CERT/CC SSVC): Track < Track* < Attend < Act. */
export const ssvcOutcomes = ['Track', 'Track*', 'Attend', 'Act'] as const;
export type SsvcOutcome = (typeof ssvcOutcomes)[number];

export const severityNames = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type SeverityName = (typeof severityNames)[number];

/** The finding as the policy sees it (built from a matcher Finding by the caller). */
export interface PolicyFinding {
  readonly advisoryId: string;
  /** Every ID the advisory is known by; CVE IDs among them join the facts. */
  readonly aliases: readonly string[];
  readonly ecosystem: string;
  readonly packageName: string;
  readonly installedVersion: string;
  readonly fixedVersions: readonly string[];
  /** Severity the advisory states in words (matcher), `unknown` when none. */
  readonly statedSeverity: string;
  readonly statedSeveritySource?: string;
  /** CVSS vectors carried by the advisory itself (OSV `severity`). */
  readonly advisoryCvss: readonly { readonly type: string; readonly score: string }[];
  readonly advisoryPublished?: string;
}

export interface PolicyInput {
  readonly finding: PolicyFinding;
  /** Facts for each CVE the advisory maps to (may be empty). */
  readonly facts: readonly VulnerabilityFacts[];
  readonly asset: AssetContext;
  /** The date the finding was detected (YYYY-MM-DD); due dates count from it unless a rule says otherwise. */
  readonly detectedOn: string;
}

/** One input the decision used: its value, where it came from and when. */
export interface ExplanationInput {
  readonly name: string;
  readonly value: string | number | boolean | null;
  readonly source: string;
  readonly timestamp?: string;
}

export interface Explanation {
  readonly policy: { readonly id: string; readonly name: string; readonly version: string };
  readonly rule: { readonly id: string; readonly description: string };
  readonly inputs: readonly ExplanationInput[];
  /** How the due date was computed: `14 days from detection on 2026-11-22`, `KEV due date`. */
  readonly due: string;
  /** One paragraph a person can read. */
  readonly text: string;
}

export interface Decision {
  readonly priority: Priority;
  /** YYYY-MM-DD; null when the policy sets no date (e.g. "fix at next scheduled upgrade"). */
  readonly dueDate: string | null;
  /** `3 days`, `14 days`, `3 days + forensic triage`, `next scheduled upgrade`… */
  readonly timeline: string;
  readonly ssvcOutcome?: SsvcOutcome;
  /** Severity used by the decision (from CVSS or the advisory's words). */
  readonly severity: SeverityName | 'unknown';
  /** The CVE whose facts drove the decision, when the advisory has several. */
  readonly drivingCve?: string;
  readonly explanation: Explanation;
}

export interface Policy {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly specUrls: readonly string[];
  decide(input: PolicyInput): Decision;
}
