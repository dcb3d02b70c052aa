/**
 * A change's plans as data (ADR 0026): what is tested and how it went, what is backed up, how it
 * is deployed (waves within rings), how it is rolled back, who is told what, and who does what.
 * The server stores `ChangePlans` as JSON, the CLI reads it from `--plan FILE`
 * (`parsePlansDocument`), the rollout engine executes `resolveWaves`' output.
 *
 * Schemas are strict (unknown keys are errors), every field is described, every string and list
 * is bounded; a schema and its inferred type share a name. Checks that need several fields of one
 * plan (duplicate wave names, rings naming unknown waves) are refinements of the schema, so a bad
 * plan is refused with its path wherever it enters. Checks that need the change's type or the
 * other plans are `validatePlans`, asked before a change leaves draft.
 */
import type { AssetFacts, AssetSelector } from '@patchgate/model';
import {
  criticalities,
  environments,
  exposures,
  matchesSelector,
  parseSelector,
} from '@patchgate/model';
import { describeValue, formatPath, parseJson, parseYaml, valueAt } from '@patchgate/safe-parse';
import { z } from 'zod';
import type { ChangeType } from './vocabulary.ts';

export { formatPath } from '@patchgate/safe-parse';

// ---------------------------------------------------------------------------------------------
// Building blocks

const name = z.string().trim().min(1).max(64);
const label = z.string().trim().min(1).max(200);
const longText = z.string().trim().min(1).max(4000);
const command = z.string().trim().min(1).max(2000);
const absolutePath = z
  .string()
  .max(1024)
  .regex(/^\/\S*$/, { error: 'expected an absolute path such as /etc or /var/lib/app' });

/**
 * A count, or a percentage written `25%` (of the wave's assets for concurrency and failure
 * thresholds, of the remaining scope for a wave's share).
 */
export const CountOrPercent = z
  .union([
    z.int().min(0).max(100_000),
    z.string().regex(/^(100(\.0{1,2})?|[1-9]?\d(\.\d{1,2})?)%$/, {
      error: 'expected a percentage from 0% to 100%',
    }),
  ])
  .describe('a number, or a percentage written like "25%"');
export type CountOrPercent = z.infer<typeof CountOrPercent>;

/** `amount` of `total`: a count as it is (at most total), a percentage rounded up or down. */
export function amountOf(amount: CountOrPercent, total: number, round: 'up' | 'down'): number {
  if (typeof amount === 'number') return Math.min(amount, total);
  const exact = (Number.parseFloat(amount) * total) / 100;
  // 1e-9 absorbs floating error (e.g. 10% of 30 = 3.0000000000000004 must stay 3).
  return Math.max(0, round === 'up' ? Math.ceil(exact - 1e-9) : Math.floor(exact + 1e-9));
}

/** The object form of `@patchgate/model`'s AssetSelector (every field ANDed, values ORed). */
export const PlanAssetSelector = z
  .strictObject({
    names: z.array(label).min(1).max(1000).optional().describe('asset names or ids'),
    environments: z.array(z.enum(environments)).min(1).optional().describe('asset environments'),
    criticalities: z.array(z.enum(criticalities)).min(1).optional().describe('asset criticalities'),
    exposures: z.array(z.enum(exposures)).min(1).optional().describe('asset exposures'),
    teams: z.array(label).min(1).max(100).optional().describe('owning teams'),
    tags: z.array(label).min(1).max(100).optional().describe('asset tags (any of them)'),
    groups: z.array(label).min(1).max(100).optional().describe('asset groups (any of them)'),
  })
  .describe('which assets: every field given must hold; within a field any value may match');
export type PlanAssetSelector = z.infer<typeof PlanAssetSelector>;

/** A file attached to evidence, stored elsewhere and named by its content hash. */
export const Attachment = z.strictObject({
  name: label.describe('file name as uploaded'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex digits' })
    .describe('SHA-256 of the content, lower-case hex'),
  size: z
    .int()
    .min(0)
    .max(1024 * 1024 * 1024)
    .describe('size in bytes (at most 1 GiB)'),
});
export type Attachment = z.infer<typeof Attachment>;

// ---------------------------------------------------------------------------------------------
// Test plan and evidence

export const TestPlan = z
  .strictObject({
    summary: longText.describe('what is tested and why that is enough'),
    environments: z
      .array(z.enum(environments))
      .max(environments.length)
      .default([])
      .describe('environments the change is tested in before production'),
    steps: z
      .array(
        z.strictObject({
          description: longText.describe('what to do'),
          expectedResult: longText.describe('what must be observed for the step to pass'),
        }),
      )
      .max(100)
      .default([])
      .describe('manual test steps, in order'),
    automatedSuites: z
      .array(label)
      .max(50)
      .default([])
      .describe('automated suites or pipelines that must pass (by name)'),
  })
  .describe('how the change is tested before it reaches production');
export type TestPlan = z.infer<typeof TestPlan>;

const attachments = z
  .array(Attachment)
  .max(20)
  .default([])
  .describe('attached files (reports, screenshots) by hash');

export const TestEvidence = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('automated').describe('results of an automated suite'),
      suite: label.describe('suite or pipeline name'),
      passed: z.int().min(0).max(1_000_000).describe('tests passed'),
      failed: z.int().min(0).max(1_000_000).describe('tests failed'),
      skipped: z.int().min(0).max(1_000_000).default(0).describe('tests skipped'),
      ranAt: z.iso.datetime({ offset: true }).describe('when the suite ran (ISO 8601)'),
      reportUrl: z
        .url({ protocol: /^https?$/ })
        .max(2000)
        .optional()
        .describe('link to the run'),
      attachments,
    }),
    z.strictObject({
      kind: z.literal('manual').describe('a person tested and signs off'),
      signedOffBy: label.describe('who signs off (user id or name)'),
      signedOffAt: z.iso.datetime({ offset: true }).describe('when (ISO 8601)'),
      outcome: z.enum(['passed', 'failed']).describe('the tester’s verdict'),
      notes: longText.describe('what was tested and observed'),
      attachments,
    }),
  ])
  .describe('evidence that the change was tested: automated results or a manual sign-off');
export type TestEvidence = z.infer<typeof TestEvidence>;

// ---------------------------------------------------------------------------------------------
// Backup plan

export const BackupPlan = z
  .strictObject({
    packageSelection: z
      .boolean()
      .default(true)
      .describe('record the installed package versions before the change (to downgrade to)'),
    paths: z
      .array(absolutePath)
      .max(100)
      .default([])
      .describe('paths copied before the change, e.g. /etc'),
    hooks: z
      .array(
        z.strictObject({
          name: name.describe('hook name'),
          command: command.describe('command run on the asset before the change, e.g. a dump'),
          timeoutSeconds: z.int().min(1).max(86_400).default(600).describe('give up after this'),
        }),
      )
      .max(20)
      .default([])
      .describe('backup commands run before the change'),
    restore: longText.describe('how to restore from this backup'),
    retentionDays: z.int().min(1).max(3650).default(30).describe('how long the backup is kept'),
  })
  .describe('what is backed up before the change and how to restore it');
export type BackupPlan = z.infer<typeof BackupPlan>;

// ---------------------------------------------------------------------------------------------
// Deployment plan

const checkTiming = {
  retries: z.int().min(0).max(20).default(3).describe('attempts after the first failure'),
  intervalSeconds: z.int().min(1).max(3600).default(10).describe('seconds between attempts'),
  timeoutSeconds: z.int().min(1).max(3600).default(5).describe('seconds one attempt may take'),
};

export const HealthCheck = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('command').describe('run a command on the asset'),
      name: name.optional().describe('label shown in the rollout'),
      command: command.describe('command run on the asset'),
      expectExitCode: z.int().min(0).max(255).default(0).describe('exit code meaning healthy'),
      ...checkTiming,
    }),
    z.strictObject({
      kind: z.literal('http').describe('an HTTP probe from the asset'),
      name: name.optional().describe('label shown in the rollout'),
      url: z
        .string()
        .max(2000)
        .regex(/^https?:\/\/\S+$/, { error: 'expected an http:// or https:// URL' })
        .describe('URL probed from the asset, e.g. http://localhost:8080/health'),
      expectStatus: z.int().min(100).max(599).default(200).describe('status meaning healthy'),
      bodyContains: z.string().min(1).max(200).optional().describe('text the body must contain'),
      ...checkTiming,
    }),
    z.strictObject({
      kind: z.literal('systemd').describe('a systemd unit must be active'),
      name: name.optional().describe('label shown in the rollout'),
      unit: z
        .string()
        .max(256)
        .regex(/^[\w@:.\\-]+$/, { error: 'expected a systemd unit name such as nginx.service' })
        .describe('unit name, e.g. nginx.service'),
      ...checkTiming,
    }),
    z.strictObject({
      kind: z.literal('tcp').describe('a TCP port must accept connections'),
      name: name.optional().describe('label shown in the rollout'),
      host: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[\w.:-]+$/, { error: 'expected a host name or address' })
        .default('localhost')
        .describe('host, as seen from the asset'),
      port: z.int().min(1).max(65_535).describe('TCP port'),
      ...checkTiming,
    }),
  ])
  .describe('a check that must pass on each asset after it is patched');
export type HealthCheck = z.infer<typeof HealthCheck>;

export const Wave = z
  .strictObject({
    name: name.describe('wave name, unique in the plan'),
    assets: z
      .array(label)
      .min(1)
      .max(10_000)
      .optional()
      .describe('the wave’s assets by name or id (at most one of assets, selector, share)'),
    selector: PlanAssetSelector.optional().describe(
      'the wave’s assets by attributes (at most one of assets, selector, share)',
    ),
    share: CountOrPercent.optional().describe(
      'the wave’s assets as a count or percentage of the scope not yet in an earlier wave, least critical first (none of the three: everything remaining)',
    ),
    concurrency: CountOrPercent.default(1).describe(
      'assets patched at the same time (count or % of the wave, at least 1)',
    ),
    failureThreshold: CountOrPercent.default(0).describe(
      'failed assets tolerated in the wave (count or % of the wave); one more triggers onFailure',
    ),
    bakeMinutes: z
      .int()
      .min(0)
      .max(10_080)
      .default(0)
      .describe('minutes to watch the wave after it finishes before the next one starts'),
    healthChecks: z
      .array(HealthCheck)
      .max(20)
      .default([])
      .describe('checks run on each asset after patching'),
    gate: z
      .enum(['auto', 'manual'])
      .default('auto')
      .describe('manual: a person must release the wave before it starts'),
    onFailure: z
      .enum(['pause', 'rollback', 'continue'])
      .default('pause')
      .describe('what happens when the failure threshold is exceeded'),
  })
  .describe('one step of the rollout: which assets, how fast, how checked');
export type Wave = z.infer<typeof Wave>;

export const Ring = z
  .strictObject({
    name: name.describe('ring name, unique in the plan'),
    offsetDays: z
      .int()
      .min(0)
      .max(90)
      .describe('days after the change’s start; the ring starts in its assets’ next window'),
    waves: z
      .array(name)
      .min(1)
      .max(20)
      .describe('names of the plan’s waves in this ring, in order'),
  })
  .describe('a group of waves that starts a number of days after the change');
export type Ring = z.infer<typeof Ring>;

interface Problem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Structural checks of one deployment plan; paths are relative to it. */
function deploymentProblems(plan: {
  readonly waves: readonly Wave[];
  readonly rings: readonly Ring[];
}): Problem[] {
  const problems: Problem[] = [];
  const waveIndex = new Map<string, number>();
  plan.waves.forEach((wave, i) => {
    if (waveIndex.has(wave.name))
      problems.push({ path: ['waves', i, 'name'], message: `duplicate wave name ${wave.name}` });
    else waveIndex.set(wave.name, i);
    const ways = [wave.assets, wave.selector, wave.share].filter((w) => w !== undefined).length;
    if (ways > 1)
      problems.push({
        path: ['waves', i],
        message: 'give at most one of assets, selector and share',
      });
    if (wave.concurrency === 0 || wave.concurrency === '0%')
      problems.push({ path: ['waves', i, 'concurrency'], message: 'must be at least 1' });
    if (wave.share === 0 || wave.share === '0%')
      problems.push({ path: ['waves', i, 'share'], message: 'must select at least one asset' });
  });
  if (plan.rings.length === 0) return problems;
  const ringOf = new Map<string, number>();
  const ringNames = new Set<string>();
  plan.rings.forEach((ring, r) => {
    if (ringNames.has(ring.name))
      problems.push({ path: ['rings', r, 'name'], message: `duplicate ring name ${ring.name}` });
    ringNames.add(ring.name);
    const previous = plan.rings[r - 1];
    if (previous !== undefined && ring.offsetDays <= previous.offsetDays)
      problems.push({
        path: ['rings', r, 'offsetDays'],
        message: `must be later than the previous ring's (+${previous.offsetDays})`,
      });
    ring.waves.forEach((waveName, w) => {
      if (!waveIndex.has(waveName))
        problems.push({ path: ['rings', r, 'waves', w], message: `no wave named ${waveName}` });
      else if (ringOf.has(waveName))
        problems.push({
          path: ['rings', r, 'waves', w],
          message: `wave ${waveName} is already in ring ${plan.rings[ringOf.get(waveName) ?? 0]?.name}`,
        });
      else ringOf.set(waveName, r);
    });
  });
  // Rings run in order, so their waves must appear in the same order in `waves`.
  let lastRing = 0;
  plan.waves.forEach((wave, i) => {
    const ring = ringOf.get(wave.name);
    if (ring === undefined)
      problems.push({ path: ['waves', i], message: `wave ${wave.name} is in no ring` });
    else if (ring < lastRing)
      problems.push({
        path: ['waves', i],
        message: `wave ${wave.name} (ring ${plan.rings[ring]?.name}) comes after a wave of a later ring`,
      });
    else lastRing = ring;
  });
  return problems;
}

export const DeploymentPlan = z
  .strictObject({
    waves: z.array(Wave).min(1).max(20).describe('the waves, in the order they run'),
    rings: z
      .array(Ring)
      .max(10)
      .default([])
      .describe('optional rings grouping the waves with day offsets (+0, +3, +7); none: one ring'),
    estimatedMinutes: z
      .int()
      .min(1)
      .max(10_080)
      .optional()
      .describe(
        'minutes each ring needs inside its window (without rings: the rollout); default: estimateRollout',
      ),
  })
  .superRefine((plan, ctx) => {
    for (const problem of deploymentProblems(plan))
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .describe('how the change is rolled out: waves within rings');
export type DeploymentPlan = z.infer<typeof DeploymentPlan>;

// ---------------------------------------------------------------------------------------------
// Rollback plan

export const rollbackTriggers = ['health-check-failure', 'failure-threshold', 'manual'] as const;

export const RollbackStep = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z
        .literal('downgrade')
        .describe('install the exact versions recorded before the change'),
      description: label.optional().describe('note for the implementer'),
    }),
    z.strictObject({
      kind: z.literal('restore-paths').describe('restore paths from the backup plan'),
      paths: z
        .array(absolutePath)
        .min(1)
        .max(100)
        .optional()
        .describe('paths to restore; default: every path the backup plan copies'),
      description: label.optional().describe('note for the implementer'),
    }),
    z.strictObject({
      kind: z.literal('command').describe('run a command on the asset'),
      command: command.describe('the command'),
      timeoutSeconds: z.int().min(1).max(86_400).default(600).describe('give up after this'),
      description: label.optional().describe('note for the implementer'),
    }),
  ])
  .describe('one rollback step');
export type RollbackStep = z.infer<typeof RollbackStep>;

export const RollbackPlan = z
  .strictObject({
    triggers: z
      .array(z.enum(rollbackTriggers))
      .min(1)
      .max(rollbackTriggers.length)
      .describe('what starts the rollback'),
    steps: z.array(RollbackStep).min(1).max(50).describe('steps, in order, on each asset'),
    estimatedMinutes: z
      .int()
      .min(1)
      .max(1440)
      .optional()
      .describe('how long the rollback takes per wave'),
  })
  .describe('when and how the change is undone (required for normal and emergency changes)');
export type RollbackPlan = z.infer<typeof RollbackPlan>;

// ---------------------------------------------------------------------------------------------
// Communication plan and roles

export const communicationAudiences = [
  'requester',
  'implementer',
  'approvers',
  'cab',
  'service-owners',
  'operators',
  'end-users',
] as const;

export const CommunicationMessage = z
  .strictObject({
    phase: z
      .enum(['pre', 'during', 'post'])
      .describe('before the window, when it starts, after it ends'),
    audiences: z
      .array(z.enum(communicationAudiences))
      .max(communicationAudiences.length)
      .default([])
      .describe('who receives it'),
    addresses: z.array(z.email().max(254)).max(50).default([]).describe('further e-mail addresses'),
    leadMinutes: z
      .int()
      .min(0)
      .max(43_200)
      .optional()
      .describe('pre messages: minutes before the start (default 1440, a day)'),
    subject: label.describe('subject line'),
    body: longText.describe('what recipients must do before, during or after the change'),
  })
  .describe('one message of the communication plan');
export type CommunicationMessage = z.infer<typeof CommunicationMessage>;

export const CommunicationPlan = z
  .strictObject({
    messages: z.array(CommunicationMessage).max(20).describe('messages to send'),
  })
  .describe('who is told what, when');
export type CommunicationPlan = z.infer<typeof CommunicationPlan>;

const person = label.describe('user id, name or e-mail');

export const Roles = z
  .strictObject({
    requester: person.optional().describe('who asks for the change'),
    implementer: person.optional().describe('who carries it out (opens manual gates)'),
    approvers: z.array(person).max(50).default([]).describe('who is expected to approve'),
    communicator: person.optional().describe('who keeps stakeholders informed'),
    onCall: z
      .strictObject({
        name: person.describe('who'),
        contact: label.describe('how to reach them during the window (phone, pager, e-mail)'),
      })
      .optional()
      .describe('the on-call contact during the window'),
  })
  .describe('roles and responsibilities for this change');
export type Roles = z.infer<typeof Roles>;

// ---------------------------------------------------------------------------------------------
// All plans of one change

export const ChangePlans = z
  .strictObject({
    testPlan: TestPlan.optional(),
    testEvidence: z.array(TestEvidence).max(50).default([]).describe('test results so far'),
    backupPlan: BackupPlan.optional(),
    deploymentPlan: DeploymentPlan.optional(),
    rollbackPlan: RollbackPlan.optional(),
    communicationPlan: CommunicationPlan.optional(),
    roles: Roles.optional(),
  })
  .describe('the plans of a change request; a draft may leave some out');
export type ChangePlans = z.infer<typeof ChangePlans>;
/** What a client may send: fields with defaults may be left out. */
export type ChangePlansInput = z.input<typeof ChangePlans>;

export interface PlanValidation {
  readonly ok: boolean;
  /** `path: message`, e.g. `deploymentPlan.waves[1]: …`; any error blocks submission. */
  readonly errors: string[];
  /** Worth fixing but not blocking, e.g. a wave without health checks. */
  readonly warnings: string[];
}

/**
 * The checks that need the change's type and all plans together, and, when the scope is given,
 * that the waves fit it. Run before a change leaves draft (`plansValid` of TransitionFacts).
 */
export function validatePlans(
  plans: ChangePlans,
  type: ChangeType,
  scope?: readonly AssetFacts[],
): PlanValidation {
  const errors: string[] = [];
  const warnings: string[] = [];
  const error = (path: PropertyKey[], message: string) =>
    errors.push(`${formatPath(path)}: ${message}`);
  const deployment = plans.deploymentPlan;
  if (deployment === undefined) error(['deploymentPlan'], 'required');
  else {
    for (const problem of deploymentProblems(deployment))
      error(['deploymentPlan', ...problem.path], problem.message);
  }
  if (type !== 'standard' && plans.rollbackPlan === undefined)
    error(['rollbackPlan'], `required for ${type} changes`);
  if (type !== 'standard' && plans.testPlan === undefined)
    warnings.push(`testPlan: none for ${type === 'emergency' ? 'an' : 'a'} ${type} change`);
  if (type !== 'standard' && plans.testEvidence.length === 0)
    warnings.push('testEvidence: none yet (risk counts it as untested)');
  const failedEvidence = plans.testEvidence.findIndex(
    (e) =>
      (e.kind === 'automated' && e.failed > 0) || (e.kind === 'manual' && e.outcome === 'failed'),
  );
  if (failedEvidence >= 0) warnings.push(`testEvidence[${failedEvidence}]: reports failures`);
  if (plans.roles?.onCall === undefined && type !== 'standard')
    warnings.push('roles.onCall: no on-call contact during the window');

  deployment?.waves.forEach((wave, i) => {
    const path = ['deploymentPlan', 'waves', i];
    if (wave.gate === 'manual' && plans.roles?.implementer === undefined)
      error([...path, 'gate'], 'a manual gate needs roles.implementer (who releases the wave)');
    if (wave.onFailure === 'rollback' && plans.rollbackPlan === undefined)
      error([...path, 'onFailure'], 'rollback needs a rollbackPlan');
    if (wave.healthChecks.length === 0)
      warnings.push(`${formatPath([...path])}: wave ${wave.name} has no health checks`);
  });
  plans.communicationPlan?.messages.forEach((message, i) => {
    const path = ['communicationPlan', 'messages', i];
    if (message.leadMinutes !== undefined && message.phase !== 'pre')
      error([...path, 'leadMinutes'], 'only pre messages have a lead time');
    if (message.audiences.length === 0 && message.addresses.length === 0)
      warnings.push(`${formatPath(path)}: reaches nobody (no audiences, no addresses)`);
  });
  if (
    plans.rollbackPlan?.triggers.includes('health-check-failure') === true &&
    deployment !== undefined &&
    deployment.waves.every((w) => w.healthChecks.length === 0)
  )
    warnings.push('rollbackPlan.triggers: health-check-failure, but no wave has health checks');
  plans.rollbackPlan?.steps.forEach((step, i) => {
    if (step.kind !== 'restore-paths') return;
    const backedUp = plans.backupPlan?.paths ?? [];
    const path = ['rollbackPlan', 'steps', i];
    if (backedUp.length === 0) {
      error(path, 'restore-paths needs a backupPlan that copies paths');
      return;
    }
    for (const p of step.paths ?? [])
      if (!backedUp.some((b) => p === b || p.startsWith(b.endsWith('/') ? b : `${b}/`)))
        error([...path, 'paths'], `${p} is not under a path the backup plan copies`);
  });

  if (deployment !== undefined && scope !== undefined) {
    const known = new Set(scope.flatMap((a) => [a.id, a.name]));
    deployment.waves.forEach((wave, i) => {
      wave.assets?.forEach((asset, j) => {
        if (!known.has(asset))
          error(
            ['deploymentPlan', 'waves', i, 'assets', j],
            `${asset} is not in the change's scope`,
          );
      });
    });
    if (errors.length === 0) {
      const resolved = resolveWaves(deployment, scope);
      for (const r of resolved) {
        if (r.assets.length === 0)
          warnings.push(`deploymentPlan: wave ${r.wave.name} selects no asset`);
      }
      const last = resolved.at(-1);
      if (last !== undefined && last.leftovers.length > 0)
        warnings.push(
          `deploymentPlan: ${last.leftovers.length} asset(s) match no wave and join the last wave (${last.wave.name}): ${last.leftovers.join(', ')}`,
        );
    }
  }
  return { ok: errors.length === 0, errors, warnings };
}

// ---------------------------------------------------------------------------------------------
// Waves against a real scope

export interface ResolvedWave {
  /** The ring the wave belongs to (null when the plan has no rings). */
  readonly ring: string | null;
  /** Days after the change's start (the ring's offset; 0 without rings). */
  readonly offsetDays: number;
  readonly wave: Wave;
  /** Assets of the wave, each asset of the scope in exactly one wave. */
  readonly assets: AssetFacts[];
  /** Names of assets no wave selected that were put into this (the last) wave. */
  readonly leftovers: string[];
  /** `concurrency` resolved against this wave's size (at least 1). */
  readonly concurrency: number;
  /** `failureThreshold` resolved against this wave's size. */
  readonly failureThreshold: number;
}

/** Least critical first, then by name: the order percentage waves take assets in. */
const leastCriticalFirst = (a: AssetFacts, b: AssetFacts): number =>
  criticalities.indexOf(b.criticality) - criticalities.indexOf(a.criticality) ||
  (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Split the scope into the plan's waves, in order: a wave takes the assets not yet taken that it
 * names, matches, or (share) the given part of what remains, least critical first; a wave with
 * none of these takes everything remaining. Assets no wave took join the last wave. Pure: the
 * rollout engine's input.
 */
export function resolveWaves(plan: DeploymentPlan, scope: readonly AssetFacts[]): ResolvedWave[] {
  let remaining = [...scope].sort(leastCriticalFirst);
  const ringOf = new Map<string, Ring>();
  for (const ring of plan.rings) for (const w of ring.waves) ringOf.set(w, ring);
  const taken: AssetFacts[][] = plan.waves.map((wave) => {
    let mine: AssetFacts[];
    if (wave.assets !== undefined) {
      const names = new Set(wave.assets);
      mine = remaining.filter((a) => names.has(a.name) || names.has(a.id));
    } else if (wave.selector !== undefined) {
      const selector: AssetSelector = wave.selector;
      mine = remaining.filter((a) => matchesSelector(a, selector));
    } else if (wave.share !== undefined) {
      mine = remaining.slice(0, amountOf(wave.share, remaining.length, 'up'));
    } else mine = remaining;
    const set = new Set(mine);
    remaining = remaining.filter((a) => !set.has(a));
    return mine;
  });
  return plan.waves.map((wave, i) => {
    const isLast = i === plan.waves.length - 1;
    const assets = isLast ? [...(taken[i] ?? []), ...remaining] : (taken[i] ?? []);
    const ring = ringOf.get(wave.name);
    return {
      ring: ring?.name ?? null,
      offsetDays: ring?.offsetDays ?? 0,
      wave,
      assets,
      leftovers: isLast ? remaining.map((a) => a.name) : [],
      concurrency: Math.max(1, amountOf(wave.concurrency, assets.length, 'up')),
      failureThreshold: amountOf(wave.failureThreshold, assets.length, 'down'),
    };
  });
}

export interface RolloutEstimate {
  /** Per ring in order (one entry with ring null without rings): minutes needed inside a window. */
  readonly rings: {
    readonly ring: string | null;
    readonly offsetDays: number;
    readonly minutes: number;
  }[];
  /** The longest ring: what every window the change uses must hold. */
  readonly longestMinutes: number;
}

/** Minutes one asset takes to patch and check when nothing better is known. */
export const DEFAULT_MINUTES_PER_ASSET = 10;

/**
 * How long each ring takes inside its window, for the calendar's "window too short" conflict:
 * the plan's `estimatedMinutes` when given, else per wave ⌈assets / concurrency⌉ batches of
 * `minutesPerAsset` plus its bake time (a wave is watched before the next one starts; the last
 * wave's bake is counted too, since someone watches it within the window).
 */
export function estimateRollout(
  plan: DeploymentPlan,
  scope: readonly AssetFacts[],
  minutesPerAsset: number = DEFAULT_MINUTES_PER_ASSET,
): RolloutEstimate {
  const rings: { ring: string | null; offsetDays: number; minutes: number }[] = [];
  for (const wave of resolveWaves(plan, scope)) {
    let entry = rings.at(-1);
    if (entry === undefined || entry.ring !== wave.ring) {
      entry = { ring: wave.ring, offsetDays: wave.offsetDays, minutes: 0 };
      rings.push(entry);
    }
    const batches = Math.ceil(wave.assets.length / wave.concurrency);
    entry.minutes +=
      batches * minutesPerAsset + (wave.assets.length > 0 ? wave.wave.bakeMinutes : 0);
  }
  if (plan.estimatedMinutes !== undefined)
    for (const entry of rings) entry.minutes = plan.estimatedMinutes;
  return { rings, longestMinutes: Math.max(0, ...rings.map((r) => r.minutes)) };
}

// ---------------------------------------------------------------------------------------------
// Default deployment plan

export interface DefaultDeploymentPlan {
  readonly plan: DeploymentPlan;
  /** What the plan cannot know and a person must add (health checks above all). */
  readonly warnings: string[];
}

const noHealthChecks =
  'no health checks: the default plan does not invent one; add at least one per wave (command, http, systemd or tcp)';

/**
 * Waves from the scope's environments and criticality: test (test and development assets) →
 * canary (one non-critical production or staging asset) → non-critical → critical; waves the
 * scope leaves empty are left out; the first wave opens without a manual gate. Assets without
 * an environment count as production. Health
 * checks stay empty (a placeholder would pass without checking anything); a warning says so.
 */
export function defaultDeploymentPlan(scope: readonly AssetFacts[]): DefaultDeploymentPlan {
  const warnings: string[] = [];
  const isTest = (a: AssetFacts) => a.environment === 'test' || a.environment === 'development';
  const tests = scope.filter(isTest);
  const rest = scope.filter((a) => !isTest(a));
  const canary = rest.filter((a) => a.criticality !== 'critical').sort(leastCriticalFirst)[0];
  const nonCritical = rest.filter((a) => a !== canary && a.criticality !== 'critical');
  const critical = rest.filter((a) => a.criticality === 'critical');
  const base = { healthChecks: [] };
  const waves: Wave[] = [];
  if (tests.length > 0)
    waves.push({
      ...base,
      name: 'test',
      selector: { environments: ['test', 'development'] },
      concurrency: '50%',
      failureThreshold: 0,
      bakeMinutes: 60,
      gate: 'auto',
      onFailure: 'pause',
    });
  else if (scope.length > 0)
    warnings.push('no test or development asset in scope: the rollout starts with a canary');
  if (canary !== undefined)
    waves.push({
      ...base,
      name: 'canary',
      assets: [canary.name],
      concurrency: 1,
      failureThreshold: 0,
      bakeMinutes: 120,
      gate: tests.length > 0 ? 'manual' : 'auto',
      onFailure: 'rollback',
    });
  if (nonCritical.length > 0)
    waves.push({
      ...base,
      name: 'non-critical',
      selector: { criticalities: ['high', 'medium', 'low'] },
      concurrency: '25%',
      failureThreshold: '5%',
      bakeMinutes: 60,
      gate: 'manual',
      onFailure: 'pause',
    });
  if (critical.length > 0)
    waves.push({
      ...base,
      name: 'critical',
      selector: { criticalities: ['critical'] },
      concurrency: 1,
      failureThreshold: 0,
      bakeMinutes: 60,
      gate: 'manual',
      onFailure: 'rollback',
    });
  if (waves.length === 0) {
    warnings.push('no assets in scope: one wave takes whatever the scope becomes');
    waves.push({
      ...base,
      name: 'all',
      concurrency: 1,
      failureThreshold: 0,
      bakeMinutes: 0,
      gate: 'manual',
      onFailure: 'pause',
    });
  }
  // A gate releases a wave after the one before it: the first wave has none before it (the
  // change's approval and schedule release it), so a lone critical wave needs no person.
  const [first] = waves;
  if (first !== undefined) first.gate = 'auto';
  warnings.push(noHealthChecks);
  return { plan: { waves, rings: [] }, warnings };
}

// ---------------------------------------------------------------------------------------------
// The plans file (`patchgate changes create --plan FILE`, `changes plan ID FILE`)

export const plansApiVersion = 'patchgate.dev/change-plans/v1';

export type ParsePlansResult =
  | { readonly ok: true; readonly plans: ChangePlans }
  | { readonly ok: false; readonly errors: string[] };

/** The largest plans file read (a plan with 20 waves of 10,000 names each is far below). */
export const MAX_PLANS_DOCUMENT_CHARS = 1_000_000;

/** Zod issues → `path: message` lines; unknown keys are named in their path. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], data: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
    const path = formatPath(issue.path);
    if (issue.code === 'invalid_type') {
      const value = valueAt(data, issue.path);
      return [
        value === undefined
          ? `${path}: required (expected ${issue.expected})`
          : `${path}: expected ${issue.expected}, got ${describeValue(value)}`,
      ];
    }
    return [`${path}: ${issue.message}`];
  });
}

/**
 * Read a plans document, YAML or JSON (by its first character), with safe-parse's nesting limit.
 * A wave's `selector` may also be the text form (`environment=production|staging,group=web`).
 * An optional `apiVersion` must be `patchgate.dev/change-plans/v1`. Errors carry paths and never
 * quote more than a short value.
 */
export function parsePlansDocument(text: string): ParsePlansResult {
  if (text.length > MAX_PLANS_DOCUMENT_CHARS)
    return { ok: false, errors: [`larger than ${MAX_PLANS_DOCUMENT_CHARS} characters`] };
  const read = text.trimStart().startsWith('{') ? parseJson(text) : parseYaml(text);
  if (!read.ok) return { ok: false, errors: [read.error] };
  const data = read.value;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { ok: false, errors: ['(top level): expected a mapping of plans'] };
  const { apiVersion, ...rest } = data as Record<string, unknown>;
  if (apiVersion !== undefined && apiVersion !== plansApiVersion)
    return { ok: false, errors: [`apiVersion: expected ${plansApiVersion}`] };
  const errors: string[] = [];
  const waves = valueAt(rest, ['deploymentPlan', 'waves']);
  if (Array.isArray(waves)) {
    waves.forEach((wave: unknown, i) => {
      const selector = valueAt(wave, ['selector']);
      if (typeof selector !== 'string') return;
      const parsed = parseSelector(selector);
      if (parsed.ok) (wave as Record<string, unknown>).selector = parsed.selector;
      else
        errors.push(`${formatPath(['deploymentPlan', 'waves', i, 'selector'])}: ${parsed.error}`);
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const parsed = ChangePlans.safeParse(rest);
  if (!parsed.success) return { ok: false, errors: formatIssues(parsed.error.issues, rest) };
  return { ok: true, plans: parsed.data };
}
