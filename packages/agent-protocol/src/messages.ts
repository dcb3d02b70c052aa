/**
 * The agent protocol, version 1: every message between the Patchgate server and a host agent.
 * The agent only ever calls the server (long-poll, no inbound port on the host). Both sides
 * parse with these schemas; the fleet simulator speaks them too.
 *
 * Security model (docs/adr/0035-agent-protocol.md):
 * - enrolment spends a one-time, expiring enrolment token (`pge_…`) and returns the agent's own
 *   credential (`pga_…`, stored hashed by the server) and the server's task-signing public keys;
 * - every later call carries `Authorization: Bearer pga_…` and `Patchgate-Agent-Protocol: 1`;
 * - every task is an envelope: the payload as a JSON *string* and an Ed25519 signature over its
 *   UTF-8 bytes. The agent verifies the signature with a key it pinned at enrolment, that the
 *   payload names this agent, and that it has not expired (with the clock offset it measured
 *   from `serverTime`), before it parses the payload with `TaskPayload`.
 */
import { BackupPlan, HealthCheck, RollbackStep } from '@patchgate/changes';
import { z } from 'zod';

export const protocolVersion = 1;
export const protocolHeader = 'patchgate-agent-protocol';
export const enrolmentTokenPrefix = 'pge_';
export const agentCredentialPrefix = 'pga_';

/** The routes, relative to the server's base URL. `:taskId` is the task's id. */
export const agentRoutes = {
  enrol: '/api/v1/agent/enrol',
  heartbeat: '/api/v1/agent/heartbeat',
  /** text/plain (gzip accepted): the dpkg status file, `rpm -qa` or `apk info -v` output as is. */
  inventory: '/api/v1/agent/inventory',
  /** text/plain: `apt list --upgradable` (or `apt-get -s upgrade`) output as printed. */
  availableUpdates: '/api/v1/agent/available-updates',
  /** GET with `?waitSeconds=N` (0–55): answers at once when a task is queued, else after N s. */
  tasks: '/api/v1/agent/tasks',
  taskEvents: '/api/v1/agent/tasks/:taskId/events',
  taskResult: '/api/v1/agent/tasks/:taskId/result',
} as const;

/** Largest waitSeconds a long-poll may ask for (below common proxy timeouts of 60 s). */
export const maxWaitSeconds = 55;

const isoTime = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(200);
const packageName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9+.:_-]*$/i, { error: 'expected a package name' });
const packageVersion = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.+:~^-]+$/, { error: 'expected a package version' });
const line = z.string().max(4000);

export const OsFacts = z
  .strictObject({
    id: z.string().max(64).describe('os-release ID, e.g. debian'),
    versionId: z.string().max(64).optional().describe('os-release VERSION_ID, e.g. 12'),
    prettyName: z.string().max(200).optional().describe('os-release PRETTY_NAME'),
  })
  .describe('the host operating system, from /etc/os-release');
export type OsFacts = z.infer<typeof OsFacts>;

// ---------------------------------------------------------------------------------------------
// Enrolment

export const EnrolRequest = z.strictObject({
  token: z.string().min(10).max(200).describe('the one-time enrolment token, pge_…'),
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w.-]+$/, { error: 'expected a host name' })
    .describe('the asset name the agent reports as (an existing asset of that name is linked)'),
  hostname: z.string().max(253).optional().describe('the host’s own host name'),
  os: OsFacts.optional(),
  architecture: z.string().max(32).optional().describe('e.g. amd64'),
  agentVersion: z.string().max(64).describe('the agent’s version'),
  packageManagers: z
    .array(z.enum(['apt', 'dnf', 'apk']))
    .max(3)
    .default([])
    .describe('package managers found on the host'),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

export const SigningKey = z.strictObject({
  keyId: z.string().min(1).max(100).describe('names the key in task envelopes'),
  publicKey: z.string().min(1).max(2000).describe('Ed25519 public key, SPKI PEM'),
});
export type SigningKey = z.infer<typeof SigningKey>;

export const EnrolResponse = z.strictObject({
  agentId: id,
  assetId: id,
  assetName: z.string(),
  credential: z.string().describe('the agent’s own bearer credential, pga_…; shown once'),
  signingKeys: z.array(SigningKey).min(1).describe('keys tasks are signed with'),
  pollSeconds: z.int().min(1).max(maxWaitSeconds).describe('waitSeconds to use on long-polls'),
  heartbeatSeconds: z.int().min(5).max(3600).describe('how often to send a heartbeat'),
  serverTime: isoTime,
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

// ---------------------------------------------------------------------------------------------
// Heartbeat

export const Heartbeat = z.strictObject({
  sentAt: isoTime.describe('the agent’s clock when sent (the server measures the skew)'),
  agentVersion: z.string().max(64),
  bootId: z.string().max(100).optional().describe('changes on every boot (reboots are seen)'),
  rebootRequired: z.boolean().describe('/run/reboot-required exists'),
  rebootPackages: z.array(packageName).max(1000).default([]).describe('/run/reboot-required.pkgs'),
  servicesNeedingRestart: z
    .array(z.string().max(256))
    .max(1000)
    .default([])
    .describe('from needrestart when installed'),
  queuedResults: z.int().min(0).describe('results and events waiting on disk to be sent'),
  runningTaskId: id.nullable().default(null).describe('the task being executed, if any'),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const HeartbeatResponse = z.strictObject({
  serverTime: isoTime,
  /** The server wants a fresh inventory and available-updates report (none yet, or stale). */
  inventoryWanted: z.boolean(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

// ---------------------------------------------------------------------------------------------
// Tasks

export const PackageTarget = z.strictObject({
  name: packageName,
  version: packageVersion.describe('the exact version to install'),
});
export type PackageTarget = z.infer<typeof PackageTarget>;

/** A package's version on the host; null = not installed (a rollback removes it). */
export const PackageVersion = z.strictObject({
  name: packageName,
  version: packageVersion.nullable(),
});
export type PackageVersion = z.infer<typeof PackageVersion>;

export const taskKinds = ['preflight', 'install', 'health-check', 'rollback', 'rescan'] as const;
export type TaskKind = (typeof taskKinds)[number];

const taskCommon = {
  taskId: id,
  agentId: id.describe('the agent this task is for; any other agent refuses it'),
  issuedAt: isoTime,
  notAfter: isoTime.describe('the agent refuses the task after this (server clock)'),
  idempotencyKey: id.describe('the same key is never applied twice by one agent'),
  /** What the task belongs to, for logs and backups (e.g. the change and the rollout). */
  changeId: id.nullable().default(null),
  rolloutId: id.nullable().default(null),
  dryRun: z.boolean().default(false).describe('simulate everything (apt-get -s), change nothing'),
  timeoutSeconds: z.int().min(1).max(86_400).default(3600).describe('the whole task’s limit'),
};

export const TaskPayload = z.discriminatedUnion('kind', [
  z.strictObject({
    ...taskCommon,
    kind: z.literal('preflight').describe('simulate the install: what changes, what breaks'),
    packages: z.array(PackageTarget).min(1).max(1000),
  }),
  z.strictObject({
    ...taskCommon,
    kind: z
      .literal('install')
      .describe('pre-checks (a simulation), backup, install exact versions, reboot, rescan'),
    packages: z.array(PackageTarget).min(1).max(1000),
    backup: BackupPlan.nullable().describe('null: only the package selection is recorded'),
    reboot: z
      .enum(['never', 'if-required'])
      .default('never')
      .describe('reboot when the install leaves /run/reboot-required'),
    /** A simulation that would remove a package or meet a conflict fails the task unpatched. */
    allowRemovals: z.boolean().default(false),
  }),
  z.strictObject({
    ...taskCommon,
    kind: z.literal('health-check').describe('run the checks, retrying, then observe'),
    checks: z.array(HealthCheck).max(20),
    observationSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(0)
      .describe('after the first pass, the checks must keep passing this long'),
  }),
  z.strictObject({
    ...taskCommon,
    kind: z.literal('rollback').describe('return the host to its state before an install task'),
    installTaskId: id.describe('the install task being undone (its backup is used)'),
    packages: z
      .array(PackageVersion)
      .max(1000)
      .nullable()
      .describe('the exact prior versions; null: take them from the install’s backup manifest'),
    steps: z.array(RollbackStep).min(1).max(50),
  }),
  z.strictObject({
    ...taskCommon,
    kind: z.literal('rescan').describe('send a fresh inventory and available-updates report'),
  }),
]);
export type TaskPayload = z.infer<typeof TaskPayload>;
export type TaskPayloadOf<K extends TaskKind> = Extract<TaskPayload, { kind: K }>;

/** What the server sends: the payload exactly as signed. */
export const TaskEnvelope = z.strictObject({
  taskId: id,
  keyId: z.string().min(1).max(100),
  payload: z.string().min(2).max(1_000_000).describe('TaskPayload as JSON text'),
  signature: z.string().min(1).max(200).describe('Ed25519 over the payload’s UTF-8, base64'),
});
export type TaskEnvelope = z.infer<typeof TaskEnvelope>;

export const TaskPoll = z.strictObject({
  serverTime: isoTime,
  tasks: z.array(TaskEnvelope).max(100),
});
export type TaskPoll = z.infer<typeof TaskPoll>;

// ---------------------------------------------------------------------------------------------
// Task events (streamed log lines) and results

export const stepNames = [
  'verify',
  'pre-checks',
  'simulate',
  'backup',
  'install',
  'health-checks',
  'observe',
  'reboot',
  'post-checks',
  'rollback',
  'restore-paths',
  'command',
  'rescan',
] as const;
export type StepName = (typeof stepNames)[number];

export const TaskEvent = z.strictObject({
  seq: z.int().min(0).describe('per task, from 0; the server ignores a seq it already has'),
  at: isoTime,
  type: z.enum(['step-started', 'step-finished', 'log']),
  step: z.enum(stepNames).optional(),
  stream: z.enum(['stdout', 'stderr', 'agent']).optional(),
  line: line.optional(),
});
export type TaskEvent = z.infer<typeof TaskEvent>;

export const TaskEventBatch = z.strictObject({ events: z.array(TaskEvent).min(1).max(1000) });
export type TaskEventBatch = z.infer<typeof TaskEventBatch>;

export const StepResult = z.strictObject({
  name: z.enum(stepNames),
  outcome: z.enum(['succeeded', 'failed', 'skipped']),
  startedAt: isoTime,
  finishedAt: isoTime,
  detail: z.string().max(2000).optional().describe('why it failed or was skipped'),
  logTail: z.array(line).max(50).default([]).describe('the last lines of its output'),
});
export type StepResult = z.infer<typeof StepResult>;

export const Simulation = z.strictObject({
  install: z.array(PackageTarget).max(10_000).describe('packages newly installed'),
  upgrade: z
    .array(z.strictObject({ name: packageName, from: packageVersion, to: packageVersion }))
    .max(10_000),
  downgrade: z
    .array(z.strictObject({ name: packageName, from: packageVersion, to: packageVersion }))
    .max(10_000),
  remove: z.array(PackageVersion).max(10_000).describe('packages the install would remove'),
  held: z.array(packageName).max(10_000).describe('held packages apt keeps back'),
  newDependencies: z.array(packageName).max(10_000).describe('installed only as dependencies'),
  servicesNeedingRestart: z.array(z.string().max(256)).max(1000),
  problems: z.array(z.string().max(2000)).max(100).describe('conflicts, unmet dependencies…'),
});
export type Simulation = z.infer<typeof Simulation>;

export const BackupManifest = z.strictObject({
  backupId: id,
  installTaskId: id,
  createdAt: isoTime,
  expiresAt: isoTime.describe('removed from the host after this (retention)'),
  /** Every installed package and its version before the change (the downgrade targets). */
  packages: z.array(PackageVersion).max(100_000),
  archive: z
    .strictObject({
      path: z.string().max(4096).describe('on the host'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.int().min(0),
      paths: z.array(z.string().max(4096)).max(100).describe('what it holds'),
      files: z.int().min(0),
    })
    .nullable(),
  hooks: z
    .array(z.strictObject({ name: z.string().max(200), exitCode: z.int().nullable() }))
    .max(20),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

export const CheckResult = z.strictObject({
  name: z.string().max(200),
  kind: z.enum(['command', 'http', 'systemd', 'tcp']),
  passed: z.boolean(),
  attempts: z.int().min(0),
  detail: z.string().max(2000).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const healthVerdicts = ['pass', 'fail', 'inconclusive'] as const;

export const ResultData = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('preflight'),
    ok: z.boolean().describe('false when the simulation removes a package or has problems'),
    simulation: Simulation,
  }),
  z.strictObject({
    kind: z.literal('install'),
    simulation: Simulation.nullable(),
    /** The targets' versions before and after (null: not installed). */
    before: z.array(PackageVersion).max(10_000),
    after: z.array(PackageVersion).max(10_000),
    backup: BackupManifest.nullable(),
    rebootRequired: z.boolean(),
    rebooted: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('health-check'),
    /** inconclusive: a check could not run (timeout of the tool itself, unknown unit manager…). */
    verdict: z.enum(healthVerdicts),
    checks: z.array(CheckResult).max(20),
  }),
  z.strictObject({
    kind: z.literal('rollback'),
    restored: z.array(PackageVersion).max(10_000).describe('versions after the rollback'),
    pathsRestored: z.array(z.string().max(4096)).max(100),
  }),
  z.strictObject({ kind: z.literal('rescan') }),
]);
export type ResultData = z.infer<typeof ResultData>;

export const taskOutcomes = ['succeeded', 'failed', 'rejected'] as const;
export type TaskOutcome = (typeof taskOutcomes)[number];

export const TaskResult = z.strictObject({
  idempotencyKey: id.describe('the task’s key; a repeated result is accepted once'),
  /** rejected: the agent refused the task (bad signature, another agent's, expired, replay). */
  outcome: z.enum(taskOutcomes),
  startedAt: isoTime,
  finishedAt: isoTime,
  steps: z.array(StepResult).max(50),
  data: ResultData.nullable().describe('null when rejected or failed before any data'),
  error: z.string().max(2000).optional().describe('why it failed or was rejected'),
  dryRun: z.boolean().default(false),
});
export type TaskResult = z.infer<typeof TaskResult>;
