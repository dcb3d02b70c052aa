/** `patchgate findings list`: the server's prioritised findings, most urgent first. */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

export const findingsHelp = `Usage:
  patchgate findings list [filters] [--server <url>] [--json]
  patchgate findings triage <finding id> --state <state> [--justification <j>] [--detail <text>]
                            [--server <url>] [--json]

triage records the VEX analysis (audited): states in_triage, exploitable, false_positive,
not_affected (needs --justification: code_not_present, code_not_reachable,
requires_configuration, requires_dependency, requires_environment, protected_by_compiler,
protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control), resolved.

Filters: --priority P1,P2  --state open,reopened  --environment production  --exposure internet
         --asset <asset id>  --group <group>  --package <name>  --advisory <id or alias>
         --overdue  --kev  --epss-min <0..1>  --actionable  --sort priority|due|epss|first_seen
         --limit <n> (at most 500)

Exit codes: 0 none listed, 1 some findings listed (a CI gate: "no open P1 on production"),
2 usage or connection error.
`;

export async function findingsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(findingsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'triage') return triage(rest, io);
  if (sub !== 'list')
    throw new UsageError(`findings: unknown subcommand "${sub}"\n\n${findingsHelp}`);
  const { values } = parseCommandArgs('findings list', rest, {
    server: { type: 'string' },
    priority: { type: 'string' },
    state: { type: 'string' },
    environment: { type: 'string' },
    exposure: { type: 'string' },
    asset: { type: 'string' },
    group: { type: 'string' },
    package: { type: 'string' },
    advisory: { type: 'string' },
    overdue: { type: 'boolean' },
    kev: { type: 'boolean' },
    'epss-min': { type: 'string' },
    actionable: { type: 'boolean' },
    sort: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  const query = Object.fromEntries(
    Object.entries({
      priority: values.priority,
      state: values.state,
      environment: values.environment,
      exposure: values.exposure,
      assetId: values.asset,
      group: values.group,
      package: values.package,
      advisory: values.advisory,
      overdue: values.overdue === true ? 'true' : undefined,
      kev: values.kev === true ? 'true' : undefined,
      epssMin: values['epss-min'],
      actionable: values.actionable === true ? 'true' : undefined,
      sort: values.sort,
      limit: values.limit,
    }).filter(([, v]) => v !== undefined),
  );
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/findings', { params: { query: query as never } }),
    ),
    'finding list',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(page, null, 2) + '\n');
  else {
    for (const f of page.findings) {
      io.stdout.write(
        [
          f.priority,
          (f.dueDate ?? '-').padEnd(10),
          f.asset.name.padEnd(20),
          `${f.package.name} ${f.package.version}`.padEnd(40),
          f.advisory.id.padEnd(28),
          f.state,
          f.triage?.state ?? '',
        ]
          .join('  ')
          .trimEnd() + '\n',
      );
    }
    io.stdout.write(
      `${page.findings.length} findings${page.nextCursor !== null ? ' (more pages: narrow the filters or use --json with the cursor)' : ''}\n`,
    );
  }
  return page.findings.length > 0 ? exitCodes.findings : exitCodes.ok;
}

async function triage(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('findings triage', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    justification: { type: 'string' },
    detail: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError('findings triage takes one finding id');
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
