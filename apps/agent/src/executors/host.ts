/**
 * What the agent reports about its host: the installed packages (in a format the server's
 * inventory registry detects: `dpkg-status`, `rpm-qa`, `apk-installed`), the available updates
 * (`apt list --upgradable`), and facts (os-release, architecture, package managers, reboot
 * required, services needing a restart).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parseOsReleaseFile } from '@patchgate/inventory';
import type { OsFacts } from '@patchgate/agent-protocol';

import type { ExecutionContext, HostFacts, InventoryReport } from './contract.ts';
import { commandEnv, runCommand } from './process.ts';
import { aptEnvironment, aptOptions, isHostRoot, underRoot } from './root.ts';

export type PackageManager = HostFacts['packageManagers'][number];

/** The package databases found under the root, and the tools found on the PATH. */
export interface PackageSystems {
  readonly dpkgStatus: boolean;
  readonly rpmDatabase: boolean;
  readonly apkDatabase: boolean;
  readonly tools: ReadonlySet<'apt-get' | 'dpkg-query' | 'rpm' | 'dnf' | 'apk'>;
}

export const rpmQueryFormat =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

/** How the inventory is read: the first database present wins (dpkg, then rpm, then apk). */
export type InventorySource =
  | { format: 'dpkg-status'; read: 'file'; file: string }
  | { format: 'rpm-qa'; read: 'command'; command: string; args: string[] }
  | { format: 'apk-installed'; read: 'file'; file: string };

export function inventorySource(root: string, systems: PackageSystems): InventorySource | null {
  if (systems.dpkgStatus) {
    return { format: 'dpkg-status', read: 'file', file: underRoot(root, 'var/lib/dpkg/status') };
  }
  if (systems.rpmDatabase && systems.tools.has('rpm')) {
    const rootArgs = isHostRoot(root) ? [] : ['--root', path.resolve(root)];
    return {
      format: 'rpm-qa',
      read: 'command',
      command: 'rpm',
      args: [...rootArgs, '-qa', '--qf', rpmQueryFormat],
    };
  }
  if (systems.apkDatabase) {
    return { format: 'apk-installed', read: 'file', file: underRoot(root, 'lib/apk/db/installed') };
  }
  return null;
}

export function packageManagersOf(systems: PackageSystems): PackageManager[] {
  const managers: PackageManager[] = [];
  if (systems.dpkgStatus && systems.tools.has('apt-get')) managers.push('apt');
  if (systems.rpmDatabase && systems.tools.has('dnf')) managers.push('dnf');
  if (systems.apkDatabase && systems.tools.has('apk')) managers.push('apk');
  return managers;
}

async function onPath(tool: string): Promise<boolean> {
  const result = await runCommand('sh', ['-c', `command -v ${tool}`], {
    env: commandEnv(),
    timeoutMs: 10_000,
  });
  return result.code === 0;
}

export async function detectPackageSystems(root: string): Promise<PackageSystems> {
  const tools = new Set<'apt-get' | 'dpkg-query' | 'rpm' | 'dnf' | 'apk'>();
  for (const tool of ['apt-get', 'dpkg-query', 'rpm', 'dnf', 'apk'] as const) {
    if (await onPath(tool)) tools.add(tool);
  }
  return {
    dpkgStatus: existsSync(underRoot(root, 'var/lib/dpkg/status')),
    rpmDatabase:
      existsSync(underRoot(root, 'var/lib/rpm')) ||
      existsSync(underRoot(root, 'usr/lib/sysimage/rpm')),
    apkDatabase: existsSync(underRoot(root, 'lib/apk/db/installed')),
    tools,
  };
}

export async function collectInventory(ctx: ExecutionContext): Promise<InventoryReport | null> {
  const source = inventorySource(ctx.root, await detectPackageSystems(ctx.root));
  if (source === null) return null;
  if (source.read === 'file')
    return { format: source.format, body: await readFile(source.file, 'utf8') };
  const result = await runCommand(source.command, source.args, {
    env: commandEnv(),
    timeoutMs: 5 * 60_000,
    signal: ctx.signal,
  });
  if (result.code !== 0) throw new Error(`${source.command} -qa failed: ${result.stderr.trim()}`);
  return { format: source.format, body: result.stdout };
}

/** `apt-get update` (quiet), then `apt list --upgradable` as printed; null without apt. */
export async function collectAvailableUpdates(ctx: ExecutionContext): Promise<string | null> {
  const systems = await detectPackageSystems(ctx.root);
  if (!packageManagersOf(systems).includes('apt')) return null;
  const env = commandEnv(aptEnvironment(ctx.root));
  const options = aptOptions(ctx.root);
  const update = await runCommand('apt-get', ['-qq', ...options, 'update'], {
    env,
    timeoutMs: 5 * 60_000,
    signal: ctx.signal,
  });
  if (update.code !== 0) {
    ctx.log(
      'rescan',
      'stderr',
      `apt-get update failed (code ${String(update.code)}): ${update.stderr.trim()}`,
    );
  }
  const list = await runCommand('apt', [...options, 'list', '--upgradable'], {
    env,
    timeoutMs: 5 * 60_000,
    signal: ctx.signal,
  });
  if (list.code !== 0) throw new Error(`apt list --upgradable failed: ${list.stderr.trim()}`);
  return list.stdout;
}

export function osFactsFrom(text: string): OsFacts | undefined {
  const fields = parseOsReleaseFile(text);
  const id = fields['ID'];
  if (!id) return undefined;
  return {
    id: id.slice(0, 64),
    ...(fields['VERSION_ID'] && { versionId: fields['VERSION_ID'].slice(0, 64) }),
    ...(fields['PRETTY_NAME'] && { prettyName: fields['PRETTY_NAME'].slice(0, 200) }),
  };
}

async function readOs(root: string): Promise<OsFacts | undefined> {
  const candidates = [underRoot(root, 'etc/os-release'), underRoot(root, 'usr/lib/os-release')];
  // A sandbox root usually has no os-release of its own: it stands for this machine.
  if (!isHostRoot(root)) candidates.push('/etc/os-release', '/usr/lib/os-release');
  for (const file of candidates) {
    if (existsSync(file)) return osFactsFrom(await readFile(file, 'utf8'));
  }
  return undefined;
}

/** `needrestart -b` lines `NEEDRESTART-SVC: unit` (only on the host's own root). */
export function parseNeedrestart(output: string): string[] {
  return output
    .split('\n')
    .map((line) => /^NEEDRESTART-SVC:\s*(\S+)/.exec(line)?.[1])
    .filter((unit): unit is string => unit !== undefined);
}

export async function hostFacts(ctx: ExecutionContext): Promise<HostFacts> {
  const systems = await detectPackageSystems(ctx.root);
  let architecture: string | undefined;
  if (systems.tools.has('dpkg-query')) {
    const arch = await runCommand('dpkg', ['--print-architecture'], {
      env: commandEnv(),
      timeoutMs: 10_000,
    });
    architecture = arch.code === 0 ? arch.stdout.trim() || undefined : undefined;
  }
  if (architecture === undefined) {
    const arch = await runCommand('uname', ['-m'], { env: commandEnv(), timeoutMs: 10_000 });
    architecture = arch.code === 0 ? arch.stdout.trim() || undefined : undefined;
  }
  const rebootFile = underRoot(ctx.root, 'run/reboot-required');
  const pkgsFile = underRoot(ctx.root, 'run/reboot-required.pkgs');
  const rebootPackages = existsSync(pkgsFile)
    ? [
        ...new Set(
          (await readFile(pkgsFile, 'utf8'))
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        ),
      ]
    : [];
  let servicesNeedingRestart: string[] = [];
  // needrestart inspects the running processes of this machine: meaningless for a sandbox root.
  if (isHostRoot(ctx.root) && (await onPath('needrestart'))) {
    const result = await runCommand('needrestart', ['-b', '-r', 'l'], {
      env: commandEnv(),
      timeoutMs: 2 * 60_000,
      signal: ctx.signal,
    });
    servicesNeedingRestart = parseNeedrestart(result.stdout);
  }
  return {
    os: await readOs(ctx.root),
    architecture,
    packageManagers: packageManagersOf(systems),
    rebootRequired: existsSync(rebootFile),
    rebootPackages,
    servicesNeedingRestart,
  };
}
