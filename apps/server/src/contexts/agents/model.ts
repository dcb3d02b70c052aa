/** The agents context's vocabulary and the types of its public functions (index.ts). */
import type { TaskEvent, TaskKind, TaskPayload, TaskResult } from '@patchgate/agent-protocol';
import type { z } from 'zod';
import type { TaskPayload as TaskPayloadSchema } from '@patchgate/agent-protocol';

export const taskStates = [
  'queued',
  'delivered',
  'succeeded',
  'failed',
  'rejected',
  'expired',
] as const;
export type TaskState = (typeof taskStates)[number];
/** States a task never leaves. */
export const finishedTaskStates: readonly TaskState[] = [
  'succeeded',
  'failed',
  'rejected',
  'expired',
];

/** How often agents are told to send a heartbeat; online = seen within three of them. */
export const heartbeatSeconds = 60;
/** The waitSeconds agents are told to use on long-polls. */
export const pollSeconds = 30;
/** A task not finished by then is refused by the agent; queued tasks default to one hour. */
export const defaultTaskLifetimeMs = 60 * 60 * 1000;

type TaskPayloadInput = z.input<typeof TaskPayloadSchema>;
type CommonField =
  | 'taskId'
  | 'agentId'
  | 'issuedAt'
  | 'notAfter'
  | 'idempotencyKey'
  | 'changeId'
  | 'rolloutId'
  | 'dryRun'
  | 'timeoutSeconds';
type OmitCommon<T> = T extends unknown ? Omit<T, CommonField> : never;

/**
 * The kind-specific part of a task (`{ kind: 'install', packages, backup, reboot,
 * allowRemovals }`, …): what a caller of `enqueueTask` decides; the rest is filled in.
 */
export type TaskSpec = OmitCommon<TaskPayloadInput>;

export interface EnqueueTaskInput {
  readonly assetId: string;
  /** The same key for the same agent returns the existing task (nothing new is queued). */
  readonly idempotencyKey: string;
  readonly changeId?: string | null;
  readonly rolloutId?: string | null;
  readonly dryRun?: boolean;
  readonly timeoutSeconds?: number;
  /** Default: one hour after now. */
  readonly notAfter?: Date;
  readonly task: TaskSpec;
}

export interface EnqueuedTask {
  readonly taskId: string;
  readonly agentId: string;
}

export interface AgentTask {
  readonly taskId: string;
  readonly agentId: string;
  readonly assetId: string;
  readonly kind: TaskKind;
  readonly state: TaskState;
  readonly idempotencyKey: string;
  readonly changeId: string | null;
  readonly rolloutId: string | null;
  /** The payload as signed, parsed. */
  readonly payload: TaskPayload;
  readonly notAfter: string;
  readonly result: TaskResult | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
  readonly finishedAt: string | null;
}

export type { TaskEvent };

export interface AgentSummary {
  readonly agentId: string;
  readonly assetId: string;
  readonly name: string;
  readonly lastSeenAt: string | null;
  readonly online: boolean;
  readonly rebootRequired: boolean;
  readonly version: string;
}
