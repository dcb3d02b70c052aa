/**
 * apt and dpkg commands confined to a root (`aptOptions`, `dpkgOptions`), run inside a step.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

import type { PackageTarget, PackageVersion, Simulation } from '@patchgate/agent-protocol';

import { commandEnv, runCommand } from '../process.ts';
import { aptEnvironment, aptOptions, dpkgOptions, underRoot } from '../root.ts';
import { StepFailure, type StepHandle } from '../steps.ts';
import { parseSimulation } from './simulation.ts';

/** Per-command limits (the step's own limit and the task's signal apply too). */
export const aptLimits = {
  updateMs: 5 * 60_000,
  simulateMs: 2 * 60_000,
  installMs: 60 * 60_000,
  queryMs: 60_000,
} as const;

export function aptEnv(root: string): NodeJS.ProcessEnv {
  return commandEnv(aptEnvironment(root));
}

export function targetSpec(target: PackageTarget): string {
  return `${target.name}=${target.version}`;
}

/** `apt-get update`, quiet; a failure is logged, not fatal (the lists on disk are used). */
export async function refreshLists(step: StepHandle, root: string): Promise<boolean> {
  const result = await step.run('apt-get', ['-q', ...aptOptions(root), 'update'], {
    env: aptEnv(root),
    timeoutMs: aptLimits.updateMs,
  });
  if (result.code !== 0) {
    step.log('agent', 'apt-get update failed; using the package lists already on the host');
    return false;
  }
  return true;
}

/** `apt-mark showhold` confined to the root. */
export async function heldPackages(step: StepHandle, root: string): Promise<string[]> {
  const result = await runCommand('apt-mark', [...aptOptions(root), 'showhold'], {
    env: aptEnv(root),
    timeoutMs: aptLimits.queryMs,
    signal: step.signal,
  });
  if (result.code !== 0) throw new StepFailure(`apt-mark showhold failed: ${result.stderr.trim()}`);
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** dpkg's abbreviated status, e.g. `ii ` or `iF ` (half-configured). */
  readonly status: string;
  readonly architecture: string;
}

/** Every package dpkg knows in the root that is (even half-) installed. */
export async function installedPackages(
  root: string,
  signal?: AbortSignal,
): Promise<Map<string, InstalledPackage>> {
  const result = await runCommand(
    'dpkg-query',
    [
      ...dpkgOptions(root),
      '-W',
      '-f',
      '${Package}\\t${Version}\\t${db:Status-Abbrev}\\t${Architecture}\\n',
    ],
    { env: commandEnv(), timeoutMs: aptLimits.queryMs, ...(signal && { signal }) },
  );
  if (result.code !== 0 && result.stdout === '') {
    throw new StepFailure(`dpkg-query failed: ${result.stderr.trim()}`);
  }
  const packages = new Map<string, InstalledPackage>();
  for (const line of result.stdout.split('\n')) {
    const [name, version, status = '', architecture = ''] = line.split('\t');
    if (!name || !version) continue;
    // Second letter: n = not installed, c = only conffiles left.
    if (status[1] === 'n' || status[1] === 'c') continue;
    packages.set(name, { name, version, status, architecture });
  }
  return packages;
}

/** The versions of `names` (null: not installed). */
export function versionsOf(
  installed: ReadonlyMap<string, InstalledPackage>,
  names: readonly string[],
): PackageVersion[] {
  return names.map((name) => ({ name, version: installed.get(name)?.version ?? null }));
}

/** `apt-get -s install …` parsed; the services needing a restart come from dpkg's file lists. */
export async function simulateInstall(
  step: StepHandle,
  root: string,
  targets: readonly PackageTarget[],
  specs: readonly string[] = targets.map(targetSpec),
  extraArgs: readonly string[] = [],
): Promise<Simulation> {
  const held = await heldPackages(step, root);
  const result = await step.run(
    'apt-get',
    ['-s', ...aptOptions(root), ...extraArgs, 'install', ...specs],
    { env: aptEnv(root), timeoutMs: aptLimits.simulateMs },
  );
  if (result.spawnError !== undefined || result.timedOut || result.aborted) {
    throw new StepFailure(
      `apt-get -s could not run: ${result.spawnError ?? 'timed out or aborted'}`,
    );
  }
  const simulation = parseSimulation({
    output: `${result.stdout}\n${result.stderr}`,
    exitCode: result.code,
    targets,
    heldPackages: held,
  });
  const changed = [
    ...simulation.upgrade.map((p) => p.name),
    ...simulation.downgrade.map((p) => p.name),
    ...simulation.remove.map((p) => p.name),
  ];
  simulation.servicesNeedingRestart = await systemdUnitsOf(root, changed, step.signal);
  return simulation;
}

/** The systemd services the installed packages ship (they restart when those change). */
export async function systemdUnitsOf(
  root: string,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  if (names.length === 0) return [];
  const result = await runCommand('dpkg-query', [...dpkgOptions(root), '-L', ...names], {
    env: commandEnv(),
    timeoutMs: aptLimits.queryMs,
    ...(signal && { signal }),
  });
  const units = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    const m = /^\/(?:usr\/)?lib\/systemd\/system\/([^/]+\.service)$/.exec(line.trim());
    if (m?.[1] && !m[1].includes('@')) units.add(m[1]);
  }
  return [...units].sort();
}

/** The versions apt knows for a package (from the lists and the status file). */
export async function knownVersions(
  root: string,
  name: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const result = await runCommand('apt-cache', [...aptOptions(root), 'madison', name], {
    env: aptEnv(root),
    timeoutMs: aptLimits.queryMs,
    ...(signal && { signal }),
  });
  // `name | version | source`
  return result.stdout
    .split('\n')
    .map((line) => line.split('|')[1]?.trim())
    .filter((v): v is string => Boolean(v));
}

/** The archive file apt names for a version: epoch colon escaped as %3a. */
export function debNamePrefix(name: string, version: string): string {
  return `${name}_${version.replace(/:/g, '%3a')}_`;
}

/** A .deb of that exact version in the root's package cache, if one is there. */
export async function cachedDeb(
  root: string,
  name: string,
  version: string,
): Promise<string | undefined> {
  const archives = underRoot(root, 'var/cache/apt/archives');
  if (!existsSync(archives)) return undefined;
  const prefix = debNamePrefix(name, version);
  const file = (await readdir(archives)).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
  return file === undefined ? undefined : path.join(archives, file);
}

/**
 * Puts the .deb of an installed version into the root's package cache (apt does not copy
 * packages from `file:` sources there, and a repository may drop old versions): what a
 * rollback downgrades from when the repository no longer has the version.
 */
export async function cacheVersion(
  step: StepHandle,
  root: string,
  target: PackageTarget,
): Promise<string | undefined> {
  const existing = await cachedDeb(root, target.name, target.version);
  if (existing) return existing;
  const archives = underRoot(root, 'var/cache/apt/archives');
  const result = await step.run(
    'apt-get',
    ['-q', ...aptOptions(root), 'download', targetSpec(target)],
    {
      env: aptEnv(root),
      cwd: archives,
      timeoutMs: aptLimits.updateMs,
    },
  );
  if (result.code !== 0) {
    step.log(
      'agent',
      `could not keep ${targetSpec(target)} in the package cache (not in the repository)`,
    );
    return undefined;
  }
  return cachedDeb(root, target.name, target.version);
}
