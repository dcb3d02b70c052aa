/**
 * Taking and checking audit checkpoints: the signing key (a PEM file outside the database,
 * created mode 0600 on first start), the append-only checkpoint file, the optional webhook,
 * the periodic timer, and verification of the log against them (checkpoint.ts has the format).
 */
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { ServerConfig } from '../../config.ts';
import { ConfigurationError } from '../../config.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { ChainVerification } from './audit-log.ts';
import { verifyAuditChain } from './audit-log.ts';
import { genesisHash } from './chain.ts';
import type { Checkpoint } from './checkpoint.ts';
import {
  compareWithCheckpoints,
  keyIdOf,
  readCheckpointLines,
  signCheckpoint,
} from './checkpoint.ts';

type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export type CheckpointSettings = Pick<
  ServerConfig,
  'auditKeyFile' | 'auditCheckpointFile' | 'auditCheckpointWebhook'
>;

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * The signing key, created on first use: an Ed25519 private key in PKCS#8 PEM, mode 0600 (it
 * is refused if anyone but the owner may read it), and its public key beside it (`.pub`).
 */
export async function loadOrCreateCheckpointKey(keyFile: string): Promise<KeyObject> {
  try {
    const handle = await open(keyFile, 'r');
    try {
      const stat = await handle.stat();
      if ((stat.mode & 0o077) !== 0) {
        throw new ConfigurationError(
          `PATCHGATE_AUDIT_KEY_FILE: ${keyFile}: the audit checkpoint key must be readable by its owner only (chmod 600)`,
        );
      }
      const pem = await handle.readFile('utf8');
      try {
        return createPrivateKey(pem);
      } catch (error) {
        throw new ConfigurationError(
          `PATCHGATE_AUDIT_KEY_FILE: ${keyFile} is not a private key in PEM form`,
          { cause: error },
        );
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!missing(error)) throw error;
  }
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  // `wx`: never overwrite a key another process created a moment ago.
  try {
    await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return loadOrCreateCheckpointKey(keyFile);
    throw error;
  }
  await chmod(keyFile, 0o600);
  await writeFile(`${keyFile}.pub`, publicKey.export({ type: 'spki', format: 'pem' }), {
    mode: 0o644,
  });
  return privateKey;
}

/** The key if it exists (verification never creates one). */
async function existingKey(keyFile: string): Promise<KeyObject | undefined> {
  try {
    return createPrivateKey(await readFile(keyFile, 'utf8'));
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

export type CheckpointResult =
  | {
      readonly status: 'taken';
      readonly checkpoint: Checkpoint;
      /** Whether the webhook copy arrived, when a webhook is configured. */
      readonly webhook?: 'delivered' | 'failed';
    }
  /** The chain does not verify from the last checkpoint: nothing is signed over a forgery. */
  | { readonly status: 'refused'; readonly reason: string };

/** One per checkpoint file in this process: takes are serialised (line numbers stay unique). */
export class Checkpointer {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: CheckpointSettings,
    private readonly clock: Clock,
    private readonly logger: FastifyBaseLogger,
  ) {}

  /** Sign the chain's current head and append it; refused if the log does not verify. */
  take(db: Executor): Promise<CheckpointResult> {
    const run = this.#queue.then(() => this.#take(db));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #take(db: Executor): Promise<CheckpointResult> {
    const key = await loadOrCreateCheckpointKey(this.settings.auditKeyFile);
    const refuse = (reason: string): CheckpointResult => {
      this.logger.error({ reason }, 'audit checkpoint refused: the log does not verify');
      return { status: 'refused', reason };
    };
    // Verify first, a checkpoint over a chain already tampered with would bless it; but only
    // since the last checkpoint (which pins everything before it), so a take stays cheap.
    const text = (await readText(this.settings.auditCheckpointFile)) ?? '';
    const reading = readCheckpointLines(text, createPublicKey(key));
    const firstProblem = reading.problems[0];
    if (firstProblem !== undefined) return refuse(firstProblem);
    const last = reading.checkpoints.at(-1);
    if (last !== undefined && last.seq > 0) {
      const row = await db
        .selectFrom('audit_events')
        .select('hash')
        .where('seq', '=', last.seq)
        .executeTakeFirst();
      const anchorBreak = compareWithCheckpoints(
        [last],
        row === undefined ? last.seq - 1 : last.seq,
        new Map(row === undefined ? [] : [[last.seq, row.hash]]),
      );
      if (anchorBreak !== undefined) return refuse(anchorBreak.reason);
    }
    const chain = await verifyAuditChain(
      db,
      2000,
      last === undefined ? undefined : { seq: last.seq, hash: last.hash },
    );
    if (!chain.ok) return refuse(chain.brokenAt?.reason ?? 'the audit chain does not verify');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const lastLine = lines.at(-1);
    const { checkpoint, line } = signCheckpoint(
      key,
      { seq: chain.events, hash: chain.lastHash },
      timestamp(this.clock),
      last === undefined || lastLine === undefined ? undefined : { n: last.n, line: lastLine },
    );
    await mkdir(dirname(this.settings.auditCheckpointFile), { recursive: true });
    // O_APPEND: one write of one line, never a rewrite of the file.
    const handle = await open(
      this.settings.auditCheckpointFile,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
      0o600,
    );
    try {
      await handle.write(`${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.logger.info({ n: checkpoint.n, seq: checkpoint.seq }, 'audit checkpoint taken');
    const webhook = await this.#notify(checkpoint);
    return { status: 'taken', checkpoint, ...(webhook !== undefined && { webhook }) };
  }

  /** POST the checkpoint to the configured URL; a failure is logged and reported, not fatal. */
  async #notify(checkpoint: Checkpoint): Promise<'delivered' | 'failed' | undefined> {
    const url = this.settings.auditCheckpointWebhook;
    if (url === undefined) return undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'patchgate.audit.checkpoint', checkpoint }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return 'delivered';
    } catch (error) {
      this.logger.warn({ err: error, n: checkpoint.n }, 'audit checkpoint webhook failed');
      return 'failed';
    }
  }
}

const checkpointers = new Map<string, Checkpointer>();

/** The process's checkpointer for these settings (one per checkpoint file). */
export function checkpointerFor(
  settings: CheckpointSettings,
  clock: Clock,
  logger: FastifyBaseLogger,
): Checkpointer {
  let checkpointer = checkpointers.get(settings.auditCheckpointFile);
  if (checkpointer === undefined) {
    checkpointer = new Checkpointer(settings, clock, logger);
    checkpointers.set(settings.auditCheckpointFile, checkpointer);
  }
  return checkpointer;
}

export interface CheckpointSummary {
  /** Checkpoints whose signature verifies. */
  readonly count: number;
  readonly keyId: string | null;
  readonly last: {
    readonly number: number;
    readonly seq: number;
    readonly hash: string;
    readonly takenAt: string;
  } | null;
  /** Events after the last checkpoint: protected by the chain alone (not against truncation). */
  readonly eventsAfterLast: number;
  /** What is wrong with the checkpoint file or key. */
  readonly problems: string[];
}

export interface AuditLogVerification extends ChainVerification {
  readonly checkpoints: CheckpointSummary;
}

/**
 * Verify the chain, then the checkpoints, then the chain against them: a truncated log or a
 * chain rewritten with fresh hashes up to a checkpoint no longer matches what was signed.
 */
export async function verifyAuditLog(
  db: Executor,
  settings: Pick<CheckpointSettings, 'auditKeyFile' | 'auditCheckpointFile'>,
): Promise<AuditLogVerification> {
  const chain = await verifyAuditChain(db);
  const key = await existingKey(settings.auditKeyFile);
  const text = await readText(settings.auditCheckpointFile);
  const problems: string[] = [];
  let checkpoints: readonly Checkpoint[] = [];
  if (key === undefined) {
    if (text !== undefined)
      problems.push(
        `the checkpoint key ${settings.auditKeyFile} is missing: the checkpoints cannot be checked`,
      );
  } else if (text === undefined) {
    // The server takes one at every start, so a key without a file means the file was removed.
    problems.push(`the checkpoint file ${settings.auditCheckpointFile} is missing`);
  } else {
    const reading = readCheckpointLines(text, createPublicKey(key));
    checkpoints = reading.checkpoints;
    problems.push(...reading.problems);
  }
  const seqs = [...new Set(checkpoints.map((c) => c.seq).filter((seq) => seq > 0))];
  const hashAt = new Map<number, string>();
  for (let i = 0; i < seqs.length; i += 500) {
    const rows = await db
      .selectFrom('audit_events')
      .select(['seq', 'hash'])
      .where('seq', 'in', seqs.slice(i, i + 500))
      .execute();
    for (const row of rows) hashAt.set(Number(row.seq), row.hash);
  }
  const stored = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('seq').as('maxSeq'))
    .executeTakeFirst();
  const eventCount = Math.max(chain.events, Number(stored?.maxSeq ?? 0));
  const anchorBreak = compareWithCheckpoints(checkpoints, eventCount, hashAt);
  const last = checkpoints.at(-1);
  const summary: CheckpointSummary = {
    count: checkpoints.length,
    keyId: key === undefined ? null : keyIdOf(createPublicKey(key)),
    last:
      last === undefined
        ? null
        : { number: last.n, seq: last.seq, hash: last.hash, takenAt: last.takenAt },
    eventsAfterLast: Math.max(0, chain.events - (last?.seq ?? 0)),
    problems,
  };
  // The earliest break wins: the chain's own, or where it disagrees with a signed head.
  const brokenAt =
    chain.brokenAt !== undefined &&
    (anchorBreak === undefined || chain.brokenAt.seq <= anchorBreak.seq)
      ? chain.brokenAt
      : anchorBreak;
  return {
    ok: chain.ok && anchorBreak === undefined && problems.length === 0,
    events: chain.events,
    lastHash: chain.events === 0 ? genesisHash : chain.lastHash,
    ...(brokenAt !== undefined && { brokenAt }),
    checkpoints: summary,
  };
}

/**
 * Checkpoints on a timer (and one at once): returns a stop function that takes a last one.
 * Errors are logged; the timer never keeps the process alive.
 */
export function startPeriodicCheckpoints(
  checkpointer: Checkpointer,
  db: Executor,
  intervalSeconds: number,
  logger: FastifyBaseLogger,
): { stop(): Promise<void>; whenIdle(): Promise<void> } {
  let latest: Promise<void> = Promise.resolve();
  const tick = () => {
    latest = checkpointer.take(db).then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'audit checkpoint failed'),
    );
    return latest;
  };
  void tick();
  const timer =
    intervalSeconds > 0 ? setInterval(() => void tick(), intervalSeconds * 1000) : undefined;
  timer?.unref();
  return {
    stop: async () => {
      if (timer !== undefined) clearInterval(timer);
      await tick();
    },
    /** The latest checkpoint's completion (tests wait on it instead of sleeping). */
    whenIdle: () => latest,
  };
}
