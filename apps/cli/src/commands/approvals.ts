/**
 * `patchgate approvals groups|group-add|group-remove|members|policy|delegate|delegations|revoke`:
 * who approves changes (approver groups, the approval policy) and who decides for whom while
 * someone is away (delegations). Approving a change itself is `patchgate changes approve`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { writeTable } from '../remote/listing.ts';

export const approvalsHelp = `Usage:
  patchgate approvals groups [--server <url>] [--json]
  patchgate approvals group-add <name> [--description <text>] [--emergency]
                                [--server <url>] [--json]
  patchgate approvals group-remove <name> [--server <url>] [--json]
  patchgate approvals members <group> [--add <user>]... [--remove <user>]...
                              [--server <url>] [--json]
  patchgate approvals policy [--file <policy.json|policy.yaml>] [--server <url>] [--json]
  patchgate approvals delegate --to <user> --from <time> --until <time> [--reason <text>]
                               [--for <user>] [--server <url>] [--json]
  patchgate approvals delegations [--user <user>] [--all] [--server <url>] [--json]
  patchgate approvals revoke <delegation id> [--server <url>] [--json]

Approver groups are data: the approval policy names them (service-owners, cab and emergency
are seeded). members without --add/--remove lists the group's members. policy prints the
policy in force; with --file it stores a new version (JSON or YAML: { rules: [...] } or the
rules list; the first rule matching a change decides; the last must match every change).
delegate lets another user decide your approvals from --from until --until (ISO 8601 or
YYYY-MM-DD); --for delegates someone else's (changes:manage). delegations lists current and
future delegations (--all: ended and revoked too). Users are named by username or id.
Reading needs changes:read; groups and the policy need changes:manage; delegating needs
changes:approve. Refusals exit non-zero with the server's reason.
`;

const subcommands = [
  'groups',
  'group-add',
  'group-remove',
  'members',
  'policy',
  'delegate',
  'delegations',
  'revoke',
] as const;
type Sub = (typeof subcommands)[number];

export async function approvalsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(approvalsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (!(subcommands as readonly string[]).includes(sub))
    throw new UsageError(`approvals: unknown subcommand "${sub}"\n\n${approvalsHelp}`);
  const run: Record<Sub, (args: string[], io: CliIo) => Promise<ExitCode>> = {
    groups,
    'group-add': groupAdd,
    'group-remove': groupRemove,
    members,
    policy,
    delegate,
    delegations,
    revoke,
  };
  return run[sub as Sub](rest, io);
}

function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

interface Group {
  name: string;
  description: string;
  emergency: boolean;
  members: { id: string; username: string | null }[];
}

function memberNames(group: Group): string {
  return group.members.map((m) => m.username ?? m.id).join(', ') || '-';
}

async function groups(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals groups', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('approvals groups takes no arguments');
  const { client, server } = remoteClient(io, values);
  const list = expectOk(
    await reachable(server, () => client.GET('/api/v1/approver-groups')),
    'approver group list',
  );
  if (values.json === true) {
    printJson(io, list);
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['name', 'emergency', 'members', 'description'],
    list.groups.map((g) => [g.name, g.emergency ? 'yes' : '-', memberNames(g), g.description]),
  );
  return exitCodes.ok;
}

async function groupAdd(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals group-add', args, {
    server: { type: 'string' },
    description: { type: 'string' },
    emergency: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1)
    throw new UsageError('approvals group-add takes one group name');
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/approver-groups', {
        body: {
          name,
          ...(values.description !== undefined && { description: values.description }),
          ...(values.emergency === true && { emergency: true }),
        },
      }),
    ),
    `creating approver group ${name}`,
  );
  if (values.json === true) printJson(io, created);
  else
    io.stdout.write(
      `created approver group ${created.name}${created.emergency ? ' (emergency)' : ''}; add members with "patchgate approvals members ${created.name} --add <user>"\n`,
    );
  return exitCodes.ok;
}

async function groupRemove(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals group-remove', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1)
    throw new UsageError('approvals group-remove takes one group name');
  const { client, server } = remoteClient(io, values);
  expectOk(
    await reachable(server, () =>
      client.DELETE('/api/v1/approver-groups/{group}', { params: { path: { group: name } } }),
    ),
    `removing approver group ${name}`,
  );
  if (values.json === true) printJson(io, { removed: name });
  else io.stdout.write(`removed approver group ${name}\n`);
  return exitCodes.ok;
}

async function members(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals members', args, {
    server: { type: 'string' },
    add: { type: 'string', multiple: true },
    remove: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  const group = positionals[0];
  if (group === undefined || positionals.length > 1)
    throw new UsageError('approvals members takes one group name');
  const add = values.add ?? [];
  const remove = values.remove ?? [];
  const { client, server } = remoteClient(io, values);
  const result = expectOk(
    await reachable(server, () =>
      add.length + remove.length === 0
        ? client.GET('/api/v1/approver-groups/{group}', { params: { path: { group } } })
        : client.POST('/api/v1/approver-groups/{group}/members', {
            params: { path: { group } },
            body: { add, remove },
          }),
    ),
    add.length + remove.length === 0 ? `approver group ${group}` : `changing members of ${group}`,
  );
  if (values.json === true) {
    printJson(io, result);
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['username', 'display name', 'id'],
    result.members.map((m) => [m.username ?? '(deleted user)', m.displayName ?? '-', m.id]),
  );
  return exitCodes.ok;
}

function readPolicyFile(io: CliIo, path: string): unknown {
  const absolute = resolve(io.cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`policy file not found: ${path}`);
  let parsed: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    parsed = parseYaml(readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not JSON or YAML (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (Array.isArray(parsed)) return { rules: parsed };
  if (parsed !== null && typeof parsed === 'object' && 'rules' in parsed)
    return { rules: parsed.rules };
  throw new UsageError(`${path}: expected { rules: [...] } or a list of rules`);
}

async function policy(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals policy', args, {
    server: { type: 'string' },
    file: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('approvals policy takes no arguments');
  const body = values.file === undefined ? undefined : readPolicyFile(io, values.file);
  const { client, server } = remoteClient(io, values);
  const current = expectOk(
    await reachable(server, () =>
      body === undefined
        ? client.GET('/api/v1/approval-policy')
        : client.PUT('/api/v1/approval-policy', { body: body as never }),
    ),
    body === undefined ? 'approval policy' : 'storing the approval policy',
  );
  if (values.json === true) {
    printJson(io, current);
    return exitCodes.ok;
  }
  io.stdout.write(
    `approval policy version ${current.version}${body === undefined ? '' : ' stored'} (${current.createdAt.slice(0, 10)}${current.createdBy === null ? ', the default' : `, by ${current.createdBy.username ?? current.createdBy.id}`}); the first matching rule decides:\n`,
  );
  writeTable(
    io,
    ['rule', 'matches', 'stages'],
    current.rules.map((rule) => {
      const m = rule.match;
      const matches =
        [
          m.types && `type ${m.types.join('|')}`,
          m.risks && `risk ${m.risks.join('|')}`,
          m.environments && `environment ${m.environments.join('|')}`,
          m.assetGroups && `group ${m.assetGroups.join('|')}`,
        ]
          .filter(Boolean)
          .join(', ') || 'every change';
      const stages = rule.stages
        .map((s, i) => {
          const q =
            s.quorum.kind === 'any'
              ? 'any 1'
              : s.quorum.kind === 'all'
                ? 'all'
                : `${s.quorum.count}`;
          return `${i + 1}. ${s.name}: ${q} of ${s.groups.join('+')}`;
        })
        .join('; ');
      return [
        rule.id,
        matches,
        `${rule.autoApprove ? 'auto if template criteria hold, else ' : ''}${stages}`,
      ];
    }),
  );
  return exitCodes.ok;
}

/** `2026-12-24` is the start of that day, UTC; an ISO 8601 time is kept as is. */
function timeOption(option: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`approvals delegate: --${option} is required`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)))
    return `${value}T00:00:00Z`;
  if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new UsageError(
      `--${option} must be a date YYYY-MM-DD or an ISO 8601 time (got "${value}")`,
    );
  return value;
}

interface DelegationOut {
  id: string;
  from: { id: string; username: string | null };
  to: { id: string; username: string | null };
  startsAt: string;
  endsAt: string;
  reason: string;
  active: boolean;
  revokedAt: string | null;
}

const userName = (u: { id: string; username: string | null }) => u.username ?? u.id;

async function delegate(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals delegate', args, {
    server: { type: 'string' },
    to: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    reason: { type: 'string' },
    for: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('approvals delegate takes no arguments');
  if (values.to === undefined) throw new UsageError('approvals delegate: --to is required');
  const body = {
    to: values.to,
    startsAt: timeOption('from', values.from),
    endsAt: timeOption('until', values.until),
    ...(values.reason !== undefined && { reason: values.reason }),
    ...(values.for !== undefined && { from: values.for }),
  };
  const { client, server } = remoteClient(io, values);
  const created: DelegationOut = expectOk(
    await reachable(server, () => client.POST('/api/v1/delegations', { body })),
    'delegating approvals',
  );
  if (values.json === true) printJson(io, created);
  else
    io.stdout.write(
      `${userName(created.to)} decides approvals for ${userName(created.from)} from ${created.startsAt} until ${created.endsAt} (delegation ${created.id})\n`,
    );
  return exitCodes.ok;
}

async function delegations(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals delegations', args, {
    server: { type: 'string' },
    user: { type: 'string' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('approvals delegations takes no arguments');
  const query = {
    ...(values.user !== undefined && { user: values.user }),
    ...(values.all === true && { ended: 'true' as const }),
  };
  const { client, server } = remoteClient(io, values);
  const list = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/delegations', { params: { query: query as never } }),
    ),
    'delegation list',
  );
  if (values.json === true) {
    printJson(io, list);
    return exitCodes.ok;
  }
  const rows: DelegationOut[] = list.delegations;
  writeTable(
    io,
    ['id', 'from', 'to', 'starts', 'ends', 'state', 'reason'],
    rows.map((d) => [
      d.id,
      userName(d.from),
      userName(d.to),
      d.startsAt,
      d.endsAt,
      d.revokedAt !== null ? 'revoked' : d.active ? 'active' : 'inactive',
      d.reason || '-',
    ]),
  );
  return exitCodes.ok;
}

async function revoke(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('approvals revoke', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError('approvals revoke takes one delegation id');
  const { client, server } = remoteClient(io, values);
  const revoked: DelegationOut = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/delegations/{id}/revoke', { params: { path: { id } } }),
    ),
    `revoking delegation ${id}`,
  );
  if (values.json === true) printJson(io, revoked);
  else
    io.stdout.write(
      `revoked delegation ${revoked.id} (${userName(revoked.to)} for ${userName(revoked.from)})\n`,
    );
  return exitCodes.ok;
}
