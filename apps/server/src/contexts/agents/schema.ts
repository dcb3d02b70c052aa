/**
 * The agents API's own schemas (strict input, every field described). The agent-facing routes
 * use @patchgate/agent-protocol's messages as they are; these are the admin side and the small
 * answers of the agent routes the protocol leaves to the server.
 */
import { environments } from '@patchgate/model';
import { OsFacts, TaskEvent, TaskPayload, TaskResult, taskKinds } from '@patchgate/agent-protocol';
import { z } from 'zod';
import { taskStates } from './model.ts';

const isoTime = z.string().describe('ISO 8601 UTC');
const label = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s,][^,]*$/, 'must not start with whitespace or contain a comma');

// ---------------------------------------------------------------------------------------------
// Enrolment tokens

export const EnrolmentTokenCreate = z
  .strictObject({
    expiresInSeconds: z
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .default(24 * 3600)
      .describe('how long the token can be used, in seconds (default 24 h, at most 30 days)'),
    uses: z
      .int()
      .min(1)
      .max(100_000)
      .default(1)
      .describe('how many agents may enrol with it (default 1: one-time)'),
    environment: z
      .enum(environments)
      .optional()
      .describe('given to an asset the enrolment creates'),
    groups: z
      .array(label)
      .max(100)
      .default([])
      .describe('groups given to an asset the enrolment creates (e.g. rollout waves)'),
    description: z.string().min(1).max(500).optional().describe('what the token is for'),
  })
  .describe('a new enrolment token');
export type EnrolmentTokenCreate = z.infer<typeof EnrolmentTokenCreate>;

export const enrolmentTokenStates = ['active', 'expired', 'spent', 'revoked'] as const;

export const EnrolmentToken = z
  .object({
    id: z.string().describe('the token id (not the secret)'),
    prefix: z.string().describe('the first characters of the secret, to tell tokens apart'),
    description: z.string().nullable().describe('what the token is for'),
    createdBy: z.string().describe('who created it'),
    createdAt: isoTime,
    expiresAt: isoTime,
    usesAllowed: z.number().int().describe('enrolments allowed'),
    uses: z.number().int().describe('enrolments made'),
    environment: z.enum(environments).nullable().describe('given to assets it creates'),
    groups: z.array(z.string()).describe('given to assets it creates'),
    lastUsedAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
    state: z.enum(enrolmentTokenStates).describe('active: can still enrol an agent'),
  })
  .describe('an enrolment token (without its secret)');
export type EnrolmentToken = z.infer<typeof EnrolmentToken>;

export const CreatedEnrolmentToken = EnrolmentToken.extend({
  token: z.string().describe('the secret, pge_…: shown this once, give it to the agent'),
}).describe('a new enrolment token with its secret');
export type CreatedEnrolmentToken = z.infer<typeof CreatedEnrolmentToken>;

export const EnrolmentTokenList = z.object({
  tokens: z.array(EnrolmentToken).describe('newest first'),
});

export const EnrolmentTokenQuery = z.strictObject({
  state: z.enum(enrolmentTokenStates).optional().describe('only tokens in this state'),
});

export const IdParams = z.strictObject({
  id: z.string().min(1).max(255).describe('the id (agents: the agent id or its asset name)'),
});
export const TaskParams = z.strictObject({
  taskId: z.string().min(1).max(100).describe('the task id'),
});

// ---------------------------------------------------------------------------------------------
// Agents

export const Agent = z
  .object({
    id: z.string().describe('the agent id'),
    assetId: z.string().describe('the asset it reports as'),
    name: z.string().describe('the asset name it enrolled with'),
    hostname: z.string().nullable().describe('the host’s own host name'),
    version: z.string().describe('the agent’s version'),
    os: OsFacts.nullable(),
    architecture: z.string().nullable(),
    packageManagers: z.array(z.string()).describe('found on the host'),
    enrolledAt: isoTime,
    lastSeenAt: isoTime.nullable().describe('its last call of any kind'),
    lastHeartbeatAt: isoTime.nullable(),
    online: z.boolean().describe('seen within three heartbeat intervals'),
    clockSkewMs: z
      .number()
      .int()
      .nullable()
      .describe('its clock minus the server’s at the last heartbeat'),
    bootId: z.string().nullable().describe('changes on every boot'),
    rebootRequired: z.boolean(),
    rebootPackages: z.array(z.string()).describe('the packages that asked for the reboot'),
    servicesNeedingRestart: z.array(z.string()),
    queuedResults: z.number().int().describe('results waiting on the host to be sent'),
    runningTaskId: z.string().nullable(),
    lastInventoryAt: isoTime.nullable(),
    lastUpdatesAt: isoTime.nullable(),
    revokedAt: isoTime.nullable(),
  })
  .describe('an enrolled agent');
export type Agent = z.infer<typeof Agent>;

export const AgentList = z.object({ agents: z.array(Agent).describe('by name') });

export const AgentQuery = z.strictObject({
  online: z.enum(['true', 'false']).optional().describe('only agents online (or offline)'),
  revoked: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: only revoked agents; default: only agents not revoked'),
  rebootRequired: z.enum(['true', 'false']).optional().describe('only hosts needing a reboot'),
  q: z.string().min(1).max(255).optional().describe('name contains (case-insensitive)'),
});

export const AgentRevoke = z
  .strictObject({
    reason: z.string().min(1).max(500).optional().describe('why, for the audit log'),
  })
  .describe('revoking an agent');

// ---------------------------------------------------------------------------------------------
// Tasks

export const AgentTaskView = z
  .object({
    id: z.string().describe('the task id'),
    agentId: z.string(),
    assetId: z.string(),
    kind: z.enum(taskKinds),
    state: z.enum(taskStates),
    idempotencyKey: z.string(),
    changeId: z.string().nullable(),
    rolloutId: z.string().nullable(),
    notAfter: isoTime,
    createdAt: isoTime,
    deliveredAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    deliveries: z.number().int().describe('how often it was handed to the agent'),
    error: z.string().nullable().describe('why it failed, was rejected or expired'),
    payload: TaskPayload.describe('the task as signed'),
    keyId: z.string().describe('the key it was signed with'),
    result: TaskResult.nullable().describe('as the agent reported it'),
  })
  .describe('a task for an agent');
export type AgentTaskView = z.infer<typeof AgentTaskView>;

export const AgentTaskList = z.object({ tasks: z.array(AgentTaskView).describe('newest first') });

export const AgentTaskQuery = z.strictObject({
  state: z.enum(taskStates).optional().describe('only tasks in this state'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('at most this many'),
});

export const TaskEventQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(-1).optional().describe('only events after this seq'),
});

export const TaskEventList = z.object({
  events: z.array(TaskEvent).describe('in seq order'),
  nextAfterSeq: z.number().int().nullable().describe('pass as afterSeq for more; null: none yet'),
});

// ---------------------------------------------------------------------------------------------
// Agent routes: the answers the protocol leaves to the server

export const InventoryReceipt = z
  .object({
    snapshotId: z.string().describe('the inventory snapshot it became'),
    packageCount: z.number().int(),
    warnings: z.array(z.string()),
  })
  .describe('an inventory report stored as the asset’s current snapshot');

export const UpdatesReceipt = z
  .object({
    updates: z.number().int().describe('available updates'),
    securityUpdates: z.number().int().describe('of which from a security archive'),
  })
  .describe('an available-updates report stored for the asset');

export const EventsReceipt = z
  .object({
    accepted: z.number().int().describe('new events stored'),
    duplicates: z.number().int().describe('events with a seq already stored (ignored)'),
  })
  .describe('task events received');

export const ResultReceipt = z
  .object({
    taskId: z.string(),
    state: z.string().describe('the task’s state now'),
    duplicate: z.boolean().describe('true: the result was already recorded; nothing changed'),
  })
  .describe('a task result received');

export const TaskPollQuery = z.strictObject({
  waitSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(55)
    .default(0)
    .describe('wait this long for a task when none is queued (0–55)'),
});

export const ReportHeaders = z.object({
  'patchgate-task-id': z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('the task that produced this report (e.g. a rescan), when one did'),
});
