/**
 * The apt executors against real dpkg and apt in sandbox roots (never the machine's own
 * packages), with the test repository of apps/agent/test/fixtures. Needs root and dpkg-dev.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { ResultData, StepResult, TaskPayload, type StepName } from '@patchgate/agent-protocol';
import { parseAptUpdates, readInventory } from '@patchgate/inventory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  buildTestRepository,
  healthCheckFor,
  installBase,
  installedPackage,
  removeFromRepository,
  type TestRepository,
} from '../../../test/fixtures/test-repo.ts';
import type { Execution, ExecutionContext } from '../contract.ts';
import { aptOptions } from '../root.ts';
import { aptExecutors, createAptExecutors } from './index.ts';

const run = promisify(execFile);

let tmp: string;
let repo: TestRepository;
let rootCount = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'patchgate-apt-exec-'));
  repo = await buildTestRepository(path.join(tmp, 'repo'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Logged {
  step: StepName;
  stream: string;
  line: string;
}

function context(
  root: string,
  now: () => Date = () => new Date(),
  signal: AbortSignal = new AbortController().signal,
): { ctx: ExecutionContext; logged: Logged[] } {
  const logged: Logged[] = [];
  return {
    logged,
    ctx: {
      root,
      stateDir: path.join(root, 'var/lib/patchgate-agent'),
      log: (step, stream, line) => logged.push({ step, stream, line }),
      signal,
      now,
    },
  };
}

async function freshRoot(
  also: readonly { name: string; version: string }[] = [],
  repository: TestRepository = repo,
): Promise<string> {
  rootCount += 1;
  const root = path.join(tmp, `root-${String(rootCount)}`);
  await installBase(root, repository, also);
  return root;
}

let taskCount = 0;
function task(spec: Record<string, unknown>): TaskPayload {
  taskCount += 1;
  return TaskPayload.parse({
    taskId: `task-${String(taskCount)}`,
    agentId: 'agent-1',
    issuedAt: '2026-12-06T08:00:00Z',
    notAfter: '2026-12-07T08:00:00Z',
    idempotencyKey: `key-${String(taskCount)}`,
    ...spec,
  });
}

const service = (version: string): { name: string; version: string } => ({
  name: 'pg-demo-service',
  version,
});

function dataOf<K extends ResultData['kind']>(
  execution: Execution,
  kind: K,
): Extract<ResultData, { kind: K }> {
  expect(execution.data?.kind).toBe(kind);
  // What the runtime sends must pass the protocol's schemas.
  expect(ResultData.safeParse(execution.data).success).toBe(true);
  expect(StepResult.array().max(50).safeParse(execution.steps).success).toBe(true);
  return execution.data as Extract<ResultData, { kind: K }>;
}

const stepSummary = (execution: Execution): string[] =>
  execution.steps.map((s) => `${s.name}:${s.outcome}`);

describe('install', () => {
  it('upgrades 1.0 → 1.1 with a backup of the package selection, and confirms the version', async () => {
    const root = await freshRoot();
    const { ctx, logged } = context(root);
    const execution = await aptExecutors.executeTask(
      task({ kind: 'install', packages: [service('1.1')], backup: null }),
      ctx,
    );
    expect(execution.error).toBeUndefined();
    expect(execution.outcome).toBe('succeeded');
    expect(stepSummary(execution)).toEqual([
      'pre-checks:succeeded',
      'backup:succeeded',
      'install:succeeded',
      'post-checks:succeeded',
      'reboot:skipped',
    ]);
    const data = dataOf(execution, 'install');
    expect(data.before).toEqual([service('1.0')]);
    expect(data.after).toEqual([service('1.1')]);
    expect(data.simulation?.upgrade).toEqual([{ name: 'pg-demo-service', from: '1.0', to: '1.1' }]);
    expect(data.simulation?.servicesNeedingRestart).toEqual(['pg-demo-service.service']);
    expect(data.backup?.packages).toEqual([service('1.0')]);
    expect(data.backup?.archive).toBeNull();
    expect(data.rebootRequired).toBe(false);
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.1',
      status: 'ii ',
    });
    const manifest = JSON.parse(
      await readFile(
        path.join(ctx.stateDir, 'backups', data.backup?.backupId ?? '?', 'manifest.json'),
        'utf8',
      ),
    ) as unknown;
    expect(manifest).toEqual(data.backup);
    expect(
      logged.some((l) => l.step === 'install' && /Setting up pg-demo-service/.test(l.line)),
    ).toBe(true);
    // The prior version is kept in the root's package cache for a rollback.
    expect(
      await readFile(path.join(root, 'var/cache/apt/archives/pg-demo-service_1.0_all.deb')),
    ).toBeDefined();
  });

  it('installs an exact older version (a downgrade) when the task names one', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    await run('apt-get', ['-y', '-qq', ...aptOptions(root), 'install', 'pg-demo-service=1.1'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const execution = await aptExecutors.executeTask(
      task({ kind: 'install', packages: [service('1.0')], backup: null }),
      ctx,
    );
    expect(execution.error).toBeUndefined();
    expect(dataOf(execution, 'install')).toMatchObject({
      before: [service('1.1')],
      after: [service('1.0')],
    });
  });

  it('installs 1.2, whose health check then fails', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const installed = await aptExecutors.executeTask(
      task({ kind: 'install', packages: [service('1.2')], backup: null }),
      ctx,
    );
    expect(installed.outcome).toBe('succeeded');
    const checked = await aptExecutors.executeTask(
      task({ kind: 'health-check', checks: [healthCheckFor(root)] }),
      ctx,
    );
    expect(checked.outcome).toBe('failed');
    expect(dataOf(checked, 'health-check')).toEqual({
      kind: 'health-check',
      verdict: 'fail',
      checks: [
        {
          name: 'pg-demo-service health',
          kind: 'command',
          passed: false,
          attempts: 1,
          detail: 'exit code 1, expected 0',
        },
      ],
    });
    expect(stepSummary(checked)).toEqual(['health-checks:failed']);
  });

  it('fails on 1.3’s postinst with dpkg’s error; a rollback from the backup restores 1.0 exactly', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const install = task({ kind: 'install', packages: [service('1.3')], backup: null });
    const execution = await aptExecutors.executeTask(install, ctx);
    expect(execution.outcome).toBe('failed');
    expect(stepSummary(execution)).toEqual([
      'pre-checks:succeeded',
      'backup:succeeded',
      'install:failed',
      'post-checks:skipped',
      'reboot:skipped',
    ]);
    const installStep = execution.steps.find((s) => s.name === 'install');
    expect(installStep?.logTail.join('\n')).toMatch(
      /installed pg-demo-service package post-installation script subprocess returned error exit status 1/,
    );
    expect(installStep?.logTail.join('\n')).toMatch(/migrating the data store failed/);
    expect(dataOf(execution, 'install').after).toEqual([service('1.3')]);
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.3',
      status: 'iF ',
    });

    const rollback = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: install.taskId,
        packages: null,
        steps: [{ kind: 'downgrade' }],
      }),
      ctx,
    );
    expect(rollback.error).toBeUndefined();
    expect(rollback.outcome).toBe('succeeded');
    expect(dataOf(rollback, 'rollback')).toEqual({
      kind: 'rollback',
      restored: [service('1.0')],
      pathsRestored: [],
    });
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.0',
      status: 'ii ',
    });
  });

  it('rolls back from the local package cache when the repository no longer has the version', async () => {
    const own = await buildTestRepository(path.join(tmp, 'repo-moving'));
    const root = await freshRoot([], own);
    const { ctx, logged } = context(root);
    const install = task({ kind: 'install', packages: [service('1.1')], backup: null });
    expect((await aptExecutors.executeTask(install, ctx)).outcome).toBe('succeeded');
    await removeFromRepository(own, 'pg-demo-service', '1.0');

    const rollback = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: install.taskId,
        packages: [service('1.0')],
        steps: [{ kind: 'downgrade' }],
      }),
      ctx,
    );
    expect(rollback.error).toBeUndefined();
    expect(dataOf(rollback, 'rollback').restored).toEqual([service('1.0')]);
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.0',
      status: 'ii ',
    });
    expect(
      logged.some((l) => /no longer in the repository; using .*package cache/.test(l.line)),
    ).toBe(true);
  });

  it('fails a rollback to a version neither the repository nor the cache has, changing nothing', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const rollback = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: 'never-installed',
        packages: [service('0.9')],
        steps: [{ kind: 'downgrade' }],
      }),
      ctx,
    );
    expect(rollback.outcome).toBe('failed');
    expect(rollback.error).toMatch(
      /pg-demo-service=0\.9 is neither in the repository nor in the package cache/,
    );
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.0',
      status: 'ii ',
    });
  });

  it('backs up paths with a verifiable checksum; restore-paths puts a changed file back', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const conf = path.join(root, 'etc/pg-demo-service/service.conf');
    const original = await readFile(conf, 'utf8');
    const install = task({
      kind: 'install',
      packages: [service('1.1')],
      backup: {
        paths: ['/etc/pg-demo-service', '/etc/does-not-exist'],
        hooks: [
          {
            name: 'dump',
            command:
              'cp "$PATCHGATE_ROOT/opt/pg-demo-service/VERSION" "$PATCHGATE_BACKUP_DIR/version-before"',
          },
        ],
        restore: 'restore-paths from the archive',
        retentionDays: 7,
      },
    });
    const execution = await aptExecutors.executeTask(install, ctx);
    expect(execution.outcome).toBe('succeeded');
    const backup = dataOf(execution, 'install').backup;
    expect(backup?.archive?.paths).toEqual(['/etc/pg-demo-service']);
    expect(backup?.archive?.files).toBe(1);
    expect(backup?.hooks).toEqual([{ name: 'dump', exitCode: 0 }]);
    const archiveBytes = await readFile(backup?.archive?.path ?? '?');
    expect(createHash('sha256').update(archiveBytes).digest('hex')).toBe(backup?.archive?.sha256);
    expect(archiveBytes.length).toBe(backup?.archive?.bytes);
    expect(Date.parse(backup?.expiresAt ?? '') - Date.parse(backup?.createdAt ?? '')).toBe(
      7 * 86_400_000,
    );
    expect(
      await readFile(
        path.join(path.dirname(backup?.archive?.path ?? '?'), 'version-before'),
        'utf8',
      ),
    ).toBe('1.0\n');

    await writeFile(conf, 'port=9999\n');
    const rollback = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: install.taskId,
        packages: null,
        steps: [
          { kind: 'restore-paths' },
          { kind: 'command', command: 'echo rolled-back > "$PATCHGATE_ROOT/tmp/marker"' },
        ],
      }),
      ctx,
    );
    expect(rollback.error).toBeUndefined();
    expect(stepSummary(rollback)).toEqual(['restore-paths:succeeded', 'command:succeeded']);
    expect(dataOf(rollback, 'rollback').pathsRestored).toEqual(['/etc/pg-demo-service']);
    expect(await readFile(conf, 'utf8')).toBe(original);
    expect(await readFile(path.join(root, 'tmp/marker'), 'utf8')).toBe('rolled-back\n');

    // A damaged archive is refused.
    await writeFile(backup?.archive?.path ?? '?', 'damaged');
    const refused = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: install.taskId,
        packages: null,
        steps: [{ kind: 'restore-paths' }],
      }),
      ctx,
    );
    expect(refused.outcome).toBe('failed');
    expect(refused.error).toMatch(/is damaged: sha256/);
  });

  it('leaves the agent’s own state out of an archived path that holds it', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const execution = await aptExecutors.executeTask(
      task({
        kind: 'install',
        packages: [service('1.1')],
        backup: { paths: ['/var/lib'], restore: 'n/a' },
      }),
      ctx,
    );
    expect(execution.error).toBeUndefined();
    const archive = dataOf(execution, 'install').backup?.archive;
    const { stdout } = await run('tar', ['-tzf', archive?.path ?? '?']);
    expect(stdout).toContain('var/lib/dpkg/status');
    expect(stdout).not.toContain('patchgate-agent');
  });

  it('fails the task before touching anything when a backup hook fails', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const execution = await aptExecutors.executeTask(
      task({
        kind: 'install',
        packages: [service('1.1')],
        backup: { hooks: [{ name: 'dump', command: 'exit 3' }], restore: 'n/a' },
      }),
      ctx,
    );
    expect(execution.outcome).toBe('failed');
    expect(execution.error).toMatch(/backup hook dump failed \(exit code 3\)/);
    expect(stepSummary(execution)).toEqual(['pre-checks:succeeded', 'backup:failed']);
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.0',
      status: 'ii ',
    });
  });

  it('reports a required reboot but never reboots the machine for a sandbox root', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const execution = await aptExecutors.executeTask(
      task({
        kind: 'install',
        packages: [repo.extras.rebootRequired],
        backup: null,
        reboot: 'if-required',
      }),
      ctx,
    );
    expect(execution.outcome).toBe('succeeded');
    const data = dataOf(execution, 'install');
    expect([data.rebootRequired, data.rebooted]).toEqual([true, false]);
    expect(execution.steps.find((s) => s.name === 'reboot')).toMatchObject({
      outcome: 'skipped',
      detail: expect.stringMatching(/sandbox root/) as unknown,
    });
    const facts = await aptExecutors.hostFacts(ctx);
    expect(facts).toMatchObject({
      rebootRequired: true,
      rebootPackages: ['pg-demo-kernel'],
      packageManagers: ['apt'],
      servicesNeedingRestart: [],
    });
  });
});

describe('pre-flight', () => {
  it('shows a removal and a new dependency, and an install stops on it before changing anything', async () => {
    const root = await freshRoot([repo.extras.legacy]);
    const { ctx } = context(root);
    const statusBefore = await readFile(path.join(root, 'var/lib/dpkg/status'), 'utf8');
    const execution = await aptExecutors.executeTask(
      task({ kind: 'preflight', packages: [repo.extras.modern, service('1.1')] }),
      ctx,
    );
    expect(execution.outcome).toBe('succeeded');
    expect(dataOf(execution, 'preflight')).toEqual({
      kind: 'preflight',
      ok: false,
      simulation: {
        install: [repo.extras.lib, repo.extras.modern],
        upgrade: [{ name: 'pg-demo-service', from: '1.0', to: '1.1' }],
        downgrade: [],
        remove: [repo.extras.legacy],
        held: [],
        newDependencies: ['pg-demo-lib'],
        servicesNeedingRestart: ['pg-demo-service.service'],
        problems: [],
      },
    });

    const install = await aptExecutors.executeTask(
      task({ kind: 'install', packages: [repo.extras.modern], backup: null }),
      ctx,
    );
    expect(install.outcome).toBe('failed');
    expect(install.error).toMatch(
      /pre-checks failed, nothing was changed: the install would remove pg-demo-legacy 1\.0/,
    );
    expect(await readFile(path.join(root, 'var/lib/dpkg/status'), 'utf8')).toBe(statusBefore);
  });

  it('with allowRemovals installs over a conflict; the rollback reinstalls what it removed and removes what it added', async () => {
    const root = await freshRoot([repo.extras.legacy]);
    const { ctx } = context(root);
    const install = task({
      kind: 'install',
      packages: [repo.extras.modern],
      backup: null,
      allowRemovals: true,
    });
    const execution = await aptExecutors.executeTask(install, ctx);
    expect(execution.error).toBeUndefined();
    expect(dataOf(execution, 'install').simulation?.remove).toEqual([repo.extras.legacy]);
    expect(await installedPackage(root, 'pg-demo-legacy')).toBeNull();

    const rollback = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: install.taskId,
        packages: null,
        steps: [{ kind: 'downgrade' }],
      }),
      ctx,
    );
    expect(rollback.error).toBeUndefined();
    expect(dataOf(rollback, 'rollback').restored).toEqual([
      { name: 'pg-demo-modern', version: null },
      { name: 'pg-demo-lib', version: null },
      repo.extras.legacy,
    ]);
    expect(await installedPackage(root, 'pg-demo-legacy')).toEqual({
      version: '1.0',
      status: 'ii ',
    });
    expect(await installedPackage(root, 'pg-demo-modern')).toBeNull();
  });

  it('is ok for a plain upgrade and names the downgrade of an exact older version', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const up = await aptExecutors.executeTask(
      task({ kind: 'preflight', packages: [service('1.1')] }),
      ctx,
    );
    expect(dataOf(up, 'preflight').ok).toBe(true);
    await run('apt-get', ['-y', '-qq', ...aptOptions(root), 'install', 'pg-demo-service=1.1'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const down = await aptExecutors.executeTask(
      task({ kind: 'preflight', packages: [service('1.0')] }),
      ctx,
    );
    expect(dataOf(down, 'preflight').simulation.downgrade).toEqual([
      { name: 'pg-demo-service', from: '1.1', to: '1.0' },
    ]);
  });

  it('respects a held package: pre-flight reports it and the install refuses to change it', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    await run('apt-mark', [...aptOptions(root), 'hold', 'pg-demo-service']);
    const pre = await aptExecutors.executeTask(
      task({ kind: 'preflight', packages: [service('1.1')] }),
      ctx,
    );
    const simulation = dataOf(pre, 'preflight').simulation;
    expect([dataOf(pre, 'preflight').ok, simulation.held, simulation.problems]).toEqual([
      false,
      ['pg-demo-service'],
      ['pg-demo-service is held (apt-mark hold): the install will not change it'],
    ]);
    const install = await aptExecutors.executeTask(
      task({ kind: 'install', packages: [service('1.1')], backup: null }),
      ctx,
    );
    expect(install.outcome).toBe('failed');
    expect(await installedPackage(root, 'pg-demo-service')).toEqual({
      version: '1.0',
      status: 'hi ',
    });
  });

  it('reports a version the repository does not have as a problem', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const execution = await aptExecutors.executeTask(
      task({ kind: 'preflight', packages: [service('9.9')] }),
      ctx,
    );
    expect(dataOf(execution, 'preflight')).toMatchObject({
      ok: false,
      simulation: { problems: ["Version '9.9' for 'pg-demo-service' was not found"] },
    });
  });
});

describe('dry run', () => {
  it('simulates install and rollback and changes nothing on the root', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const status = path.join(root, 'var/lib/dpkg/status');
    const before = await readFile(status, 'utf8');
    const install = task({
      kind: 'install',
      dryRun: true,
      packages: [service('1.1')],
      backup: { paths: ['/etc'], restore: 'n/a' },
    });
    const execution = await aptExecutors.executeTask(install, ctx);
    expect(execution.outcome).toBe('succeeded');
    expect(stepSummary(execution)).toEqual([
      'pre-checks:succeeded',
      'backup:skipped',
      'install:succeeded',
      'post-checks:skipped',
      'reboot:skipped',
    ]);
    expect(dataOf(execution, 'install')).toMatchObject({
      before: [service('1.0')],
      after: [service('1.0')],
      backup: null,
    });
    expect(execution.steps.find((s) => s.name === 'install')?.logTail).toContain(
      'Inst pg-demo-service [1.0] (1.1 localhost [all])',
    );
    const rollback = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        dryRun: true,
        installTaskId: install.taskId,
        packages: [service('1.1')],
        steps: [
          { kind: 'downgrade' },
          { kind: 'restore-paths' },
          { kind: 'command', command: 'touch "$PATCHGATE_ROOT/x"' },
        ],
      }),
      ctx,
    );
    expect(stepSummary(rollback)).toEqual([
      'rollback:succeeded',
      'restore-paths:skipped',
      'command:skipped',
    ]);
    expect(await readFile(status, 'utf8')).toBe(before);
  });
});

describe('reports', () => {
  it('sends the dpkg status file and apt list --upgradable output the server parses', async () => {
    const root = await freshRoot();
    const { ctx } = context(root);
    const inventory = await aptExecutors.collectInventory(ctx);
    expect(inventory?.format).toBe('dpkg-status');
    const parsed = readInventory(
      { path: 'status', text: inventory?.body ?? '' },
      inventory?.format,
    );
    expect(parsed.ok && parsed.inventory.packages.map((p) => `${p.name} ${p.version}`)).toEqual([
      'pg-demo-service 1.0',
    ]);

    const updates = await aptExecutors.collectAvailableUpdates(ctx);
    expect(updates).toBe('Listing...\npg-demo-service/unknown 1.3 all [upgradable from: 1.0]\n');
    const read = parseAptUpdates(updates ?? '');
    expect(
      read.ok && read.value.updates.map((u) => [u.name, u.installedVersion, u.candidateVersion]),
    ).toEqual([['pg-demo-service', '1.0', '1.3']]);
  });

  it('rescan is a step with no data of its own', async () => {
    const { ctx } = context(await freshRoot());
    const execution = await aptExecutors.executeTask(task({ kind: 'rescan' }), ctx);
    expect([execution.outcome, execution.data, stepSummary(execution)]).toEqual([
      'succeeded',
      { kind: 'rescan' },
      ['rescan:succeeded'],
    ]);
  });
});

describe('health-check tasks', () => {
  it('observes for observationSeconds on the injected clock, then passes', async () => {
    const root = await freshRoot();
    let now = Date.parse('2026-12-06T08:00:00Z');
    const slept: number[] = [];
    const executors = createAptExecutors({
      sleep: (ms) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    const { ctx } = context(root, () => new Date(now));
    const check = { ...healthCheckFor(root), intervalSeconds: 30 };
    const execution = await executors.executeTask(
      task({ kind: 'health-check', checks: [check], observationSeconds: 90 }),
      ctx,
    );
    expect(execution.outcome).toBe('succeeded');
    expect(stepSummary(execution)).toEqual(['health-checks:succeeded', 'observe:succeeded']);
    expect(dataOf(execution, 'health-check').verdict).toBe('pass');
    expect(slept).toEqual([30_000, 30_000, 30_000]);
  });

  it('is inconclusive (and not succeeded) for a systemd check on a sandbox root', async () => {
    const { ctx } = context(await freshRoot());
    const execution = await aptExecutors.executeTask(
      task({
        kind: 'health-check',
        checks: [{ kind: 'systemd', unit: 'pg-demo-service.service' }],
      }),
      ctx,
    );
    expect(execution.outcome).toBe('failed');
    expect(dataOf(execution, 'health-check').verdict).toBe('inconclusive');
    expect(execution.error).toMatch(/^health checks inconclusive/);
  });
});

describe('limits and retention', () => {
  it('stops a rollback command at its timeout and fails the step', async () => {
    const { ctx } = context(await freshRoot());
    const execution = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: 'x',
        packages: [],
        steps: [{ kind: 'command', command: 'sleep 30', timeoutSeconds: 1 }],
      }),
      ctx,
    );
    expect(execution.outcome).toBe('failed');
    expect(execution.error).toBe('sh timed out after 1 s');
  });

  it('stops when the task is aborted', async () => {
    const controller = new AbortController();
    const { ctx } = context(await freshRoot(), () => new Date(), controller.signal);
    setTimeout(() => controller.abort(), 200);
    const execution = await aptExecutors.executeTask(
      task({
        kind: 'rollback',
        installTaskId: 'x',
        packages: [],
        steps: [{ kind: 'command', command: 'sleep 30' }],
      }),
      ctx,
    );
    expect(execution.outcome).toBe('failed');
    expect(execution.error).toMatch(/the task was aborted/);
  });

  it('prunes backups past their retention before making a new one', async () => {
    const root = await freshRoot();
    let now = Date.parse('2026-12-01T08:00:00Z');
    const { ctx, logged } = context(root, () => new Date(now));
    const first = await aptExecutors.executeTask(
      task({
        kind: 'install',
        packages: [service('1.1')],
        backup: { restore: 'n/a', retentionDays: 1 },
      }),
      ctx,
    );
    const firstId = dataOf(first, 'install').backup?.backupId ?? '?';
    now += 2 * 86_400_000;
    const second = await aptExecutors.executeTask(
      task({ kind: 'install', packages: [service('1.2')], backup: { restore: 'n/a' } }),
      ctx,
    );
    expect(second.outcome).toBe('succeeded');
    expect(logged.some((l) => l.line === `retention: removed expired backups ${firstId}`)).toBe(
      true,
    );
    expect(await readdir(path.join(ctx.stateDir, 'backups'))).toEqual([
      dataOf(second, 'install').backup?.backupId,
    ]);
  });
});
