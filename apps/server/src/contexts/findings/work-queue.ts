/**
 * A read for the changes context (autopilot rules): the findings in the work queue (open or
 * reopened, not accepted, not triaged away; model.ts) of some priorities, with what a change
 * needs to fix them: the package, the installed and fixed versions, and who decided why.
 */
import type { Database } from '../../db/database.ts';
import type { Decision } from '@patchgate/policy';
import type { StoredMatch } from './model.ts';
import { settledTriageStates } from './model.ts';

export interface WorkQueueFinding {
  readonly id: string;
  readonly assetId: string;
  readonly ecosystem: string;
  readonly packageName: string;
  readonly installedVersion: string;
  readonly advisoryId: string;
  readonly fixedVersions: readonly string[];
  readonly priority: string;
  readonly kev: boolean;
  readonly dueDate: string | null;
  /** The policy and its rule that decided the priority (the decision's explanation). */
  readonly policyId: string | null;
  readonly policyRuleId: string | null;
}

export async function workQueueFindings(
  database: Database,
  now: string,
  filter: { readonly priorities: readonly string[]; readonly kevOnly?: boolean },
): Promise<WorkQueueFinding[]> {
  if (filter.priorities.length === 0) return [];
  let query = database.db
    .selectFrom('findings')
    .select([
      'id',
      'asset_id',
      'ecosystem',
      'package_name',
      'package_version',
      'advisory_id',
      'match_json',
      'priority',
      'kev',
      'due_date',
      'decision_json',
    ])
    .where('state', 'in', ['open', 'reopened'])
    .where((eb) => eb.or([eb('accepted_until', 'is', null), eb('accepted_until', '<=', now)]))
    .where((eb) =>
      eb.or([eb('triage_state', 'is', null), eb('triage_state', 'not in', settledTriageStates)]),
    )
    .where('priority', 'in', filter.priorities)
    .orderBy('id');
  if (filter.kevOnly === true) query = query.where('kev', '=', 1);
  const rows = await query.execute();
  return rows.map((row) => {
    const match = JSON.parse(row.match_json) as StoredMatch;
    let decision: Partial<Decision> = {};
    try {
      decision = JSON.parse(row.decision_json) as Decision;
    } catch {
      // A decision that cannot be read names no policy; the finding is still selectable.
    }
    return {
      id: row.id,
      assetId: row.asset_id,
      ecosystem: row.ecosystem,
      packageName: row.package_name,
      installedVersion: row.package_version,
      advisoryId: row.advisory_id,
      fixedVersions: match.fixedVersions,
      priority: row.priority,
      kev: Number(row.kev) === 1,
      dueDate: row.due_date,
      policyId: decision.explanation?.policy.id ?? null,
      policyRuleId: decision.explanation?.rule.id ?? null,
    };
  });
}
