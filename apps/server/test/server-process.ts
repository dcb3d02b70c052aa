/**
 * A real `patchgate server` process for crash tests: spawned from the built CLI on a SQLite
 * data directory or a PostgreSQL database of the run's throwaway cluster, killed with SIGKILL
 * (no shutdown hook runs), restarted on the same database. Plus a real login that yields an
 * API token, and the test's own handle on the same database to count what was committed.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDataRoot } from '@patchgate/testing';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { openPostgres, openSqlite } from '../src/db/database.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = `${repoRoot}apps/cli/bin/patchgate.js`;
export const adminPassword = 'correct horse battery staple';

/** Bundle the CLI (apps/cli/dist), as `npm run build` does; returns esbuild's complaints. */
export function buildCli(): { ok: boolean; stderr: string } {
  const built = spawnSync(process.execPath, [`${repoRoot}apps/cli/build.mjs`], {
    encoding: 'utf8',
  });
  return { ok: built.status === 0, stderr: built.stderr };
}

/** Where a test server keeps its data: a SQLite data directory, or a PostgreSQL database. */
export interface ServerDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** `--data-dir …` (always: the server wants one) and `--database-url …` for PostgreSQL. */
  readonly args: readonly string[];
  /** The SQLite file, or the PostgreSQL URL. */
  readonly location: string;
  /** The test's own connection to the same database. */
  open(): Database;
  /** Drop the database / remove the directory. */
  remove(): Promise<void>;
}

/** A fresh, empty database (the server migrates it on start). */
export async function freshServerDatabase(
  name: 'sqlite' | 'postgres',
  postgresUrl: string | null,
): Promise<ServerDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'patchgate-crash-'));
  if (name === 'sqlite') {
    return {
      name,
      args: ['--data-dir', dir],
      location: join(dir, 'patchgate.sqlite'),
      open: () => openSqlite(join(dir, 'patchgate.sqlite')),
      remove: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (postgresUrl === null) throw new Error('PostgreSQL is not available');
  const database = `crash_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = postgresUrl.replace('/postgres?', `/${database}?`);
  return {
    name,
    args: ['--data-dir', dir, '--database-url', url],
    location: url,
    open: () => openPostgres(url, 2),
    remove: async () => {
      const cleanup = new pg.Client({ connectionString: postgresUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to standard error (its structured logs), for failures. */
  readonly stderr: () => string;
  /** SIGKILL: no shutdown hook, no lease handed back, open transactions cut off. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown. */
  stop(): Promise<void>;
}

/**
 * Start `patchgate server` on the database and resolve once it listens. The job lease is short
 * (`leaseSeconds`) so that a job held by a killed process is claimed again soon. `port` (default
 * 0: any free one) lets a restart keep its address, for clients that keep their URL (agents);
 * `env` adds settings (e.g. the rollout driver's tick).
 */
export async function startServerProcess(
  database: ServerDatabase,
  options: { leaseSeconds: number; port?: number; env?: Readonly<Record<string, string>> },
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [bin, 'server', '--port', String(options.port ?? 0), '--log-level', 'warn', ...database.args],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PATCHGATE_ADMIN_USERNAME: 'admin',
        PATCHGATE_ADMIN_PASSWORD: adminPassword,
        // The lowest cost the server accepts: these tests hash one password per start.
        PATCHGATE_PASSWORD_HASH_COST: '10',
        PATCHGATE_JOB_LEASE_SECONDS: String(options.leaseSeconds),
        // The crash test syncs the shared data set's Go all.zip.
        PATCHGATE_ADVISORY_ROOTS: [sharedDataRoot, join(repoRoot, '../shared/data')].join(':'),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url,
    child,
    stderr: () => stderr,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}

/** Log in as the first admin (`POST /api/v1/session`) and make an API token with every scope. */
export async function adminToken(url: string): Promise<string> {
  const login = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  const session = (await login.json()) as { csrfToken: string; user: { permissions: string[] } };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ name: 'crash test', scopes: session.user.permissions }),
  });
  if (created.status !== 201) throw new Error(`token: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}
