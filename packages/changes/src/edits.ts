/**
 * Which edits are material: after an approval, a change to the scope, the patches, the plans or
 * the schedule voids the approvals (`withdraw-approvals`), because the approvers approved
 * something else. Title, description and comments are not material. Order never matters: the
 * same assets, patches or plan keys in another order are the same change (lists inside the plans,
 * such as waves, keep their order: it means something).
 */
import type { ChangePlans } from './plans.ts';

export const materialFields = ['scope', 'patches', 'plans', 'schedule'] as const;
export type MaterialField = (typeof materialFields)[number];

export interface ChangeContent {
  readonly assetIds: readonly string[];
  readonly patches: readonly {
    readonly assetId: string;
    readonly ecosystem: string;
    readonly packageName: string;
    readonly toVersion: string;
  }[];
  readonly plans: ChangePlans;
  readonly schedule: { readonly start: string; readonly end: string } | null;
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
};

/** The material fields that differ between two versions of a change, in `materialFields` order. */
export function materialChanges(before: ChangeContent, after: ChangeContent): MaterialField[] {
  const patchKeys = (c: ChangeContent) => c.patches.map((p) => canonical(p));
  const differs: Record<MaterialField, boolean> = {
    scope: !sameSet(before.assetIds, after.assetIds),
    patches: !sameSet(patchKeys(before), patchKeys(after)),
    plans: canonical(before.plans) !== canonical(after.plans),
    schedule: canonical(before.schedule) !== canonical(after.schedule),
  };
  return materialFields.filter((field) => differs[field]);
}
