/**
 * The notifications vocabulary: what can be notified, to whom, through what, and how a
 * change's domain events map onto notification events (docs/adr/0030-notifications-outbox.md).
 */

/** What a subscription can ask to hear about. */
export const notificationEvents = [
  'submitted',
  'approval-needed',
  'approval-progress',
  'approved',
  'rejected',
  'scheduled',
  'starting',
  'completed',
  'failed',
  'rolled-back',
  'review-due',
  'finding-due-soon',
  'finding-overdue',
  'rollout.started',
  'rollout.wave-completed',
  'rollout.paused',
  'rollout.halted',
  'rollout.completed',
  'rollout.rolled-back',
] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** Pre / during / post the change window (seed step 5); findings are told before they are due. */
export type Phase = 'pre' | 'during' | 'post';
export const phaseOf: Record<NotificationEvent, Phase> = {
  submitted: 'pre',
  'approval-needed': 'pre',
  'approval-progress': 'pre',
  approved: 'pre',
  rejected: 'pre',
  scheduled: 'pre',
  starting: 'during',
  completed: 'post',
  failed: 'post',
  'rolled-back': 'post',
  'review-due': 'post',
  'finding-due-soon': 'pre',
  'finding-overdue': 'pre',
  'rollout.started': 'during',
  'rollout.wave-completed': 'during',
  'rollout.paused': 'during',
  'rollout.halted': 'during',
  'rollout.completed': 'post',
  'rollout.rolled-back': 'post',
};

export const findingEvents = ['finding-due-soon', 'finding-overdue'] as const;
export function isFindingEvent(event: NotificationEvent): boolean {
  return (findingEvents as readonly string[]).includes(event);
}

export const audiences = [
  'cab',
  'approvers',
  'service-owners',
  'operators',
  'asset-group',
  'address',
] as const;
export type Audience = (typeof audiences)[number];

export const channelKinds = ['webhook', 'slack', 'teams', 'email'] as const;
export type ChannelKind = (typeof channelKinds)[number];

export const digestModes = ['none', 'daily', 'weekly'] as const;
export type DigestMode = (typeof digestModes)[number];

export const contactKinds = ['user', 'team', 'asset-group', 'role'] as const;
export type ContactKind = (typeof contactKinds)[number];

export const deliveryStatuses = [
  'pending',
  'held',
  'digest',
  'digested',
  'sent',
  'failed',
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/**
 * What notifications need to know about a change, from the changes context through the
 * injected `describeChange(database, id)` (wired in main.ts); the fields are those of the
 * changes context's `ChangeBrief` it uses, so that function is passed as it is. Notifications
 * never reads the changes context's tables.
 */
export interface NotifiedChange {
  readonly id: string;
  /** `CHG-0042`, when the changes context numbers changes. */
  readonly number?: string | undefined;
  readonly title: string;
  readonly type: string;
  readonly state: string;
  readonly risk: string;
  /** The change window, ISO instants; null until scheduled. */
  readonly windowStart: string | null;
  readonly windowEnd: string | null;
  readonly assets: readonly { readonly name: string; readonly ownerTeam: string | null }[];
  /** Owner teams of the assets in scope (service owners). */
  readonly ownerTeams: readonly string[];
  readonly requester: { readonly id: string | null; readonly name: string } | null;
  readonly implementer: { readonly id: string; readonly name: string } | null;
  /** User ids of the approvers who may decide the stage waiting now. */
  readonly pendingApproverIds: readonly string[];
  /** Where people read the change (the API path, or the web UI's address). */
  readonly link?: string | undefined;
}

export type DescribeChange<D> = (
  database: D,
  changeId: string,
) => Promise<NotifiedChange | undefined>;

/** A change's domain event as the fan-out job carries it. */
export type ChangeEventInput =
  | {
      readonly name: 'change.state-changed';
      readonly data: {
        changeId: string;
        from: string | null;
        to: string;
        action: string;
        actorId: string | null;
        reason?: string | undefined;
      };
    }
  | {
      readonly name: 'change.approval-requested';
      readonly data: { changeId: string; stage: number; approverGroupIds: string[] };
    }
  | {
      readonly name: 'change.approval-decided';
      readonly data: {
        changeId: string;
        stage: number;
        decision: 'approved' | 'rejected';
        approverId: string;
      };
    }
  | {
      readonly name: 'rollout.progressed';
      readonly data: {
        rolloutId: string;
        changeId: string;
        kind: string;
        wave?: string | undefined;
        detail?: string | undefined;
      };
    };

/**
 * The rollout engine's notify kinds (`rollout.progressed`'s `kind`, @patchgate/rollout) and the
 * notification event each stands for. A pause waiting for a person (a manual gate, an
 * inconclusive health gate, a pause by command) is `rollout.paused`; a halt, a budget exceeded
 * or a failed rollback is `rollout.halted`; an abort ends the rollout as halted too. The rest
 * (wave-started, rolling-back, resumed) are steps people follow in the rollout's live view,
 * not messages.
 */
export const rolloutNotifications: Readonly<Record<string, NotificationEvent>> = {
  started: 'rollout.started',
  'wave-completed': 'rollout.wave-completed',
  'awaiting-gate': 'rollout.paused',
  paused: 'rollout.paused',
  halted: 'rollout.halted',
  'budget-exceeded': 'rollout.halted',
  'rollback-failed': 'rollout.halted',
  aborted: 'rollout.halted',
  completed: 'rollout.completed',
  'rolled-back': 'rollout.rolled-back',
};

/**
 * The notification events a change's domain event stands for.
 *
 * `approved` goes once per approval round, when the approval is complete: the change leaves
 * authorise for scheduled (action `approve`: the decision completing the last stage, with a
 * schedule set; or `schedule`: a schedule set once the approval was complete), so it comes
 * together with `scheduled`. A single approver's decision (`change.approval-decided`, one per
 * approver and stage) is `approval-progress`, which subscriptions opt into; it never says
 * "approved". A rejection moves the change to `rejected` (state-changed) at once, so only the
 * state change notifies it. Review after a completed implementation is both "completed" and
 * "review due".
 */
export function notificationEventsOf(event: ChangeEventInput): NotificationEvent[] {
  switch (event.name) {
    case 'rollout.progressed': {
      const { kind } = event.data;
      // Own properties only: a kind such as "constructor" is no notification.
      const notification = Object.hasOwn(rolloutNotifications, kind)
        ? rolloutNotifications[kind]
        : undefined;
      return notification === undefined ? [] : [notification];
    }
    case 'change.approval-requested':
      return ['approval-needed'];
    case 'change.approval-decided':
      return event.data.decision === 'approved' ? ['approval-progress'] : [];
    case 'change.state-changed': {
      const { from, to } = event.data;
      switch (to) {
        case 'submitted':
          return ['submitted'];
        case 'rejected':
          return ['rejected'];
        case 'scheduled':
          return from === 'authorise' ? ['approved', 'scheduled'] : ['scheduled'];
        case 'implementing':
          return ['starting'];
        case 'failed':
          return ['failed'];
        case 'rolled_back':
          return ['rolled-back'];
        case 'review':
          return from === 'implementing' ? ['completed', 'review-due'] : ['review-due'];
        default:
          return [];
      }
    }
  }
}

/** Held back by quiet hours? Emergency changes and failures go through at once. */
export function isUrgent(event: NotificationEvent, change: NotifiedChange | undefined): boolean {
  return (
    change?.type === 'emergency' ||
    event === 'failed' ||
    event === 'rolled-back' ||
    event === 'rollout.halted' ||
    event === 'rollout.paused' ||
    event === 'rollout.rolled-back'
  );
}
