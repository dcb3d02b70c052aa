/** The rollouts API's schemas: strict inputs, every field described (they become OpenAPI). */
import { rolloutPhases } from '@patchgate/rollout';
import { z } from 'zod';

const reason = z.string().trim().min(1).max(4000).optional().describe('why (audited)');

export const RolloutIdParams = z.strictObject({
  id: z.string().min(1).max(200).describe('the rollout’s id, or its change (id or CHG-0042)'),
});
export const ChangeRefParams = z.strictObject({
  id: z.string().min(1).max(200).describe('the change’s id or number (CHG-0042)'),
});
export const WaveParams = z.strictObject({
  id: RolloutIdParams.shape.id,
  wave: z.string().min(1).max(200).describe('the wave’s name'),
});

export const StartRolloutBody = z.strictObject({
  dryRun: z
    .boolean()
    .default(false)
    .describe('simulate every task (apt-get -s); the change does not move'),
  offlineHosts: z
    .enum(['skip', 'wait'])
    .default('wait')
    .describe('hosts offline or without an agent before they start: skip them, or wait for them'),
  reboot: z
    .enum(['never', 'if-required'])
    .default('never')
    .describe('reboot a host when its install leaves /run/reboot-required'),
  reason,
});
export type StartRolloutBody = z.infer<typeof StartRolloutBody>;

export const RolloutActionBody = z.strictObject({ reason });
export type RolloutActionBody = z.infer<typeof RolloutActionBody>;

export const RolloutListQuery = z.strictObject({
  phase: z.enum(rolloutPhases).optional().describe('only rollouts in this phase'),
  change: z.string().min(1).max(200).optional().describe('only this change’s (id or CHG-0042)'),
  dryRun: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('only dry runs (true) or only real rollouts (false)'),
  cursor: z.string().min(1).max(500).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('page size, at most 500'),
});

const packageVersion = z.strictObject({
  name: z.string().describe('package'),
  version: z.string().nullable().describe('version (null: not installed)'),
});

export const HostTask = z.strictObject({
  key: z.string().describe('the task’s idempotency key: rollout:asset:kind[:wave]:attempt'),
  kind: z.enum(['install', 'health-check', 'rollback']),
  scope: z.enum(['host', 'wave']).describe('wave: part of the wave’s checks after its bake'),
  attempt: z.int(),
  agentTaskId: z.string().nullable().describe('null while the host has no agent'),
  state: z.enum(['waiting-agent', 'queued', 'finished', 'cancelled']),
  outcome: z
    .string()
    .nullable()
    .describe('succeeded, failed, rejected, expired; or pass, fail, inconclusive'),
  agentState: z.string().nullable().describe('the agent task’s state'),
  error: z.string().nullable().describe('why the agent task failed or was rejected'),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type HostTask = z.infer<typeof HostTask>;

export const RolloutHost = z.strictObject({
  assetId: z.string(),
  name: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'rolled_back', 'skipped']),
  checks: z.string().describe('none, requested, inconclusive'),
  rollback: z.string().describe('none, awaiting-install, requested, failed'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  before: z.array(packageVersion).describe('the targets’ versions before the install'),
  after: z.array(packageVersion).describe('the targets’ versions after the install'),
  restored: z.array(packageVersion).describe('versions after a rollback'),
  backup: z
    .strictObject({
      backupId: z.string(),
      createdAt: z.string(),
      expiresAt: z.string().describe('the agent removes it from the host after this'),
      packages: z.int().describe('installed packages whose versions it recorded'),
      archive: z
        .strictObject({
          path: z.string().describe('on the host'),
          sha256: z.string(),
          bytes: z.int(),
          files: z.int(),
          paths: z.array(z.string()).describe('what it holds'),
        })
        .nullable()
        .describe('the archive of the backup plan’s paths; null when the plan copies none'),
      hooks: z.array(z.strictObject({ name: z.string(), exitCode: z.int().nullable() })),
    })
    .nullable()
    .describe('the backup the agent took before the install (its manifest, kept as evidence)'),
  tasks: z.array(HostTask),
});
export type RolloutHost = z.infer<typeof RolloutHost>;

export const RolloutWave = z.strictObject({
  name: z.string(),
  state: z.enum(rolloutPhases),
  gate: z.enum(['auto', 'manual']),
  releasedBy: z.string().nullable(),
  concurrency: z.int(),
  failureThreshold: z.int(),
  onFailure: z.string(),
  checks: z
    .string()
    .describe('the wave’s own checks: none, requested, inconclusive, passed, failed'),
  startedAt: z.string().nullable(),
  bakeUntil: z.string().nullable(),
  finishedAt: z.string().nullable(),
  counts: z.record(z.string(), z.int()).describe('hosts per state'),
  hosts: z.array(RolloutHost),
});

export const RolloutSummary = z.strictObject({
  id: z.string(),
  change: z.strictObject({
    id: z.string(),
    number: z.string(),
    title: z.string(),
    state: z.string(),
  }),
  dryRun: z.boolean(),
  phase: z.enum(rolloutPhases),
  reason: z.string().nullable().describe('why it is paused, halted, aborted or rolled back'),
  currentWave: z.string().nullable(),
  options: z.strictObject({
    offlineHosts: z.enum(['skip', 'wait']),
    reboot: z.enum(['never', 'if-required']),
  }),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
  version: z.int().describe('bumped by every change of state'),
  leaseOwner: z.string().nullable().describe('the server replica driving it'),
});
export type RolloutSummary = z.infer<typeof RolloutSummary>;

export const RolloutDetail = RolloutSummary.extend({
  planned: z.strictObject({ start: z.string().nullable(), end: z.string().nullable() }),
  waves: z.array(RolloutWave),
  lastEventSeq: z.int(),
});
export type RolloutDetail = z.infer<typeof RolloutDetail>;

export const RolloutList = z.strictObject({
  rollouts: z.array(RolloutSummary),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last'),
});
export type RolloutList = z.infer<typeof RolloutList>;

export const RolloutEventRecord = z.strictObject({
  seq: z.int(),
  at: z.string(),
  phase: z.string(),
  actor: z.string(),
  event: z.record(z.string(), z.unknown()).describe('the engine event'),
  commands: z.array(z.record(z.string(), z.unknown())).describe('what the engine answered'),
});
export type RolloutEventRecord = z.infer<typeof RolloutEventRecord>;
