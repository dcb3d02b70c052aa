/**
 * `patchgate changes preflight CHG [--run] [--json]`: the latest pre-flight of a change's
 * patches on its hosts (each host's agent simulates the install: what would be installed,
 * upgraded, removed, held…), or request a new one with --run. A removal or a conflict fails the
 * host: the command exits 1 then, so a script (or the CAB) can gate on it. Also the pre-flight
 * section of `changes show` and the review's facts of `changes review` / `changes show`.
 */
import type { paths } from '@patchgate/api-client';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';

export type PreflightReport =
  paths['/api/v1/changes/{id}/preflight']['get']['responses']['200']['content']['application/json'];
type ChangeDetail =
  paths['/api/v1/changes/{id}']['get']['responses']['200']['content']['application/json'];
type Simulation = NonNullable<PreflightReport['hosts'][number]['simulation']>;

function simulationLines(s: Simulation): string[] {
  const list = (label: string, items: readonly string[]) =>
    items.length === 0 ? [] : [`      ${label}: ${items.join(', ')}`];
  return [
    ...list(
      'upgrade',
      s.upgrade.map((p) => `${p.name} ${p.from} → ${p.to}`),
    ),
    ...list(
      'install',
      s.install.map((p) => `${p.name} ${p.version}`),
    ),
    ...list(
      'downgrade',
      s.downgrade.map((p) => `${p.name} ${p.from} → ${p.to}`),
    ),
    ...list(
      'REMOVE',
      s.remove.map((p) => `${p.name}${p.version === null ? '' : ` ${p.version}`}`),
    ),
    ...list('held', s.held),
    ...list('new dependencies', s.newDependencies),
    ...list('services to restart', s.servicesNeedingRestart),
    ...list('PROBLEMS', s.problems),
  ];
}

/** The pre-flight as people read it (also the section of `changes show`). */
export function describePreflight(report: PreflightReport): string {
  if (report.run === null)
    return `${report.change.number}: no pre-flight yet (patchgate changes preflight ${report.change.number} --run)\n`;
  const run = report.run;
  // A host without an agent was not simulated: say so next to the run's verdict.
  const unchecked = report.hosts.filter((h) => h.status === 'no-agent').length;
  const caveat =
    unchecked === 0
      ? ''
      : ` — ${unchecked} of ${report.hosts.length} host(s) NOT CHECKED (no agent)`;
  const lines = [
    `${report.change.number} pre-flight ${run.state.toUpperCase()}${caveat} (${run.trigger}, ${run.createdAt} by ${run.requestedBy.name})`,
    ...report.hosts.flatMap((h) => [
      `  ${h.assetName}: ${h.status}${h.detail === null ? '' : ` — ${h.detail}`}`,
      ...(h.simulation === null ? [] : simulationLines(h.simulation)),
    ]),
  ];
  return lines.join('\n') + '\n';
}

export async function preflight(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('changes preflight', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
    run: { type: 'boolean' },
  });
  const id = positionals[0];
  if (id === undefined || positionals.length > 1)
    throw new UsageError('changes preflight takes one change id or number');
  const { client, server } = remoteClient(io, values);
  const options = { params: { path: { id } } };
  const report = expectOk(
    await reachable(server, () =>
      values.run === true
        ? client.POST('/api/v1/changes/{id}/preflight', options)
        : client.GET('/api/v1/changes/{id}/preflight', options),
    ),
    `pre-flight of ${id}`,
  );
  if (values.json === true) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else io.stdout.write(describePreflight(report));
  return report.run?.state === 'failed' ? exitCodes.findings : exitCodes.ok;
}

/** The pre-flight section of `changes show` (the endpoint's per-host view). */
export async function preflightSection(io: CliIo, values: { server?: string }, id: string) {
  const { client, server } = remoteClient(io, values);
  const report = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/changes/{id}/preflight', { params: { path: { id } } }),
    ),
    `pre-flight of ${id}`,
  );
  if (report.run === null) return '  pre-flight: none yet\n';
  return (
    '  pre-flight:\n' +
    describePreflight(report)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `    ${l}`)
      .join('\n') +
    '\n'
  );
}

/** The pre-flight's state and warnings on the CAB agenda (from the change's summary). */
export function preflightWarnings(summary: ChangeDetail['preflight']): string {
  if (summary === null) return '  pre-flight: none yet\n';
  return [
    `  pre-flight: ${summary.state.toUpperCase()} (${summary.hosts.passed}/${summary.hosts.total} hosts passed, ${summary.checkedAt})`,
    ...summary.warnings.map((w) => `    warning: ${w}`),
  ]
    .map((l) => l + '\n')
    .join('');
}

/** The review's facts, pre-filled from the rollout when it ended. */
export function describeReviewFacts(change: ChangeDetail): string {
  const facts = change.reviewFacts;
  if (facts === null) return '  facts: no rollout has ended yet\n';
  const minutes = (n: number | null, late: string, early: string) =>
    n === null
      ? ''
      : n === 0
        ? ' (on time)'
        : n > 0
          ? ` (${n} min ${late})`
          : ` (${-n} min ${early})`;
  const lines = [
    `  facts of rollout ${facts.rolloutId}: ${facts.outcome} (recorded ${facts.recordedAt})`,
    `    planned: ${facts.planned.start ?? '-'} → ${facts.planned.end ?? '-'}`,
    `    actual:  ${facts.actual.start ?? '-'}${minutes(facts.startDelayMinutes, 'late', 'early')} → ${facts.actual.end ?? '-'}${minutes(facts.overrunMinutes, 'over the window', 'inside the window')}`,
    ...facts.waves.flatMap((w) => [
      `    wave ${w.name}: ${w.state}`,
      ...w.hosts.map(
        (h) =>
          `      ${h.assetName}: ${h.outcome}${h.after.length === 0 ? '' : `, ${h.after.map((p) => `${p.name} ${p.version ?? '(removed)'}`).join(', ')}`}${h.versionsConfirmed === false ? ', versions NOT confirmed' : ''}${h.rebootPending ? ', reboot pending' : ''}`,
      ),
    ]),
    ...(facts.failures.length === 0
      ? ['    failures: none']
      : [
          '    failures:',
          ...facts.failures.flatMap((f) => [
            `      ${f.assetName} (${f.wave}) ${f.kind}${f.step === null ? '' : ` ${f.step}`}: ${f.detail}`,
            ...f.log.map((l) => `        | ${l}`),
          ]),
        ]),
    ...(facts.rollbacks.length === 0
      ? ['    rollbacks: none']
      : [
          '    rollbacks:',
          ...facts.rollbacks.map(
            (r) =>
              `      ${r.assetName}: ${r.outcome}${r.restored.length === 0 ? '' : `, restored ${r.restored.map((p) => `${p.name} ${p.version ?? '(removed)'}`).join(', ')}`}`,
          ),
        ]),
    `    findings: ${facts.findings.closed} of ${facts.findings.linked} closed (${facts.findings.closedByChange} by this change); due dates met ${facts.findings.dueMet}, missed ${facts.findings.dueMissed}`,
  ];
  return lines.join('\n') + '\n';
}
