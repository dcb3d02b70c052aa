/**
 * `patchgate findings list|show|triage`: the server's prioritised findings. The list shows the
 * work queue by default (open and reopened, not suppressed by VEX nor accepted), one row per
 * (asset, source package, advisory) with its binary packages named, so a gate on it goes green
 * once everything is fixed, suppressed or accepted.
 */
import type { paths } from '@patchgate/api-client';
import { alignColumns } from '@patchgate/report';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

type FindingList =
  paths['/api/v1/findings']['get']['responses']['200']['content']['application/json'];
type ApiFinding = FindingList['findings'][number];
type FindingDetail =
  paths['/api/v1/findings/{id}']['get']['responses']['200']['content']['application/json'];

/** The statuses `--state` takes (the server's `status`; one per finding). */
const statuses = [
  'open',
  'reopened',
  'accepted',
  'not_affected',
  'false_positive',
  'resolved',
  'fixed',
] as const;

export const findingsHelp = `Usage:
  patchgate findings list [filters] [--state <s,…> | --all] [--cursor <c>] [--limit <n>]
                          [--server <url>] [--json]
  patchgate findings show <finding id> [--server <url>] [--json]
  patchgate findings triage <finding id> --state <state> [--justification <j>] [--detail <text>]
                            [--server <url>] [--json]

list shows the work queue: findings open or reopened, not suppressed by VEX (not_affected,
false_positive, resolved) nor accepted by an approved, unexpired exception. One row per asset,
source package and advisory: the binary packages built from one source (libssl3, libssl-dev,
openssl) share a row that names them; --json keeps one finding per binary package.

  --state <s,…>  other statuses instead: ${statuses.join(', ')}
  --all          every status
  --asset <name or id>  --priority P1,P2  --environment production  --exposure internet
  --group <group>  --package <name>  --advisory <id or alias>  --overdue  --kev
  --epss-min <0..1>  --sort priority|due|epss|first_seen
  --limit <n>    findings per page (at most 500; default 100), rounded up to whole rows;
                 --cursor <c> shows the next page (the footer prints it)

show prints one finding (the ID column of list) with its decision explained (inputs, rule,
due date), its triage, exceptions and history.

triage records the VEX analysis (audited): states in_triage, exploitable, false_positive,
not_affected (needs --justification: code_not_present, code_not_reachable,
requires_configuration, requires_dependency, requires_environment, protected_by_compiler,
protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control), resolved.

Exit codes: list: 0 none listed, 1 some listed (a CI gate: "no open P1 on production");
2 usage or connection error, an unknown asset name included.
`;

export async function findingsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(findingsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(findingsHelp);
    return exitCodes.ok;
  }
  if (sub === 'triage') return triage(rest, io);
  if (sub === 'show') return show(rest, io);
  if (sub === 'list') return list(rest, io);
  throw new UsageError(`findings: unknown subcommand "${sub}"\n\n${findingsHelp}`);
}

function statusQuery(state: string | undefined, all: boolean): string {
  if (all && state !== undefined) throw new UsageError('findings list: --state and --all conflict');
  if (all) return 'all';
  if (state === undefined) return 'open,reopened';
  const words = state.split(',').map((w) => w.trim());
  const unknown = words.filter((w) => !(statuses as readonly string[]).includes(w));
  if (unknown.length > 0) {
    throw new UsageError(
      `findings list: --state takes ${statuses.join(', ')} (got "${unknown.join(', ')}")`,
    );
  }
  return words.join(',');
}

/** One table row: the findings of one (asset, source package, advisory), in list order. */
interface Group {
  readonly key: string;
  readonly findings: ApiFinding[];
}

function groupsOf(findings: readonly ApiFinding[]): Group[] {
  const groups = new Map<string, Group>();
  for (const f of findings) {
    const key = `${f.asset.id}\0${f.package.sourceName ?? f.package.name}\0${f.advisory.id}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { key, findings: [f] });
    else group.findings.push(f);
  }
  return [...groups.values()];
}

const columns = [
  'PRIORITY',
  'DUE',
  'ASSET',
  'PACKAGE',
  'VERSION',
  'ADVISORY',
  'SEVERITY',
  'FIXED IN',
  'STATUS',
  'ID',
];
const widths = [8, 10, 24, 48, 28, 30, 9, 24, 14, 36];

/** `openssl: libssl3, openssl` for a source package with binaries; the name alone otherwise. */
function packageCell(group: Group): string {
  const first = group.findings[0] as ApiFinding;
  const source = first.package.sourceName;
  const names = [...new Set(group.findings.map((f) => f.package.name))];
  if (source === null && names.length === 1) return first.package.name;
  return `${source ?? first.package.name}: ${names.join(', ')}`;
}

function statusCell(f: ApiFinding): string {
  return f.triage !== null && f.status === f.state ? `${f.status} (${f.triage.state})` : f.status;
}

function row(group: Group): string[] {
  const f = group.findings[0] as ApiFinding;
  const versions = [...new Set(group.findings.map((g) => g.package.version))];
  return [
    f.priority,
    f.dueDate ?? '-',
    f.asset.name,
    packageCell(group),
    versions.join(' '),
    f.advisory.id,
    f.severity === 'unknown' ? 'unknown*' : f.severity,
    f.fixedVersions[0] ?? '-',
    // A row's binaries may stand differently (one triaged, one not): each status once.
    [...new Set(group.findings.map(statusCell))].join(', '),
    // For `findings show` and `findings triage` (the row's first binary; --json lists each).
    f.id,
  ];
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('findings list', args, {
    server: { type: 'string' },
    priority: { type: 'string' },
    state: { type: 'string' },
    all: { type: 'boolean' },
    environment: { type: 'string' },
    exposure: { type: 'string' },
    asset: { type: 'string' },
    group: { type: 'string' },
    package: { type: 'string' },
    advisory: { type: 'string' },
    overdue: { type: 'boolean' },
    kev: { type: 'boolean' },
    'epss-min': { type: 'string' },
    sort: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const filters = Object.fromEntries(
    Object.entries({
      status: statusQuery(values.state, values.all === true),
      priority: values.priority,
      environment: values.environment,
      exposure: values.exposure,
      asset: values.asset,
      group: values.group,
      package: values.package,
      advisory: values.advisory,
      overdue: values.overdue === true ? 'true' : undefined,
      kev: values.kev === true ? 'true' : undefined,
      epssMin: values['epss-min'],
    }).filter(([, v]) => v !== undefined),
  );
  const query = Object.fromEntries(
    Object.entries({
      ...filters,
      sort: values.sort,
      limit: values.limit,
      cursor: values.cursor,
      // A page never splits the binaries of one source package (the table's rows).
      wholeGroups: 'true',
    }).filter(([, v]) => v !== undefined),
  );
  const { client, server } = remoteClient(io, values);
  // The server validates every filter and names the one that is wrong (an unknown asset too).
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/findings', { params: { query: query as never } }),
    ),
    'finding list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return page.findings.length > 0 ? exitCodes.findings : exitCodes.ok;
  }
  const summary = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/findings/summary', {
        params: { query: { ...filters, groups: 'true' } as never },
      }),
    ),
    'finding summary',
  );
  const groups = groupsOf(page.findings);
  if (groups.length > 0) {
    for (const line of alignColumns([columns, ...groups.map(row)], widths))
      io.stdout.write(line + '\n');
  }
  const notes = [
    ...new Set(
      page.findings.flatMap((f) => (f.unknownSeverity === null ? [] : [f.unknownSeverity])),
    ),
  ];
  for (const note of notes) io.stdout.write(`* unknown severity: ${note}\n`);
  const total = summary.groups ?? groups.length;
  const rows = `${groups.length} of ${total} row${total === 1 ? '' : 's'}`;
  const findings = `${page.findings.length} of ${summary.total} finding${summary.total === 1 ? '' : 's'} on binary packages`;
  io.stdout.write(`${rows} (${findings})\n`);
  if (page.nextCursor !== null) {
    io.stdout.write(`more: add --cursor ${page.nextCursor}\n`);
  }
  return page.findings.length > 0 ? exitCodes.findings : exitCodes.ok;
}

function oneId(command: string, positionals: string[]): string {
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError(`${command} takes one finding id (findings list --json shows them)`);
  return id;
}

function explained(f: FindingDetail): string {
  const { decision } = f;
  const lines = [
    `${f.advisory.id} on ${f.asset.name}: ${f.package.name} ${f.package.version} (${f.package.ecosystem}${f.package.sourceName === null ? '' : `, source ${f.package.sourceName}`})`,
    ...(f.advisory.summary === null ? [] : [`  ${f.advisory.summary}`]),
    `status:    ${f.status} (detected ${f.firstSeenAt}, last seen ${f.lastSeenAt}${f.fixedAt === null ? '' : `, fixed ${f.fixedAt}`}${f.reopenedAt === null ? '' : `, reopened ${f.reopenedAt}`})`,
    `priority:  ${f.priority}, due ${f.dueDate ?? 'no date'} (${decision.explanation.due})${f.overdue ? ', OVERDUE' : ''}`,
    `severity:  ${f.severity}${f.unknownSeverity === null ? '' : ` — ${f.unknownSeverity}`}`,
    `fixed in:  ${f.fixedVersions.join(' ') || 'no fix published'}`,
    `CVEs:      ${f.advisory.cves.join(' ') || '-'}; KEV: ${f.kev ? 'yes' : 'no'}; EPSS: ${f.epss ?? 'unknown'}`,
    `policy:    ${decision.explanation.policy.name} ${decision.explanation.policy.version}, rule ${decision.explanation.rule.id}: ${decision.explanation.rule.description}`,
    'inputs:',
    ...decision.explanation.inputs.map(
      (i) =>
        `  ${i.name} = ${i.value === null ? 'unknown' : String(i.value)} (${i.source}${i.timestamp === undefined ? '' : `, ${i.timestamp}`})`,
    ),
    `why:       ${decision.explanation.text}`,
  ];
  if (f.triage !== null) {
    lines.push(
      `triage:    ${f.triage.state}${f.triage.justification === null ? '' : ` (${f.triage.justification})`}${f.triage.by === null ? '' : ` by ${f.triage.by}`}${f.triage.detail === null ? '' : `: ${f.triage.detail}`}`,
    );
  }
  for (const e of f.exceptions) {
    lines.push(
      `exception: ${e.state}, until ${e.expiresAt}, owner ${e.owner}, asked by ${e.requestedBy.name}: ${e.reason}`,
    );
  }
  lines.push('history:');
  for (const h of f.history)
    lines.push(`  ${h.at}  ${h.action}${h.actor === null ? '' : ` by ${h.actor}`}`);
  return lines.join('\n') + '\n';
}

async function show(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('findings show', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = oneId('findings show', positionals);
  const { client, server } = remoteClient(io, values);
  const finding = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/findings/{id}', { params: { path: { id } } }),
    ),
    'finding',
  );
  io.stdout.write(
    values.json === true ? JSON.stringify(finding, null, 2) + '\n' : explained(finding),
  );
  return exitCodes.ok;
}

async function triage(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('findings triage', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    justification: { type: 'string' },
    detail: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = oneId('findings triage', positionals);
  if (values.state === undefined) throw new UsageError('findings triage: --state is required');
  const { client, server } = remoteClient(io, values);
  const body = {
    state: values.state,
    ...(values.justification !== undefined && { justification: values.justification }),
    ...(values.detail !== undefined && { detail: values.detail }),
  };
  const finding = expectOk(
    await reachable(server, () =>
      // The server validates the words and names the field that is wrong.
      client.PUT('/api/v1/findings/{id}/triage', { params: { path: { id } }, body: body as never }),
    ),
    'triage',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(finding, null, 2) + '\n');
  else
    io.stdout.write(
      `${finding.advisory.id} on ${finding.asset.name} (${finding.package.name} ${finding.package.version}): ${finding.triage?.state ?? values.state}\n`,
    );
  return exitCodes.ok;
}
