/**
 * Audit checkpoints: a signed statement "the chain had `events` events and its head was `hash`
 * at `takenAt`", one JSON line each, kept outside the database (README: the trust model).
 * Ed25519 (RFC 8032) through node:crypto. The chain's hashes make every event up to `seq`
 * depend on the head, so a checkpoint pins all of them: deleting the last events or rewriting
 * a row and every later hash no longer matches the signed head.
 *
 * Each line also carries its number and the SHA-256 of the previous line, so a line removed
 * from the middle of the file, or lines reordered, show. (Removing the *last* lines of the file
 * cannot show from the file alone: that is what the webhook copy is for.)
 *
 * Pure but for the key objects: lines in, findings out; the file and the database are read
 * by checkpointer.ts.
 */
import type { KeyObject } from 'node:crypto';
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { canonicalJson, genesisHash } from './chain.ts';

export interface CheckpointBody {
  /** Format version. */
  readonly v: 1;
  /** 1, 2, 3…: the line's position in the checkpoint file. */
  readonly n: number;
  /** The chain's last event when taken (0: an empty log). */
  readonly seq: number;
  /** That event's hash (the genesis hash for an empty log). */
  readonly hash: string;
  readonly takenAt: string;
  /** SHA-256 of the previous line's text (64 zeros for the first). */
  readonly prev: string;
  /** The signing key's id: the first 16 hex digits of SHA-256 of its public key (DER). */
  readonly keyId: string;
}

export interface Checkpoint extends CheckpointBody {
  /** Ed25519 signature of the canonical JSON of the body, base64. */
  readonly sig: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function lineHash(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

/** The next checkpoint line (without its newline), following `previousLine` if any. */
export function signCheckpoint(
  privateKey: KeyObject,
  head: { readonly seq: number; readonly hash: string },
  takenAt: string,
  previous: { readonly n: number; readonly line: string } | undefined,
): { checkpoint: Checkpoint; line: string } {
  const body: CheckpointBody = {
    v: 1,
    n: (previous?.n ?? 0) + 1,
    seq: head.seq,
    hash: head.hash,
    takenAt,
    prev: previous === undefined ? genesisHash : lineHash(previous.line),
    keyId: keyIdOf(createPublicKey(privateKey)),
  };
  const sig = sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('base64');
  const checkpoint: Checkpoint = { ...body, sig };
  return { checkpoint, line: JSON.stringify(checkpoint) };
}

export interface CheckpointFileReading {
  /** The lines that verify, in order. */
  readonly checkpoints: readonly Checkpoint[];
  /** What is wrong with the file (a bad signature, a missing or reordered line…). */
  readonly problems: readonly string[];
}

function parseCheckpoint(text: string): Checkpoint | undefined {
  try {
    const value = JSON.parse(text) as Partial<Checkpoint> | null;
    if (
      value === null ||
      typeof value !== 'object' ||
      value.v !== 1 ||
      typeof value.n !== 'number' ||
      typeof value.seq !== 'number' ||
      typeof value.hash !== 'string' ||
      typeof value.takenAt !== 'string' ||
      typeof value.prev !== 'string' ||
      typeof value.keyId !== 'string' ||
      typeof value.sig !== 'string'
    )
      return undefined;
    return value as Checkpoint;
  } catch {
    return undefined;
  }
}

/** Check every line of a checkpoint file against the public key and against each other. */
export function readCheckpointLines(text: string, publicKey: KeyObject): CheckpointFileReading {
  const keyId = keyIdOf(publicKey);
  const checkpoints: Checkpoint[] = [];
  const problems: string[] = [];
  let previous: { n: number; line: string; seq: number } | undefined;
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  lines.forEach((line, index) => {
    const where = `checkpoint file line ${index + 1}`;
    const checkpoint = parseCheckpoint(line);
    if (checkpoint === undefined) {
      problems.push(`${where} is not a checkpoint`);
      return;
    }
    const { sig, ...body } = checkpoint;
    const signed =
      checkpoint.keyId === keyId &&
      verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(sig, 'base64'));
    if (!signed) {
      problems.push(
        checkpoint.keyId === keyId
          ? `${where}: the signature does not verify (the line was changed)`
          : `${where} is signed by another key (${checkpoint.keyId}, expected ${keyId})`,
      );
      return;
    }
    const expectedN = (previous?.n ?? 0) + 1;
    const expectedPrev = previous === undefined ? genesisHash : lineHash(previous.line);
    if (checkpoint.n !== expectedN || checkpoint.prev !== expectedPrev) {
      problems.push(
        `${where}: checkpoint ${checkpoint.n} does not follow checkpoint ${previous?.n ?? 0} (a line was removed or reordered)`,
      );
    } else if (previous !== undefined && checkpoint.seq < previous.seq) {
      problems.push(
        `${where}: checkpoint ${checkpoint.n} covers fewer events (${checkpoint.seq}) than checkpoint ${previous.n} (${previous.seq})`,
      );
    }
    checkpoints.push(checkpoint);
    previous = { n: checkpoint.n, line, seq: checkpoint.seq };
  });
  return { checkpoints, problems };
}

/** Where the database disagrees with a signed checkpoint, the earliest first. */
export interface AnchorBreak {
  readonly seq: number;
  readonly reason: string;
}

/**
 * Compare signed heads with the database: `eventCount` events, `hashAt(seq)` the stored hash
 * of an event (undefined when missing). Returns the earliest disagreement, if any.
 */
export function compareWithCheckpoints(
  checkpoints: readonly Checkpoint[],
  eventCount: number,
  hashAt: ReadonlyMap<number, string>,
): AnchorBreak | undefined {
  let lastGood = 0;
  for (const checkpoint of [...checkpoints].sort((a, b) => a.seq - b.seq || a.n - b.n)) {
    if (checkpoint.seq === 0) continue;
    if (checkpoint.seq > eventCount) {
      return {
        seq: eventCount + 1,
        reason:
          eventCount + 1 === checkpoint.seq
            ? `event ${checkpoint.seq} is missing: checkpoint ${checkpoint.n} (${checkpoint.takenAt}) was signed over ${checkpoint.seq} events (the log was truncated)`
            : `events ${eventCount + 1}–${checkpoint.seq} are missing: checkpoint ${checkpoint.n} (${checkpoint.takenAt}) was signed over ${checkpoint.seq} events (the log was truncated)`,
      };
    }
    if (hashAt.get(checkpoint.seq) !== checkpoint.hash) {
      return {
        seq: checkpoint.seq,
        reason: `event ${checkpoint.seq} is not the one checkpoint ${checkpoint.n} (${checkpoint.takenAt}) signed: the chain was rewritten after event ${lastGood}`,
      };
    }
    lastGood = checkpoint.seq;
  }
  return undefined;
}
