/** A rule's definition in words, as the rules table and the run page show it. */
import { formatDateTime } from '../../ui/format.ts';
import type { AutopilotRule, RuleDefinition, RuleScope, Schedule, Stage } from './types.ts';

export const scheduleLabels: Record<Schedule, string> = {
  hourly: 'Hourly',
  nightly: 'Nightly (once per UTC day)',
  weekly: 'Weekly (once per ISO week, from Monday)',
  monthly: 'Monthly (once per calendar month)',
};

export const stageLabels: Record<Stage, string> = {
  draft: 'Draft: a person submits each change',
  submit: 'Submit: standard changes auto-approved, others to the CAB',
  schedule: 'Schedule: also scheduled at the next feasible slot',
};

/** `P1, P2 findings (KEV only)`, `security updates`. */
export function describeSelection(definition: RuleDefinition): string {
  const selection = definition.selection;
  if (selection.kind === 'updates')
    return selection.origin === 'security' ? 'Security updates' : 'All available updates';
  const parts = [`${selection.priorities.join(', ')} findings`];
  if (selection.kevOnly === true) parts.push('KEV only');
  if ((selection.policies ?? []).length > 0)
    parts.push(`policies ${(selection.policies ?? []).join(', ')}`);
  return parts.join(' · ');
}

const scopeParts: readonly (readonly [keyof RuleScope, string])[] = [
  ['names', 'assets'],
  ['environments', 'environment'],
  ['criticalities', 'criticality'],
  ['exposures', 'exposure'],
  ['teams', 'team'],
  ['tags', 'tag'],
  ['groups', 'group'],
];

/** `environment staging · group web, db`; `every asset` for {}. */
export function describeScope(scope: RuleScope): string {
  const parts = scopeParts.flatMap(([key, label]) => {
    const values = scope[key] ?? [];
    return values.length === 0 ? [] : [`${label} ${values.join(', ')}`];
  });
  return parts.length === 0 ? 'Every asset' : parts.join(' · ');
}

/** When the rule next runs on its schedule, in words. */
export function describeNextRun(rule: AutopilotRule, now = Date.now()): string {
  if (rule.paused || rule.nextRunAt === null) return 'Not while paused';
  if (Date.parse(rule.nextRunAt) <= now) return 'Due: at the next hourly check';
  return `${formatDateTime(rule.nextRunAt)} (the first hourly check from then)`;
}
