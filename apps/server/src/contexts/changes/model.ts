/**
 * The change context's records as the API shows them: rows → `ApiChange` and friends, and the
 * change number people use (`CHG-0042`).
 */
import type { ChangeState, ChangeType, RiskLevel } from '@patchgate/changes';
import type { RequestSource } from '../audit/index.ts';
import type {
  ApiChange,
  ChangeAsset,
  ChangeFinding,
  ChangePatch,
  Review,
  Transition,
} from './schema.ts';
import type {
  ChangeAssetTable,
  ChangeFindingTable,
  ChangePatchTable,
  ChangeRequestTable,
  ChangeReviewTable,
  ChangeTransitionTable,
} from './tables.ts';

/**
 * Who acts on a change: a request's source, or the system with the autopilot rule that made the
 * change and why (`createChange` from the autopilot).
 */
export interface ChangeActor extends RequestSource {
  readonly rule?: { readonly id: string; readonly reason: string };
}

export function changeNumber(number: number): string {
  return `CHG-${String(number).padStart(4, '0')}`;
}

/** `CHG-0042`, `chg-42` or `42` → 42; anything else undefined. */
export function parseChangeNumber(ref: string): number | undefined {
  const match = /^(?:CHG-)?(\d{1,9})$/i.exec(ref.trim());
  return match === null ? undefined : Number(match[1]);
}

export function jsonArray(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** What `change_requests.freeze_override_json` holds: the freezes a schedule overrides. */
export type FreezeOverride = NonNullable<ApiChange['freezeOverride']>;

export function freezeOverrideOf(row: ChangeRequestTable): FreezeOverride | null {
  return row.freeze_override_json === null
    ? null
    : (JSON.parse(row.freeze_override_json) as FreezeOverride);
}

export function effectiveRisk(row: ChangeRequestTable): RiskLevel {
  return (row.risk_override ?? row.risk_level) as RiskLevel;
}

export function toApiChange(row: ChangeRequestTable, counts: ApiChange['counts']): ApiChange {
  return {
    id: row.id,
    number: changeNumber(row.number),
    title: row.title,
    description: row.description,
    type: row.type as ChangeType,
    state: row.state as ChangeState,
    risk: {
      level: effectiveRisk(row),
      assessed: row.risk_level as RiskLevel,
      score: row.risk_score,
      ...(JSON.parse(row.risk_factors_json) as Pick<ApiChange['risk'], 'factors' | 'explanation'>),
      override:
        row.risk_override === null
          ? null
          : { level: row.risk_override as RiskLevel, reason: row.risk_override_reason ?? '' },
    },
    template:
      row.template_id === null ? null : { id: row.template_id, version: row.template_version ?? 1 },
    requester: { id: row.requester_id, name: row.requester_name },
    implementer:
      row.implementer_id === null
        ? null
        : { id: row.implementer_id, name: row.implementer_name ?? row.implementer_id },
    planVersion: row.plan_version,
    schedule:
      row.scheduled_start === null || row.scheduled_end === null
        ? null
        : { start: row.scheduled_start, end: row.scheduled_end },
    freezeOverride: freezeOverrideOf(row),
    createdBy: { rule: row.created_by_rule, reason: row.created_reason },
    counts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toChangeAsset(row: ChangeAssetTable): ChangeAsset {
  return {
    id: row.asset_id,
    name: row.asset_name,
    environment: row.environment,
    criticality: row.criticality,
    exposure: row.exposure,
    owner: row.owner_team,
    groups: jsonArray(row.groups_json),
    tags: jsonArray(row.tags_json),
  };
}

export function toChangePatch(row: ChangePatchTable, assetName: string): ChangePatch {
  return {
    assetId: row.asset_id,
    assetName,
    ecosystem: row.ecosystem,
    package: row.package_name,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    mode: row.mode as ChangePatch['mode'],
    origin: row.origin,
  };
}

export function toChangeFinding(row: ChangeFindingTable): ChangeFinding {
  return {
    findingId: row.finding_id,
    assetId: row.asset_id,
    package: row.package_name,
    advisoryIds: jsonArray(row.advisory_ids_json),
    cves: jsonArray(row.cve_ids_json),
    priority: row.priority,
    kev: row.kev === 1,
    dueDate: row.due_date,
  };
}

export function toTransition(row: ChangeTransitionTable): Transition {
  return {
    from: row.from_state,
    to: row.to_state,
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
    reason: row.reason,
    at: row.at,
  };
}

export function toReview(row: ChangeReviewTable): Review {
  return {
    wentWell: row.went_well,
    didNotGoWell: row.did_not_go_well,
    incidents: jsonArray(row.incidents_json),
    lessons: row.lessons,
    followUps: JSON.parse(row.follow_ups_json) as Review['followUps'],
    author: { id: row.author_id, name: row.author_name },
    updatedAt: row.updated_at,
  };
}
