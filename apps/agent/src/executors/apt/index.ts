/**
 * The apt executors: what each task kind does on a Debian-family host (or a sandbox root),
 * with real apt-get and dpkg. See ../readme.md for the steps and ADR 0037 for the decisions.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

import type {
  PackageTarget,
  PackageVersion,
  ResultData,
  Simulation,
  TaskPayload,
  TaskPayloadOf,
} from '@patchgate/agent-protocol';

import {
  createBackup,
  findBackup,
  pruneBackups,
  restorePaths,
  type StoredBackup,
} from '../backup.ts';
import type { Execution, ExecutionContext, Executors } from '../contract.ts';
import { observe, realSleep, runChecks, type CheckEnvironment, type Sleep } from '../health.ts';
import { collectAvailableUpdates, collectInventory, hostFacts } from '../host.ts';
import { commandEnv, runCommand } from '../process.ts';
import { aptOptions, isHostRoot, underRoot } from '../root.ts';
import { StepFailure, StepRecorder, type StepHandle } from '../steps.ts';
import {
  aptEnv,
  aptLimits,
  cacheVersion,
  cachedDeb,
  installedPackages,
  knownVersions,
  refreshLists,
  simulateInstall,
  targetSpec,
  versionsOf,
} from './commands.ts';
import { simulationBlockers } from './simulation.ts';

/** Per-step limits; the task's own timeout (ctx.signal) applies on top. */
export const stepLimitsMs = {
  simulate: 10 * 60_000,
  backup: 60 * 60_000,
  install: 2 * 60 * 60_000,
  postChecks: 5 * 60_000,
  reboot: 60_000,
  healthChecks: 24 * 60 * 60_000,
  rollback: 2 * 60 * 60_000,
  restorePaths: 60 * 60_000,
  rescan: 60_000,
} as const;

export interface AptExecutorOptions {
  /** Waits between health-check attempts (tests inject one that advances a fake clock). */
  readonly sleep?: Sleep;
  /** Asks the machine to reboot (only ever on the host's own root). */
  readonly requestReboot?: (ctx: ExecutionContext, reason: string) => Promise<boolean>;
}

/** Schedules a reboot in one minute, so the agent can send the result first. */
async function scheduleReboot(_ctx: ExecutionContext, reason: string): Promise<boolean> {
  const result = await runCommand('shutdown', ['-r', '+1', reason], {
    env: commandEnv(),
    timeoutMs: 30_000,
  });
  return result.code === 0;
}

function failed(recorder: StepRecorder, data: ResultData | null, error: string): Execution {
  return { outcome: 'failed', steps: recorder.steps, data, error: error.slice(0, 2000) };
}

function succeeded(recorder: StepRecorder, data: ResultData): Execution {
  return { outcome: 'succeeded', steps: recorder.steps, data };
}

export function createAptExecutors(options: AptExecutorOptions = {}): Executors {
  const sleep = options.sleep ?? realSleep;
  const requestReboot = options.requestReboot ?? scheduleReboot;

  async function preflight(
    task: TaskPayloadOf<'preflight'>,
    ctx: ExecutionContext,
  ): Promise<Execution> {
    const recorder = new StepRecorder(ctx);
    const simulated = await recorder.step('simulate', stepLimitsMs.simulate, async (step) => {
      await refreshLists(step, ctx.root);
      const simulation = await simulateInstall(step, ctx.root, task.packages);
      const blockers = simulationBlockers(simulation, false);
      for (const blocker of blockers) step.log('agent', `pre-flight: ${blocker}`);
      return simulation;
    });
    if (!simulated.ok) return failed(recorder, null, simulated.error);
    const simulation = simulated.value;
    const ok = simulationBlockers(simulation, false).length === 0;
    return succeeded(recorder, { kind: 'preflight', ok, simulation });
  }

  async function install(
    task: TaskPayloadOf<'install'>,
    ctx: ExecutionContext,
  ): Promise<Execution> {
    const recorder = new StepRecorder(ctx);
    const names = task.packages.map((p) => p.name);
    let before: PackageVersion[] = [];
    let simulation: Simulation | null = null;
    let backup: StoredBackup | null = null;
    const data = (
      after: PackageVersion[],
      rebootRequired = false,
      rebooted = false,
    ): ResultData => ({
      kind: 'install',
      simulation,
      before,
      after,
      backup: backup?.manifest ?? null,
      rebootRequired,
      rebooted,
    });
    const current = async (): Promise<PackageVersion[]> =>
      versionsOf(await installedPackages(ctx.root), names);

    // pre-checks: the same simulation as a pre-flight; a removal or conflict stops here.
    const pre = await recorder.step('pre-checks', stepLimitsMs.simulate, async (step) => {
      await refreshLists(step, ctx.root);
      const installed = await installedPackages(ctx.root, step.signal);
      before = versionsOf(installed, names);
      simulation = await simulateInstall(step, ctx.root, task.packages);
      const blockers = simulationBlockers(simulation, task.allowRemovals);
      if (blockers.length > 0)
        throw new StepFailure(`pre-checks failed, nothing was changed: ${blockers.join('; ')}`);
      return installed;
    });
    if (!pre.ok) return failed(recorder, data(before), pre.error);
    const installedBefore = pre.value;
    const sim = simulation as Simulation | null;

    if (task.dryRun) {
      recorder.skip(
        'backup',
        `dry run: would record ${String(installedBefore.size)} packages${task.backup?.paths.length ? ` and archive ${task.backup.paths.join(', ')}` : ''}`,
      );
      const dry = await recorder.step('install', stepLimitsMs.simulate, async (step) => {
        step.log('agent', 'dry run: apt-get -s install (nothing is changed)');
        await step.runOrFail(
          'apt-get',
          [
            '-s',
            ...aptOptions(ctx.root),
            ...installArgs(task, sim),
            'install',
            ...task.packages.map(targetSpec),
          ],
          {
            env: aptEnv(ctx.root),
            timeoutMs: aptLimits.simulateMs,
          },
        );
      });
      if (!dry.ok) return failed(recorder, data(before), dry.error);
      recorder.skip('post-checks', 'dry run: nothing was installed');
      recorder.skip('reboot', 'dry run');
      return succeeded(recorder, data(before));
    }

    // backup: package selection (always), paths and hooks (per the plan); retention.
    const backedUp = await recorder.step('backup', stepLimitsMs.backup, async (step) => {
      const pruned = await pruneBackups(ctx.stateDir, ctx.now());
      if (pruned.length > 0)
        step.log('agent', `retention: removed expired backups ${pruned.join(', ')}`);
      // Keep the prior versions' .debs in the root's package cache: a rollback can downgrade
      // from it when the repository has dropped them.
      for (const prior of before) {
        if (prior.version !== null)
          await cacheVersion(step, ctx.root, { name: prior.name, version: prior.version });
      }
      return createBackup(step, {
        root: ctx.root,
        stateDir: ctx.stateDir,
        installTaskId: task.taskId,
        now: ctx.now(),
        plan: task.backup,
        packages: [...installedBefore.values()]
          .map((p) => ({ name: p.name, version: p.version }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        install: {
          targets: task.packages,
          touched: touchedBy(task.packages, sim),
          simulation: sim,
        },
      });
    });
    if (!backedUp.ok) return failed(recorder, data(before), backedUp.error);
    backup = backedUp.value;

    const installed = await recorder.step('install', stepLimitsMs.install, async (step) => {
      await step.runOrFail(
        'apt-get',
        [
          '-y',
          '-q',
          ...aptOptions(ctx.root),
          ...installArgs(task, sim),
          'install',
          ...task.packages.map(targetSpec),
        ],
        { env: aptEnv(ctx.root), timeoutMs: aptLimits.installMs },
      );
    });
    if (!installed.ok) {
      recorder.skip(
        'post-checks',
        'the install failed; the packages are left as dpkg left them for a rollback',
      );
      recorder.skip('reboot', 'the install failed');
      return failed(recorder, data(await current()), installed.error);
    }

    const post = await recorder.step('post-checks', stepLimitsMs.postChecks, async (step) => {
      const now = await installedPackages(ctx.root, step.signal);
      const wrong = task.packages.filter((t) => {
        const p = now.get(t.name);
        return p?.version !== t.version || p.status !== 'ii ';
      });
      for (const t of task.packages) {
        const p = now.get(t.name);
        step.log(
          'agent',
          `${t.name}: ${p ? `${p.version} (${p.status.trim()})` : 'not installed'}, wanted ${t.version}`,
        );
      }
      if (wrong.length > 0)
        throw new StepFailure(`not at the wanted version: ${wrong.map((t) => t.name).join(', ')}`);
      return versionsOf(now, names);
    });
    const rebootRequired = existsSync(underRoot(ctx.root, 'run/reboot-required'));
    if (!post.ok) {
      recorder.skip('reboot', 'the post-checks failed: the host is not rebooted');
      return failed(recorder, data(await current(), rebootRequired), post.error);
    }

    let rebooted = false;
    if (task.reboot === 'never' || !rebootRequired) {
      recorder.skip(
        'reboot',
        rebootRequired ? 'a reboot is required but the task says never' : 'no reboot required',
      );
    } else if (!isHostRoot(ctx.root)) {
      recorder.skip(
        'reboot',
        'a reboot is required and allowed, but this is a sandbox root: the machine is never rebooted for it',
      );
    } else {
      const scheduled = await recorder.step('reboot', stepLimitsMs.reboot, async (step) => {
        step.log(
          'agent',
          'reboot required and allowed: rebooting in one minute (after the result is sent)',
        );
        const ok = await requestReboot(
          ctx,
          `Patchgate task ${task.taskId}: reboot required after install`,
        );
        if (!ok) throw new StepFailure('could not schedule the reboot');
        return ok;
      });
      rebooted = scheduled.ok;
    }

    return succeeded(recorder, data(post.value, rebootRequired, rebooted));
  }

  async function healthCheck(
    task: TaskPayloadOf<'health-check'>,
    ctx: ExecutionContext,
  ): Promise<Execution> {
    const recorder = new StepRecorder(ctx);
    const envFor = (step: 'health-checks' | 'observe', signal: AbortSignal): CheckEnvironment => ({
      root: ctx.root,
      signal,
      sleep,
      now: () => ctx.now(),
      log: (line) => ctx.log(step, 'agent', line),
    });
    let round: Awaited<ReturnType<typeof runChecks>> | undefined;
    const first = await recorder.step('health-checks', stepLimitsMs.healthChecks, async (step) => {
      round = await runChecks(task.checks, {
        ...envFor('health-checks', step.signal),
        log: (l) => step.log('agent', l),
      });
      if (round.verdict === 'fail')
        throw new StepFailure(`health checks failed: ${failures(round.outcomes)}`);
    });
    if (round === undefined)
      return failed(recorder, null, first.ok ? 'no checks ran' : first.error);
    let { verdict, outcomes } = round;
    if (verdict === 'pass' && task.observationSeconds > 0 && task.checks.length > 0) {
      const observed = await recorder.step('observe', stepLimitsMs.healthChecks, async (step) => {
        const result = await observe(task.checks, task.observationSeconds, {
          ...envFor('observe', step.signal),
          log: (l) => step.log('agent', l),
        });
        step.log(
          'agent',
          `observed for ${String(task.observationSeconds)} s in ${String(result.rounds)} rounds: ${result.verdict}`,
        );
        if (result.outcomes.length > 0) outcomes = result.outcomes;
        verdict = result.verdict;
        if (result.verdict === 'fail')
          throw new StepFailure(
            `a check failed during the observation period: ${failures(result.outcomes)}`,
          );
      });
      if (!observed.ok && verdict === 'pass') verdict = 'inconclusive';
    } else if (task.observationSeconds > 0) {
      recorder.skip('observe', verdict === 'pass' ? 'no checks to observe' : `verdict ${verdict}`);
    }
    const data: ResultData = {
      kind: 'health-check',
      verdict,
      checks: outcomes.map((o) => o.result),
    };
    if (verdict === 'pass') return succeeded(recorder, data);
    return failed(
      recorder,
      data,
      verdict === 'fail'
        ? `health checks failed: ${failures(outcomes)}`
        : `health checks inconclusive: ${failures(outcomes)}`,
    );
  }

  async function rollback(
    task: TaskPayloadOf<'rollback'>,
    ctx: ExecutionContext,
  ): Promise<Execution> {
    const recorder = new StepRecorder(ctx);
    const stored = await findBackup(ctx.stateDir, task.installTaskId);
    const restored: PackageVersion[] = [];
    const pathsRestored: string[] = [];
    const data = (): ResultData => ({ kind: 'rollback', restored, pathsRestored });
    for (const rollbackStep of task.steps) {
      if (rollbackStep.kind === 'downgrade') {
        const outcome = await recorder.step('rollback', stepLimitsMs.rollback, async (step) => {
          const targets = task.packages ?? priorVersions(stored);
          if (targets === undefined) {
            throw new StepFailure(
              `no backup of install task ${task.installTaskId} on this host and no versions in the task`,
            );
          }
          if (targets.length === 0) {
            step.log('agent', 'nothing to roll back: the install changed no package');
            return [];
          }
          await refreshLists(step, ctx.root);
          const installed = await installedPackages(ctx.root, step.signal);
          const specs: string[] = [];
          for (const target of targets) {
            const now = installed.get(target.name);
            if (target.version === null) {
              if (now) specs.push(`${target.name}-`);
              continue;
            }
            if (now?.version === target.version && now.status === 'ii ') {
              step.log('agent', `${target.name} is already at ${target.version}`);
              continue;
            }
            specs.push(
              await installSpec(step, ctx.root, { name: target.name, version: target.version }),
            );
          }
          if (specs.length > 0) {
            const args = [
              '-y',
              '-q',
              ...aptOptions(ctx.root),
              '--allow-downgrades',
              '-o',
              'Dpkg::Options::=--force-confold',
              'install',
              ...specs,
            ];
            if (task.dryRun) {
              step.log('agent', 'dry run: apt-get -s (nothing is changed)');
              await step.runOrFail('apt-get', ['-s', ...args.slice(1)], { env: aptEnv(ctx.root) });
            } else {
              await step.runOrFail('apt-get', args, {
                env: aptEnv(ctx.root),
                timeoutMs: aptLimits.installMs,
              });
            }
          }
          const after = await installedPackages(ctx.root, step.signal);
          const result = versionsOf(
            after,
            targets.map((t) => t.name),
          );
          if (!task.dryRun) {
            const wrong = targets.filter((t) => {
              const p = after.get(t.name);
              return t.version === null
                ? p !== undefined
                : p?.version !== t.version || p.status !== 'ii ';
            });
            if (wrong.length > 0)
              throw new StepFailure(
                `not back at the prior version: ${wrong.map((t) => t.name).join(', ')}`,
              );
          }
          return result;
        });
        if (!outcome.ok) return failed(recorder, data(), outcome.error);
        restored.push(...outcome.value);
      } else if (rollbackStep.kind === 'restore-paths') {
        if (task.dryRun) {
          recorder.skip(
            'restore-paths',
            `dry run: would restore ${(rollbackStep.paths ?? stored?.manifest.archive?.paths ?? []).join(', ')}`,
          );
          continue;
        }
        const outcome = await recorder.step(
          'restore-paths',
          stepLimitsMs.restorePaths,
          async (step) => {
            if (!stored)
              throw new StepFailure(`no backup of install task ${task.installTaskId} on this host`);
            return restorePaths(step, ctx.root, stored.manifest, rollbackStep.paths);
          },
        );
        if (!outcome.ok) return failed(recorder, data(), outcome.error);
        pathsRestored.push(...outcome.value);
      } else {
        if (task.dryRun) {
          recorder.skip('command', `dry run: would run ${rollbackStep.command}`);
          continue;
        }
        const outcome = await recorder.step(
          'command',
          rollbackStep.timeoutSeconds * 1000,
          async (step) => {
            step.log('agent', `$ ${rollbackStep.command}`);
            await step.runOrFail('sh', ['-c', rollbackStep.command], {
              env: commandEnv({ PATCHGATE_ROOT: path.resolve(ctx.root) }),
            });
          },
        );
        if (!outcome.ok) return failed(recorder, data(), outcome.error);
      }
    }
    return succeeded(recorder, data());
  }

  async function rescan(_task: TaskPayloadOf<'rescan'>, ctx: ExecutionContext): Promise<Execution> {
    const recorder = new StepRecorder(ctx);
    // The runtime sends the inventory and available updates after this task; the step checks
    // that the host's package database can be read, so a broken one fails here, visibly.
    const checked = await recorder.step('rescan', stepLimitsMs.rescan, async (step) => {
      const inventory = await collectInventory({ ...ctx, signal: step.signal });
      if (inventory === null) throw new StepFailure('no supported package database on this host');
      step.log(
        'agent',
        `inventory readable (${inventory.format}, ${String(inventory.body.length)} bytes); the agent sends it with the available updates after this task`,
      );
    });
    if (!checked.ok) return failed(recorder, { kind: 'rescan' }, checked.error);
    return succeeded(recorder, { kind: 'rescan' });
  }

  return {
    async executeTask(task: TaskPayload, ctx: ExecutionContext): Promise<Execution> {
      try {
        switch (task.kind) {
          case 'preflight':
            return await preflight(task, ctx);
          case 'install':
            return await install(task, ctx);
          case 'health-check':
            return await healthCheck(task, ctx);
          case 'rollback':
            return await rollback(task, ctx);
          case 'rescan':
            return await rescan(task, ctx);
        }
      } catch (error) {
        // Steps catch host failures; this is the last guard (e.g. the state folder unwritable).
        const message = error instanceof Error ? error.message : String(error);
        return { outcome: 'failed', steps: [], data: null, error: message.slice(0, 2000) };
      }
    },
    collectInventory,
    collectAvailableUpdates,
    hostFacts,
  };
}

/** The apt-get options an install adds: exact versions, keep changed config files, no removal
 *  unless allowed, downgrades only when a target is one. Never --allow-change-held-packages. */
function installArgs(task: TaskPayloadOf<'install'>, simulation: Simulation | null): string[] {
  const args = ['-o', 'Dpkg::Options::=--force-confold', '-o', 'Dpkg::Options::=--force-confdef'];
  if (!task.allowRemovals) args.push('--no-remove');
  const targets = new Set(task.packages.map((p) => p.name));
  if (simulation?.downgrade.some((d) => targets.has(d.name))) args.push('--allow-downgrades');
  return args;
}

/** Every package an install changes, per its simulation (the targets at least). */
function touchedBy(targets: readonly PackageTarget[], simulation: Simulation | null): string[] {
  const names = new Set(targets.map((t) => t.name));
  for (const p of simulation?.install ?? []) names.add(p.name);
  for (const p of simulation?.upgrade ?? []) names.add(p.name);
  for (const p of simulation?.downgrade ?? []) names.add(p.name);
  for (const p of simulation?.remove ?? []) names.add(p.name);
  return [...names];
}

/** From an install's backup: each package it changed at its version before (null: remove it). */
function priorVersions(stored: StoredBackup | undefined): PackageVersion[] | undefined {
  if (!stored) return undefined;
  const before = new Map(stored.manifest.packages.map((p) => [p.name, p.version]));
  const touched = stored.install?.touched ?? stored.install?.targets.map((t) => t.name) ?? [];
  return touched.map((name) => ({ name, version: before.get(name) ?? null }));
}

/** `name=version` when apt knows the version, else the .deb from the root's package cache. */
async function installSpec(step: StepHandle, root: string, target: PackageTarget): Promise<string> {
  if ((await knownVersions(root, target.name, step.signal)).includes(target.version))
    return targetSpec(target);
  const deb = await cachedDeb(root, target.name, target.version);
  if (deb) {
    step.log(
      'agent',
      `${targetSpec(target)} is no longer in the repository; using ${deb} from the package cache`,
    );
    return deb;
  }
  throw new StepFailure(
    `${targetSpec(target)} is neither in the repository nor in the package cache`,
  );
}

function failures(
  outcomes: readonly { result: { name: string; passed: boolean; detail?: string } }[],
): string {
  return outcomes
    .filter((o) => !o.result.passed)
    .map((o) => `${o.result.name} (${o.result.detail ?? 'failed'})`)
    .join('; ');
}

export const aptExecutors: Executors = createAptExecutors();
