/**
 * Backups before an install: the package selection (every installed package and version), a
 * tar.gz of the plan's paths under the root with its sha256, and the plan's hooks. Kept under
 * `${stateDir}/backups/<backupId>/` (manifest.json = the `BackupManifest` sent as evidence;
 * install.json = what the install changed, for a rollback) until `expiresAt`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { BackupManifest, PackageVersion, Simulation } from '@patchgate/agent-protocol';
import type { BackupPlan } from '@patchgate/changes';

import { commandEnv } from './process.ts';
import { underRoot } from './root.ts';
import { StepFailure, type StepHandle } from './steps.ts';

const dayMs = 86_400_000;

/** What a rollback needs besides the manifest: the packages the install meant to change. */
export interface InstallRecord {
  readonly installTaskId: string;
  readonly targets: readonly PackageVersion[];
  /** Every package the simulation showed changing (targets, new dependencies, removals…). */
  readonly touched: readonly string[];
  readonly simulation: Simulation | null;
}

export interface StoredBackup {
  readonly dir: string;
  readonly manifest: BackupManifest;
  readonly install: InstallRecord | undefined;
}

export function backupsDir(stateDir: string): string {
  return path.join(stateDir, 'backups');
}

function safeId(text: string): string {
  return text.replace(/[^\w.-]/g, '_').slice(0, 120);
}

export function backupIdFor(installTaskId: string, at: Date): string {
  return `${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${safeId(installTaskId)}`;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface BackupInput {
  readonly root: string;
  readonly stateDir: string;
  readonly installTaskId: string;
  readonly now: Date;
  readonly plan: BackupPlan | null;
  readonly packages: readonly PackageVersion[];
  readonly install: Omit<InstallRecord, 'installTaskId'>;
}

/** Makes the backup (within a step) and writes its manifest; a failed hook fails the step. */
export async function createBackup(step: StepHandle, input: BackupInput): Promise<StoredBackup> {
  const backupId = backupIdFor(input.installTaskId, input.now);
  const dir = path.join(backupsDir(input.stateDir), backupId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const retentionDays = input.plan?.retentionDays ?? 30;

  const hooks: BackupManifest['hooks'] = [];
  for (const hook of input.plan?.hooks ?? []) {
    step.log('agent', `backup hook ${hook.name}: ${hook.command}`);
    const result = await step.run('sh', ['-c', hook.command], {
      env: commandEnv({ PATCHGATE_ROOT: path.resolve(input.root), PATCHGATE_BACKUP_DIR: dir }),
      cwd: dir,
      timeoutMs: hook.timeoutSeconds * 1000,
    });
    hooks.push({ name: hook.name, exitCode: result.code });
    if (result.code !== 0) {
      throw new StepFailure(
        `backup hook ${hook.name} failed (${result.timedOut ? 'timed out' : `exit code ${String(result.code)}`}): nothing was installed`,
      );
    }
  }

  let archive: BackupManifest['archive'] = null;
  const wanted = input.plan?.paths ?? [];
  const present = wanted.filter((p) => existsSync(underRoot(input.root, p)));
  for (const missing of wanted.filter((p) => !present.includes(p))) {
    step.log('agent', `backup path ${missing} does not exist on the host; skipped`);
  }
  if (present.length > 0) {
    const file = path.join(dir, 'paths.tar.gz');
    let files = 0;
    const relative = present.map((p) => path.relative('/', p) || '.');
    // The agent's own state (this very backup) may lie under an archived path: leave it out.
    const state = path.relative(path.resolve(input.root), path.resolve(input.stateDir));
    const exclude = state.startsWith('..') || path.isAbsolute(state) ? [] : [`--exclude=${state}`];
    const result = await step.run(
      'tar',
      [
        '-czvf',
        file,
        '-C',
        path.resolve(input.root),
        '--numeric-owner',
        ...exclude,
        '--',
        ...relative,
      ],
      { env: commandEnv() },
    );
    if (result.code !== 0)
      throw new StepFailure(`tar failed with exit code ${String(result.code)}`);
    files = result.stdout.split('\n').filter((line) => line !== '' && !line.endsWith('/')).length;
    archive = {
      path: file,
      sha256: await sha256File(file),
      bytes: (await stat(file)).size,
      paths: present,
      files,
    };
    step.log(
      'agent',
      `archived ${String(files)} files of ${present.join(', ')}: sha256 ${archive.sha256}`,
    );
  }

  const manifest: BackupManifest = {
    backupId,
    installTaskId: input.installTaskId,
    createdAt: input.now.toISOString(),
    expiresAt: new Date(input.now.getTime() + retentionDays * dayMs).toISOString(),
    packages: [...input.packages],
    archive,
    hooks,
  };
  const install: InstallRecord = { installTaskId: input.installTaskId, ...input.install };
  await writeFile(path.join(dir, 'install.json'), `${JSON.stringify(install, null, 2)}\n`);
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  step.log(
    'agent',
    `package selection: ${String(manifest.packages.length)} packages recorded in ${dir}`,
  );
  return { dir, manifest, install };
}

/** Every backup kept on the host (unreadable folders are skipped). */
export async function listBackups(stateDir: string): Promise<StoredBackup[]> {
  const base = backupsDir(stateDir);
  if (!existsSync(base)) return [];
  const backups: StoredBackup[] = [];
  for (const entry of await readdir(base)) {
    const dir = path.join(base, entry);
    try {
      const manifest = JSON.parse(
        await readFile(path.join(dir, 'manifest.json'), 'utf8'),
      ) as BackupManifest;
      const installFile = path.join(dir, 'install.json');
      const install = existsSync(installFile)
        ? (JSON.parse(await readFile(installFile, 'utf8')) as InstallRecord)
        : undefined;
      backups.push({ dir, manifest, install });
    } catch {
      // a backup being written, or damaged: not usable
    }
  }
  return backups;
}

/** The newest backup made for an install task. */
export async function findBackup(
  stateDir: string,
  installTaskId: string,
): Promise<StoredBackup | undefined> {
  const matching = (await listBackups(stateDir)).filter(
    (b) => b.manifest.installTaskId === installTaskId,
  );
  return matching.sort((a, b) => b.manifest.createdAt.localeCompare(a.manifest.createdAt))[0];
}

/** Removes backups past their `expiresAt` (retention); returns their ids. */
export async function pruneBackups(stateDir: string, now: Date): Promise<string[]> {
  const pruned: string[] = [];
  for (const backup of await listBackups(stateDir)) {
    if (Date.parse(backup.manifest.expiresAt) <= now.getTime()) {
      await rm(backup.dir, { recursive: true, force: true });
      pruned.push(backup.manifest.backupId);
    }
  }
  return pruned;
}

/** Restores paths from a backup's archive into the root, after checking its sha256. */
export async function restorePaths(
  step: StepHandle,
  root: string,
  manifest: BackupManifest,
  paths: readonly string[] | undefined,
): Promise<string[]> {
  const archive = manifest.archive;
  if (archive === null)
    throw new StepFailure(`backup ${manifest.backupId} has no archive of paths`);
  const actual = await sha256File(archive.path);
  if (actual !== archive.sha256) {
    throw new StepFailure(
      `backup archive ${archive.path} is damaged: sha256 ${actual}, manifest says ${archive.sha256}`,
    );
  }
  const wanted = paths ?? archive.paths;
  const inArchive = wanted.filter((p) =>
    archive.paths.some((a) => p === a || p.startsWith(a.endsWith('/') ? a : `${a}/`)),
  );
  for (const missing of wanted.filter((p) => !inArchive.includes(p))) {
    step.log('agent', `${missing} is not in the backup archive; not restored`);
  }
  if (inArchive.length === 0)
    throw new StepFailure('none of the paths to restore is in the backup');
  await step.runOrFail(
    'tar',
    [
      '-xzvf',
      archive.path,
      '-C',
      path.resolve(root),
      '--numeric-owner',
      '--',
      ...inArchive.map((p) => path.relative('/', p) || '.'),
    ],
    { env: commandEnv() },
  );
  return inArchive;
}
