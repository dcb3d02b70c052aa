/**
 * `patchgate changes …`: change requests on a server — create (by hand or from findings), edit
 * the plans, move them through their life (submit, approve, reject, schedule, start, complete,
 * cancel, review), see conflicts, the next feasible slot, the CAB agenda, and export the whole
 * history. A refusal (wrong state, self-approval, a freeze) exits 2 with the server's reason.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { paths } from '@patchgate/api-client';
import { parsePlansDocument } from '@patchgate/changes';
import { parseJson, parseYaml } from '@patchgate/safe-parse';
import { oneOf, parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, pageFooter, writeTable } from '../remote/listing.ts';
import {
  describeReviewFacts,
  preflight,
  preflightSection,
  preflightWarnings,
} from './changes-preflight.ts';

type ChangeDetail =
  paths['/api/v1/changes/{id}']['get']['responses']['200']['content']['application/json'];
type CreateBody = NonNullable<
  paths['/api/v1/changes']['post']['requestBody']
>['content']['application/json'];
type FindingSelection = NonNullable<CreateBody['findings']>;
type EvidenceList =
  paths['/api/v1/changes/{id}/evidence']['get']['responses']['200']['content']['application/json'];
type EvidenceRecord = EvidenceList['evidence'][number];
type EvidenceBody = NonNullable<
  paths['/api/v1/changes/{id}/evidence']['post']['requestBody']
>['content']['application/json'];

export const changesHelp = `Usage:
  patchgate changes create --title <text> (--from-findings <filter> | --asset <a> --package <p>
                           [--to-version <v>] …) [--type standard|normal|emergency]
                           [--template <name>] [--plan <file>] [--description <text>]
                           [--implementer <user>]
  patchgate changes plan <id> <file> [--reason <text>]
  patchgate changes edit <id> [--title <text>] [--description <text>]
                         [--type standard|normal|emergency] [--template <name>] [--reason <text>]
  patchgate changes risk <id> [--level low|moderate|high --reason <text>]
  patchgate changes list [--state <s,…>] [--type <t,…>] [--risk <r,…>] [--limit <n>] [--cursor <c>]
  patchgate changes show <id>
  patchgate changes submit <id>
  patchgate changes approve <id> [--comment <text>]
  patchgate changes reject <id> --comment <text>
  patchgate changes schedule <id> --start <ISO 8601> [--end <ISO 8601>] [--override-freeze]
  patchgate changes start <id> [--reason <text>]
  patchgate changes complete <id> [--reason <text>]
  patchgate changes fail <id> [--reason <text>]
  patchgate changes roll-back <id> --reason <text>
  patchgate changes cancel <id> --reason <text>
  patchgate changes close <id>
  patchgate changes revise <id> --reason <text>     (a submitted change back to draft)
  patchgate changes reopen <id> --reason <text>     (a rejected change a draft again)
  patchgate changes review <id> [--file <review.yaml|json>]
  patchgate changes preflight <id> [--run]
  patchgate changes conflicts <id>
  patchgate changes next-slot <id>
  patchgate changes agenda
  patchgate changes export <id>
  patchgate changes verify-export <file>   (reads an export back: its hashes and the record)
  patchgate changes templates              (standard-change templates, latest versions)
  patchgate changes template <name> [--file <template.yaml|json>]   (show, or save a new version)
  patchgate changes evidence <id>
  patchgate changes evidence <id> --sign-off pass|fail --notes <text> [--attach <file>]…
  patchgate changes evidence <id> --automated --suite <name> --passed <n> --failed <n>
                             [--skipped <n>] [--link <url>] [--ran-at <ISO 8601>]
                             [--notes <text>] [--attach <file>]…
  patchgate changes evidence-download <id> <attachment id> -o <file>
Every subcommand takes --server <url> and --json. <id> is the change's id or number (CHG-0042).

create makes a draft. --from-findings takes a filter as the findings list does, pairs joined
by "&" or spaces: "priority=P1,P2 environment=production", "kev=true&asset=web-01",
"ids=<finding id>,<finding id>"; keys: priority, environment, criticality, exposure, asset,
group, status, kev, package, advisory, dueBefore, ids. package= names a binary package or its
source package: package=curl takes the findings of curl and of libcurl4 (built from curl), and
patches each. The patches are then the lowest fixed
version closing every linked finding per asset and package. By hand, repeat --asset/--package
(and --to-version) once per patch; without --to-version the target is the lowest fixed version
of its open findings, else the latest available.

--plan and plan take the plans as YAML or JSON (README "Change requests" has an example): test
plan and evidence, backup, deployment waves and rings, rollback, communication, roles. plan
makes a new plan version; after an approval it withdraws the approvals (back to authorise).

edit changes a change's title or description (until implementation starts; approvals stand),
or a draft's type and template (--template makes it standard; another --type drops the
template): e.g. a standard change outside its template's criteria becomes a normal one. A
submitted change goes back to draft with the revise action first. Audited as change.edited.

risk prints the risk explanation (level, score, each factor); with --level and --reason it
overrides the assessed level (changes:manage; audited).

show prints the findings grouped by advisory (priority, how many findings, which packages);
--json has every finding.

submit assesses the draft (risk, plans for its type, a standard template's criteria) and sends
it for approval. approve and reject need changes:approve and are refused for your own change.
schedule is refused for a start in the past (more than a minute ago) and in a freeze unless the change is an emergency, the freeze allows it and
--override-freeze is given; the approval then needs the extra freeze-override stage (by default
one CAB member who approved no other stage) before the change is scheduled. review --file writes
the post-implementation review from a file with wentWell, didNotGoWell, incidents [..], lessons,
followUps [{action, owner, dueAt (YYYY-MM-DD), done}] (an empty review is refused); without
--file it prints the review. An emergency change cannot close without it.

preflight prints the latest pre-flight per host: each host's agent simulates the install of its
patches at their exact versions (what would be installed, upgraded, downgraded, REMOVED, held,
new dependencies, services to restart, problems); --run requests a new one (changes:request or
changes:implement). A removal or a conflict fails the host; a host without agent is no-agent.
It exits 1 when the pre-flight failed. A pre-flight also runs by itself when a change is
submitted; show prints its section, and the CAB agenda carries its warnings. review without
--file also prints the facts pre-filled when the change's rollout ended (planned vs actual
times, hosts per wave, failures with their log, rollbacks, findings closed and due dates).

evidence lists the change's test evidence, or records some: your manual sign-off (pass or fail,
with notes) or an automated run's results; each --attach uploads a file to it (name, size and
SHA-256 are kept; at most the server's PATCHGATE_MAX_EVIDENCE_BYTES per file). Evidence is not a
plan edit: approvals stand. It needs changes:request or changes:implement. evidence-download
writes an attached file to -o/--output (the SHA-256 is checked).

Exit codes: 0 done; 1 conflicts lists any conflict; 2 usage, connection error or a refusal (the
reason is printed); 4 no permission.
`;

const simpleActions = [
  'start',
  'complete',
  'fail',
  'roll-back',
  'cancel',
  'close',
  'revise',
  'reopen',
] as const;
type SimpleAction = (typeof simpleActions)[number];

export async function changesCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    io.stdout.write(changesHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  switch (sub) {
    case 'create':
      return create(rest, io);
    case 'plan':
      return plan(rest, io);
    case 'edit':
      return edit(rest, io);
    case 'risk':
      return risk(rest, io);
    case 'list':
      return list(rest, io);
    case 'show':
      return show(rest, io);
    case 'submit':
      return submit(rest, io);
    case 'approve':
    case 'reject':
      return decide(sub, rest, io);
    case 'schedule':
      return schedule(rest, io);
    case 'review':
      return review(rest, io);
    case 'preflight':
      return preflight(rest, io);
    case 'conflicts':
      return conflicts(rest, io);
    case 'next-slot':
      return nextSlot(rest, io);
    case 'agenda':
      return agenda(rest, io);
    case 'export':
      return exportChange(rest, io);
    case 'verify-export':
      return verifyExport(rest, io);
    case 'templates':
      return templates(rest, io);
    case 'template':
      return template(rest, io);
    case 'evidence':
      return evidence(rest, io);
    case 'evidence-download':
      return evidenceDownload(rest, io);
    default:
      if ((simpleActions as readonly string[]).includes(sub))
        return act(sub as SimpleAction, rest, io);
      throw new UsageError(`changes: unknown subcommand "${sub}"\n\n${changesHelp}`);
  }
}

const common = { server: { type: 'string' }, json: { type: 'boolean' } } as const;

function oneId(command: string, positionals: string[]): string {
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError(`changes ${command} takes one change id or number`);
  return id;
}

function readFile(io: CliIo, path: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** A YAML or JSON file holding one mapping (read through safe-parse's limits). */
function readMapping(
  io: CliIo,
  path: string,
  what: string,
  shape: string,
): Record<string, unknown> {
  const parsed = parseYaml(readFile(io, path, what));
  if (!parsed.ok) throw new UsageError(`${path}: not YAML or JSON (${parsed.error})`);
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${path}: ${shape}`);
  return value as Record<string, unknown>;
}

/** The plans in a YAML or JSON file, checked by @patchgate/changes before they are sent. */
export function readPlans(io: CliIo, path: string): NonNullable<CreateBody['plans']> {
  const parsed = parsePlansDocument(readFile(io, path, 'plan'));
  if (!parsed.ok) throw new UsageError(`${path}: ${parsed.errors.join('; ')}`);
  return parsed.plans;
}

const listKeys = ['priority', 'environment', 'criticality', 'exposure', 'status', 'ids'] as const;
const textKeys = ['asset', 'group', 'package', 'advisory', 'dueBefore'] as const;

/** `priority=P1,P2 environment=production` / `kev=true&asset=web-01` → the API's selection. */
export function findingFilter(text: string): FindingSelection {
  const selection: Record<string, unknown> = {};
  const pairs = text
    .split(/[&\s]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pairs.length === 0) throw new UsageError('--from-findings: the filter is empty');
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    if (value === '') throw new UsageError(`--from-findings: "${pair}" has no value (key=value)`);
    if ((listKeys as readonly string[]).includes(key)) selection[key] = value.split(',');
    else if ((textKeys as readonly string[]).includes(key)) selection[key] = value;
    else if (key === 'kev') {
      if (value !== 'true' && value !== 'false')
        throw new UsageError(`--from-findings: kev is true or false (got "${value}")`);
      selection['kev'] = value === 'true';
    } else {
      throw new UsageError(
        `--from-findings: unknown key "${key}" (one of ${[...listKeys, ...textKeys, 'kev'].join(', ')})`,
      );
    }
  }
  return selection;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summaryLine(change: {
  number: string;
  title: string;
  state: string;
  type: string;
  risk: { level: string };
}): string {
  return `${change.number} ${change.title}: ${change.state} (${change.type}, risk ${change.risk.level})`;
}

function writeResult(io: CliIo, json: boolean | undefined, change: ChangeDetail): void {
  if (json === true) io.stdout.write(JSON.stringify(change, null, 2) + '\n');
  else io.stdout.write(summaryLine(change) + '\n');
}

/** Where the approvals of the current plan version stand, in one line. */
export function approvalsLine(approvals: ChangeDetail['approvals']): string {
  const stages = approvals.stages
    .map(
      (s) =>
        `${s.stage}. ${s.name} ${s.approvals.length}/${s.required}${s.satisfied ? ' ✓' : ''}${s.unreachable === null ? '' : ` (${s.unreachable})`}`,
    )
    .join(', ');
  const state = approvals.rejected
    ? 'rejected'
    : approvals.autoApproved
      ? 'approved automatically (standard template)'
      : approvals.complete
        ? 'complete'
        : `waiting for stage ${approvals.currentStage ?? '?'}`;
  return `approvals ${state}${stages === '' ? '' : `: ${stages}`} (policy rule ${approvals.ruleId})`;
}

async function create(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('changes create', args, {
    ...common,
    title: { type: 'string' },
    description: { type: 'string' },
    'from-findings': { type: 'string' },
    asset: { type: 'string', multiple: true },
    package: { type: 'string', multiple: true },
    'to-version': { type: 'string', multiple: true },
    type: { type: 'string' },
    template: { type: 'string' },
    plan: { type: 'string' },
    implementer: { type: 'string' },
  });
  if (values.title === undefined) throw new UsageError('changes create: --title is required');
  const assets = values.asset ?? [];
  const packages = values.package ?? [];
  const versions = values['to-version'] ?? [];
  const byHand = assets.length > 0 || packages.length > 0;
  if (byHand === (values['from-findings'] !== undefined))
    throw new UsageError(
      'changes create: give either --from-findings or --asset/--package pairs, not both nor neither',
    );
  if (assets.length !== packages.length)
    throw new UsageError('changes create: give one --package per --asset');
  if (versions.length > assets.length)
    throw new UsageError('changes create: more --to-version than --asset/--package pairs');
  const body: CreateBody = {
    title: values.title,
    type: oneOf('type', values.type, ['standard', 'normal', 'emergency'] as const, 'normal'),
    ...(values.description !== undefined && { description: values.description }),
    ...(values.template !== undefined && { template: values.template }),
    ...(values.implementer !== undefined && { implementer: values.implementer }),
    ...(values.plan !== undefined && { plans: readPlans(io, values.plan) }),
    ...(byHand
      ? {
          patches: assets.map((asset, i) => ({
            asset,
            package: packages[i] ?? '',
            ...(versions[i] !== undefined && { toVersion: versions[i] }),
          })),
        }
      : { findings: findingFilter(values['from-findings'] ?? '') }),
  };
  const { client, server } = remoteClient(io, values);
  const created = expectOk(
    await reachable(server, () => client.POST('/api/v1/changes', { body })),
    'creating the change',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(created, null, 2) + '\n');
  else
    io.stdout.write(
      `${summaryLine(created)}; ${count(created.counts.assets, 'asset')}, ${count(created.counts.patches, 'patch', 'patches')}, ${count(created.counts.findings, 'finding')}\n`,
    );
  return exitCodes.ok;
}

async function plan(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes plan', args, {
    ...common,
    reason: { type: 'string' },
  });
  const [id, file] = positionals;
  if (id === undefined || file === undefined || positionals.length > 2)
    throw new UsageError('changes plan takes a change id and a plan file');
  const plans = readPlans(io, file);
  const { client, server } = remoteClient(io, values);
  const changed = expectOk(
    await reachable(server, () =>
      client.PUT('/api/v1/changes/{id}/plans', {
        params: { path: { id } },
        body: { plans, ...(values.reason !== undefined && { reason: values.reason }) },
      }),
    ),
    `new plan version of ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(changed, null, 2) + '\n');
  else io.stdout.write(`${summaryLine(changed)}; plan version ${changed.planVersion}\n`);
  return exitCodes.ok;
}

async function edit(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes edit', args, {
    ...common,
    title: { type: 'string' },
    description: { type: 'string' },
    type: { type: 'string' },
    template: { type: 'string' },
    reason: { type: 'string' },
  });
  const id = oneId('edit', positionals);
  const body = {
    ...(values.title !== undefined && { title: values.title }),
    ...(values.description !== undefined && { description: values.description }),
    ...(values.type !== undefined && {
      type: oneOf('type', values.type, ['standard', 'normal', 'emergency'] as const, 'normal'),
    }),
    ...(values.template !== undefined && { template: values.template }),
  };
  if (Object.keys(body).length === 0)
    throw new UsageError(
      'changes edit: give at least one of --title, --description, --type, --template',
    );
  const { client, server } = remoteClient(io, values);
  const change = expectOk(
    await reachable(server, () =>
      client.PATCH('/api/v1/changes/{id}', {
        params: { path: { id } },
        body: { ...body, ...(values.reason !== undefined && { reason: values.reason }) },
      }),
    ),
    `editing ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(change, null, 2) + '\n');
  else
    io.stdout.write(
      `${summaryLine(change)}${change.template === null ? '' : `; template ${change.template.id} v${change.template.version}`}\n`,
    );
  return exitCodes.ok;
}

function riskLines(change: ChangeDetail): string {
  const r = change.risk;
  return [
    `${change.number} risk ${r.level} (assessed ${r.assessed}, score ${r.score})${r.override === null ? '' : `; overridden to ${r.override.level}: ${r.override.reason}`}`,
    `  ${r.explanation}`,
    ...r.factors.map((f) => `  ${f.label}: +${f.points} (${f.detail})`),
  ].join('\n');
}

async function risk(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes risk', args, {
    ...common,
    level: { type: 'string' },
    reason: { type: 'string' },
  });
  const id = oneId('risk', positionals);
  const { client, server } = remoteClient(io, values);
  let change: ChangeDetail;
  if (values.level === undefined) {
    if (values.reason !== undefined)
      throw new UsageError('changes risk: --reason goes with --level (the override)');
    change = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/changes/{id}', { params: { path: { id } } }),
      ),
      `change ${id}`,
    );
  } else {
    const level = oneOf('level', values.level, ['low', 'moderate', 'high'] as const, 'low');
    if ((values.reason ?? '').trim() === '')
      throw new UsageError('changes risk: --reason is required to override the level (say why)');
    change = expectOk(
      await reachable(server, () =>
        client.PUT('/api/v1/changes/{id}/risk', {
          params: { path: { id } },
          body: { level, reason: values.reason ?? '' },
        }),
      ),
      `risk override of ${id}`,
    );
  }
  if (values.json === true) io.stdout.write(JSON.stringify(change.risk, null, 2) + '\n');
  else io.stdout.write(riskLines(change) + '\n');
  return exitCodes.ok;
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('changes list', args, {
    ...common,
    state: { type: 'string' },
    type: { type: 'string' },
    risk: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const limit = limitOption(values.limit, 500);
  const query = {
    ...(values.state !== undefined && { state: values.state }),
    ...(values.type !== undefined && { type: values.type }),
    ...(values.risk !== undefined && { risk: values.risk }),
    ...(values.cursor !== undefined && { cursor: values.cursor }),
    ...(limit !== undefined && { limit }),
  };
  const { client, server } = remoteClient(io, values);
  const page = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes', { params: { query: query as never } }),
    ),
    'change list',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['number', 'state', 'type', 'risk', 'assets', 'window', 'requester', 'title'],
    page.changes.map((c) => [
      c.number,
      c.state,
      c.type,
      c.risk.level,
      String(c.counts.assets),
      c.schedule === null ? '-' : `${c.schedule.start.slice(0, 16)}Z`,
      c.requester.name,
      c.title.length > 50 ? `${c.title.slice(0, 49)}…` : c.title,
    ]),
  );
  io.stdout.write(pageFooter('changes', page.changes.length, { nextCursor: page.nextCursor }));
  return exitCodes.ok;
}

/**
 * The findings by advisory, most urgent first: one line each with its priority, how many
 * findings and which packages (the binaries of one source package share an advisory).
 */
export function findingLines(findings: ChangeDetail['findings']): string[] {
  const groups = new Map<
    string,
    { priority: string; kev: boolean; findings: number; packages: Set<string>; assets: Set<string> }
  >();
  for (const f of findings) {
    const key = f.advisoryIds[0] ?? f.findingId;
    const group = groups.get(key) ?? {
      priority: f.priority,
      kev: false,
      findings: 0,
      packages: new Set<string>(),
      assets: new Set<string>(),
    };
    if (f.priority < group.priority) group.priority = f.priority;
    group.kev ||= f.kev;
    group.findings += 1;
    group.packages.add(f.package);
    group.assets.add(f.assetId);
    groups.set(key, group);
  }
  const shown = 20;
  const sorted = [...groups].sort(
    ([a, x], [b, y]) =>
      x.priority.localeCompare(y.priority) || Number(y.kev) - Number(x.kev) || a.localeCompare(b),
  );
  return [
    `  findings (${count(findings.length, 'finding')}, ${count(groups.size, 'advisory', 'advisories')})${findings.length === 0 ? '' : ':'}`,
    ...sorted
      .slice(0, shown)
      .map(
        ([advisory, g]) =>
          `    ${advisory} ${g.priority}${g.kev ? ' KEV' : ''}: ${count(g.findings, 'finding')}${g.assets.size > 1 ? ` on ${count(g.assets.size, 'asset')}` : ''} (${[...g.packages].sort().join(', ')})`,
      ),
    ...(sorted.length > shown ? [`    … ${sorted.length - shown} more (--json lists all)`] : []),
  ];
}

function describe(change: ChangeDetail): string {
  const lines = [
    summaryLine(change),
    `  requested by ${change.requester.name}${change.implementer === null ? '' : `, implemented by ${change.implementer.name}`}${change.createdBy.rule === null ? '' : ` (autopilot rule ${change.createdBy.rule}: ${change.createdBy.reason ?? ''})`}`,
    `  window: ${change.schedule === null ? 'not scheduled' : `${change.schedule.start} → ${change.schedule.end}`}${change.freezeOverride === null ? '' : ` (overrides the freeze ${change.freezeOverride.freezes.map((f) => `"${f.name}"`).join(', ')}, asked by ${change.freezeOverride.by.name}: the approval has its freeze-override stage)`}`,
    `  plan version ${change.planVersion}${change.planCheck.ok ? '' : ` (not valid: ${change.planCheck.errors.join('; ')})`}`,
    `  risk ${change.risk.level} (score ${change.risk.score}${change.risk.override === null ? '' : `, overridden: ${change.risk.override.reason}`})`,
    `    ${change.risk.explanation}`,
    `  ${approvalsLine(change.approvals)}`,
    `  assets (${change.assets.length}): ${change.assets.map((a) => a.name).join(', ')}`,
    `  patches:`,
    ...change.patches.map(
      (p) =>
        `    ${p.assetName} ${p.package} ${p.fromVersion ?? '?'} → ${p.toVersion ?? 'latest'} (${p.mode})`,
    ),
    ...findingLines(change.findings),
    ...(change.conflicts.length === 0
      ? []
      : ['  conflicts:', ...change.conflicts.map((c) => `    ${c.kind}: ${c.message}`)]),
    '  history:',
    ...change.history.map(
      (t) =>
        `    ${t.at} ${t.action}: ${t.from ?? '-'} → ${t.to} by ${t.actor.name}${t.reason === null ? '' : ` (${t.reason})`}`,
    ),
  ];
  return lines.join('\n') + '\n';
}

async function show(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes show', args, common);
  const id = oneId('show', positionals);
  const { client, server } = remoteClient(io, values);
  const change = expectOk(
    await reachable(server, () => client.GET('/api/v1/changes/{id}', { params: { path: { id } } })),
    `change ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(change, null, 2) + '\n');
  else
    io.stdout.write(
      describe(change) +
        (await preflightSection(io, values, change.id)) +
        (change.reviewFacts === null ? '' : describeReviewFacts(change)),
    );
  return exitCodes.ok;
}

async function submit(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes submit', args, {
    ...common,
    reason: { type: 'string' },
  });
  const id = oneId('submit', positionals);
  const { client, server } = remoteClient(io, values);
  const change = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/changes/{id}/submit', {
        params: { path: { id } },
        body: values.reason === undefined ? {} : { reason: values.reason },
      }),
    ),
    `submitting ${id}`,
  );
  writeResult(io, values.json, change);
  return exitCodes.ok;
}

async function decide(
  decision: 'approve' | 'reject',
  args: string[],
  io: CliIo,
): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`changes ${decision}`, args, {
    ...common,
    comment: { type: 'string' },
  });
  const id = oneId(decision, positionals);
  if (decision === 'reject' && (values.comment ?? '').trim() === '')
    throw new UsageError('changes reject: --comment is required (say why)');
  const { client, server } = remoteClient(io, values);
  const options = {
    params: { path: { id } },
    body: values.comment === undefined ? {} : { comment: values.comment },
  };
  const change = expectOk(
    await reachable(server, () =>
      decision === 'approve'
        ? client.POST('/api/v1/changes/{id}/approve', options)
        : client.POST('/api/v1/changes/{id}/reject', options),
    ),
    `${decision} of ${id}`,
  );
  if (values.json === true) writeResult(io, true, change);
  else io.stdout.write(`${summaryLine(change)}\n  ${approvalsLine(change.approvals)}\n`);
  return exitCodes.ok;
}

function isoOption(name: string, value: string): string {
  if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new UsageError(`--${name} must be an ISO 8601 time such as 2026-12-12T22:00:00Z`);
  return value;
}

async function schedule(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes schedule', args, {
    ...common,
    start: { type: 'string' },
    end: { type: 'string' },
    'override-freeze': { type: 'boolean' },
    reason: { type: 'string' },
  });
  const id = oneId('schedule', positionals);
  if (values.start === undefined) throw new UsageError('changes schedule: --start is required');
  const body = {
    start: isoOption('start', values.start),
    ...(values.end !== undefined && { end: isoOption('end', values.end) }),
    ...(values['override-freeze'] === true && { overrideFreeze: true }),
    ...(values.reason !== undefined && { reason: values.reason }),
  };
  const { client, server } = remoteClient(io, values);
  const change = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/changes/{id}/schedule', { params: { path: { id } }, body }),
    ),
    `scheduling ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(change, null, 2) + '\n');
  else
    io.stdout.write(
      `${summaryLine(change)}; ${change.schedule?.start ?? '?'} → ${change.schedule?.end ?? '?'}${change.conflicts.length === 0 ? '' : `\n${change.conflicts.map((c) => `  conflict ${c.kind}: ${c.message}`).join('\n')}`}\n`,
    );
  return exitCodes.ok;
}

async function act(action: SimpleAction, args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(`changes ${action}`, args, {
    ...common,
    reason: { type: 'string' },
  });
  const id = oneId(action, positionals);
  const { client, server } = remoteClient(io, values);
  const options = {
    params: { path: { id } },
    body: values.reason === undefined ? {} : { reason: values.reason },
  };
  const change = expectOk(
    await reachable(server, () => {
      switch (action) {
        case 'start':
          return client.POST('/api/v1/changes/{id}/start', options);
        case 'complete':
          return client.POST('/api/v1/changes/{id}/complete', options);
        case 'fail':
          return client.POST('/api/v1/changes/{id}/fail', options);
        case 'roll-back':
          return client.POST('/api/v1/changes/{id}/roll-back', options);
        case 'cancel':
          return client.POST('/api/v1/changes/{id}/cancel', options);
        case 'close':
          return client.POST('/api/v1/changes/{id}/close', options);
        case 'revise':
          return client.POST('/api/v1/changes/{id}/revise', options);
        case 'reopen':
          return client.POST('/api/v1/changes/{id}/reopen', options);
      }
    }),
    `${action} of ${id}`,
  );
  writeResult(io, values.json, change);
  return exitCodes.ok;
}

async function review(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes review', args, {
    ...common,
    file: { type: 'string' },
  });
  const id = oneId('review', positionals);
  const { client, server } = remoteClient(io, values);
  // Without a file: show the review (writing an empty one would erase it).
  if (values.file === undefined) {
    const change = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/changes/{id}', { params: { path: { id } } }),
      ),
      `change ${id}`,
    );
    // --json stays the review itself (null before one is written); show --json has the facts.
    if (values.json === true) io.stdout.write(JSON.stringify(change.review, null, 2) + '\n');
    else
      io.stdout.write(
        describeReview(change) + (change.reviewFacts === null ? '' : describeReviewFacts(change)),
      );
    return exitCodes.ok;
  }
  const body = readMapping(
    io,
    values.file,
    'review',
    'the review is a mapping (wentWell, lessons, …)',
  );
  const change = expectOk(
    await reachable(server, () =>
      client.PUT('/api/v1/changes/{id}/review', {
        params: { path: { id } },
        body: body as never,
      }),
    ),
    `review of ${id}`,
  );
  writeResult(io, values.json, change);
  return exitCodes.ok;
}

function describeReview(change: ChangeDetail): string {
  const review = change.review;
  if (review === null)
    return `${change.number}: no post-implementation review yet (state ${change.state})\n`;
  const lines = [
    `${change.number} review by ${review.author.name}, ${review.updatedAt}`,
    `  went well: ${review.wentWell || '-'}`,
    `  did not go well: ${review.didNotGoWell || '-'}`,
    `  incidents: ${review.incidents.length === 0 ? '-' : review.incidents.join(', ')}`,
    `  lessons: ${review.lessons || '-'}`,
    ...(review.followUps.length === 0
      ? ['  follow-ups: -']
      : [
          '  follow-ups:',
          ...review.followUps.map(
            (f) => `    [${f.done ? 'x' : ' '}] ${f.action} (${f.owner}, due ${f.dueAt})`,
          ),
        ]),
  ];
  return lines.join('\n') + '\n';
}

async function conflicts(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes conflicts', args, common);
  const id = oneId('conflicts', positionals);
  const { client, server } = remoteClient(io, values);
  const result = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes/{id}/conflicts', { params: { path: { id } } }),
    ),
    `conflicts of ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else if (result.schedule === null) io.stdout.write(`${id} is not scheduled: no conflicts\n`);
  else if (result.conflicts.length === 0) io.stdout.write(`${id}: no conflicts\n`);
  else io.stdout.write(result.conflicts.map((c) => `${c.kind}: ${c.message}`).join('\n') + '\n');
  // Like findings list: a script can gate on it (exit 1 when any conflict is listed).
  return result.conflicts.length === 0 ? exitCodes.ok : exitCodes.findings;
}

async function nextSlot(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes next-slot', args, common);
  const id = oneId('next-slot', positionals);
  const { client, server } = remoteClient(io, values);
  const slot = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes/{id}/next-slot', { params: { path: { id } } }),
    ),
    `next slot of ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(slot, null, 2) + '\n');
  else if (slot.start === null) io.stdout.write(`no feasible slot: ${slot.reason ?? 'unknown'}\n`);
  else io.stdout.write(`${slot.start} → ${slot.end ?? '?'}\n`);
  return exitCodes.ok;
}

async function agenda(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('changes agenda', args, common);
  const { client, server } = remoteClient(io, values);
  const result = expectOk(
    await reachable(server, () => client.GET('/api/v1/changes/agenda')),
    'the CAB agenda',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return exitCodes.ok;
  }
  if (result.changes.length === 0) io.stdout.write('no change awaits a decision\n');
  for (const change of result.changes)
    io.stdout.write(describe(change) + preflightWarnings(change.preflight) + '\n');
  return exitCodes.ok;
}

async function exportChange(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes export', args, common);
  const id = oneId('export', positionals);
  const { client, server } = remoteClient(io, values);
  const document = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes/{id}/export', { params: { path: { id } } }),
    ),
    `export of ${id}`,
  );
  // The export is JSON either way: --json is accepted for symmetry.
  io.stdout.write(JSON.stringify(document, null, 2) + '\n');
  return exitCodes.ok;
}

/**
 * Read an export back: the server checks its digest, plan-version hashes, transition chain,
 * approvals and evidence against the record it holds. Exit 0 when every check passes, 1 not.
 */
async function verifyExport(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes verify-export', args, common);
  const [path] = positionals;
  if (path === undefined || positionals.length > 1)
    throw new UsageError('changes verify-export takes one export file (from changes export)');
  const parsed = parseJson(readFile(io, path, 'the export'));
  if (!parsed.ok) throw new UsageError(`${path} is not a change export: ${parsed.error}`);
  const { client, server } = remoteClient(io, values);
  const result = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/changes/verify-export', { body: parsed.value as never }),
    ),
    `verifying ${path}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    for (const check of result.checks)
      io.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}\n`);
    io.stdout.write(
      result.ok
        ? `${path}: every check passed\n`
        : `${path}: the export does not match the record\n`,
    );
  }
  return result.ok ? exitCodes.ok : exitCodes.findings;
}

function wholeNumberOption(option: string, value: string | undefined): number {
  if (value === undefined)
    throw new UsageError(`changes evidence --automated: --${option} is required`);
  if (!/^\d{1,7}$/.test(value))
    throw new UsageError(`--${option} must be a whole number (got "${value}")`);
  return Number(value);
}

/** A file to attach: read whole (the server keeps at most its per-file limit). */
function readAttachment(io: CliIo, path: string): Buffer {
  try {
    return readFileSync(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`cannot read the file to attach ${path} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The options that send `bytes` as they are. */
function rawBody(bytes: Buffer): { body: Blob; bodySerializer: (body: unknown) => Blob } {
  return { body: new Blob([bytes]), bodySerializer: (body: unknown) => body as Blob };
}

/** A guess at the media type from the extension (the server serves only harmless ones as such). */
function mediaTypeOf(path: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    txt: 'text/plain',
    log: 'text/plain',
    csv: 'text/csv',
    json: 'application/json',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    zip: 'application/zip',
    gz: 'application/gzip',
    xml: 'application/xml',
    html: 'text/html',
  };
  return (extension === undefined ? undefined : types[extension]) ?? 'application/octet-stream';
}

function evidenceLine(record: EvidenceRecord): string {
  const what =
    record.kind === 'automated'
      ? `${record.suite ?? ''}: ${record.passed ?? 0} passed, ${record.failed ?? 0} failed, ${record.skipped ?? 0} skipped`
      : `sign-off by ${record.recordedBy.name}${record.notes === '' ? '' : `: ${record.notes}`}`;
  return `#${record.seq} ${record.kind} ${record.outcome} ${record.at} ${what}`;
}

async function evidence(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes evidence', args, {
    ...common,
    'sign-off': { type: 'string' },
    automated: { type: 'boolean' },
    suite: { type: 'string' },
    passed: { type: 'string' },
    failed: { type: 'string' },
    skipped: { type: 'string' },
    link: { type: 'string' },
    'ran-at': { type: 'string' },
    notes: { type: 'string' },
    attach: { type: 'string', multiple: true },
  });
  const id = oneId('evidence', positionals);
  const recording = values['sign-off'] !== undefined || values.automated === true;
  if (!recording) {
    const stray = [
      'suite',
      'passed',
      'failed',
      'skipped',
      'link',
      'ran-at',
      'notes',
      'attach',
    ].find((option) => values[option as keyof typeof values] !== undefined);
    if (stray !== undefined)
      throw new UsageError(`changes evidence: --${stray} needs --sign-off or --automated`);
    return listEvidence(id, values, io);
  }
  if (values['sign-off'] !== undefined && values.automated === true)
    throw new UsageError('changes evidence: give --sign-off or --automated, not both');
  let body: EvidenceBody;
  if (values.automated === true) {
    body = {
      kind: 'automated',
      suite: values.suite ?? '',
      passed: wholeNumberOption('passed', values.passed),
      failed: wholeNumberOption('failed', values.failed),
      ...(values.skipped !== undefined && {
        skipped: wholeNumberOption('skipped', values.skipped),
      }),
      ...(values.link !== undefined && { link: values.link }),
      ...(values['ran-at'] !== undefined && { ranAt: isoOption('ran-at', values['ran-at']) }),
      ...(values.notes !== undefined && { notes: values.notes }),
    };
    if (values.suite === undefined)
      throw new UsageError('changes evidence --automated: --suite is required');
  } else {
    const verdict = oneOf('sign-off', values['sign-off'], ['pass', 'fail'] as const, 'pass');
    if (values.notes === undefined || values.notes.trim() === '')
      throw new UsageError('changes evidence --sign-off: --notes is required (what you tested)');
    body = {
      kind: 'manual',
      outcome: verdict === 'pass' ? 'passed' : 'failed',
      notes: values.notes,
    };
  }
  // Every file is read before anything is recorded: a missing file records nothing.
  const files = (values.attach ?? []).map((path) => ({ path, bytes: readAttachment(io, path) }));
  const { client, server } = remoteClient(io, values);
  const record = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/changes/{id}/evidence', { params: { path: { id } }, body }),
    ),
    `evidence on ${id}`,
  );
  const attachments: EvidenceRecord['attachments'] = [];
  for (const file of files) {
    attachments.push(
      expectOk(
        await reachable(server, () =>
          client.POST('/api/v1/changes/{id}/evidence/{evidenceId}/attachments', {
            params: {
              path: { id, evidenceId: record.id },
              query: { name: basename(file.path) },
            },
            headers: { 'content-type': mediaTypeOf(file.path) },
            // The raw file is the body (a binary string in the document: any media type).
            ...rawBody(file.bytes),
          }),
        ),
        `attaching ${file.path}`,
      ),
    );
  }
  const recorded = { ...record, attachments };
  if (values.json === true) io.stdout.write(JSON.stringify(recorded, null, 2) + '\n');
  else {
    io.stdout.write(`${id}: ${evidenceLine(recorded)}\n`);
    for (const a of attachments)
      io.stdout.write(`  ${a.id} ${a.name} (${a.size} bytes, sha256 ${a.sha256})\n`);
  }
  return exitCodes.ok;
}

async function listEvidence(
  id: string,
  values: { server?: string | undefined; json?: boolean | undefined },
  io: CliIo,
): Promise<ExitCode> {
  const { client, server } = remoteClient(io, values);
  const list = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes/{id}/evidence', { params: { path: { id } } }),
    ),
    `evidence of ${id}`,
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return exitCodes.ok;
  }
  if (list.evidence.length === 0) io.stdout.write(`${id}: no test evidence\n`);
  for (const record of list.evidence) {
    io.stdout.write(evidenceLine(record) + '\n');
    for (const a of record.attachments)
      io.stdout.write(`  ${a.id} ${a.name} (${a.size} bytes, sha256 ${a.sha256})\n`);
  }
  return exitCodes.ok;
}

async function evidenceDownload(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes evidence-download', args, {
    ...common,
    output: { type: 'string', short: 'o' },
  });
  const [id, attachmentId] = positionals;
  if (id === undefined || attachmentId === undefined || positionals.length > 2)
    throw new UsageError('changes evidence-download takes a change id and an attachment id');
  if (values.output === undefined)
    throw new UsageError('changes evidence-download: -o/--output <file> is required');
  const { client, server } = remoteClient(io, values);
  const list = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes/{id}/evidence', { params: { path: { id } } }),
    ),
    `evidence of ${id}`,
  );
  const owner = list.evidence.find((r) => r.attachments.some((a) => a.id === attachmentId));
  const attachment = owner?.attachments.find((a) => a.id === attachmentId);
  if (owner === undefined || attachment === undefined)
    throw new UsageError(
      `${id} has no attached file ${attachmentId} (see "changes evidence ${id}")`,
    );
  const result = await reachable(server, () =>
    client.GET('/api/v1/changes/{id}/evidence/{evidenceId}/attachments/{attachmentId}', {
      params: { path: { id, evidenceId: owner.id, attachmentId } },
      parseAs: 'arrayBuffer',
    }),
  );
  const bytes = Buffer.from(
    expectOk(result as { data?: ArrayBuffer; error?: unknown; response: Response }, 'download'),
  );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== attachment.sha256)
    throw new UsageError(
      `the download of ${attachment.name} does not match its recorded SHA-256 (${attachment.sha256}); nothing written`,
    );
  writeFileSync(resolve(io.cwd, values.output), bytes);
  const written = { ...attachment, evidenceId: owner.id, output: values.output };
  if (values.json === true) io.stdout.write(JSON.stringify(written, null, 2) + '\n');
  else
    io.stdout.write(
      `${attachment.name}: ${bytes.length} bytes written to ${values.output} (sha256 ${sha256} verified)\n`,
    );
  return exitCodes.ok;
}

type ApiTemplate =
  paths['/api/v1/change-templates/{name}']['get']['responses'][200]['content']['application/json'];

function describeTemplate(t: ApiTemplate): string {
  const criteria = Object.entries(t.criteria)
    .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}`)
    .join('\n');
  return (
    `${t.name} v${t.version} (by ${t.createdBy}, ${t.createdAt})\n  ${t.description}\n` +
    `  criteria for auto-approval:\n${criteria}\n` +
    `  default plans: ${t.defaultPlans === undefined ? 'none' : 'yes (--json shows them)'}\n`
  );
}

async function templates(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes templates', args, common);
  if (positionals.length > 0) throw new UsageError('changes templates takes no arguments');
  const { client, server } = remoteClient(io, values);
  const list = expectOk(
    await reachable(server, () => client.GET('/api/v1/change-templates')),
    'template list',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else {
    writeTable(
      io,
      ['NAME', 'VERSION', 'DESCRIPTION'],
      list.templates.map((t) => [t.name, `v${t.version}`, t.description]),
    );
    io.stdout.write(`${count(list.templates.length, 'template')}\n`);
  }
  return exitCodes.ok;
}

/**
 * Show a template, or save a new version of it from a file (description, criteria,
 * defaultPlans): changes keep the version they were made from.
 */
async function template(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes template', args, {
    ...common,
    file: { type: 'string' },
  });
  const [name] = positionals;
  if (name === undefined || positionals.length > 1)
    throw new UsageError('changes template takes one template name');
  const { client, server } = remoteClient(io, values);
  const params = { params: { path: { name } } };
  const saved = expectOk(
    await reachable(server, () =>
      values.file === undefined
        ? client.GET('/api/v1/change-templates/{name}', params)
        : client.PUT('/api/v1/change-templates/{name}', {
            ...params,
            body: readMapping(
              io,
              values.file,
              'template',
              'the template is a mapping (description, criteria, defaultPlans)',
            ) as never,
          }),
    ),
    values.file === undefined ? `template ${name}` : `saving template ${name}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(saved, null, 2) + '\n');
  else io.stdout.write((values.file === undefined ? '' : 'saved ') + describeTemplate(saved));
  return exitCodes.ok;
}
