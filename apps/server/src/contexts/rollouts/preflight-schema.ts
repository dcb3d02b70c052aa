/** The pre-flight API's documents (zod, OpenAPI; ADR 0039). */
import { z } from 'zod';

export const preflightHostStatuses = ['pending', 'passed', 'failed', 'no-agent'] as const;
export type PreflightHostStatus = (typeof preflightHostStatuses)[number];
export const preflightRunStates = ['pending', 'passed', 'failed'] as const;
export type PreflightRunState = (typeof preflightRunStates)[number];
export const preflightTriggers = ['submitted', 'on-demand'] as const;
export type PreflightTrigger = (typeof preflightTriggers)[number];

const PackageTarget = z.object({ name: z.string(), version: z.string() });
const Change = z.object({ name: z.string(), from: z.string(), to: z.string() });

export const PreflightSimulation = z
  .object({
    install: z.array(PackageTarget).describe('packages newly installed'),
    upgrade: z.array(Change),
    downgrade: z.array(Change),
    remove: z
      .array(z.object({ name: z.string(), version: z.string().nullable() }))
      .describe('packages the install would remove: fails the pre-flight'),
    held: z.array(z.string()).describe('held packages apt keeps back'),
    newDependencies: z.array(z.string()).describe('installed only as dependencies'),
    servicesNeedingRestart: z.array(z.string()),
    problems: z.array(z.string()).describe('conflicts, unmet dependencies…: fail the pre-flight'),
  })
  .describe('what apt-get -s says the install would do on the host');

export const PreflightHost = z.object({
  assetId: z.string(),
  assetName: z.string(),
  status: z
    .enum(preflightHostStatuses)
    .describe('pending (task queued), passed, failed (removal, conflict, error) or no-agent'),
  agentId: z.string().nullable(),
  taskId: z.string().nullable(),
  packages: z.array(PackageTarget).describe('the patches simulated, exact versions'),
  simulation: PreflightSimulation.nullable(),
  detail: z.string().nullable().describe('why it failed, or why it was not checked'),
  finishedAt: z.string().nullable(),
});
export type PreflightHost = z.infer<typeof PreflightHost>;

export const PreflightRun = z.object({
  id: z.string(),
  trigger: z.enum(preflightTriggers).describe('submitted (automatic) or on-demand'),
  state: z
    .enum(preflightRunStates)
    .describe('failed: any host failed; pending: any host still runs; else passed'),
  requestedBy: z.object({ id: z.string().nullable(), name: z.string() }),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const PreflightReport = z.object({
  change: z.object({ id: z.string(), number: z.string(), state: z.string() }),
  run: PreflightRun.nullable().describe('the latest run; null when none was requested'),
  hosts: z.array(PreflightHost),
  warnings: z.array(z.string()).describe('each failed or unchecked host and why, for the CAB'),
});
export type PreflightReport = z.infer<typeof PreflightReport>;
