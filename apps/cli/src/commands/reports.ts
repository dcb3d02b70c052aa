/**
 * `patchgate reports …`: make a report on a server and write its file (waiting for the run, its
 * progress on standard error), list and fetch reports, and manage report schedules
 * (docs/adr/0045-report-runs-schedules-delivery.md).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PatchgateClient } from '@patchgate/api-client';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, pageFooter, writeTable } from '../remote/listing.ts';

const types = [
  'patch-compliance',
  'change',
  'pci-dss',
  'fedramp-poam',
  'bod-26-04',
  'executive',
] as const;
type ReportTypeName = (typeof types)[number];
const formats = ['pdf', 'csv', 'json', 'html'] as const;
type Format = (typeof formats)[number];
const periods = [
  'previous-day',
  'previous-week',
  'previous-month',
  'previous-quarter',
  'last-30-days',
  'last-90-days',
] as const;
type RelativePeriod = (typeof periods)[number];
/** fedramp-poam and bod-26-04 without a period: the status as of now (or --data-as-of). */
const periodRequired: readonly ReportTypeName[] = ['patch-compliance', 'pci-dss', 'executive'];

export const reportsHelp = `Usage:
  patchgate reports types [--server <url>] [--json]
  patchgate reports generate <type> --format pdf|csv|json|html -o <file>
        [--period <from>..<to>] [--change <CHG-0001 or id>]
        [--team <team>] [--environment <env>] [--asset-group <group>]
        [--data-as-of <ISO time>] [--timeout <seconds>] [--server <url>] [--json]
  patchgate reports list [--type <type>] [--status queued|running|succeeded|failed]
        [--limit <n>] [--cursor <c>] [--server <url>] [--json]
  patchgate reports get <id> [-o <file>] [--server <url>] [--json]
  patchgate reports regenerate <id> -o <file> [--timeout <seconds>] [--server <url>] [--json]
  patchgate reports schedules [list] [--server <url>] [--json]
  patchgate reports schedules create --name <name> --type <type> --format <format>
        --rrule <RRULE> --period <relative period> --channel <channel> [--channel …]
        [--recipient <e-mail> …] [--time-zone <IANA zone>] [--starts-at <YYYY-MM-DDTHH:MM>]
        [--team <team>] [--environment <env>] [--asset-group <group>] [--disabled]
        [--server <url>] [--json]
  patchgate reports schedules delete <name or id> [--server <url>] [--json]

Types: patch-compliance, pci-dss, executive (for a --period, days YYYY-MM-DD..YYYY-MM-DD both
included, and an optional scope), fedramp-poam, bod-26-04 (the period optional: without it, the
status as of now or --data-as-of), change (one --change).
generate    Asks the server for the report, waits for it (progress on standard error), checks
            the file against its recorded SHA-256 and writes it to -o. A report that fails
            exits 2 with the server's reason.
get         Prints a report's status and inputs; with -o, writes its file.
regenerate  Makes a report again from its recorded inputs (same period, scope, change and data
            as of: the same figures) and writes the new file.
schedules   A report made on an RRULE (e.g. FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0) in a time
            zone (default UTC), for a period relative to each day it is made: previous-day,
            previous-week, previous-month, previous-quarter, last-30-days, last-90-days; sent
            through notification channels (e-mail with the file attached to each --recipient,
            webhooks and chats with a link to it).
Reading and making reports needs reports:read; schedules need reports:manage (exit 4 without).
`;

export async function reportsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(reportsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  switch (sub) {
    case 'types':
      return listTypes(rest, io);
    case 'generate':
      return generate(rest, io);
    case 'list':
      return list(rest, io);
    case 'get':
      return get(rest, io);
    case 'regenerate':
      return regenerate(rest, io);
    case 'schedules':
      return schedules(rest, io);
    default:
      throw new UsageError(`reports: unknown subcommand "${sub}"\n\n${reportsHelp}`);
  }
}

function oneOfList<T extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')} (got "${value}")`);
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/** `2026-09-01..2026-11-30` → { from, to }. */
export function parsePeriod(value: string): { from: string; to: string } {
  const [from, to, extra] = value.split('..');
  if (
    from === undefined ||
    to === undefined ||
    extra !== undefined ||
    !dayPattern.test(from) ||
    !dayPattern.test(to) ||
    Number.isNaN(Date.parse(`${from}T00:00:00Z`)) ||
    Number.isNaN(Date.parse(`${to}T00:00:00Z`))
  )
    throw new UsageError(
      `--period must be two days FROM..TO, e.g. 2026-09-01..2026-11-30 (got "${value}")`,
    );
  if (from > to) throw new UsageError(`--period: ${from} is after ${to}`);
  return { from, to };
}

function scopeOf(values: {
  team?: string | undefined;
  environment?: string | undefined;
  'asset-group'?: string | undefined;
}) {
  return {
    ...(values.team !== undefined && { team: values.team }),
    ...(values.environment !== undefined && { environment: values.environment }),
    ...(values['asset-group'] !== undefined && { assetGroup: values['asset-group'] }),
  };
}

const scopeOptions = {
  team: { type: 'string' },
  environment: { type: 'string' },
  'asset-group': { type: 'string' },
} as const;

function timeoutOption(value: string | undefined): number {
  if (value === undefined) return 600;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout must be a number of seconds (got "${value}")`);
  return seconds;
}

async function listTypes(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('reports types', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  const result = expectOk(
    await reachable(server, () => client.GET('/api/v1/report-types')),
    'report types',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['type', 'needs', 'formats', 'title'],
    result.types.map((t) => [t.type, t.needs, t.formats.join(','), t.title]),
  );
  return exitCodes.ok;
}

type Run = Awaited<ReturnType<typeof getRun>>;

async function getRun(client: PatchgateClient, server: string, id: string) {
  return expectOk(
    await reachable(server, () => client.GET('/api/v1/reports/{id}', { params: { path: { id } } })),
    `report ${id}`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait for a run to end, saying each new step on standard error. */
async function waitFor(
  io: CliIo,
  client: PatchgateClient,
  server: string,
  first: Run,
  timeoutSeconds: number,
): Promise<Run> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let run = first;
  let said = '';
  io.stderr.write(`report ${run.id} ${run.status}: ${run.title}\n`);
  for (;;) {
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    const step =
      run.progress === null
        ? run.status
        : `${run.progress.step} (${run.progress.done}/${run.progress.total})`;
    if (step !== said) {
      io.stderr.write(`  ${step}\n`);
      said = step;
    }
    if (Date.now() > deadline)
      throw new UsageError(
        `report ${run.id} is still ${run.status} after ${timeoutSeconds} s; fetch it later with "patchgate reports get ${run.id} -o <file>"`,
      );
    await sleep(250);
    run = await getRun(client, server, run.id);
  }
}

/** Download a made report, check it against its recorded SHA-256, write it. */
async function writeContent(
  io: CliIo,
  client: PatchgateClient,
  server: string,
  run: Run,
  output: string,
): Promise<{ path: string; sizeBytes: number; sha256: string }> {
  if (run.status === 'failed')
    throw new UsageError(`report ${run.id} failed: ${run.error ?? 'no reason recorded'}`);
  if (run.status !== 'succeeded')
    throw new UsageError(`report ${run.id} is ${run.status}: its file is not made yet`);
  const result = await reachable(server, () =>
    client.GET('/api/v1/reports/{id}/content', {
      params: { path: { id: run.id } },
      parseAs: 'arrayBuffer',
    }),
  );
  const bytes = Buffer.from(
    expectOk(
      result as { data?: ArrayBuffer; error?: unknown; response: Response },
      `download of report ${run.id}`,
    ),
  );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== run.sha256)
    throw new UsageError(
      `the download of report ${run.id} does not match its recorded SHA-256 (${run.sha256 ?? 'none'}); nothing written`,
    );
  const path = resolve(io.cwd, output);
  writeFileSync(path, bytes);
  return { path, sizeBytes: bytes.length, sha256 };
}

async function finish(
  io: CliIo,
  client: PatchgateClient,
  server: string,
  run: Run,
  output: string,
  json: boolean | undefined,
): Promise<ExitCode> {
  const written = await writeContent(io, client, server, run, output);
  if (json === true)
    io.stdout.write(JSON.stringify({ ...run, output: written.path }, null, 2) + '\n');
  else
    io.stdout.write(
      `${run.title}\nwritten to ${output} (${written.sizeBytes} bytes, SHA-256 ${written.sha256}); report ${run.id}\n`,
    );
  return exitCodes.ok;
}

async function generate(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('reports generate', args, {
    server: { type: 'string' },
    format: { type: 'string' },
    output: { type: 'string', short: 'o' },
    period: { type: 'string' },
    change: { type: 'string' },
    'data-as-of': { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    ...scopeOptions,
  });
  const [typeText, ...extra] = positionals;
  if (typeText === undefined || extra.length > 0)
    throw new UsageError(`reports generate takes one report type (${types.join(', ')})`);
  const type = oneOfList<ReportTypeName>('the report type', typeText, types);
  const format = oneOfList<Format>('--format', values.format, formats);
  if (type === undefined) throw new UsageError('reports generate: the report type is missing');
  if (format === undefined)
    throw new UsageError(`reports generate: --format ${formats.join('|')} is required`);
  if (values.output === undefined)
    throw new UsageError('reports generate: -o/--output <file> is required');
  if (type === 'change' && values.change === undefined)
    throw new UsageError('reports generate change: --change <CHG-0001 or id> is required');
  if (periodRequired.includes(type) && values.period === undefined)
    throw new UsageError(
      `reports generate ${type}: --period <from>..<to> is required (e.g. 2026-09-01..2026-11-30)`,
    );
  const timeout = timeoutOption(values.timeout);
  const body = {
    type,
    format,
    ...(values.period !== undefined && { period: parsePeriod(values.period) }),
    ...(values.change !== undefined && { change: values.change }),
    ...(values['data-as-of'] !== undefined && { dataAsOf: values['data-as-of'] }),
    ...(Object.keys(scopeOf(values)).length > 0 && { scope: scopeOf(values) }),
  };
  const { client, server } = remoteClient(io, values);
  const queued = expectOk(
    await reachable(server, () => client.POST('/api/v1/reports', { body })),
    'report request',
  );
  const run = await waitFor(io, client, server, queued, timeout);
  return finish(io, client, server, run, values.output, values.json);
}

async function regenerate(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('reports regenerate', args, {
    server: { type: 'string' },
    output: { type: 'string', short: 'o' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0)
    throw new UsageError('reports regenerate takes one report id');
  if (values.output === undefined)
    throw new UsageError('reports regenerate: -o/--output <file> is required');
  const timeout = timeoutOption(values.timeout);
  const { client, server } = remoteClient(io, values);
  const queued = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/reports/{id}/regenerate', { params: { path: { id } } }),
    ),
    `regenerating report ${id}`,
  );
  const run = await waitFor(io, client, server, queued, timeout);
  return finish(io, client, server, run, values.output, values.json);
}

function periodText(run: Run): string {
  if (run.inputs.period !== null) return `${run.inputs.period.from}..${run.inputs.period.to}`;
  return run.inputs.change?.number ?? run.inputs.changeRef ?? '-';
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('reports list', args, {
    server: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const type = oneOfList<ReportTypeName>('--type', values.type, types);
  const status = oneOfList('--status', values.status, [
    'queued',
    'running',
    'succeeded',
    'failed',
  ] as const);
  const limit = limitOption(values.limit, 200);
  const { client, server } = remoteClient(io, values);
  const query = {
    ...(type !== undefined && { type }),
    ...(status !== undefined && { status }),
    ...(limit !== undefined && { limit }),
    ...(values.cursor !== undefined && { cursor: values.cursor }),
  };
  const page = expectOk(
    await reachable(server, () => client.GET('/api/v1/reports', { params: { query } })),
    'report list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'created', 'type', 'format', 'status', 'covers', 'by', 'size'],
    page.reports.map((r) => [
      r.id,
      r.createdAt.slice(0, 16).replace('T', ' '),
      r.type,
      r.format,
      r.status,
      periodText(r),
      r.requestedBy,
      r.sizeBytes === null ? '-' : String(r.sizeBytes),
    ]),
  );
  io.stdout.write(pageFooter('reports', page.reports.length, { nextCursor: page.nextCursor }));
  return exitCodes.ok;
}

async function get(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('reports get', args, {
    server: { type: 'string' },
    output: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  });
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('reports get takes one report id');
  const { client, server } = remoteClient(io, values);
  const run = await getRun(client, server, id);
  if (values.output !== undefined)
    return finish(io, client, server, run, values.output, values.json);
  if (values.json === true) {
    io.stdout.write(JSON.stringify(run, null, 2) + '\n');
    return exitCodes.ok;
  }
  const lines = [
    `${run.title}`,
    `id:        ${run.id}`,
    `type:      ${run.type} (${run.format})`,
    `status:    ${run.status}${run.error === null ? '' : `: ${run.error}`}`,
    `covers:    ${periodText(run)}`,
    `scope:     ${JSON.stringify(run.inputs.scope)}`,
    `data as of ${run.inputs.dataAsOf ?? '-'}; policy ${run.inputs.policy?.name ?? '-'}`,
    `by:        ${run.requestedBy} at ${run.createdAt}`,
  ];
  if (run.sha256 !== null)
    lines.push(
      `file:      ${run.filename ?? '-'}, ${run.sizeBytes ?? 0} bytes, SHA-256 ${run.sha256}`,
    );
  io.stdout.write(lines.join('\n') + '\n');
  return exitCodes.ok;
}

async function schedules(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'list' || sub.startsWith('--')) {
    const { values } = parseCommandArgs(
      'reports schedules list',
      sub === undefined || sub === 'list' ? rest : args,
      { server: { type: 'string' }, json: { type: 'boolean' } },
    );
    const { client, server } = remoteClient(io, values);
    const result = expectOk(
      await reachable(server, () => client.GET('/api/v1/report-schedules')),
      'report schedule list',
    );
    if (values.json === true) {
      io.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return exitCodes.ok;
    }
    writeTable(
      io,
      ['name', 'type', 'format', 'period', 'rrule', 'zone', 'next', 'enabled'],
      result.schedules.map((s) => [
        s.name,
        s.type,
        s.format,
        s.period,
        s.rrule,
        s.timeZone,
        s.nextRunAt ?? '-',
        s.enabled ? 'yes' : 'no',
      ]),
    );
    io.stdout.write(pageFooter('schedules', result.schedules.length, {}));
    return exitCodes.ok;
  }
  if (sub === 'create') return createSchedule(rest, io);
  if (sub === 'delete') {
    const { values, positionals } = parseCommandArgs('reports schedules delete', rest, {
      server: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0)
      throw new UsageError('reports schedules delete takes one schedule name or id');
    const { client, server } = remoteClient(io, values);
    expectOk(
      await reachable(server, () =>
        client.DELETE('/api/v1/report-schedules/{id}', { params: { path: { id } } }),
      ),
      `deleting report schedule ${id}`,
    );
    io.stdout.write(
      values.json === true ? JSON.stringify({ deleted: id }) + '\n' : `deleted schedule ${id}\n`,
    );
    return exitCodes.ok;
  }
  throw new UsageError(`reports schedules: unknown subcommand "${sub}"\n\n${reportsHelp}`);
}

async function createSchedule(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('reports schedules create', args, {
    server: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string' },
    format: { type: 'string' },
    rrule: { type: 'string' },
    period: { type: 'string' },
    channel: { type: 'string', multiple: true },
    recipient: { type: 'string', multiple: true },
    'time-zone': { type: 'string' },
    'starts-at': { type: 'string' },
    disabled: { type: 'boolean' },
    json: { type: 'boolean' },
    ...scopeOptions,
  });
  if (positionals.length > 0)
    throw new UsageError(`reports schedules create takes options only (got "${positionals[0]}")`);
  const type = oneOfList<ReportTypeName>('--type', values.type, types);
  const format = oneOfList<Format>('--format', values.format, formats);
  const period = oneOfList<RelativePeriod>('--period', values.period, periods);
  const missing = [
    values.name === undefined && '--name',
    type === undefined && '--type',
    format === undefined && '--format',
    values.rrule === undefined && '--rrule',
    period === undefined && '--period',
    (values.channel ?? []).length === 0 && '--channel',
  ].filter((m): m is string => m !== false);
  if (
    missing.length > 0 ||
    values.name === undefined ||
    type === undefined ||
    format === undefined ||
    values.rrule === undefined ||
    period === undefined
  )
    throw new UsageError(`reports schedules create: ${missing.join(', ')} required`);
  const body = {
    name: values.name,
    type,
    format,
    rrule: values.rrule,
    timeZone: values['time-zone'] ?? 'UTC',
    period,
    channelIds: values.channel ?? [],
    recipients: values.recipient ?? [],
    scope: scopeOf(values),
    enabled: values.disabled !== true,
    ...(values['starts-at'] !== undefined && { startsAt: values['starts-at'] }),
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () => client.POST('/api/v1/report-schedules', { body })),
    'creating the report schedule',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(created, null, 2) + '\n');
  else
    io.stdout.write(
      `schedule ${created.name} (${created.id}): ${created.type} ${created.format} for the ${created.period}, ${created.rrule} in ${created.timeZone}; next ${created.nextRunAt ?? 'never (the rule has no occurrence left)'}\n`,
    );
  return exitCodes.ok;
}
