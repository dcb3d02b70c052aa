/**
 * The change report: one change's record as an auditor reads it — the request, its risk, the
 * approvals with the plan version each approved (and whether that is the version implemented),
 * test evidence, backup evidence and per-host results of its rollout (versions before and
 * after), the findings it closed, and its audit events with their hash-chain proof (each
 * event's hash and previous hash, each hash recomputed, and the whole chain verified).
 *
 * Reads only through other contexts' doors: changes' `exportChange` (the same document as
 * `patchgate changes export`), rollouts' `rolloutDetail`, findings' `findingsForReport`, audit's
 * `auditExcerptOf`. Events and evidence after `dataAsOf` are left out.
 */
import type { Cell, ReportDocument, ReportFigure } from '@patchgate/report';
import type { ServerContext } from '../../../context.ts';
import { NotFoundError } from '../../../http/problems.ts';
import { auditExcerptOf } from '../../audit/index.ts';
import type { ChangeExport, ReviewFacts } from '../../changes/index.ts';
import { exportChange } from '../../changes/index.ts';
import { findingsForReport } from '../../findings/index.ts';
import type { RolloutDetail } from '../../rollouts/index.ts';
import { rolloutDetail } from '../../rollouts/index.ts';
import type { Progress, Resolved } from './common.ts';
import { col, figureBlock, figureValues, inputsOf, policyOf, table } from './common.ts';

const versions = (list: readonly { name: string; version: string | null }[]) =>
  list.map((p) => `${p.name} ${p.version ?? '(not installed)'}`).join(', ');

/** The per-host results of a rollout: one row per host, in wave order. */
export function hostRows(rollout: RolloutDetail | undefined): Record<string, Cell>[] {
  if (rollout === undefined) return [];
  return rollout.waves.flatMap((wave) =>
    wave.hosts.map((h) => ({
      wave: wave.name,
      host: h.name,
      state: h.state,
      startedAt: h.startedAt,
      finishedAt: h.finishedAt,
      before: versions(h.before),
      after: versions(h.after),
      restored: versions(h.restored),
      backup: h.backup === null ? null : h.backup.backupId,
      tasks: h.tasks
        .map((t) => `${t.kind}${t.scope === 'wave' ? ' (wave)' : ''}: ${t.outcome ?? t.state}`)
        .join('; '),
    })),
  );
}

/**
 * The per-host results as the review's facts recorded them, for a change whose rollout's own
 * record is not kept (history imported with its facts, e.g. the demo's): no task detail there.
 */
export function hostRowsOfFacts(facts: ReviewFacts): Record<string, Cell>[] {
  return facts.waves.flatMap((wave) =>
    wave.hosts.map((h) => ({
      wave: wave.name,
      host: h.assetName,
      state: h.outcome,
      startedAt: null,
      finishedAt: null,
      before: versions(h.before),
      after: versions(h.after),
      restored: versions(facts.rollbacks.find((r) => r.assetId === h.assetId)?.restored ?? []),
      backup: null,
      tasks:
        h.versionsConfirmed === null
          ? null
          : `versions ${h.versionsConfirmed ? 'confirmed' : 'not as planned'} (review facts)`,
    })),
  );
}

export async function buildChangeReport(
  ctx: Pick<ServerContext, 'database' | 'clock' | 'config'>,
  resolved: Resolved,
  generatedAt: string,
  progress: Progress,
): Promise<ReportDocument> {
  const warnings: string[] = [];
  const ref = resolved.change ?? '';
  progress(0, 5, 'reading the change');
  let exported: ChangeExport;
  try {
    exported = await exportChange(ctx, ref);
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError(`The change "${ref}"`);
    throw error;
  }
  const change = exported.change;
  const asOf = resolved.dataAsOf;
  if (change.createdAt > asOf)
    throw new NotFoundError(
      `The change "${ref}" as of ${asOf} (it was created ${change.createdAt})`,
    );
  progress(1, 5, 'reading the rollout');
  const rollout = await rolloutDetail(ctx.database.db, change.id);
  progress(2, 5, 'reading the findings');
  const linked = change.findings.map((f) => f.findingId);
  const findings =
    linked.length === 0
      ? []
      : await findingsForReport(ctx.database, { detectedBy: asOf, findingIds: linked });
  progress(3, 5, 'verifying the audit chain');
  const excerpt = await auditExcerptOf(
    ctx.database.db,
    [
      { type: 'change', ids: [change.id] },
      ...(rollout === undefined ? [] : [{ type: 'rollout', ids: [rollout.id] }]),
    ],
    asOf,
  );
  progress(4, 5, 'writing the report');

  const planVersions = exported.planVersions.filter((v) => v.createdAt <= asOf);
  const implemented = planVersions.at(-1)?.version ?? change.planVersion;
  const approvals = exported.approvals
    .filter((a) => typeof a['at'] === 'string' && a['at'] <= asOf)
    .map((a) => ({
      stage: a['stage'] as number,
      approver: a['approverName'] as string,
      onBehalfOf: (a['onBehalfOf'] as string | null) ?? null,
      decision: a['decision'] as string,
      planVersion: a['planVersion'] as number,
      planHash: planVersions.find((v) => v.version === a['planVersion'])?.hash ?? null,
      currentPlan: a['planVersion'] === implemented,
      comment: (a['comment'] as string | null) ?? null,
      at: a['at'] as string,
      withdrawn: (a['withdrawnAt'] as string | null) ?? null,
    }));
  const evidence = change.evidence
    .filter((e) => e.recordedAt <= asOf)
    .map((e) => ({
      seq: e.seq,
      kind: e.kind,
      outcome: e.outcome,
      suite: e.suite,
      planVersion: e.planVersion,
      passed: e.passed,
      failed: e.failed,
      by: e.recordedBy.name,
      at: e.recordedAt,
      attachments: e.attachments.map((a) => `${a.name} (sha256 ${a.sha256})`).join('; '),
    }));
  // Without the rollout's record, the review's facts (recorded when it ended) still name each
  // host's outcome and versions.
  const facts =
    rollout === undefined && change.reviewFacts !== null && change.reviewFacts.recordedAt <= asOf
      ? change.reviewFacts
      : undefined;
  const hosts = facts === undefined ? hostRows(rollout) : hostRowsOfFacts(facts);
  const backups = (rollout?.waves ?? []).flatMap((w) =>
    w.hosts.map((h) => ({
      host: h.name,
      backupId: h.backup?.backupId ?? null,
      createdAt: h.backup?.createdAt ?? null,
      expiresAt: h.backup?.expiresAt ?? null,
      packages: h.backup?.packages ?? null,
      archive:
        h.backup?.archive == null
          ? null
          : `${h.backup.archive.path} (${h.backup.archive.files} files, ${h.backup.archive.bytes} bytes, sha256 ${h.backup.archive.sha256})`,
      hooks:
        h.backup === null
          ? null
          : h.backup.hooks.map((k) => `${k.name}: exit ${k.exitCode ?? '?'}`).join('; '),
    })),
  );
  const findingRows = change.findings.map((cf) => {
    const f = findings.find((x) => x.id === cf.findingId);
    const fixed = f?.fixedAt != null && f.fixedAt <= asOf;
    return {
      asset: f?.assetName ?? cf.assetId,
      package: cf.package,
      advisories: cf.advisoryIds.join(', '),
      priority: cf.priority,
      dueDate: cf.dueDate,
      fixedAt: fixed ? (f?.fixedAt ?? null) : null,
      closedByThisChange: fixed && f?.fixedByChangeId === change.id,
    };
  });
  const transitions = change.history.filter((t) => t.at <= asOf);
  const events = excerpt.events.map((e) => ({
    seq: e.seq,
    at: e.occurredAt,
    action: e.action,
    actor: `${e.actorName} (${e.actorType})`,
    subject: e.subjectType,
    prevHash: e.prevHash,
    hash: e.hash,
    verified: e.hashVerified,
  }));
  const eventsVerified = excerpt.events.every((e) => e.hashVerified);
  const chainOk = excerpt.chain.ok && eventsVerified;
  if (!chainOk)
    warnings.push(
      `The audit chain does not verify${excerpt.chain.brokenAt !== undefined ? ` at event ${excerpt.chain.brokenAt.seq}: ${excerpt.chain.brokenAt.reason}` : ': an event of this change does not match its hash'}. The record may have been altered: run \`patchgate audit verify\` and compare with the last checkpoint.`,
    );
  if (rollout === undefined && facts !== undefined)
    warnings.push(
      `This change's rollout ${facts.rolloutId} is not kept, only its review's facts (recorded ${facts.recordedAt}): the per-host results come from them; no backup evidence or task detail.`,
    );
  else if (rollout === undefined)
    warnings.push(
      'This change has no rollout yet: no per-host results or backup evidence. They appear once the change is implemented.',
    );
  if (evidence.length === 0)
    warnings.push('No test evidence was recorded on this change by the data-as-of instant.');
  const stale = approvals.filter((a) => a.decision === 'approved' && !a.currentPlan);
  if (stale.length > 0)
    warnings.push(
      `${stale.length} approval${stale.length === 1 ? ' was' : 's were'} given on an earlier plan version than the one implemented (${implemented}).`,
    );

  const count = (state: string) => hosts.filter((h) => h['state'] === state).length;
  const figures: ReportFigure[] = [
    { name: 'changeNumber', label: 'Change', value: change.number, unit: 'text' },
    { name: 'changeType', label: 'Type', value: change.type, unit: 'text' },
    {
      name: 'changeState',
      label: 'State',
      value: transitions.at(-1)?.to ?? change.state,
      unit: 'text',
    },
    { name: 'riskLevel', label: 'Risk', value: change.risk.level, unit: 'text' },
    { name: 'riskScore', label: 'Risk score', value: change.risk.score, unit: 'count' },
    { name: 'planVersion', label: 'Plan version implemented', value: implemented, unit: 'count' },
    {
      name: 'approvals',
      label: 'Approvals',
      value: approvals.filter((a) => a.decision === 'approved' && a.withdrawn === null).length,
      unit: 'count',
    },
    { name: 'testEvidence', label: 'Test evidence records', value: evidence.length, unit: 'count' },
    { name: 'hosts', label: 'Hosts', value: hosts.length, unit: 'count' },
    { name: 'hostsSucceeded', label: 'Hosts succeeded', value: count('succeeded'), unit: 'count' },
    {
      name: 'hostsFailed',
      label: 'Hosts failed',
      value: count('failed'),
      unit: 'count',
      status: count('failed') === 0 ? 'good' : 'bad',
    },
    {
      name: 'hostsRolledBack',
      label: 'Hosts rolled back',
      value: count('rolled_back'),
      unit: 'count',
    },
    {
      name: 'backups',
      label: 'Hosts with backup evidence',
      value: backups.filter((b) => b.backupId !== null).length,
      unit: 'count',
    },
    { name: 'findingsLinked', label: 'Findings linked', value: findingRows.length, unit: 'count' },
    {
      name: 'findingsClosed',
      label: 'Findings closed by this change',
      value: findingRows.filter((f) => f.closedByThisChange).length,
      unit: 'count',
    },
    { name: 'auditEvents', label: 'Audit events', value: events.length, unit: 'count' },
    {
      name: 'auditChainVerified',
      label: 'Audit chain verified',
      value: chainOk ? 'yes' : 'no',
      unit: 'text',
      status: chainOk ? 'good' : 'bad',
      note: `${excerpt.chain.events} events in the chain, head ${excerpt.chain.lastHash.slice(0, 16)}…`,
    },
  ];
  const hostColumns = [
    col('wave', 'Wave'),
    col('host', 'Host'),
    col('state', 'Result'),
    col('startedAt', 'Started'),
    col('finishedAt', 'Finished'),
    col('before', 'Before'),
    col('after', 'After'),
    col('restored', 'Restored'),
    col('backup', 'Backup'),
    col('tasks', 'Tasks'),
  ];
  progress(5, 5, 'done');
  return {
    type: 'change',
    title: `Change report ${change.number}: ${change.title}`,
    subtitle: `${change.type} change, ${transitions.at(-1)?.to ?? change.state} — as of ${asOf}`,
    inputs: inputsOf(resolved, policyOf(ctx, findings, warnings), {
      id: change.id,
      number: change.number,
    }),
    generatedAt,
    figures: {
      ...figureValues(figures),
      auditChain: {
        ok: chainOk,
        events: excerpt.chain.events,
        lastHash: excerpt.chain.lastHash,
        ...(excerpt.chain.brokenAt !== undefined && { brokenAt: excerpt.chain.brokenAt }),
      },
      exportDigest: exported.digest,
    },
    sections: [
      {
        title: 'Request',
        blocks: [
          {
            kind: 'text',
            text: `${change.number} "${change.title}", a ${change.type} change requested by ${change.requester.name} on ${change.createdAt}${change.implementer === null ? '' : `, implemented by ${change.implementer.name}`}. ${change.schedule === null ? 'Not scheduled.' : `Scheduled ${change.schedule.start} to ${change.schedule.end}.`}${change.description === '' ? '' : ` ${change.description}`}`,
          },
          figureBlock(figures),
          table(
            'patches',
            'Patches',
            [
              col('asset', 'Asset'),
              col('package', 'Package'),
              col('from', 'From'),
              col('to', 'To'),
              col('mode', 'Mode'),
            ],
            change.patches.map((p) => ({
              asset: p.assetName,
              package: p.package,
              from: p.fromVersion,
              to: p.toVersion ?? 'latest',
              mode: p.mode,
            })),
            'The change has no patches.',
          ),
        ],
      },
      {
        title: 'Risk',
        blocks: [
          {
            kind: 'text',
            text: `${change.risk.level} (assessed ${change.risk.assessed}, score ${change.risk.score}). ${change.risk.explanation}${change.risk.override === null ? '' : ` Overridden to ${change.risk.override.level}: ${change.risk.override.reason}`}`,
          },
          table(
            'riskFactors',
            'Risk factors',
            [col('label', 'Factor'), col('points', 'Points', 'right'), col('detail', 'Detail')],
            change.risk.factors.map((f) => ({
              label: f.label,
              points: f.points,
              detail: f.detail,
            })),
            'No risk factor.',
          ),
        ],
      },
      {
        title: 'Approvals',
        blocks: [
          table(
            'approvals',
            'Approval decisions and the plan version each approved',
            [
              col('stage', 'Stage', 'right'),
              col('approver', 'Approver'),
              col('onBehalfOf', 'On behalf of'),
              col('decision', 'Decision'),
              col('planVersion', 'Plan version', 'right'),
              col('planHash', 'Plan hash'),
              col('currentPlan', 'Implemented version'),
              col('at', 'At'),
              col('withdrawn', 'Withdrawn'),
              col('comment', 'Comment'),
            ],
            approvals,
            change.type === 'standard'
              ? 'A standard change is pre-approved by its template.'
              : 'No approval decision was recorded.',
          ),
          table(
            'planVersions',
            'Plan versions',
            [
              col('version', 'Version', 'right'),
              col('hash', 'SHA-256'),
              col('author', 'Author'),
              col('reason', 'Reason'),
              col('createdAt', 'Created'),
            ],
            planVersions.map((v) => ({
              version: v.version,
              hash: v.hash,
              author: v.author.name,
              reason: v.reason,
              createdAt: v.createdAt,
            })),
            'No plan version.',
          ),
        ],
      },
      {
        title: 'Test evidence',
        blocks: [
          table(
            'testEvidence',
            'Test evidence',
            [
              col('seq', '#', 'right'),
              col('kind', 'Kind'),
              col('outcome', 'Outcome'),
              col('suite', 'Suite'),
              col('planVersion', 'Plan version', 'right'),
              col('passed', 'Passed', 'right'),
              col('failed', 'Failed', 'right'),
              col('by', 'By'),
              col('at', 'At'),
              col('attachments', 'Attachments'),
            ],
            evidence,
            'No test evidence was recorded.',
          ),
        ],
      },
      {
        title: 'Backup evidence',
        blocks: [
          table(
            'backups',
            'Backups taken before the install',
            [
              col('host', 'Host'),
              col('backupId', 'Backup'),
              col('createdAt', 'Taken'),
              col('expiresAt', 'Kept until'),
              col('packages', 'Packages recorded', 'right'),
              col('archive', 'Archive'),
              col('hooks', 'Hooks'),
            ],
            backups,
            'No rollout: no backup was taken.',
          ),
        ],
      },
      {
        title: 'Per-host results',
        blocks: [
          table(
            'hosts',
            'Per-host results (versions before and after)',
            hostColumns,
            hosts,
            'No rollout yet.',
            rollout === undefined
              ? facts === undefined
                ? undefined
                : `From the review's facts: rollout ${facts.rolloutId} ${facts.outcome}, ${facts.actual.start ?? 'not started'} to ${facts.actual.end ?? '—'}.`
              : `Rollout ${rollout.id}: ${rollout.phase}${rollout.reason === null ? '' : ` (${rollout.reason})`}, ${rollout.startedAt ?? 'not started'} to ${rollout.finishedAt ?? '—'}.`,
          ),
        ],
      },
      {
        title: 'Findings',
        blocks: [
          table(
            'findings',
            'Findings the change addresses',
            [
              col('asset', 'Asset'),
              col('package', 'Package'),
              col('advisories', 'Advisories'),
              col('priority', 'Priority'),
              col('dueDate', 'Due'),
              col('fixedAt', 'Fixed'),
              col('closedByThisChange', 'Closed by this change'),
            ],
            findingRows,
            'The change is linked to no finding.',
          ),
        ],
      },
      {
        title: 'History',
        blocks: [
          table(
            'transitions',
            'State transitions',
            [
              col('at', 'At'),
              col('from', 'From'),
              col('to', 'To'),
              col('action', 'Action'),
              col('actor', 'By'),
              col('reason', 'Reason'),
            ],
            transitions.map((t) => ({
              at: t.at,
              from: t.from,
              to: t.to,
              action: t.action,
              actor: t.actor.name,
              reason: t.reason,
            })),
            'No transition.',
          ),
        ],
      },
      {
        title: 'Audit excerpt and hash-chain proof',
        blocks: [
          {
            kind: 'text',
            text: `Each audit event's hash is SHA-256 of the previous event's hash and the event's canonical JSON. Every hash below was recomputed from the stored event (${eventsVerified ? 'all match' : 'some do not match'}), and the whole chain was verified from its first event: ${excerpt.chain.ok ? `${excerpt.chain.events} events, head ${excerpt.chain.lastHash}` : `broken at event ${excerpt.chain.brokenAt?.seq ?? '?'} (${excerpt.chain.brokenAt?.reason ?? ''})`}. The change export digest is ${exported.digest}.`,
          },
          table(
            'audit',
            'Audit events of the change and its rollout',
            [
              col('seq', 'Seq', 'right'),
              col('at', 'At'),
              col('action', 'Action'),
              col('actor', 'Actor'),
              col('subject', 'Subject'),
              col('prevHash', 'Previous hash'),
              col('hash', 'Hash'),
              col('verified', 'Verified'),
            ],
            events,
            'No audit event.',
          ),
        ],
      },
    ],
    csv: { columns: hostColumns, rows: hosts },
    warnings,
  };
}
