/**
 * Test evidence on a change (docs/adr/0034-change-evidence.md): automated results and manual
 * sign-offs, each with attached files (stored in the database with name, media type, size and
 * SHA-256). Recording evidence is not a material edit: no plan version, nothing withdrawn. It
 * is audited in the same transaction (never a file's content), shown on the change and in its
 * export, and before authorisation ends it re-assesses the change's risk.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ChangePlans } from '@patchgate/changes';
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { timestamp } from '../../clock.ts';
import type { ServerContext } from '../../context.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import {
  ApiError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../../http/problems.ts';
import * as evidenceRepo from './evidence-repository.ts';
import type { AttachmentMeta } from './evidence-repository.ts';
import type {
  EvidenceAttachment,
  EvidenceBody,
  EvidenceList,
  EvidenceRecord,
} from './evidence-schema.ts';
import type { ChangeEvidenceAttachmentTable, ChangeEvidenceTable } from './evidence-tables.ts';
import type { ChangeActor } from './model.ts';
import { changeNumber } from './model.ts';
import { assessChangeRisk } from './planning.ts';
import * as repo from './repository.ts';
import type { Executor } from './repository.ts';
import { audit, changeOr404, loadScope, withChange } from './service.ts';
import type { ChangeRequestTable } from './tables.ts';

type Ctx = Pick<ServerContext, 'database' | 'clock' | 'config'>;
type Trx = Transaction<DatabaseSchema>;

/** At most this many files on one change (all its evidence together). */
export const maxAttachmentsPerChange = 50;
/** At most this many evidence records on one change. */
export const maxRecordsPerChange = 200;

/** Evidence may be recorded until the change is closed, cancelled or rejected. */
const closedStates: readonly string[] = ['closed', 'cancelled', 'rejected'];
/** Before authorisation ends, new evidence re-assesses the stored risk (see the ADR). */
const riskStates: readonly string[] = ['draft', 'submitted', 'authorise'];

function refuseClosed(row: ChangeRequestTable, what: string): void {
  if (closedStates.includes(row.state)) {
    throw new ConflictError(
      `${changeNumber(row.number)}: cannot ${what} on a change in state ${row.state}`,
    );
  }
}

// ---------------------------------------------------------------- reading

function toAttachment(row: AttachmentMeta): EvidenceAttachment {
  return {
    id: row.id,
    name: row.name,
    mediaType: row.media_type,
    size: Number(row.size),
    sha256: row.sha256,
    addedBy: { id: row.actor_id, name: row.actor_name },
    addedAt: row.added_at,
  };
}

function toRecord(
  row: ChangeEvidenceTable,
  attachments: readonly AttachmentMeta[],
): EvidenceRecord {
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind === 'manual' ? 'manual' : 'automated',
    outcome: row.outcome === 'failed' ? 'failed' : 'passed',
    suite: row.suite,
    passed: row.passed,
    failed: row.failed,
    skipped: row.skipped,
    link: row.link,
    at: row.at,
    notes: row.notes,
    planVersion: row.plan_version,
    recordedBy: { id: row.actor_id, name: row.actor_name },
    recordedAt: row.recorded_at,
    attachments: attachments.filter((a) => a.evidence_id === row.id).map(toAttachment),
  };
}

/** The change's evidence, oldest first, each with its attachments (no content). */
export async function evidenceRecords(db: Executor, changeId: string): Promise<EvidenceRecord[]> {
  const [rows, attachments] = await Promise.all([
    evidenceRepo.evidenceOf(db, changeId),
    evidenceRepo.attachmentsOf(db, changeId),
  ]);
  return rows.map((row) => toRecord(row, attachments));
}

export async function listEvidence(ctx: Ctx, ref: string): Promise<EvidenceList> {
  const row = await changeOr404(ctx.database.db, ref);
  return {
    evidence: await evidenceRecords(ctx.database.db, row.id),
    limits: {
      maxAttachmentBytes: ctx.config.maxEvidenceBytes,
      maxAttachmentsPerChange,
      maxRecordsPerChange,
    },
  };
}

// ---------------------------------------------------------------- writing

/** An automated run's verdict: given, or failed when a test failed or none passed. */
function automatedOutcome(body: Extract<EvidenceBody, { kind: 'automated' }>) {
  const derived = body.failed > 0 || body.passed === 0 ? 'failed' : 'passed';
  if (body.outcome === 'passed' && derived === 'failed') {
    throw new ValidationError(
      'body.outcome: a run with failed tests, or with none passed, cannot be passed',
      [{ field: 'body.outcome', message: 'contradicts the counts' }],
    );
  }
  return body.outcome ?? derived;
}

/**
 * Re-assess the stored risk with the evidence now recorded (before authorisation ends); returns
 * the level and score before and after when they changed.
 */
async function reassessRisk(ctx: Ctx, trx: Trx, row: ChangeRequestTable) {
  if (!riskStates.includes(row.state)) return undefined;
  const scope = await loadScope(trx, row);
  const risk = await assessChangeRisk(
    trx,
    scope,
    JSON.parse(row.plans_json) as ChangePlans,
    row.id,
  );
  const factors = JSON.stringify(risk.stored);
  if (factors === row.risk_factors_json && risk.level === row.risk_level) return undefined;
  await repo.updateChange(trx, row.id, {
    risk_level: risk.level,
    risk_score: risk.score,
    risk_factors_json: factors,
    updated_at: timestamp(ctx.clock),
  });
  return {
    before: { level: row.risk_level, score: row.risk_score },
    after: { level: risk.level, score: risk.score },
  };
}

/**
 * Record evidence: automated results, or the caller's manual sign-off. Not a material edit
 * (no plan version, approvals stand); audited as `change.evidence-added`.
 */
export async function addEvidence(
  ctx: Ctx,
  ref: string,
  body: EvidenceBody,
  by: ChangeActor,
): Promise<EvidenceRecord> {
  const outcome = body.kind === 'automated' ? automatedOutcome(body) : body.outcome;
  return withChange(ctx, ref, async (trx, row) => {
    refuseClosed(row, 'record test evidence');
    const seq = await evidenceRepo.nextEvidenceSeq(trx, row.id);
    if (seq > maxRecordsPerChange) {
      throw new ConflictError(
        `${changeNumber(row.number)}: a change holds at most ${maxRecordsPerChange} evidence records`,
      );
    }
    const now = timestamp(ctx.clock);
    const record: ChangeEvidenceTable = {
      id: randomUUID(),
      change_id: row.id,
      seq,
      kind: body.kind,
      outcome,
      suite: body.kind === 'automated' ? body.suite : null,
      passed: body.kind === 'automated' ? body.passed : null,
      failed: body.kind === 'automated' ? body.failed : null,
      skipped: body.kind === 'automated' ? body.skipped : null,
      link: body.kind === 'automated' ? (body.link ?? null) : null,
      at:
        body.kind === 'automated' && body.ranAt !== undefined
          ? new Date(body.ranAt).toISOString()
          : now,
      notes: body.notes,
      plan_version: row.plan_version,
      actor_type: by.actor.type,
      actor_id: by.actor.id,
      actor_name: by.actor.name,
      recorded_at: now,
    };
    await evidenceRepo.insertEvidence(trx, record);
    const risk = await reassessRisk(ctx, trx, row);
    await audit(ctx, trx, by, 'change.evidence-added', row.id, undefined, {
      evidenceId: record.id,
      seq,
      kind: record.kind,
      outcome,
      ...(record.kind === 'automated' && {
        suite: record.suite,
        passed: record.passed,
        failed: record.failed,
        skipped: record.skipped,
        link: record.link,
      }),
      at: record.at,
      notes: record.notes,
      planVersion: record.plan_version,
      ...(risk !== undefined && { risk }),
    });
    return toRecord(record, []);
  });
}

// ---------------------------------------------------------------- files

/** A file name safe to store and to offer back: no directories, no control characters. */
export function sanitiseFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*;]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const limited = [...cleaned].slice(0, 200).join('').trim();
  return limited === '' ? 'attachment' : limited;
}

/** The declared media type, reduced to `type/subtype`; anything odd is octet-stream. */
export function declaredMediaType(header: string | undefined): string {
  const essence = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/.test(essence)
    ? essence
    : 'application/octet-stream';
}

/** Types served as they are on download (never HTML, SVG, XML or scripts): the rest as octets. */
const harmlessTypes = new Map<string, string>([
  ['text/plain', 'text/plain; charset=utf-8'],
  ['text/csv', 'text/csv; charset=utf-8'],
  ['application/json', 'application/json'],
  ['application/pdf', 'application/pdf'],
  ['image/png', 'image/png'],
  ['image/jpeg', 'image/jpeg'],
  ['image/gif', 'image/gif'],
  ['image/webp', 'image/webp'],
  ['application/zip', 'application/zip'],
  ['application/gzip', 'application/gzip'],
  ['application/x-tar', 'application/x-tar'],
]);

export function downloadMediaType(stored: string): string {
  return harmlessTypes.get(stored) ?? 'application/octet-stream';
}

/** `attachment; filename="ascii"; filename*=UTF-8''…` (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Read the request body as it arrives, hashing it, at most `limit` bytes: past the limit it
 * stops reading (without destroying the request, so the 413 reaches the client) and nothing is
 * kept. A body that ends early is the client's fault (400).
 */
export async function receiveFile(
  request: FastifyRequest,
  limit: number,
): Promise<{ content: Buffer; size: number; sha256: string }> {
  const tooLarge = () => new PayloadTooLargeError(limit, 'The file');
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const source = request.body as Readable | undefined;
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  if (source !== undefined && source !== null && typeof source.on === 'function') {
    if (source.errored !== null || (source.destroyed && !source.readableEnded)) {
      throw new BadRequestError('body: the upload ended before all of it arrived; send it again');
    }
    await new Promise<void>((resolve, reject) => {
      let ended = false;
      let settled = false;
      const stop = (error?: Error) => {
        if (settled) return;
        settled = true;
        source.off('data', onData);
        source.off('end', onEnd);
        source.off('error', onError);
        source.off('close', onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          source.pause();
          chunks.length = 0;
          stop(tooLarge());
          return;
        }
        hash.update(chunk);
        chunks.push(chunk);
      };
      const onEnd = () => {
        ended = true;
        stop();
      };
      const onError = (error: unknown) => {
        const status = (error as { statusCode?: unknown } | null)?.statusCode;
        stop(
          status === 413 || error instanceof ApiError
            ? tooLarge()
            : new BadRequestError('body: the upload ended before all of it arrived; send it again'),
        );
      };
      const onClose = () => {
        if (!ended)
          stop(
            new BadRequestError('body: the upload ended before all of it arrived; send it again'),
          );
      };
      source.on('data', onData);
      source.once('end', onEnd);
      source.once('error', onError);
      source.once('close', onClose);
    });
  }
  if (size === 0) {
    throw new ValidationError('body: send the file as the request body', [
      { field: 'body', message: 'is empty' },
    ]);
  }
  return { content: Buffer.concat(chunks), size, sha256: hash.digest('hex') };
}

/** Refuse an attachment before its body is read (state, record, author, count). */
async function refuseAttachment(
  db: Executor,
  row: ChangeRequestTable,
  evidenceId: string,
  by: ChangeActor,
): Promise<ChangeEvidenceTable> {
  refuseClosed(row, 'attach files to test evidence');
  const evidence = await evidenceRepo.evidenceRow(db, row.id, evidenceId);
  if (evidence === undefined)
    throw new NotFoundError(`The evidence "${evidenceId}" of ${changeNumber(row.number)}`);
  if (evidence.actor_id !== by.actor.id) {
    throw new ConflictError(
      `${changeNumber(row.number)}: only ${evidence.actor_name}, who recorded this evidence, may attach files to it`,
    );
  }
  if ((await evidenceRepo.countAttachments(db, row.id)) >= maxAttachmentsPerChange) {
    throw new ConflictError(
      `${changeNumber(row.number)}: a change holds at most ${maxAttachmentsPerChange} attached files`,
    );
  }
  return evidence;
}

/**
 * Attach the request's body to evidence the caller recorded: streamed under the per-file limit
 * (413, nothing stored), then stored with its name, media type, size and SHA-256, audited as
 * `change.evidence-attached` (never the content).
 */
export async function attachFile(
  ctx: Ctx,
  request: FastifyRequest,
  ref: string,
  evidenceId: string,
  name: string | undefined,
  by: ChangeActor,
): Promise<EvidenceAttachment> {
  const found = await changeOr404(ctx.database.db, ref);
  await refuseAttachment(ctx.database.db, found, evidenceId, by);
  const file = await receiveFile(request, ctx.config.maxEvidenceBytes);
  const mediaType = declaredMediaType(request.headers['content-type']);
  return withChange(ctx, found.id, async (trx, row) => {
    await refuseAttachment(trx, row, evidenceId, by);
    const attachment: ChangeEvidenceAttachmentTable = {
      id: randomUUID(),
      evidence_id: evidenceId,
      change_id: row.id,
      name: sanitiseFileName(name),
      media_type: mediaType,
      size: file.size,
      sha256: file.sha256,
      content: file.content,
      actor_id: by.actor.id,
      actor_name: by.actor.name,
      added_at: timestamp(ctx.clock),
    };
    await evidenceRepo.insertAttachment(trx, attachment);
    await audit(ctx, trx, by, 'change.evidence-attached', row.id, undefined, {
      evidenceId,
      attachmentId: attachment.id,
      name: attachment.name,
      mediaType,
      size: file.size,
      sha256: file.sha256,
    });
    return toAttachment(attachment);
  });
}

/** An attached file's bytes and how to offer them. */
export async function attachmentFile(
  ctx: Ctx,
  ref: string,
  evidenceId: string,
  attachmentId: string,
): Promise<{ content: Buffer; name: string; mediaType: string; sha256: string }> {
  const row = await changeOr404(ctx.database.db, ref);
  const file = await evidenceRepo.attachmentRow(ctx.database.db, row.id, evidenceId, attachmentId);
  if (file === undefined)
    throw new NotFoundError(`The attachment "${attachmentId}" of ${changeNumber(row.number)}`);
  return {
    content: Buffer.from(file.content),
    name: file.name,
    mediaType: downloadMediaType(file.media_type),
    sha256: file.sha256,
  };
}
