/**
 * The CLI's remote commands are tested against a real server over HTTP: one started in the
 * test's process on a fresh data directory and a free port, with its job runner stopped (a
 * test drives it with `server.jobs.runOnce()`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '@patchgate/server';
import { configFromEnv, startServer } from '@patchgate/server';
import { pino } from 'pino';
import { run } from '../src/cli.ts';
import type { RunResult } from './helpers.ts';
import { repoRoot } from './helpers.ts';

/** Run the CLI in-process with `env` (PATCHGATE_SERVER, PATCHGATE_TOKEN…), streams captured. */
export async function runCliWith(
  argv: string[],
  env: Record<string, string>,
  cwd = repoRoot,
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => Promise.resolve(''),
    cwd,
    now: () => 0,
    today: () => '2026-12-06',
    env,
  });
  return { code, stdout, stderr };
}

export interface CliTestServer {
  readonly server: RunningServer;
  /** The fresh directory holding the server's data and the CLI's configuration. */
  readonly work: string;
  /** The environment a CLI run needs to act with `token` against this server. */
  envFor(token: string): Record<string, string>;
  /** Stop the server and delete its directory. */
  close(): Promise<void>;
}

/** `settings`: more of the server's environment variables (PATCHGATE_MAX_EVIDENCE_BYTES…). */
export async function startCliTestServer(
  name: string,
  settings: Record<string, string> = {},
): Promise<CliTestServer> {
  const work = mkdtempSync(join(tmpdir(), `patchgate-cli-${name}-`));
  const configured = configFromEnv(
    {
      PATCHGATE_DATA_DIR: join(work, 'data'),
      PATCHGATE_PORT: '0',
      PATCHGATE_LOG_LEVEL: 'silent',
      ...settings,
    },
    work,
    { passwordHashCost: 10 },
  );
  if (!configured.ok) throw new Error(configured.errors.join('; '));
  const server = await startServer({
    config: configured.config,
    logger: pino({ level: 'silent' }),
    runJobs: false,
  });
  return {
    server,
    work,
    envFor: (token) => ({
      PATCHGATE_SERVER: server.url,
      PATCHGATE_TOKEN: token,
      PATCHGATE_CONFIG_DIR: join(work, 'config'),
    }),
    close: async () => {
      await server.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
