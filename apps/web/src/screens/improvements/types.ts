/** The improvement loop's shapes, as HELPERS-11.md's contract states them. */

export interface Recommendation {
  readonly id: string;
  readonly rule: string;
  readonly subjectKey: string;
  readonly title: string;
  readonly detail: string;
  readonly evidence: unknown;
  readonly action: { readonly kind: string; readonly [key: string]: unknown };
  readonly state: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly reason: string | null;
  readonly applied: unknown;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ImprovementAction {
  readonly id: string;
  readonly title: string;
  readonly detail?: string | null;
  readonly state: string;
  readonly owner?: string | null;
  readonly dueDate?: string | null;
  readonly note?: string | null;
  readonly source?: string | null;
  readonly changeId?: string | null;
  readonly changeNumber?: string | null;
  readonly recommendationId?: string | null;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly closedAt?: string | null;
}

export const actionStates = ['open', 'in_progress', 'done', 'cancelled'] as const;
