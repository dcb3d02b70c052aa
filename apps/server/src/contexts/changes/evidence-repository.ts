/** Typed queries on the test-evidence tables (evidence-tables.ts). */
import type { TestEvidence } from '@patchgate/changes';
import type { Executor } from './repository.ts';
import type { ChangeEvidenceAttachmentTable, ChangeEvidenceTable } from './evidence-tables.ts';

/** An attachment's row without its content (lists never read the bytes). */
export type AttachmentMeta = Omit<ChangeEvidenceAttachmentTable, 'content'>;

const metaColumns = [
  'id',
  'evidence_id',
  'change_id',
  'name',
  'media_type',
  'size',
  'sha256',
  'actor_id',
  'actor_name',
  'added_at',
] as const;

export function evidenceOf(db: Executor, changeId: string): Promise<ChangeEvidenceTable[]> {
  return db
    .selectFrom('change_evidence')
    .selectAll()
    .where('change_id', '=', changeId)
    .orderBy('seq')
    .execute();
}

export function evidenceRow(
  db: Executor,
  changeId: string,
  evidenceId: string,
): Promise<ChangeEvidenceTable | undefined> {
  return db
    .selectFrom('change_evidence')
    .selectAll()
    .where('change_id', '=', changeId)
    .where('id', '=', evidenceId)
    .executeTakeFirst();
}

export async function nextEvidenceSeq(db: Executor, changeId: string): Promise<number> {
  const row = await db
    .selectFrom('change_evidence')
    .select((eb) => eb.fn.max('seq').as('max'))
    .where('change_id', '=', changeId)
    .executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export async function insertEvidence(db: Executor, row: ChangeEvidenceTable): Promise<void> {
  await db.insertInto('change_evidence').values(row).execute();
}

export async function countAttachments(db: Executor, changeId: string): Promise<number> {
  const row = await db
    .selectFrom('change_evidence_attachments')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('change_id', '=', changeId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function insertAttachment(
  db: Executor,
  row: ChangeEvidenceAttachmentTable,
): Promise<void> {
  await db.insertInto('change_evidence_attachments').values(row).execute();
}

export function attachmentsOf(db: Executor, changeId: string): Promise<AttachmentMeta[]> {
  return db
    .selectFrom('change_evidence_attachments')
    .select(metaColumns)
    .where('change_id', '=', changeId)
    .orderBy('added_at')
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export function attachmentRow(
  db: Executor,
  changeId: string,
  evidenceId: string,
  attachmentId: string,
): Promise<ChangeEvidenceAttachmentTable | undefined> {
  return db
    .selectFrom('change_evidence_attachments')
    .selectAll()
    .where('change_id', '=', changeId)
    .where('evidence_id', '=', evidenceId)
    .where('id', '=', attachmentId)
    .executeTakeFirst();
}

/** Every attachment's stored hash and the content's (for verifying an export). */
export function attachmentContents(
  db: Executor,
  changeId: string,
): Promise<Pick<ChangeEvidenceAttachmentTable, 'id' | 'evidence_id' | 'sha256' | 'content'>[]> {
  return db
    .selectFrom('change_evidence_attachments')
    .select(['id', 'evidence_id', 'sha256', 'content'])
    .where('change_id', '=', changeId)
    .execute();
}

/**
 * The change's recorded test evidence as @patchgate/changes' risk reads it: the latest result
 * of each automated suite and the latest sign-off of each person (a re-run or re-test
 * supersedes the earlier one). An automated run judged failed counts as failing even when no
 * test is counted as failed (the pipeline broke, nothing ran).
 */
export async function recordedTestEvidence(
  db: Executor,
  changeId: string,
): Promise<TestEvidence[]> {
  const latest = new Map<string, ChangeEvidenceTable>();
  for (const row of await evidenceOf(db, changeId)) {
    const key =
      row.kind === 'automated' ? `a:${row.suite ?? ''}` : `m:${row.actor_id ?? row.actor_name}`;
    latest.set(key, row);
  }
  return [...latest.values()].map((row): TestEvidence => {
    const outcome = row.outcome === 'failed' ? 'failed' : 'passed';
    if (row.kind === 'automated') {
      const failed = row.failed ?? 0;
      return {
        kind: 'automated',
        suite: row.suite ?? 'suite',
        passed: row.passed ?? 0,
        failed: outcome === 'failed' ? Math.max(failed, 1) : failed,
        skipped: row.skipped ?? 0,
        ranAt: row.at,
        attachments: [],
      };
    }
    return {
      kind: 'manual',
      signedOffBy: row.actor_name,
      signedOffAt: row.at,
      outcome,
      notes: row.notes,
      attachments: [],
    };
  });
}
