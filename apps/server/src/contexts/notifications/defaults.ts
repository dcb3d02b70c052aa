/**
 * The built-in message of every notification event: what happened and what recipients must do
 * before, during or after the change window (seed step 5). An admin may override any of them
 * (PUT /api/v1/notification-templates/{event}); deleting the override restores the default.
 */
import type { NotificationEvent } from './model.ts';
import { isFindingEvent } from './model.ts';
import type { TemplateData } from './template.ts';
import type { ChangeEventInput, NotifiedChange } from './model.ts';

export interface MessageTemplate {
  readonly subject: string;
  readonly body: string;
}

/** The values a change event's template may use. */
export const changeTemplateValues = [
  'change.id',
  'change.number',
  'change.title',
  'change.type',
  'change.state',
  'change.risk',
  'change.windowStart',
  'change.windowEnd',
  'change.assets',
  'change.ownerTeams',
  'change.requester',
  'change.implementer',
  'change.link',
  'event.from',
  'event.to',
  'event.action',
  'event.reason',
  'event.stage',
  'event.decision',
  'event.kind',
  'event.wave',
  'event.detail',
  'event.rolloutId',
] as const;

/** The values a finding digest's template may use. */
export const findingTemplateValues = ['findings.count', 'findings.list', 'findings.date'] as const;

export function templateValuesOf(event: NotificationEvent): readonly string[] {
  return isFindingEvent(event) ? findingTemplateValues : changeTemplateValues;
}

const footer = '\n\nDetails: {{change.link}}';
const rolloutFooter = '\n\nRollout: {{event.rolloutId}}\nDetails: {{change.link}}';
const summary =
  'Change: {{change.title}} ({{change.type}}, risk {{change.risk}})\nAssets: {{change.assets}}\nWindow: {{change.windowStart}} – {{change.windowEnd}}';

export const defaultTemplates: Record<NotificationEvent, MessageTemplate> = {
  submitted: {
    subject: '[Patchgate] Submitted for assessment: {{change.title}}',
    body: `${summary}\n\nThe change was submitted by {{change.requester}}.\nBefore the window: review the scope and the plans, and raise any objection or conflict with the requester now.${footer}`,
  },
  'approval-needed': {
    subject: '[Patchgate] Approval needed: {{change.title}}',
    body: `${summary}\n\nStage {{event.stage}} of the approval waits for your decision.\nBefore the window: read the risk explanation, the test evidence and the rollback plan, then approve or reject (a rejection needs a comment).${footer}`,
  },
  'approval-progress': {
    subject: '[Patchgate] Approval progress, stage {{event.stage}}: {{change.title}}',
    body: `${summary}\n\nAn approver approved stage {{event.stage}}. The change is not approved until every stage has reached its quorum: the "Approved" message says when it is.\nBefore the window: nothing is needed from you unless a stage asks for your decision.${footer}`,
  },
  approved: {
    subject: '[Patchgate] Approved: {{change.title}}',
    body: `${summary}\n\nThe approval is complete: every stage approved the current plan, and the change is scheduled.\nBefore the window: nothing more is needed from approvers; {{change.implementer}} prepares the implementation.${footer}`,
  },
  rejected: {
    subject: '[Patchgate] Rejected: {{change.title}}',
    body: `${summary}\n\nThe change was rejected: {{event.reason}}\nRequester: revise the plan and submit it again, or cancel the change.${footer}`,
  },
  scheduled: {
    subject: '[Patchgate] Scheduled {{change.windowStart}}: {{change.title}}',
    body: `${summary}\n\nBefore the window: save your work on the affected services, tell your users about the interruption, and keep the on-call contact at hand. Services on these assets may restart.\nDuring the window: avoid deployments and configuration changes on these assets.\nAfter the window: check that your service works and report problems to {{change.implementer}}.\nThe calendar invitation is attached.${footer}`,
  },
  starting: {
    subject: '[Patchgate] Starting now: {{change.title}}',
    body: `${summary}\n\nThe implementation is starting.\nDuring the window: expect restarts on the assets above; do not deploy to them; report anything unusual to {{change.implementer}} at once.${footer}`,
  },
  completed: {
    subject: '[Patchgate] Completed: {{change.title}}',
    body: `${summary}\n\nThe implementation has completed.\nAfter the window: check your service, close the maintenance notice to your users, and report any problem to {{change.implementer}}.${footer}`,
  },
  failed: {
    subject: '[Patchgate] FAILED: {{change.title}}',
    body: `${summary}\n\nThe implementation failed: {{event.reason}}\nNow: check your service; the implementer decides on the rollback. Report impact to {{change.implementer}}.${footer}`,
  },
  'rolled-back': {
    subject: '[Patchgate] Rolled back: {{change.title}}',
    body: `${summary}\n\nThe change was rolled back: {{event.reason}}\nAfter the rollback: check that your service is back to its previous state; a new change will be planned.${footer}`,
  },
  'review-due': {
    subject: '[Patchgate] Review due: {{change.title}}',
    body: `${summary}\n\nThe post-implementation review is due.\nAfter the window: record what went well, what did not, incidents, lessons and follow-up actions.${footer}`,
  },
  'finding-due-soon': {
    subject: '[Patchgate] {{findings.count}} findings due soon ({{findings.date}})',
    body: 'These findings reach their due date within 7 days:\n\n{{findings.list}}\n\nPlan a change for them before they are overdue.',
  },
  'finding-overdue': {
    subject: '[Patchgate] {{findings.count}} findings overdue ({{findings.date}})',
    body: 'These findings are past their due date:\n\n{{findings.list}}\n\nFix them now or request an exception.',
  },
  'rollout.started': {
    subject: '[Patchgate] Rollout started: {{change.title}}',
    body: `${summary}\n\nThe rollout has started: the agents install the patches wave by wave, each host checked before the next.\nDuring the window: expect restarts on the assets above; do not deploy to them; report anything unusual to {{change.implementer}} at once.${rolloutFooter}`,
  },
  'rollout.wave-completed': {
    subject: '[Patchgate] Rollout wave {{event.wave}} completed: {{change.title}}',
    body: `${summary}\n\nWave {{event.wave}} is patched and passed its health gate. {{event.detail}}\nDuring the window: check the services of this wave's hosts; the next wave follows the plan.${rolloutFooter}`,
  },
  'rollout.paused': {
    subject: '[Patchgate] Rollout paused, decision needed: {{change.title}}',
    body: `${summary}\n\nThe rollout is paused (wave {{event.wave}}): {{event.detail}}\nNow: {{change.implementer}} decides — release the gate or resume, or roll back.${rolloutFooter}`,
  },
  'rollout.halted': {
    subject: '[Patchgate] ROLLOUT HALTED: {{change.title}}',
    body: `${summary}\n\nThe rollout halted (wave {{event.wave}}): {{event.detail}}\nNo further host is patched. Now: check your service; the wave's hosts are rolled back per the rollback plan. Report impact to {{change.implementer}}.${rolloutFooter}`,
  },
  'rollout.completed': {
    subject: '[Patchgate] Rollout completed: {{change.title}}',
    body: `${summary}\n\nEvery wave is patched and passed its health gates. {{event.detail}}\nAfter the window: check your service and report any problem to {{change.implementer}}; the review is pre-filled on the change.${rolloutFooter}`,
  },
  'rollout.rolled-back': {
    subject: '[Patchgate] Rollout rolled back: {{change.title}}',
    body: `${summary}\n\nThe rollout was rolled back: {{event.detail}}\nAfter the rollback: check that your service is back to its previous versions; a new change will be planned.${rolloutFooter}`,
  },
};

/** The template data of a change event. */
export function changeTemplateData(change: NotifiedChange, event: ChangeEventInput): TemplateData {
  const data = event.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return {
    change: {
      id: change.id,
      title: change.title,
      type: change.type,
      state: change.state,
      risk: change.risk,
      number: change.number ?? '',
      windowStart: change.windowStart ?? 'not scheduled',
      windowEnd: change.windowEnd ?? 'not scheduled',
      assets: change.assets.map((a) => a.name),
      ownerTeams: change.ownerTeams,
      requester: change.requester?.name ?? '',
      // Who to tell about problems: without a named implementer, the requester answers for it
      // (an empty value rendered "report problems to .").
      implementer: change.implementer?.name ?? change.requester?.name ?? '',
      link: change.link ?? '',
    },
    event: {
      from: str(data['from']),
      to: str(data['to']),
      action: str(data['action']),
      reason: str(data['reason']),
      stage: str(data['stage']),
      decision: str(data['decision']),
      kind: str(data['kind']),
      wave: str(data['wave']),
      detail: str(data['detail']),
      rolloutId: str(data['rolloutId']),
    },
  };
}

/**
 * Said once, at the end of a message whose change link stayed relative because the server's
 * public address (PATCHGATE_PUBLIC_URL) is not configured: the listen address is no substitute
 * (127.0.0.1 or 0.0.0.0 is nothing a recipient can open).
 */
export const relativeLinkNote =
  'This link is relative to the Patchgate server: its public address is not configured (PATCHGATE_PUBLIC_URL).';

/**
 * A change's link as recipients can follow it: an absolute link as it is; a path (the changes
 * context gives `/api/v1/changes/<id>`) after the public URL (which may carry a path prefix);
 * without a public URL, the path as it is. Empty: undefined.
 */
export function recipientLink(
  link: string | undefined,
  publicUrl: string | undefined,
): string | undefined {
  if (link === undefined || link === '') return undefined;
  if (/^https?:\/\//i.test(link) || publicUrl === undefined) return link;
  return `${publicUrl.replace(/\/+$/, '')}${link.startsWith('/') ? '' : '/'}${link}`;
}

export const isAbsoluteLink = (link: string | undefined): link is string =>
  link !== undefined && /^https?:\/\//i.test(link);
