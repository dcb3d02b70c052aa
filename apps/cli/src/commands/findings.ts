/** `patchgate findings list`: the server's prioritised findings, most urgent first. */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

export const findingsHelp = `Usage: patchgate findings list [filters] [--server <url>] [--json]

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
