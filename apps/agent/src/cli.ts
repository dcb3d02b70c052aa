/**
 * The agent's command line, shared by the standalone executable (`patchgate-agent <verb>`,
 * src/main.ts, bundled into a Node single executable) and the CLI (`patchgate agent <verb>`).
 * Options come from flags first, then the environment (the systemd unit's
 * /etc/patchgate-agent/agent.env), then defaults.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { Executors } from './executors/contract.ts';
import { Journal } from './journal.ts';
import { Outbox } from './outbox.ts';
import type { AgentLogger } from './runtime.ts';
import { AgentHttpError, ServerUnreachableError } from './client.ts';
import { AgentConfigError, AgentRuntime } from './runtime.ts';
import { defaultStateDir, loadIdentity, StateError } from './state.ts';
import { agentVersion } from './version.ts';

/** Exit codes. 78 (EX_CONFIG) tells systemd not to restart: the operator must act. */
export const agentExitCodes = {
  ok: 0,
  /** The server was unreachable, or (--once) something could not be sent and stays queued. */
  failed: 1,
  usage: 2,
  internal: 3,
  /** Not enrolled, enrolment refused, or the agent was revoked (HTTP 401). */
  config: 78,
} as const;

export interface AgentCliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGTERM/SIGINT. */
  readonly stop: AbortSignal;
}

export const agentHelpFor = (prog: string): string => `Usage:
  ${prog} run --server URL [--enroll-token T] [--name NAME] [--root DIR] [--state-dir D] [--once] [--dry-run]
        [--json]
  ${prog} init-root DIR --apt-source "deb [trusted=yes] file:/path ./" [--apt-source …]
  ${prog} status [--root DIR] [--state-dir D] [--json]
  ${prog} version [--json]

The Patchgate host agent ${agentVersion}. It enrols once with a one-time enrolment token, then
long-polls the server for signed tasks (no inbound port), verifies each task's Ed25519
signature, runs one task at a time with the host's package manager, and reports results,
inventory, available updates and heartbeats. Results wait on disk while the server is down.

run
  --server URL         the Patchgate server (env PATCHGATE_SERVER)
  --enroll-token T     a one-time enrolment token, pge_… (env PATCHGATE_ENROLL_TOKEN); used
                       only when the state dir holds no credential yet
  --name NAME          the asset name to report as (env PATCHGATE_AGENT_NAME; default: host name)
  --root DIR           treat DIR as the host's root for everything: dpkg --root, apt -o Dir=…,
                       reboot-required files, backups (env PATCHGATE_AGENT_ROOT; default /)
  --state-dir D        credential, journal and outbox (env PATCHGATE_STATE_DIR;
                       default <root>/var/lib/patchgate-agent)
  --once               one round: send what is queued, heartbeat, run the queued tasks, exit
                       (exit 1 when something is left queued)
  --dry-run            simulate every task (apt-get -s), change nothing (env PATCHGATE_DRY_RUN=1)
  --json               log one JSON object per line on standard error (default: text lines)
init-root DIR          prepare a sandbox root: an empty dpkg database and the given apt sources
status                 the enrolment, queued items and journal of this agent's state dir
version                the agent's version

Environment only: PATCHGATE_STOP_GRACE_SECONDS (60: on stop, a running task's time to finish),
PATCHGATE_RETRY_MAX_SECONDS (60: the longest wait between retries while the server is down).

Exit codes: 0 ok; 1 the server unreachable, or --once left items queued; 2 usage;
3 internal error; 78 not enrolled, enrolment refused or the agent revoked (systemd does not
restart it: enrol again).
`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  verb: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${verb}: ${(error as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
}

/** A number of seconds from the environment; a bad value is a usage error. */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new UsageError(`expected a number of seconds (got "${value}")`);
  return parsed;
}

const truthy = (value: string | undefined): boolean =>
  value !== undefined && /^(1|true|yes|on)$/i.test(value);

/** Loads the apt executors (src/executors, ADR 0037). */
async function loadExecutors(): Promise<Executors> {
  const module = (await import('./executors/index.ts')) as { aptExecutors?: Executors };
  if (module.aptExecutors === undefined)
    throw new Error(
      'this build has no executors (apps/agent/src/executors exports no aptExecutors)',
    );
  return module.aptExecutors;
}

export function textLogger(
  stream: { write(text: string): unknown },
  now = () => new Date(),
): AgentLogger {
  return (level, message, fields) => {
    const extra =
      fields === undefined
        ? ''
        : Object.entries(fields)
            .filter(([, value]) => value !== undefined)
            .map(
              ([key, value]) =>
                ` ${key}=${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)}`,
            )
            .join('');
    stream.write(`${now().toISOString()} ${level} ${message}${extra}\n`);
  };
}

/** One JSON object per line (`run --json`), for log collectors. */
export function jsonLogger(
  stream: { write(text: string): unknown },
  now = () => new Date(),
): AgentLogger {
  return (level, message, fields) => {
    stream.write(
      JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields }) + '\n',
    );
  };
}

export async function agentMain(args: string[], io: AgentCliIo, prog: string): Promise<number> {
  const help = agentHelpFor(prog);
  // Messages start with the program's name: "patchgate-agent: …" or "patchgate: …".
  const name = prog.split(' ')[0] ?? prog;
  const [verb, ...rest] = args;
  try {
    switch (verb) {
      case undefined:
        io.stderr.write(help);
        return agentExitCodes.usage;
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(help);
        return agentExitCodes.ok;
      case '--version':
      case 'version': {
        const { values } = parse('version', rest, { json: { type: 'boolean' } });
        io.stdout.write(
          values.json === true
            ? JSON.stringify({ version: agentVersion, node: process.version }) + '\n'
            : `patchgate-agent ${agentVersion} (node ${process.version})\n`,
        );
        return agentExitCodes.ok;
      }
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(help);
      return agentExitCodes.ok;
    }
    switch (verb) {
      case 'run':
        return await runVerb(rest, io);
      case 'init-root':
        return await initRootVerb(rest, io);
      case 'status':
        return statusVerb(rest, io);
      default:
        throw new UsageError(`unknown verb "${verb}" (try "${prog} --help")`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return agentExitCodes.usage;
    }
    if (error instanceof ServerUnreachableError || error instanceof AgentHttpError) {
      // The server is down or answered oddly: a transient failure (systemd restarts the agent).
      io.stderr.write(`${name}: the server did not answer: ${error.message}\n`);
      return agentExitCodes.failed;
    }
    if (error instanceof AgentConfigError || error instanceof StateError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return agentExitCodes.config;
    }
    io.stderr.write(
      `${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return agentExitCodes.internal;
  }
}

interface Placement {
  readonly root: string;
  readonly stateDir: string;
}

function placement(
  values: { root?: string | undefined; 'state-dir'?: string | undefined },
  env: AgentCliIo['env'],
): Placement {
  const root = path.resolve(values.root ?? env.PATCHGATE_AGENT_ROOT ?? '/');
  const stateDir = path.resolve(
    values['state-dir'] ?? env.PATCHGATE_STATE_DIR ?? defaultStateDir(root),
  );
  return { root, stateDir };
}

async function runVerb(args: string[], io: AgentCliIo): Promise<number> {
  const { values, positionals } = parse('run', args, {
    server: { type: 'string' },
    'enroll-token': { type: 'string' },
    name: { type: 'string' },
    root: { type: 'string' },
    'state-dir': { type: 'string' },
    once: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(`run takes no arguments (got ${positionals.join(' ')})`);
  const server = values.server ?? io.env.PATCHGATE_SERVER;
  if (server === undefined || server === '')
    throw new UsageError('run: --server URL (or PATCHGATE_SERVER) is required');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`run: --server must be an http(s) URL (got "${server}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`run: --server must be an http(s) URL (got "${server}")`);
  const { root, stateDir } = placement(values, io.env);
  if (!existsSync(root)) throw new UsageError(`run: the root ${root} does not exist`);
  const name = values.name ?? io.env.PATCHGATE_AGENT_NAME ?? hostname().split('.')[0] ?? 'host';
  const enrollToken = values['enroll-token'] ?? io.env.PATCHGATE_ENROLL_TOKEN;
  const log = values.json === true ? jsonLogger(io.stderr) : textLogger(io.stderr);
  const runtime = new AgentRuntime({
    server,
    name,
    root,
    stateDir,
    enrollToken: enrollToken === '' ? undefined : enrollToken,
    once: values.once === true,
    dryRun: values['dry-run'] === true || truthy(io.env.PATCHGATE_DRY_RUN),
    executors: await loadExecutors(),
    agentVersion,
    log,
    ...(seconds(io.env.PATCHGATE_RETRY_MAX_SECONDS) !== undefined && {
      maxRetryDelayMs: (seconds(io.env.PATCHGATE_RETRY_MAX_SECONDS) as number) * 1000,
    }),
    ...(io.env.PATCHGATE_STOP_GRACE_SECONDS !== undefined && {
      stopGraceMs: (seconds(io.env.PATCHGATE_STOP_GRACE_SECONDS) ?? 60) * 1000,
    }),
  });
  log('info', 'agent starting', { version: agentVersion, server, name, root, stateDir });
  const outcome = await runtime.run(io.stop);
  switch (outcome.kind) {
    case 'revoked':
      io.stderr.write(`stopped: ${outcome.message}\n`);
      return agentExitCodes.config;
    case 'once':
      log('info', 'round done', { tasks: outcome.tasks, queued: outcome.queued });
      return outcome.queued === 0 ? agentExitCodes.ok : agentExitCodes.failed;
    case 'stopped':
      log('info', 'agent stopped', { queued: runtime.outbox.size });
      return agentExitCodes.ok;
  }
}

async function initRootVerb(args: string[], io: AgentCliIo): Promise<number> {
  const { values, positionals } = parse('init-root', args, {
    'apt-source': { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('init-root takes exactly one DIR');
  const dir = path.resolve(positionals[0] as string);
  const { initRoot } = await import('./executors/index.ts');
  try {
    await initRoot(dir, { aptSources: values['apt-source'] ?? [] });
  } catch (error) {
    throw new UsageError(`init-root: ${(error as Error).message}`);
  }
  io.stdout.write(
    values.json === true
      ? JSON.stringify({ root: dir, aptSources: values['apt-source'] ?? [] }) + '\n'
      : `prepared ${dir} as a sandbox root (run the agent with --root ${dir})\n`,
  );
  return agentExitCodes.ok;
}

function statusVerb(args: string[], io: AgentCliIo): number {
  const { values, positionals } = parse('status', args, {
    root: { type: 'string' },
    'state-dir': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('status takes no arguments');
  const { root, stateDir } = placement(values, io.env);
  const identity = existsSync(stateDir) ? loadIdentity(stateDir) : undefined;
  const queued = existsSync(stateDir) ? new Outbox(stateDir).list() : [];
  const journal = existsSync(stateDir) ? new Journal(stateDir).entries() : [];
  const status = {
    root,
    stateDir,
    enrolled: identity !== undefined,
    ...(identity !== undefined && {
      server: identity.server,
      agentId: identity.agentId,
      assetId: identity.assetId,
      assetName: identity.assetName,
      enrolledAt: identity.enrolledAt,
      signingKeys: identity.signingKeys.map((key) => key.keyId),
    }),
    queued: queued.map(({ seq, item }) => ({ seq, type: item.type, taskId: item.taskId })),
    journal: {
      finished: journal.filter((entry) => entry.state === 'finished').length,
      started: journal
        .filter((entry) => entry.state === 'started')
        .map((entry) => ({ taskId: entry.taskId, kind: entry.kind, startedAt: entry.startedAt })),
    },
  };
  if (values.json === true) {
    io.stdout.write(JSON.stringify(status, null, 2) + '\n');
    return agentExitCodes.ok;
  }
  const lines = [
    `state dir: ${stateDir} (root ${root})`,
    identity === undefined
      ? 'enrolled: no (run with --enroll-token once)'
      : `enrolled: ${identity.assetName} (agent ${identity.agentId}) with ${identity.server} since ${identity.enrolledAt}`,
    `queued for the server: ${queued.length}${queued.length === 0 ? '' : ` (${queued.map((q) => q.item.type).join(', ')})`}`,
    `journal: ${status.journal.finished} finished, ${status.journal.started.length} started`,
  ];
  io.stdout.write(lines.join('\n') + '\n');
  return agentExitCodes.ok;
}
