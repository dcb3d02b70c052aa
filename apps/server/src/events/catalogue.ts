/**
 * The domain events contexts publish, each with the zod schema of its data: the published
 * language between contexts. A publisher names its own facts ("a snapshot was recorded"),
 * never what another context should do about them; who listens is wired in main.ts.
 */
import { z } from 'zod';

const id = z.string().min(1);

export const domainEvents = {
  /** inventory: a new snapshot became an asset's current inventory. */
  'inventory.snapshot-recorded': z.object({ assetId: id, snapshotId: id }),
  /** inventory: an asset was deleted with its history. */
  'inventory.asset-deleted': z.object({ assetId: id }),
  /** inventory: an asset's attributes changed (environment, criticality, exposure, tags…). */
  'asset.context-changed': z.object({ assetId: id, fields: z.array(z.string()) }),
  /** advisories: a sync of a source finished; `changed` when it stored anything new. */
  'advisories.sync-completed': z.object({ sourceId: id, runId: id, changed: z.boolean() }),
  /**
   * changes: a change request moved from one state to another (`from` is null on creation).
   * `action` is the transition's name (submit, approve, schedule…), `actorId` the user, or
   * null for the system (autopilot, a policy's auto-approval).
   */
  'change.state-changed': z.object({
    changeId: id,
    from: z.string().nullable(),
    to: z.string(),
    action: z.string(),
    actorId: z.string().nullable(),
    reason: z.string().optional(),
  }),
  /** changes: a stage of a change's approval now waits for these approver groups. */
  'change.approval-requested': z.object({
    changeId: id,
    stage: z.number().int().min(1),
    approverGroupIds: z.array(id),
  }),
  /** changes: an approver decided (a rejection also moves the change: see state-changed). */
  'change.approval-decided': z.object({
    changeId: id,
    stage: z.number().int().min(1),
    decision: z.enum(['approved', 'rejected']),
    approverId: id,
  }),
  /**
   * agents: an agent reported a task's result (once per task; a repeated report publishes
   * nothing). `rolloutId` is the rollout that queued it, if any.
   */
  'agent.task-finished': z.object({
    taskId: id,
    agentId: id,
    assetId: id,
    kind: z.string(),
    outcome: z.enum(['succeeded', 'failed', 'rejected']),
    rolloutId: id.nullable(),
  }),
  /** agents: an agent enrolled (a new one, or a re-enrolment of the same asset). */
  'agent.enrolled': z.object({ agentId: id, assetId: id }),
  /**
   * rollouts: something people are told about happened (the engine's notify kinds: started,
   * wave-started, wave-completed, awaiting-gate, paused, halted, budget-exceeded, rolling-back,
   * rolled-back, rollback-failed, aborted, resumed, completed).
   */
  'rollout.progressed': z.object({
    rolloutId: id,
    changeId: id,
    kind: z.string(),
    wave: z.string().optional(),
    detail: z.string().optional(),
  }),
} as const;

export type DomainEvents = typeof domainEvents;
export type DomainEventName = keyof DomainEvents;
export type DomainEventData<N extends DomainEventName> = z.output<DomainEvents[N]>;

export const domainEventNames = Object.keys(domainEvents) as DomainEventName[];

/** The job kind that carries an event through the queue (the outbox). */
export function eventJobKind(name: DomainEventName): string {
  return `event:${name}`;
}
