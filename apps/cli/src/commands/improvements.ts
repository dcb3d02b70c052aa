/**
 * `patchgate improvements trends|recommendations|refresh|accept|dismiss|actions|action-add|
 * action-update`: the improvement loop (ADR 0046) — review trends, recommendations with their
 * evidence, decided by a change manager, and follow-up actions tracked to closure.
 */
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { writeTable } from '../remote/listing.ts';

export const improvementsHelp = `Usage:
  patchgate improvements trends [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--server <url>] [--json]
  patchgate improvements recommendations [--state open|accepted|dismissed|resolved]
                                         [--server <url>] [--json]
  patchgate improvements refresh [--server <url>] [--json]
  patchgate improvements accept <recommendation id> [--reason <text>] [--server <url>] [--json]
  patchgate improvements dismiss <recommendation id> --reason <text> [--server <url>] [--json]
  patchgate improvements actions [--state open|done|cancelled] [--server <url>] [--json]
  patchgate improvements action-add --title <text> [--owner <who>] [--due YYYY-MM-DD]
                                    [--change <change id>] [--note <text>] [--server <url>] [--json]
  patchgate improvements action-update <action id> [--state open|done|cancelled] [--owner <who>]
                                       [--due YYYY-MM-DD] [--note <text>] [--server <url>] [--json]

Trends read the reviews of a period (default the last 90 days). Recommendations are made by
rules from the reviews and the metrics, refreshed daily and by refresh; accept applies the edit
(a window lengthened, a test wave added to a template) or opens a follow-up action; dismiss
needs a reason. Reading needs reports:read; refresh, decisions and action writes need
improvements:manage (otherwise the server refuses: exit 4).
`;

export async function improvementsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(improvementsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  switch (sub) {
    case 'trends':
      return trends(rest, io);
    case 'recommendations':
      return recommendations(rest, io);
    case 'refresh':
      return refresh(rest, io);
    case 'accept':
    case 'dismiss':
      return decide(sub, rest, io);
    case 'actions':
      return actions(rest, io);
    case 'action-add':
      return actionAdd(rest, io);
    case 'action-update':
      return actionUpdate(rest, io);
    default:
      throw new UsageError(`improvements: unknown subcommand "${sub}"\n\n${improvementsHelp}`);
  }
}

const json = (io: CliIo, value: unknown) => io.stdout.write(JSON.stringify(value, null, 2) + '\n');

async function trends(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('improvements trends', args, {
    server: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  const query = {
    ...(values.from !== undefined && { from: values.from }),
    ...(values.to !== undefined && { to: values.to }),
  };
  const t = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/review-trends', { params: { query: query as never } }),
    ),
    'review trends',
  );
  if (values.json === true) {
    json(io, t);
    return exitCodes.ok;
  }
  io.stdout.write(
    `${t.period.from} – ${t.period.to}: ${t.changes} changes reviewed, ${t.failedChanges} failed\n\nFailure causes\n`,
  );
  writeTable(
    io,
    ['cause', 'failures', 'changes'],
    t.failureCauses.map((c) => [
      c.cause,
      String(c.failures),
      c.changes.map((x) => x.number).join(' '),
    ]),
  );
  io.stdout.write('\nPackages\n');
  writeTable(
    io,
    ['package', 'changes', 'failed', 'failed in first wave'],
    t.packages.map((p) => [
      p.package,
      String(p.changes),
      String(p.failedChanges),
      String(p.failedInFirstWave),
    ]),
  );
  io.stdout.write('\nWindows\n');
  writeTable(
    io,
    ['window', 'minutes', 'changes', 'overruns', 'largest'],
    t.windows.map((w) => [
      w.windowName,
      w.durationMinutes === null ? '-' : String(w.durationMinutes),
      String(w.changes),
      String(w.overruns),
      w.maxOverrunMinutes === null ? '-' : `${w.maxOverrunMinutes}m`,
    ]),
  );
  return exitCodes.ok;
}

async function recommendations(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('improvements recommendations', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  const query = values.state === undefined ? {} : { state: values.state };
  const list = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/recommendations', { params: { query: query as never } }),
    ),
    'recommendation list',
  );
  if (values.json === true) {
    json(io, list);
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'state', 'rule', 'title', 'evidence'],
    list.recommendations.map((r) => [
      r.id,
      r.state,
      r.rule,
      r.title,
      r.evidence.changes.map((c) => c.number).join(' ') || '-',
    ]),
  );
  return exitCodes.ok;
}

async function refresh(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('improvements refresh', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  const r = expectOk(
    await reachable(server, () => client.POST('/api/v1/recommendations/refresh')),
    'refreshing the recommendations',
  );
  if (values.json === true) json(io, r);
  else
    io.stdout.write(
      `${r.created} created, ${r.updated} updated, ${r.resolved} resolved; ${r.actionsFromReviews} follow-ups taken from reviews; ${r.open} open\n`,
    );
  return exitCodes.ok;
}

async function decide(
  decision: 'accept' | 'dismiss',
  args: string[],
  io: CliIo,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`improvements ${decision}`, args, {
    server: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError(`improvements ${decision} takes one recommendation id`);
  const { client, server } = remoteClient(io, values);
  const options = {
    params: { path: { id } },
    body: values.reason === undefined ? {} : { reason: values.reason },
  };
  const decided = expectOk(
    await reachable(server, () =>
      decision === 'accept'
        ? client.POST('/api/v1/recommendations/{id}/accept', options)
        : client.POST('/api/v1/recommendations/{id}/dismiss', options),
    ),
    `${decision === 'accept' ? 'accepting' : 'dismissing'} recommendation ${id}`,
  );
  if (values.json === true) json(io, decided);
  else
    io.stdout.write(
      `${decided.state}: ${decided.title}${decided.applied === null ? '' : `\napplied: ${JSON.stringify(decided.applied)}`}\n`,
    );
  return exitCodes.ok;
}

async function actions(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('improvements actions', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
  });
  const { client, server } = remoteClient(io, values);
  const query = values.state === undefined ? {} : { state: values.state };
  const list = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/improvement-actions', { params: { query: query as never } }),
    ),
    'action list',
  );
  if (values.json === true) {
    json(io, list);
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['id', 'state', 'source', 'due', 'owner', 'title'],
    list.actions.map((a) => [
      a.id,
      a.overdue ? `${a.state} (overdue)` : a.state,
      a.source,
      a.dueDate ?? '-',
      a.owner ?? '-',
      a.title,
    ]),
  );
  return exitCodes.ok;
}

async function actionAdd(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('improvements action-add', args, {
    server: { type: 'string' },
    title: { type: 'string' },
    owner: { type: 'string' },
    due: { type: 'string' },
    change: { type: 'string' },
    note: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.title === undefined)
    throw new UsageError('improvements action-add: --title is required');
  const body = {
    title: values.title,
    ...(values.owner !== undefined && { owner: values.owner }),
    ...(values.due !== undefined && { dueDate: values.due }),
    ...(values.change !== undefined && { changeId: values.change }),
    ...(values.note !== undefined && { note: values.note }),
  };
  const { client, server } = remoteClient(io, values);
  const made = expectOk(
    await reachable(server, () => client.POST('/api/v1/improvement-actions', { body })),
    'adding the action',
  );
  if (values.json === true) json(io, made);
  else io.stdout.write(`action ${made.id}: ${made.title} (due ${made.dueDate ?? 'none'})\n`);
  return exitCodes.ok;
}

async function actionUpdate(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('improvements action-update', args, {
    server: { type: 'string' },
    state: { type: 'string' },
    owner: { type: 'string' },
    due: { type: 'string' },
    note: { type: 'string' },
    json: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError('improvements action-update takes one action id');
  const body = {
    ...(values.state !== undefined && { state: values.state }),
    ...(values.owner !== undefined && { owner: values.owner }),
    ...(values.due !== undefined && { dueDate: values.due }),
    ...(values.note !== undefined && { note: values.note }),
  };
  const { client, server } = remoteClient(io, values);
  const updated = expectOk(
    await reachable(server, () =>
      client.PATCH('/api/v1/improvement-actions/{id}', {
        params: { path: { id } },
        body: body as never,
      }),
    ),
    `updating action ${id}`,
  );
  if (values.json === true) json(io, updated);
  else
    io.stdout.write(
      `action ${updated.id}: ${updated.state}${updated.closedBy === null ? '' : ` (closed by ${updated.closedBy})`}\n`,
    );
  return exitCodes.ok;
}
