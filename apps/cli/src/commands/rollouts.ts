/**
 * `patchgate rollouts start|list|show|pause|resume|abort|rollback|release|watch`: a change's
 * rollout on the server — start it now (or a dry run), follow it wave by wave and host by host,
 * and the person's commands. `watch` reads the server-sent event stream and redraws progress.
 */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, RemoteError, remoteClient } from '../remote/call.ts';
import { resolveCredentials } from '../remote/credentials.ts';
import { writeTable } from '../remote/listing.ts';

export const rolloutsHelp = `Usage:
  patchgate rollouts start <change> [--dry-run] [--skip-offline] [--reboot]
                           [--reason <text>] [--server <url>] [--json]
  patchgate rollouts list [--phase <phase>] [--change <change>] [--dry-run|--real]
                          [--server <url>] [--json]
  patchgate rollouts show <rollout|change> [--server <url>] [--json]
  patchgate rollouts pause <rollout|change> [--reason <text>] [--server <url>] [--json]
  patchgate rollouts resume <rollout|change> [--reason <text>] [--server <url>] [--json]
  patchgate rollouts abort <rollout|change> [--reason <text>] [--server <url>] [--json]
  patchgate rollouts rollback <rollout|change> [--reason <text>] [--server <url>] [--json]
  patchgate rollouts release <rollout|change> <wave> [--reason <text>] [--server <url>] [--json]
  patchgate rollouts watch <rollout|change> [--server <url>] [--json]

A rollout runs an approved change's deployment plan on its hosts through their agents: waves
in order, each host installed at the exact versions, health-checked, rolled back to its exact
prior versions when the plan says so; only inside the hosts' maintenance windows.

start starts the change's rollout now (the change must be scheduled and its start reached, and
moves to implementing; or be implementing already without a rollout); --dry-run simulates every task instead (apt-get -s) and leaves
the change alone; --skip-offline skips hosts offline or without an agent (default: wait for
them); --reboot reboots a host whose install requires it (default: never).
A rollout is named by its id or by its change (CHG-0042: the change's real rollout).
pause stops new hosts from starting; resume continues (accepting the failures so far); abort
stops for good; rollback undoes every host started; release opens a wave's manual gate.
watch follows the live stream until the rollout ends (--json: one event per line).
Reading needs changes:read; everything else changes:implement. Refusals (a rollout in the
wrong state) exit non-zero with the server's reason.
`;

const subcommands = [
  'start',
  'list',
  'show',
  'pause',
  'resume',
  'abort',
  'rollback',
  'release',
  'watch',
] as const;
type Sub = (typeof subcommands)[number];

export async function rolloutsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(rolloutsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (!(subcommands as readonly string[]).includes(sub))
    throw new UsageError(`rollouts: unknown subcommand "${sub}"\n\n${rolloutsHelp}`);
  const run: Record<Sub, (args: string[], io: CliIo) => Promise<ExitCode>> = {
    start,
    list,
    show,
    pause: (a, o) => act('pause', a, o),
    resume: (a, o) => act('resume', a, o),
    abort: (a, o) => act('abort', a, o),
    rollback: (a, o) => act('rollback', a, o),
    release,
    watch,
  };
  return run[sub as Sub](rest, io);
}

function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

interface Host {
  assetId: string;
  name: string;
  state: string;
  before: { name: string; version: string | null }[];
  after: { name: string; version: string | null }[];
  restored: { name: string; version: string | null }[];
  backup: {
    backupId: string;
    packages: number;
    archive: { sha256: string; files: number; bytes: number; paths: string[] } | null;
  } | null;
  tasks: {
    kind: string;
    scope: string;
    state: string;
    outcome: string | null;
    error: string | null;
  }[];
}
interface Detail {
  id: string;
  change: { number: string; title: string; state: string };
  dryRun: boolean;
  phase: string;
  reason: string | null;
  currentWave: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  waves: {
    name: string;
    state: string;
    gate: string;
    counts: Record<string, number>;
    hosts: Host[];
  }[];
}

const versions = (list: { name: string; version: string | null }[]) =>
  list.map((p) => `${p.name} ${p.version ?? '(none)'}`).join(', ') || '-';

function lastTask(host: Host): string {
  const task = host.tasks.at(-1);
  if (task === undefined) return '-';
  const what = `${task.kind}${task.scope === 'wave' ? ' (wave)' : ''}`;
  return `${what} ${task.outcome ?? task.state}${task.error === null ? '' : `: ${task.error}`}`;
}

function printDetail(io: CliIo, d: Detail): void {
  io.stdout.write(
    `rollout ${d.id}${d.dryRun ? ' (dry run)' : ''} of ${d.change.number} ${d.change.title} (change ${d.change.state})\n` +
      `phase: ${d.phase}${d.reason === null ? '' : ` — ${d.reason}`}\n` +
      `started: ${d.startedAt ?? '-'}  finished: ${d.finishedAt ?? '-'}\n`,
  );
  for (const wave of d.waves) {
    const counts = Object.entries(wave.counts)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    io.stdout.write(
      `\nwave ${wave.name}: ${wave.state}${wave.gate === 'manual' ? ' (manual gate)' : ''} — ${counts || 'no hosts'}\n`,
    );
    writeTable(
      io,
      ['host', 'state', 'before', 'after', 'last task'],
      wave.hosts.map((h) => [
        h.name,
        h.state,
        versions(h.before),
        versions(h.restored.length > 0 ? h.restored : h.after),
        lastTask(h),
      ]),
    );
    for (const h of wave.hosts) {
      if (h.backup === null) continue;
      const { backupId, packages, archive } = h.backup;
      const copied =
        archive === null
          ? 'no paths copied'
          : `${archive.paths.join(', ')}: ${archive.files} files, ${archive.bytes} bytes, sha256 ${archive.sha256}`;
      io.stdout.write(
        `backup on ${h.name}: ${backupId} — ${packages} package versions; ${copied}\n`,
      );
    }
  }
}

async function start(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rollouts start', args, {
    server: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'skip-offline': { type: 'boolean' },
    reboot: { type: 'boolean' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  const change = positionals[0];
  if (change === undefined || positionals.length > 1)
    throw new UsageError('rollouts start takes one change (CHG-0042 or its id)');
  const { client, server } = remoteClient(io, values);
  const detail = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/changes/{id}/rollout', {
        params: { path: { id: change } },
        body: {
          dryRun: values['dry-run'] === true,
          offlineHosts: values['skip-offline'] === true ? 'skip' : 'wait',
          reboot: values.reboot === true ? 'if-required' : 'never',
          ...(values.reason !== undefined && { reason: values.reason }),
        },
      }),
    ),
    `starting the rollout of ${change}`,
  ) as Detail;
  if (values.json === true) printJson(io, detail);
  else
    io.stdout.write(
      `started ${detail.dryRun ? 'a dry run' : 'the rollout'} ${detail.id} of ${detail.change.number} (${detail.phase}); follow it with "patchgate rollouts watch ${detail.id}"\n`,
    );
  return exitCodes.ok;
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rollouts list', args, {
    server: { type: 'string' },
    phase: { type: 'string' },
    change: { type: 'string' },
    'dry-run': { type: 'boolean' },
    real: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('rollouts list takes no arguments');
  if (values['dry-run'] === true && values.real === true)
    throw new UsageError('rollouts list: give --dry-run or --real, not both');
  const { client, server } = remoteClient(io, values);
  const query = {
    ...(values.phase !== undefined && { phase: values.phase }),
    ...(values.change !== undefined && { change: values.change }),
    ...(values['dry-run'] === true && { dryRun: 'true' }),
    ...(values.real === true && { dryRun: 'false' }),
  };
  const listed = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/rollouts', { params: { query: query as never } }),
    ),
    'rollout list',
  );
  if (values.json === true) {
    printJson(io, listed);
    return exitCodes.ok;
  }
  if (listed.rollouts.length === 0) io.stdout.write('no rollouts\n');
  writeTable(
    io,
    ['id', 'change', 'phase', 'wave', 'dry run', 'started', 'finished'],
    listed.rollouts.map((r) => [
      r.id,
      r.change.number,
      r.phase,
      r.currentWave ?? '-',
      r.dryRun ? 'yes' : '-',
      r.startedAt ?? '-',
      r.finishedAt ?? '-',
    ]),
  );
  return exitCodes.ok;
}

async function fetchDetail(io: CliIo, values: { server?: string | undefined }, ref: string) {
  const { client, server } = remoteClient(io, values);
  return expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/rollouts/{id}', { params: { path: { id: ref } } }),
    ),
    `rollout ${ref}`,
  ) as Detail;
}

async function show(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rollouts show', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1)
    throw new UsageError('rollouts show takes one rollout (its id, or its change)');
  const detail = await fetchDetail(io, values, ref);
  if (values.json === true) printJson(io, detail);
  else printDetail(io, detail);
  return exitCodes.ok;
}

async function act(
  action: 'pause' | 'resume' | 'abort' | 'rollback',
  args: string[],
  io: CliIo,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`rollouts ${action}`, args, {
    server: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1)
    throw new UsageError(`rollouts ${action} takes one rollout (its id, or its change)`);
  const { client, server } = remoteClient(io, values);
  const body = values.reason === undefined ? {} : { reason: values.reason };
  const params = { params: { path: { id: ref } }, body };
  const detail = expectOk(
    await reachable(server, () =>
      action === 'pause'
        ? client.POST('/api/v1/rollouts/{id}/pause', params)
        : action === 'resume'
          ? client.POST('/api/v1/rollouts/{id}/resume', params)
          : action === 'abort'
            ? client.POST('/api/v1/rollouts/{id}/abort', params)
            : client.POST('/api/v1/rollouts/{id}/rollback', params),
    ),
    `${action} of rollout ${ref}`,
  ) as Detail;
  if (values.json === true) printJson(io, detail);
  else
    io.stdout.write(
      `rollout ${detail.id} of ${detail.change.number}: ${detail.phase}${detail.reason === null ? '' : ` — ${detail.reason}`}\n`,
    );
  return exitCodes.ok;
}

async function release(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rollouts release', args, {
    server: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [ref, wave] = positionals;
  if (ref === undefined || wave === undefined || positionals.length > 2)
    throw new UsageError('rollouts release takes a rollout (or its change) and a wave name');
  const { client, server } = remoteClient(io, values);
  const detail = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/rollouts/{id}/waves/{wave}/release', {
        params: { path: { id: ref, wave } },
        body: values.reason === undefined ? {} : { reason: values.reason },
      }),
    ),
    `releasing wave ${wave} of rollout ${ref}`,
  ) as Detail;
  if (values.json === true) printJson(io, detail);
  else io.stdout.write(`released wave ${wave} of rollout ${detail.id}: ${detail.phase}\n`);
  return exitCodes.ok;
}

interface StreamEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Parse server-sent events from a byte stream (comments and heartbeats are skipped). */
export async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length === 0) continue;
      yield { event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
    }
  }
}

/** Asset ids in the stream, shown by their names (from the rollout's detail). */
type HostNames = ReadonlyMap<string, string>;

function hostNamesOf(detail: Detail): HostNames {
  return new Map(detail.waves.flatMap((wave) => wave.hosts.map((h) => [h.assetId, h.name])));
}

function describeProgress(data: Record<string, unknown>, names: HostNames): string {
  const named = (host: string | undefined) =>
    host === undefined ? undefined : (names.get(host) ?? host);
  const event = data.event as
    { type?: string; host?: string; wave?: string; verdict?: string; outcome?: string } | undefined;
  const commands =
    (data.commands as
      | { type: string; kind?: string; host?: string; wave?: string; detail?: string }[]
      | undefined) ?? [];
  const said = commands
    .map((c) =>
      c.type === 'notify'
        ? `${c.kind ?? ''}${c.wave === undefined ? '' : ` ${c.wave}`}${c.detail === undefined ? '' : ` (${c.detail})`}`
        : c.type === 'install'
          ? `install → ${named(c.host) ?? ''}`
          : c.type === 'run-health-checks'
            ? `health checks → ${named(c.host) ?? `wave ${c.wave ?? ''}`}`
            : `roll back`,
    )
    .join('; ');
  const what =
    event?.type === 'tick'
      ? 'tick'
      : `${event?.type ?? '?'}${event?.host === undefined ? '' : ` ${named(event.host)}`}${event?.wave === undefined ? '' : ` ${event.wave}`}${event?.verdict === undefined ? '' : ` ${event.verdict}`}${event?.outcome === undefined ? '' : ` ${event.outcome}`}`;
  return `#${String(data.seq)} ${String(data.at)} [${String(data.phase)}] ${what}${said === '' ? '' : ` → ${said}`}`;
}

async function watch(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rollouts watch', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1)
    throw new UsageError('rollouts watch takes one rollout (its id, or its change)');
  // The detail first: host names for the stream, and a clear answer when there is no rollout.
  const { client, server } = remoteClient(io, values);
  const first = await reachable(server, () =>
    client.GET('/api/v1/rollouts/{id}', { params: { path: { id: ref } } }),
  );
  if (first.response.status === 404 && /^CHG-\d+$/i.test(ref))
    throw new RemoteError(
      404,
      `${ref.toUpperCase()} has no rollout yet: the server starts it at its scheduled start (inside its window), or start it then with "patchgate rollouts start ${ref.toUpperCase()}"`,
    );
  let names = hostNamesOf(expectOk(first, `rollout ${ref}`));
  const credentials = resolveCredentials(io, values);
  const url = new URL(`/api/v1/rollouts/${encodeURIComponent(ref)}/events`, credentials.server);
  const response = await reachable(credentials.server, () =>
    fetch(url, {
      headers: {
        accept: 'text/event-stream',
        ...(credentials.token !== undefined && { authorization: `Bearer ${credentials.token}` }),
      },
    }),
  );
  if (!response.ok || response.body === null) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new RemoteError(
      response.status,
      `watching rollout ${ref} failed: ${response.status} ${problem.detail ?? response.statusText}`,
    );
  }
  let end: Record<string, unknown> | undefined;
  let lastDraw = 0;
  let pictureCurrent = false;
  for await (const message of serverSentEvents(response.body)) {
    if (values.json === true) {
      io.stdout.write(JSON.stringify({ event: message.event, data: message.data }) + '\n');
    } else if (message.event === 'progress') {
      io.stdout.write(describeProgress(message.data, names) + '\n');
      pictureCurrent = false;
      // The per-host picture after each change of phase or wave, at most once a second.
      const commands = (message.data.commands as { type: string }[] | undefined) ?? [];
      if (commands.some((c) => c.type === 'notify') && io.now() - lastDraw > 1000) {
        lastDraw = io.now();
        const detail = await fetchDetail(io, values, ref);
        names = hostNamesOf(detail);
        printDetail(io, detail);
        pictureCurrent = true;
      }
    } else if (message.event === 'task-log') {
      const d = message.data;
      io.stdout.write(
        `  ${String(d.kind)} ${names.get(String(d.assetId)) ?? String(d.assetId)} ${typeof d.step === 'string' ? d.step : ''}: ${String(d.line ?? d.type)}\n`,
      );
      pictureCurrent = false;
    }
    if (message.event === 'end') {
      end = message.data;
      break;
    }
  }
  if (values.json !== true) {
    if (!pictureCurrent) printDetail(io, await fetchDetail(io, values, ref));
    io.stdout.write(`\nended: ${typeof end?.phase === 'string' ? end.phase : 'stream closed'}\n`);
  }
  return end?.phase === 'completed' ? exitCodes.ok : exitCodes.findings;
}
