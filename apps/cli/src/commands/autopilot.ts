/**
 * `patchgate autopilot add|list|pause|resume|run-now|runs`: rules that turn findings or
 * available updates into grouped changes by themselves (docs/adr/0032-autopilot-rules.md).
 */
import type { AssetSelector } from '@patchgate/model';
import { parseSelector } from '@patchgate/model';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, writeTable } from '../remote/listing.ts';

export const autopilotHelp = `Usage:
  patchgate autopilot add --name <name>
                          (--findings <P1,P2,…> [--kev] [--policy <id>[,<id>…]] | --updates security|all)
                          --assets <selector> [--cool-down <days>]
                          [--type standard --template <name> | --type normal|emergency]
                          [--schedule hourly|nightly|weekly|monthly] [--rings <0,3,7>]
                          [--stage draft|submit|schedule] [--server <url>] [--json]
  patchgate autopilot list [--server <url>] [--json]
  patchgate autopilot pause <rule id or name> [--reason <text>] [--server <url>] [--json]
  patchgate autopilot resume <rule id or name> [--reason <text>] [--server <url>] [--json]
  patchgate autopilot run-now <rule id or name> [--server <url>] [--json]
  patchgate autopilot runs [<rule id or name>] [--limit <n>] [--server <url>] [--json]

An autopilot rule creates changes by itself on its schedule (default nightly, UTC): findings
of the given priorities (--kev: only known exploited ones; --policy: only those decided by
these policy or policy rule ids) or the assets' available updates (security: only from a
security archive), on the assets the selector names (e.g. environment=staging|test,group=web;
* for all). One change per maintenance window and asset group, never one per finding.
--cool-down holds back a fixed version released fewer than that many days ago (KEV findings
bypass it); a version whose release date is unknown counts from when Patchgate first saw it
offered. A rule whose change fails or is rolled back pauses itself until resumed.
--stage says how far a run carries each change, as the system acting for the rule: draft
stops there (a person submits it); submit submits it (a standard change whose template
criteria hold is auto-approved, a normal or emergency one goes to the CAB); schedule (the
default) also schedules it at its assets' next feasible slot in their window, no earlier
than the first ring's offset (--rings 2,5: two days on), never into a freeze. A refused
submit leaves the draft and no free slot leaves it unscheduled, each with the reason.
run-now queues a run and prints its id; autopilot runs shows what each run created (its
state, slot, and why it stopped short), held back (with the reason) and skipped. add, pause,
resume and run-now need changes:manage.
`;

export async function autopilotCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(autopilotHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'add') return add(rest, io);
  if (sub === 'list') return list(rest, io);
  if (sub === 'pause' || sub === 'resume') return pauseOrResume(sub, rest, io);
  if (sub === 'run-now') return runNow(rest, io);
  if (sub === 'runs') return runs(rest, io);
  throw new UsageError(`autopilot: unknown subcommand "${sub}"\n\n${autopilotHelp}`);
}

const priorities = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
type Priority = (typeof priorities)[number];
const types = ['standard', 'normal', 'emergency'] as const;
const schedules = ['hourly', 'nightly', 'weekly', 'monthly'] as const;
const stages = ['draft', 'submit', 'schedule'] as const;

/** The API client's types want mutable arrays; the parsed selector's are readonly. */
function mutable(selector: AssetSelector): {
  [K in keyof AssetSelector]: NonNullable<AssetSelector[K]>[number][];
} {
  return Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, [...(v as string[])]]));
}

function nonNegativeInt(option: string, text: string): number {
  if (!/^\d{1,4}$/.test(text.trim()))
    throw new UsageError(`--${option} takes whole days (got "${text}")`);
  return Number(text.trim());
}

/** The request body of `autopilot add`, from its options (exported for the tests). */
export function ruleBodyOf(values: {
  name?: string | undefined;
  findings?: string | undefined;
  kev?: boolean | undefined;
  policy?: string | undefined;
  updates?: string | undefined;
  assets?: string | undefined;
  'cool-down'?: string | undefined;
  type?: string | undefined;
  template?: string | undefined;
  schedule?: string | undefined;
  rings?: string | undefined;
  stage?: string | undefined;
}) {
  if (values.name === undefined) throw new UsageError('autopilot add: --name is required');
  if ((values.findings === undefined) === (values.updates === undefined))
    throw new UsageError('autopilot add: give either --findings PRIORITIES or --updates ORIGIN');
  if (values.assets === undefined)
    throw new UsageError('autopilot add: --assets SELECTOR is required (* for every asset)');
  if (values.findings === undefined && (values.kev === true || values.policy !== undefined))
    throw new UsageError('autopilot add: --kev and --policy go with --findings');
  const scope = parseSelector(values.assets);
  if (!scope.ok) throw new UsageError(`--assets: ${scope.error}`);
  let selection:
    | { kind: 'findings'; priorities: Priority[]; kevOnly: boolean; policies: string[] }
    | { kind: 'updates'; origin: 'security' | 'all' };
  if (values.findings !== undefined) {
    const wanted = values.findings.split(',').map((p) => p.trim().toUpperCase());
    const bad = wanted.find((p) => !(priorities as readonly string[]).includes(p));
    if (bad !== undefined)
      throw new UsageError(`--findings takes priorities P1…P5, comma-separated (got "${bad}")`);
    selection = {
      kind: 'findings',
      priorities: wanted as Priority[],
      kevOnly: values.kev === true,
      policies:
        values.policy === undefined
          ? []
          : values.policy
              .split(',')
              .map((p) => p.trim())
              .filter((p) => p !== ''),
    };
  } else {
    if (values.updates !== 'security' && values.updates !== 'all')
      throw new UsageError(`--updates must be security or all (got "${values.updates ?? ''}")`);
    selection = { kind: 'updates', origin: values.updates };
  }
  const type = values.type ?? (values.template === undefined ? 'normal' : 'standard');
  if (!(types as readonly string[]).includes(type))
    throw new UsageError(`--type must be one of ${types.join(', ')} (got "${type}")`);
  if (type === 'standard' && values.template === undefined)
    throw new UsageError('autopilot add: --type standard needs --template NAME');
  if (type !== 'standard' && values.template !== undefined)
    throw new UsageError(`autopilot add: --template goes with --type standard, not ${type}`);
  if (values.schedule !== undefined && !(schedules as readonly string[]).includes(values.schedule))
    throw new UsageError(
      `--schedule must be one of ${schedules.join(', ')} (got "${values.schedule}")`,
    );
  if (values.stage !== undefined && !(stages as readonly string[]).includes(values.stage))
    throw new UsageError(`--stage must be one of ${stages.join(', ')} (got "${values.stage}")`);
  const rings =
    values.rings === undefined
      ? undefined
      : values.rings.split(',').map((r) => nonNegativeInt('rings', r.replace(/^\+/, '')));
  return {
    name: values.name,
    selection,
    scope: mutable(scope.selector),
    ...(values['cool-down'] !== undefined && {
      coolDownDays: nonNegativeInt('cool-down', values['cool-down']),
    }),
    type: type as (typeof types)[number],
    ...(values.template !== undefined && { template: values.template }),
    ...(values.schedule !== undefined && {
      schedule: values.schedule as (typeof schedules)[number],
    }),
    ...(rings !== undefined && { rings }),
    ...(values.stage !== undefined && { stage: values.stage as (typeof stages)[number] }),
  };
}

async function add(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('autopilot add', args, {
    server: { type: 'string' },
    name: { type: 'string' },
    findings: { type: 'string' },
    kev: { type: 'boolean' },
    policy: { type: 'string' },
    updates: { type: 'string' },
    assets: { type: 'string' },
    'cool-down': { type: 'string' },
    type: { type: 'string' },
    template: { type: 'string' },
    schedule: { type: 'string' },
    rings: { type: 'string' },
    stage: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0)
    throw new UsageError(`autopilot add takes no arguments (got "${positionals.join(' ')}")`);
  const body = ruleBodyOf(values);
  const { client, server } = remoteClient(io, values);
  const rule = expectOk(
    await reachable(server, () => client.POST('/api/v1/autopilot/rules', { body })),
    'creating the autopilot rule',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(rule, null, 2) + '\n');
  else
    io.stdout.write(
      `autopilot rule ${rule.definition.name} (${rule.id}) created: runs ${rule.definition.schedule}, ${describe(rule.definition)}\n`,
    );
  return exitCodes.ok;
}

interface Definition {
  readonly selection:
    | { kind: 'findings'; priorities: string[]; kevOnly: boolean; policies: string[] }
    | { kind: 'updates'; origin: string };
  readonly coolDownDays: number;
  readonly type: string;
  readonly template?: string;
  readonly rings: number[];
  readonly stage: string;
}

function describe(d: Definition): string {
  const what =
    d.selection.kind === 'findings'
      ? `${d.selection.kevOnly ? 'KEV ' : ''}findings ${d.selection.priorities.join(',')}`
      : `${d.selection.origin} updates`;
  const type = d.type === 'standard' ? `standard (${d.template ?? '?'})` : d.type;
  return `${what} → ${type} changes up to ${d.stage}, cool-down ${d.coolDownDays}d, rings +${d.rings.join('/+')}`;
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('autopilot list', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError('autopilot list takes no arguments');
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/autopilot/rules')),
    'autopilot rule list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'name', 'schedule', 'what', 'state', 'last run', 'last change'],
    page.rules.map((r) => [
      r.id,
      r.definition.name,
      r.definition.schedule,
      describe(r.definition),
      r.paused ? `paused: ${r.pausedReason ?? ''}` : 'active',
      r.lastRunAt ?? '-',
      r.lastChangeId ?? '-',
    ]),
  );
  return exitCodes.ok;
}

async function pauseOrResume(
  verb: 'pause' | 'resume',
  args: string[],
  io: CliIo,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`autopilot ${verb}`, args, {
    server: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError(`autopilot ${verb} takes one rule id or name`);
  const { client, server } = remoteClient(io, values);
  const options = {
    params: { path: { id } },
    body: values.reason === undefined ? {} : { reason: values.reason },
  };
  const rule = expectOk(
    await reachable(server, () =>
      verb === 'pause'
        ? client.POST('/api/v1/autopilot/rules/{id}/pause', options)
        : client.POST('/api/v1/autopilot/rules/{id}/resume', options),
    ),
    `${verb} of autopilot rule ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(rule, null, 2) + '\n');
  else
    io.stdout.write(
      rule.paused
        ? `autopilot rule ${rule.definition.name} paused: ${rule.pausedReason ?? ''}\n`
        : `autopilot rule ${rule.definition.name} resumed\n`,
    );
  return exitCodes.ok;
}

async function runNow(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('autopilot run-now', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError('autopilot run-now takes one rule id or name');
  const { client, server } = remoteClient(io, values);
  const run = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/autopilot/rules/{id}/run', { params: { path: { id } } }),
    ),
    `running autopilot rule ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(run, null, 2) + '\n');
  else
    io.stdout.write(
      `autopilot run ${run.id} queued; see it with: patchgate autopilot runs ${run.ruleId}\n`,
    );
  return exitCodes.ok;
}

async function runs(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('autopilot runs', args, {
    server: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 1) throw new UsageError('autopilot runs takes at most one rule');
  const limit = limitOption(values.limit, 200);
  const rule = positionals[0];
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/autopilot/runs', {
        params: {
          query: {
            ...(rule !== undefined && { rule }),
            ...(limit !== undefined && { limit }),
          } as never,
        },
      }),
    ),
    'autopilot run list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  for (const run of page.runs) {
    io.stdout.write(
      `run ${run.id} (${run.trigger}) ${run.state} ${run.finishedAt ?? run.createdAt}` +
        `${run.error === null ? '' : `: ${run.error}`}\n`,
    );
    for (const change of run.createdChanges)
      io.stdout.write(
        `  created ${change.number ?? change.changeId} (${change.state}` +
          `${change.schedule === null ? '' : ` ${change.schedule.start}–${change.schedule.end}`}): ` +
          `${change.title}\n    ${change.reason}\n` +
          `${change.note === null ? '' : `    ${change.note}\n`}`,
      );
    for (const line of groupedItems('held back', run.heldBack)) io.stdout.write(line);
    for (const line of groupedItems('skipped', run.skipped)) io.stdout.write(line);
  }
  if (page.runs.length === 0) io.stdout.write('no runs\n');
  return exitCodes.ok;
}

/**
 * Held-back and skipped items, one line per asset and reason (a change covering 91 findings
 * is one line, not 91), naming each package once.
 */
export function groupedItems(
  verb: string,
  items: readonly { item: { assetName: string; packageName: string }; reason: string }[],
): string[] {
  const groups = new Map<
    string,
    { asset: string; reason: string; packages: Set<string>; count: number }
  >();
  for (const { item, reason } of items) {
    const key = `${item.assetName}\u0000${reason}`;
    const group = groups.get(key) ?? {
      asset: item.assetName,
      reason,
      packages: new Set(),
      count: 0,
    };
    group.packages.add(item.packageName);
    group.count += 1;
    groups.set(key, group);
  }
  return [...groups.values()].map(({ asset, reason, packages, count }) => {
    const names = [...packages];
    const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')}, …` : names.join(', ');
    const many = count > 1 ? ` (${count} items)` : '';
    return `  ${verb} ${asset} ${shown}${many}: ${reason}\n`;
  });
}
