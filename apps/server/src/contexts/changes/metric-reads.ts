/**
 * What the reports context's metrics read of changes (issue 11, ADR 0043): each change's type
 * and state history, the assets in its scope (the facts copied when it was scoped), the
 * findings it links, and the rollout facts recorded when its rollout ended
 * (`change_review_facts`). Read only; history rows after `asOf` are left out.
 */
import type { Database } from '../../db/database.ts';
import { changeNumber, jsonArray } from './model.ts';
import type { ReviewFacts } from './rollout-facts-schema.ts';

export interface ChangeMetricRow {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly type: string;
  readonly transitions: readonly {
    readonly action: string;
    readonly toState: string;
    readonly at: string;
  }[];
  readonly assets: readonly {
    readonly assetId: string;
    readonly team: string | null;
    readonly environment: string | null;
    readonly groups: readonly string[];
  }[];
  readonly findings: readonly { readonly findingId: string }[];
  /** Rollout facts recorded at or before `asOf`. */
  readonly rollouts: readonly (ReviewFacts & { readonly recordedAt: string })[];
}

/** Every change with a transition at or before `asOf`, with its history up to `asOf`. */
export async function changeMetricRows(
  database: Database,
  asOf: string,
): Promise<ChangeMetricRow[]> {
  const db = database.db;
  const [changes, transitions, assets, findings, facts] = await Promise.all([
    db
      .selectFrom('change_requests')
      .select(['id', 'number', 'title', 'type'])
      .where('created_at', '<=', asOf)
      .orderBy('number')
      .execute(),
    db
      .selectFrom('change_transitions')
      .select(['change_id', 'action', 'to_state', 'at', 'seq'])
      .where('at', '<=', asOf)
      .orderBy('change_id')
      .orderBy('seq')
      .execute(),
    db
      .selectFrom('change_assets')
      .select(['change_id', 'asset_id', 'owner_team', 'environment', 'groups_json'])
      .orderBy('change_id')
      .orderBy('asset_id')
      .execute(),
    db
      .selectFrom('change_findings')
      .select(['change_id', 'finding_id'])
      .orderBy('change_id')
      .orderBy('finding_id')
      .execute(),
    db
      .selectFrom('change_review_facts')
      .select(['change_id', 'facts_json', 'recorded_at'])
      .where('recorded_at', '<=', asOf)
      .execute(),
  ]);
  const group = <T extends { change_id: string }>(rows: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.change_id, [...(map.get(row.change_id) ?? []), row]);
    return map;
  };
  const t = group(transitions);
  const a = group(assets);
  const f = group(findings);
  const r = group(facts);
  return changes.map((c) => ({
    id: c.id,
    number: changeNumber(c.number),
    title: c.title,
    type: c.type,
    transitions: (t.get(c.id) ?? []).map((x) => ({
      action: x.action,
      toState: x.to_state,
      at: x.at,
    })),
    assets: (a.get(c.id) ?? []).map((x) => ({
      assetId: x.asset_id,
      team: x.owner_team,
      environment: x.environment,
      groups: jsonArray(x.groups_json),
    })),
    findings: (f.get(c.id) ?? []).map((x) => ({ findingId: x.finding_id })),
    rollouts: (r.get(c.id) ?? []).map((x) => ({
      ...(JSON.parse(x.facts_json) as ReviewFacts),
      recordedAt: x.recorded_at,
    })),
  }));
}
