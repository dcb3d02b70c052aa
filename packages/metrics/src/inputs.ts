/**
 * The plain rows the computations read (compute.ts): what the server reads from either database
 * (contexts/reports/metrics-reads.ts), and what the tests write by hand. Timestamps are ISO 8601
 * UTC strings, days `YYYY-MM-DD`. Nothing here knows a database.
 */
import type { Priority } from '@patchgate/policy';

/** One finding with the facts the remediation figures read, and its asset's scope keys. */
export interface FindingFact {
  readonly id: string;
  readonly assetId: string;
  readonly assetName: string;
  readonly advisoryId: string;
  readonly packageName: string;
  readonly priority: Priority;
  /** YYYY-MM-DD or null (the policy set no date). */
  readonly dueDate: string | null;
  /** `open`, `fixed`, `reopened` (now). */
  readonly state: string;
  readonly firstSeenAt: string;
  /** Set while the finding is fixed (a reopen clears it). */
  readonly fixedAt: string | null;
  readonly triageState: string | null;
  readonly triageAt: string | null;
  readonly kev: boolean;
  readonly exposure: string;
  /** The policy that decided its priority and due date ("(none)" when unknown). */
  readonly policy: string;
  /** Its asset's owner team, environment and groups (the scope keys). */
  readonly team: string | null;
  readonly environment: string | null;
  readonly groups: readonly string[];
  /** When its advisory was published, when known. */
  readonly advisoryPublishedAt: string | null;
}

/** One risk exception (findings' `finding_exceptions`). */
export interface ExceptionFact {
  readonly id: string;
  readonly findingId: string;
  readonly assetId: string;
  readonly advisoryId: string;
  readonly owner: string;
  /** `requested`, `approved`, `rejected`, `expired`, `revoked` (now). */
  readonly state: string;
  readonly requestedAt: string;
  /** Set by an approval or a rejection. */
  readonly decidedAt: string | null;
  readonly expiresAt: string;
  /** When it was revoked or expired. */
  readonly closedAt: string | null;
}

export interface ChangeTransitionFact {
  /** @patchgate/changes' action: `complete`, `fail`, `roll-back`, `cancel`, `close`… */
  readonly action: string;
  readonly toState: string;
  readonly at: string;
}

/** One change request with its state history. */
export interface ChangeFact {
  readonly id: string;
  /** `CHG-0042`. */
  readonly number: string;
  readonly title: string;
  /** `standard`, `normal`, `emergency`. */
  readonly type: string;
  readonly transitions: readonly ChangeTransitionFact[];
}

/** A rollout's facts recorded when it ended (changes' `change_review_facts`). */
export interface RolloutFact {
  readonly changeId: string;
  readonly changeNumber: string;
  readonly rolloutId: string;
  readonly outcome: string;
  readonly plannedStart: string | null;
  readonly plannedEnd: string | null;
  readonly actualStart: string | null;
  readonly actualEnd: string | null;
  readonly waves: readonly {
    readonly name: string;
    readonly hosts: readonly { readonly assetName: string; readonly outcome: string }[];
  }[];
  readonly recordedAt: string;
}

/** A finding linked to a change (changes' `change_findings`), with the finding's first seen. */
export interface ChangeFindingFact {
  readonly changeId: string;
  readonly findingId: string;
  readonly firstSeenAt: string;
}

export interface AssetFact {
  readonly id: string;
  readonly name: string;
  readonly team: string | null;
  readonly environment: string | null;
  readonly groups: readonly string[];
  readonly createdAt: string;
  /** When its latest inventory at `asOf` was uploaded (null: none by then). */
  readonly lastReportAt: string | null;
  /** At least one maintenance window applies to it. */
  readonly hasWindow: boolean;
}

export interface AgentFact {
  readonly id: string;
  readonly assetId: string;
  readonly name: string;
  readonly enrolledAt: string;
  readonly revokedAt: string | null;
  readonly lastSeenAt: string | null;
}

/** Everything one `MetricSet` is computed from (already narrowed to the scope). */
export interface MetricInputs {
  readonly findings: readonly FindingFact[];
  readonly exceptions: readonly ExceptionFact[];
  readonly changes: readonly ChangeFact[];
  readonly rollouts: readonly RolloutFact[];
  readonly changeFindings: readonly ChangeFindingFact[];
  readonly assets: readonly AssetFact[];
  readonly agents: readonly AgentFact[];
}

/** Knobs of the coverage figures. */
export interface MetricSettings {
  /** Assets reporting: an inventory within this many days before `asOf` (default 7). */
  readonly reportingWindowDays?: number;
  /** An agent is stale when not seen within this many seconds before `asOf` (3 heartbeats). */
  readonly staleAgentSeconds: number;
}
