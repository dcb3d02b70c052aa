/**
 * A change's whole history as one JSON document, and reading such a document back
 * (docs/adr/0028-change-export.md): the request, every plan version with its content and hash,
 * the approval decisions with the plan version each approved, the transitions, the test
 * evidence with its attached files' hashes (in `change.evidence`), the review and the change's
 * audit events. A digest over the canonical JSON makes any edit visible; the
 * verification also compares the document with the record this server holds.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import { auditEventsOf, canonicalJson } from '../audit/index.ts';
import { approvalHistory } from './decisions.ts';
import * as repo from './repository.ts';
import { attachmentContents, evidenceOf } from './evidence-repository.ts';
import { ChangeDetail, PlanVersion, Review, Transition } from './schema.ts';
import { changeDetail, changeOr404, contentHash } from './service.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock'>;

export const exportFormat = 'patchgate.change-export';
export const exportFormatVersion = 1;

const AuditExcerpt = z.object({
  seq: z.number().int(),
  occurredAt: z.string(),
  action: z.string(),
  actorType: z.string(),
  actorName: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

const ExportedChange = ChangeDetail.omit({ conflicts: true, approvals: true, planVersions: true });

export const ChangeExport = z
  .object({
    format: z.literal(exportFormat).describe('what this document is'),
    formatVersion: z.literal(exportFormatVersion).describe('its version'),
    exportedAt: z.string().describe('when (server clock)'),
    change: ExportedChange.describe(
      'the request as it stands: scope, patches, findings, risk, plans, history',
    ),
    planVersions: z
      .array(
        PlanVersion.extend({
          content: z.unknown().describe('plans, asset ids, patches and schedule of this version'),
        }),
      )
      .max(10_000)
      .describe('every plan version'),
    approvals: z
      .array(z.record(z.string(), z.unknown()))
      .max(10_000)
      .describe('every approval decision with the plan version it was given on'),
    transitions: z.array(Transition).max(10_000),
    review: Review.nullable(),
    audit: z.array(AuditExcerpt).max(100_000).describe("the change's audit events, in order"),
    digest: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the canonical JSON of every other member'),
  })
  .describe("A change's whole history");
export type ChangeExport = z.infer<typeof ChangeExport>;

export const ExportVerification = z.object({
  ok: z.boolean().describe('every check passed'),
  changeId: z.string(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
});
export type ExportVerification = z.infer<typeof ExportVerification>;

function digestOf(document: Omit<ChangeExport, 'digest'>): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

export async function exportChange(ctx: Ctx, ref: string): Promise<ChangeExport> {
  const db = ctx.database.db;
  const row = await changeOr404(db, ref);
  const detail = await changeDetail(ctx, row.id);
  const versions = await repo.planVersionsOf(db, row.id);
  // The request as it stands; conflicts, approval status and versions have their own members.
  const change = ExportedChange.parse(detail);
  const audit = await auditEventsOf(db, [{ type: 'change', ids: [row.id] }]);
  const body: Omit<ChangeExport, 'digest'> = {
    format: exportFormat,
    formatVersion: exportFormatVersion,
    exportedAt: timestamp(ctx.clock),
    change,
    planVersions: versions.map((v) => ({
      version: v.version,
      hash: v.hash,
      author: { id: v.author_id, name: v.author_name },
      reason: v.reason,
      createdAt: v.created_at,
      content: JSON.parse(v.content_json) as unknown,
    })),
    approvals: await approvalHistory(ctx, row.id),
    transitions: detail.history,
    review: detail.review,
    audit: audit.map((e) => ({
      seq: e.seq,
      occurredAt: e.occurredAt,
      action: e.action,
      actorType: e.actorType,
      actorName: e.actorName,
      before: e.before,
      after: e.after,
    })),
  };
  // Round-trip through JSON so the digest covers exactly what a reader will parse.
  const plain = JSON.parse(JSON.stringify(body)) as Omit<ChangeExport, 'digest'>;
  return { ...plain, digest: digestOf(plain) };
}

/**
 * Check an export: its digest, each plan version's hash, the transitions' chain, that each
 * approval names a plan version in the document, and that it agrees with this server's record
 * (plan versions, transitions and audit events as stored).
 */
export async function verifyExport(ctx: Ctx, document: ChangeExport): Promise<ExportVerification> {
  const checks: ExportVerification['checks'] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const { digest, ...rest } = document;
  const computed = digestOf(JSON.parse(JSON.stringify(rest)) as Omit<ChangeExport, 'digest'>);
  check(
    'digest',
    computed === digest,
    computed === digest ? 'the document is as exported' : 'the document was altered after export',
  );

  const badHashes = document.planVersions.filter((v) => contentHash(v.content) !== v.hash);
  check(
    'plan-version-hashes',
    badHashes.length === 0,
    badHashes.length === 0
      ? `${document.planVersions.length} plan versions match their hashes`
      : `plan versions ${badHashes.map((v) => v.version).join(', ')} do not match their hashes`,
  );

  const breaks = document.transitions.filter(
    (t, i) => i > 0 && t.from !== document.transitions[i - 1]?.to,
  );
  const endsRight = document.transitions.at(-1)?.to === document.change.state;
  check(
    'transitions',
    breaks.length === 0 && endsRight,
    breaks.length === 0 && endsRight
      ? `${document.transitions.length} transitions chain to the state ${document.change.state}`
      : 'the transitions do not chain from creation to the current state',
  );

  const versions = new Set(document.planVersions.map((v) => v.version));
  const orphans = document.approvals.filter(
    (a) => typeof a['planVersion'] === 'number' && !versions.has(a['planVersion']),
  );
  check(
    'approvals-name-plan-versions',
    orphans.length === 0,
    orphans.length === 0
      ? `${document.approvals.length} approval decisions, each on a plan version in the document`
      : `${orphans.length} approval decisions name a plan version the document does not hold`,
  );

  const db = ctx.database.db;
  const row = await repo.changeRow(db, document.change.id);
  if (row === undefined) {
    check('on-record', false, `this server holds no change ${document.change.id}`);
  } else {
    const stored = await repo.planVersionsOf(db, row.id);
    const sameVersions =
      stored.length === document.planVersions.length &&
      stored.every((v, i) => document.planVersions[i]?.hash === v.hash);
    check(
      'plan-versions-on-record',
      sameVersions,
      sameVersions
        ? 'the plan versions are those on record'
        : 'the plan versions differ from those on record',
    );
    const transitions = await repo.transitionsOf(db, row.id);
    const prefix = document.transitions.every((t, i) => {
      const s = transitions[i];
      return s !== undefined && s.to_state === t.to && s.action === t.action && s.at === t.at;
    });
    check(
      'transitions-on-record',
      prefix,
      prefix
        ? `the transitions are on record (${transitions.length - document.transitions.length} since the export)`
        : 'the transitions differ from those on record',
    );
    const audit = await auditEventsOf(db, [{ type: 'change', ids: [row.id] }]);
    const bySeq = new Map(audit.map((e) => [e.seq, e]));
    const auditSame = document.audit.every((e) => {
      const s = bySeq.get(e.seq);
      return (
        s !== undefined &&
        s.action === e.action &&
        s.occurredAt === e.occurredAt &&
        canonicalJson(s.after) === canonicalJson(e.after)
      );
    });
    const evidence = await evidenceCheck(db, row.id, document);
    check('evidence-on-record', evidence.ok, evidence.detail);
    check(
      'audit-on-record',
      auditSame,
      auditSame
        ? `${document.audit.length} audit events match the audit log`
        : 'the audit excerpt differs from the audit log',
    );
  }
  return { ok: checks.every((c) => c.ok), changeId: document.change.id, checks };
}

/**
 * The document's test evidence is on record: each record as stored, each attached file's hash
 * the stored one, and the stored bytes still hash to it (records added since the export are
 * fine).
 */
async function evidenceCheck(
  db: repo.Executor,
  changeId: string,
  document: ChangeExport,
): Promise<{ ok: boolean; detail: string }> {
  const [records, files] = await Promise.all([
    evidenceOf(db, changeId),
    attachmentContents(db, changeId),
  ]);
  const byId = new Map(records.map((r) => [r.id, r]));
  const filesById = new Map(files.map((f) => [f.id, f]));
  const problems: string[] = [];
  let attachments = 0;
  for (const record of document.change.evidence) {
    const stored = byId.get(record.id);
    if (
      stored === undefined ||
      stored.kind !== record.kind ||
      stored.outcome !== record.outcome ||
      stored.at !== record.at ||
      stored.notes !== record.notes ||
      stored.actor_name !== record.recordedBy.name
    ) {
      problems.push(`evidence ${record.seq} differs from the record`);
      continue;
    }
    for (const attachment of record.attachments) {
      attachments += 1;
      const file = filesById.get(attachment.id);
      if (file === undefined || file.evidence_id !== record.id || file.sha256 !== attachment.sha256)
        problems.push(`attachment ${attachment.name} of evidence ${record.seq}: hash differs`);
      else if (createHash('sha256').update(file.content).digest('hex') !== file.sha256)
        problems.push(`attachment ${attachment.name}: the stored file no longer matches its hash`);
    }
  }
  return problems.length === 0
    ? {
        ok: true,
        detail: `${document.change.evidence.length} evidence records and ${attachments} attached files match the record`,
      }
    : { ok: false, detail: problems.join('; ') };
}
