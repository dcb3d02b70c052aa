/** `patchgate agents list|show|revoke`: the enrolled host agents. */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { writeTable } from '../remote/listing.ts';

export const agentsHelp = `Usage:
  patchgate agents list [--online|--offline] [--revoked] [--reboot-required] [--name <text>]
                        [--server <url>] [--json]
  patchgate agents show <name|agent id> [--tasks <n>] [--server <url>] [--json]
  patchgate agents revoke <name|agent id> [--reason <text>] [--server <url>] [--json]

An agent is online when it was seen within three heartbeat intervals. show prints the host's
facts (version, OS, reboot required, services needing restart, clock skew) and its latest
tasks. revoke ends the agent's credential at once and rejects its open tasks; it needs
agents:manage (exit 4 without it).
`;

export async function agentsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(agentsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'list') return list(rest, io);
  if (sub === 'show') return show(rest, io);
  if (sub === 'revoke') return revoke(rest, io);
  throw new UsageError(`agents: unknown subcommand "${sub}"\n\n${agentsHelp}`);
}

const minutes = (iso: string | null) => iso?.slice(0, 16).replace('T', ' ') ?? 'never';

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('agents list', args, {
    server: { type: 'string' },
    online: { type: 'boolean' },
    offline: { type: 'boolean' },
    revoked: { type: 'boolean' },
    'reboot-required': { type: 'boolean' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(`agents list takes no arguments (got ${positionals.join(' ')})`);
  if (values.online === true && values.offline === true)
    throw new UsageError('agents list: give --online or --offline, not both');
  const query = {
    ...(values.online === true && { online: 'true' as const }),
    ...(values.offline === true && { online: 'false' as const }),
    ...(values.revoked === true && { revoked: 'true' as const }),
    ...(values['reboot-required'] === true && { rebootRequired: 'true' as const }),
    ...(values.name !== undefined && { q: values.name }),
  };
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/agents', { params: { query } })),
    'agent list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['name', 'status', 'version', 'os', 'last seen', 'reboot', 'id'],
    page.agents.map((a) => [
      a.name,
      a.revokedAt !== null ? 'revoked' : a.online ? 'online' : 'offline',
      a.version,
      a.os === null ? '-' : `${a.os.id} ${a.os.versionId ?? ''}`.trim(),
      minutes(a.lastSeenAt),
      a.rebootRequired ? 'required' : '-',
      a.id,
    ]),
  );
  io.stdout.write(`${page.agents.length} agent(s)\n`);
  return exitCodes.ok;
}

async function show(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('agents show', args, {
    server: { type: 'string' },
    tasks: { type: 'string' },
    json: { type: 'boolean' },
  });
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1)
    throw new UsageError('agents show takes one agent name or id');
  const limit = values.tasks === undefined ? 10 : Number(values.tasks);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new UsageError(`--tasks: expected a whole number from 1 to 500 (got "${values.tasks}")`);
  const { client, server } = remoteClient(io, values);
  const agent = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/agents/{id}', { params: { path: { id: ref } } }),
    ),
    `agent "${ref}"`,
  );
  const { tasks } = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/agents/{id}/tasks', {
        params: { path: { id: agent.id }, query: { limit } },
      }),
    ),
    `tasks of agent "${ref}"`,
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify({ ...agent, tasks }, null, 2) + '\n');
    return exitCodes.ok;
  }
  const status =
    agent.revokedAt !== null ? `revoked ${agent.revokedAt}` : agent.online ? 'online' : 'offline';
  const lines: [string, string][] = [
    ['agent', agent.id],
    ['asset', agent.assetId],
    ['status', status],
    ['version', agent.version],
    [
      'os',
      agent.os?.prettyName ??
        (agent.os === null ? '-' : `${agent.os.id} ${agent.os.versionId ?? ''}`),
    ],
    ['architecture', agent.architecture ?? '-'],
    ['hostname', agent.hostname ?? '-'],
    ['enrolled', agent.enrolledAt],
    ['last seen', agent.lastSeenAt ?? 'never'],
    ['clock skew', agent.clockSkewMs === null ? '-' : `${agent.clockSkewMs} ms`],
    [
      'reboot',
      agent.rebootRequired
        ? `required${agent.rebootPackages.length > 0 ? ` (${agent.rebootPackages.join(', ')})` : ''}`
        : 'not required',
    ],
    ['restart needed', agent.servicesNeedingRestart.join(', ') || '-'],
    ['inventory', agent.lastInventoryAt ?? 'never'],
    ['queued results', String(agent.queuedResults)],
  ];
  for (const [label, value] of lines) io.stdout.write(`${`${label}:`.padEnd(16)}${value}\n`);
  io.stdout.write('\n');
  if (tasks.length === 0) io.stdout.write('no tasks\n');
  writeTable(
    io,
    ['task', 'kind', 'state', 'created', 'finished', 'rollout'],
    tasks.map((t) => [
      t.id,
      t.kind,
      t.state,
      minutes(t.createdAt),
      minutes(t.finishedAt),
      t.rolloutId ?? '-',
    ]),
  );
  return exitCodes.ok;
}

async function revoke(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('agents revoke', args, {
    server: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  const ref = positionals[0];
  if (ref === undefined || positionals.length > 1)
    throw new UsageError('agents revoke takes one agent name or id');
  const { client, server } = remoteClient(io, values);
  const agent = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/agents/{id}/revoke', {
        params: { path: { id: ref } },
        body: { ...(values.reason !== undefined && { reason: values.reason }) },
      }),
    ),
    `revoking agent "${ref}"`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(agent, null, 2) + '\n');
  else io.stdout.write(`revoked agent ${agent.name} (${agent.id})\n`);
  return exitCodes.ok;
}
