/**
 * The contract between the agent's runtime (protocol, queue, journal: `apps/agent/src/`) and
 * its executors (what a task does on the host: `apps/agent/src/executors/`). The runtime
 * verifies and parses a task, then calls `executeTask`; it never runs a package manager itself.
 */
import type {
  OsFacts,
  ResultData,
  StepName,
  StepResult,
  TaskPayload,
} from '@patchgate/agent-protocol';

export interface ExecutionContext {
  /** The host's root: a sandbox root directory, or `/` on a real host. */
  readonly root: string;
  /** The agent's own state folder (backups live under `${stateDir}/backups`). */
  readonly stateDir: string;
  /** One line of a step's output, streamed to the server as a task event. */
  log(step: StepName, stream: 'stdout' | 'stderr' | 'agent', line: string): void;
  /** Aborted when the task's timeout passes or the agent stops. */
  readonly signal: AbortSignal;
  now(): Date;
}

export interface Execution {
  readonly outcome: 'succeeded' | 'failed';
  readonly steps: StepResult[];
  readonly data: ResultData | null;
  readonly error?: string;
}

export interface HostFacts {
  readonly os: OsFacts | undefined;
  readonly architecture: string | undefined;
  readonly packageManagers: ('apt' | 'dnf' | 'apk')[];
  readonly rebootRequired: boolean;
  readonly rebootPackages: string[];
  readonly servicesNeedingRestart: string[];
}

/** What the host has installed, in a text format the server's inventory parsers detect. */
export interface InventoryReport {
  /** e.g. `dpkg-status` (the `var/lib/dpkg/status` file as is). */
  readonly format: string;
  readonly body: string;
}

export interface Executors {
  /** Runs one verified task; never throws for a failure on the host (it is a failed result). */
  executeTask(task: TaskPayload, ctx: ExecutionContext): Promise<Execution>;
  collectInventory(ctx: ExecutionContext): Promise<InventoryReport | null>;
  /** `apt list --upgradable` output (null when the host has no supported package manager). */
  collectAvailableUpdates(ctx: ExecutionContext): Promise<string | null>;
  hostFacts(ctx: ExecutionContext): Promise<HostFacts>;
}
