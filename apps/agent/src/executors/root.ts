/**
 * Sandbox roots: a directory that dpkg and apt treat as a host's `/`, so tests and trials
 * install, upgrade and downgrade real packages without touching the machine's own ones.
 * The layout and the options were checked on Debian bookworm as root
 * (`/work/shared/notes/apt-sandbox-roots.md`, ADR 0037).
 */
import { existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How long apt waits for the dpkg frontend lock on a real host before giving up. */
export const dpkgLockTimeoutSeconds = 300;

const layoutFolders = [
  'var/lib/dpkg/info',
  'var/lib/dpkg/updates',
  'var/lib/dpkg/triggers',
  'var/lib/dpkg/alternatives',
  'etc/apt/sources.list.d',
  'etc/apt/preferences.d',
  'etc/apt/apt.conf.d',
  'etc/apt/trusted.gpg.d',
  'var/lib/apt/lists/partial',
  'var/cache/apt/archives/partial',
  'var/log/apt',
  'run',
  'tmp',
] as const;

const emptyFiles = ['var/lib/dpkg/status', 'var/lib/dpkg/available'] as const;

export interface InitRootOptions {
  /** `deb …` lines written to `etc/apt/sources.list` (replacing what it held). */
  readonly aptSources: readonly string[];
}

/** True when `root` is the machine's own root (no sandbox options are needed). */
export function isHostRoot(root: string): boolean {
  return path.resolve(root) === '/';
}

/**
 * Prepares `dir` as a sandbox root: an empty dpkg database, apt's folders and the given apt
 * sources. Idempotent: an existing dpkg database is kept (never truncated); only
 * `etc/apt/sources.list` is rewritten. Refuses the machine's own root.
 */
export async function initRoot(dir: string, options: InitRootOptions): Promise<void> {
  const root = path.resolve(dir);
  if (isHostRoot(root)) {
    throw new Error('initRoot prepares a sandbox root; refusing to initialise /');
  }
  for (const source of options.aptSources) {
    if (!/^deb(-src)?\s+\S/.test(source) || /[\r\n]/.test(source)) {
      throw new Error(`not a one-line apt source ("deb …"): ${JSON.stringify(source)}`);
    }
  }
  for (const folder of layoutFolders) {
    await mkdir(path.join(root, folder), { recursive: true });
  }
  for (const file of emptyFiles) {
    // 'a' creates the file when missing and never truncates an existing database.
    const handle = await open(path.join(root, file), 'a');
    await handle.close();
  }
  const sources = options.aptSources.map((line) => `${line}\n`).join('');
  await writeFile(path.join(root, 'etc/apt/sources.list'), sources);
  await writeFile(path.join(root, sandboxAptConfig), sandboxAptConfigText(root));
}

/**
 * apt reads `/etc/apt/apt.conf.d` and `/etc/apt/apt.conf` before it parses any `-o` option, so
 * the machine's own configuration (and its DPkg::Post-Invoke hooks) would apply to a sandbox
 * root. `APT_CONFIG` names a file read first: it points apt at the root's own folder instead.
 */
export const sandboxAptConfig = 'etc/apt/patchgate-sandbox.conf';

function sandboxAptConfigText(root: string): string {
  return [
    "// Written by Patchgate (initRoot): apt reads this root's configuration, not the machine's.",
    `Dir::Etc::Parts "${root}/etc/apt/apt.conf.d/";`,
    `Dir::Etc::Main "${root}/etc/apt/apt.conf";`,
    '',
  ].join('\n');
}

/**
 * The environment for apt and dpkg on `root`: `DPKG_ROOT`, and `APT_CONFIG` when the root was
 * prepared by `initRoot` (see `sandboxAptConfig`). Nothing for the machine's own root.
 */
export function aptEnvironment(root: string): Record<string, string> {
  if (isHostRoot(root)) return {};
  const r = path.resolve(root);
  const config = path.join(r, sandboxAptConfig);
  return { DPKG_ROOT: r, ...(existsSync(config) && { APT_CONFIG: config }) };
}

/**
 * The `-o` options for apt-get / apt / apt-cache / apt-mark that confine apt and the dpkg it
 * runs to `root`. For the machine's own root only the lock wait is added: apt then waits for
 * another package manager holding the dpkg lock instead of failing at once.
 *
 * On a sandbox root, `Debug::NoLocking` skips apt's lock (the lock files would be taken on the
 * sandbox anyway, and unprivileged trials cannot lock), so two apt commands must never run on
 * one root at once: the agent runs one task at a time.
 */
export function aptOptions(root: string): string[] {
  const lock = ['-o', `DPkg::Lock::Timeout=${dpkgLockTimeoutSeconds}`];
  if (isHostRoot(root)) return lock;
  const r = path.resolve(root);
  const pairs = [
    `Dir=${r}`,
    `Dir::State::status=${r}/var/lib/dpkg/status`,
    `Dir::Etc=${r}/etc/apt`,
    `Dir::Cache=${r}/var/cache/apt`,
    `Dir::State=${r}/var/lib/apt`,
    `Dir::Log=${r}/var/log/apt`,
    `DPkg::Options::=--root=${r}`,
    'DPkg::Options::=--force-script-chrootless',
    'DPkg::Options::=--force-not-root',
    'DPkg::Chroot-Directory=/',
    'APT::Sandbox::User=root',
    'Debug::NoLocking=1',
  ];
  return [...pairs.flatMap((pair) => ['-o', pair]), ...lock];
}

/** `dpkg` / `dpkg-query` options selecting the root's database (none for `/`). */
export function dpkgOptions(root: string): string[] {
  if (isHostRoot(root)) return [];
  const r = path.resolve(root);
  return [`--admindir=${r}/var/lib/dpkg`];
}

/** A path of the host, under the root: `underRoot('/srv', '/etc')` → `/srv/etc`. */
export function underRoot(root: string, hostPath: string): string {
  return path.join(path.resolve(root), hostPath);
}
