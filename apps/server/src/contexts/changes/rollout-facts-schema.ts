/**
 * The pre-flight summary and the review's facts as the change shows them (zod, OpenAPI). The
 * rollouts context computes them (rollouts/preflight.ts, rollouts/review.ts) and hands them over
 * through `recordPreflightSummary` and `prefillReview`.
 */
import { z } from 'zod';

export const preflightStates = ['pending', 'passed', 'failed'] as const;

export const PreflightSummary = z
  .object({
    runId: z.string().describe('the pre-flight run (GET /api/v1/changes/{id}/preflight)'),
    state: z
      .enum(preflightStates)
      .describe('failed: a host would remove a package or meets a conflict (or has no agent)'),
    checkedAt: z.string().describe('when the run was requested'),
    hosts: z.object({
      total: z.number().int(),
      pending: z.number().int(),
      passed: z.number().int(),
      failed: z.number().int(),
      noAgent: z.number().int().describe('hosts without an agent: not checked'),
    }),
    warnings: z
      .array(z.string())
      .describe('for the CAB: each failed host and why (removals, conflicts, no agent)'),
  })
  .describe('the latest pre-flight of the change’s patches on its hosts');
export type PreflightSummary = z.infer<typeof PreflightSummary>;

const PackageVersion = z.object({ name: z.string(), version: z.string().nullable() });

export const ReviewHostFacts = z.object({
  assetId: z.string(),
  assetName: z.string(),
  outcome: z
    .string()
    .describe('the host’s outcome in the rollout (succeeded, failed, rolled-back…)'),
  before: z.array(PackageVersion),
  after: z.array(PackageVersion),
  versionsConfirmed: z
    .boolean()
    .nullable()
    .describe('the installed versions match the patches (null: no install result)'),
  rebootPending: z.boolean(),
});

export const ReviewFacts = z
  .object({
    rolloutId: z.string(),
    outcome: z.string().describe('completed, rolled-back, aborted or halted'),
    planned: z
      .object({ start: z.string().nullable(), end: z.string().nullable() })
      .describe('the change window'),
    actual: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
    startDelayMinutes: z
      .number()
      .nullable()
      .describe('actual start − planned start (negative: early)'),
    overrunMinutes: z
      .number()
      .nullable()
      .describe('actual end − planned end (positive: the window was overrun)'),
    waves: z.array(
      z.object({ name: z.string(), state: z.string(), hosts: z.array(ReviewHostFacts) }),
    ),
    failures: z.array(
      z.object({
        assetId: z.string(),
        assetName: z.string(),
        wave: z.string(),
        taskId: z.string().nullable(),
        kind: z.string(),
        step: z.string().nullable(),
        detail: z.string(),
        log: z.array(z.string()).describe('the last lines of the failed step’s output'),
      }),
    ),
    rollbacks: z.array(
      z.object({
        assetId: z.string(),
        assetName: z.string(),
        outcome: z.string(),
        restored: z.array(PackageVersion),
      }),
    ),
    findings: z.object({
      linked: z.number().int(),
      closed: z
        .number()
        .int()
        .describe('fixed (by this change or otherwise) when the rollout ended'),
      closedByChange: z.number().int().describe('fixed with this change as the evidence'),
      dueMet: z.number().int().describe('closed on or before their due date'),
      dueMissed: z.number().int().describe('closed after, or still open past, their due date'),
      items: z.array(
        z.object({
          findingId: z.string(),
          assetName: z.string(),
          package: z.string(),
          advisory: z.string(),
          state: z.string(),
          dueDate: z.string().nullable(),
          fixedAt: z.string().nullable(),
          fixedByChange: z.boolean(),
          due: z.enum(['met', 'missed', 'open', 'none']),
        }),
      ),
    }),
    recordedAt: z.string(),
  })
  .describe('facts of the rollout, recorded when it ended; the implementer writes the review');
export type ReviewFacts = z.infer<typeof ReviewFacts>;
