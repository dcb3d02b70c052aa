/**
 * Task verification: nothing runs before this says so. In order: the envelope names a key pinned
 * at enrolment; the Ed25519 signature over the payload's exact UTF-8 bytes verifies; the payload
 * parses as a `TaskPayload`; its taskId is the envelope's; it names this agent; and it has not
 * expired on the server's clock (`ServerClock`). A task that fails any check is answered with a
 * `rejected` result and never executed.
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SigningKey, TaskEnvelope } from '@patchgate/agent-protocol';
import { TaskPayload } from '@patchgate/agent-protocol';

export type Verification =
  | { readonly ok: true; readonly task: TaskPayload }
  | {
      readonly ok: false;
      readonly reason: string;
      /** The payload's key when it could be read (for the rejected result), else the taskId. */
      readonly idempotencyKey: string;
    };

export interface VerifyOptions {
  readonly agentId: string;
  /** The keys pinned at enrolment. */
  readonly keys: readonly SigningKey[];
  /** Now on the server's clock. */
  readonly serverNow: Date;
}

const keyCache = new WeakMap<SigningKey, KeyObject | null>();

function publicKey(key: SigningKey): KeyObject | null {
  let cached = keyCache.get(key);
  if (cached === undefined) {
    try {
      cached = createPublicKey(key.publicKey);
      if (cached.asymmetricKeyType !== 'ed25519') cached = null;
    } catch {
      cached = null;
    }
    keyCache.set(key, cached);
  }
  return cached;
}

/** The idempotency key of a payload that failed verification, best effort, for the reply. */
function keyOf(envelope: TaskEnvelope): string {
  try {
    const raw = JSON.parse(envelope.payload) as { idempotencyKey?: unknown };
    if (typeof raw.idempotencyKey === 'string' && raw.idempotencyKey.length > 0)
      return raw.idempotencyKey.slice(0, 200);
  } catch {
    // not JSON: answered by the taskId
  }
  return envelope.taskId;
}

export function verifyTask(envelope: TaskEnvelope, options: VerifyOptions): Verification {
  const reject = (reason: string): Verification => ({
    ok: false,
    reason,
    idempotencyKey: keyOf(envelope),
  });
  const pinned = options.keys.find((key) => key.keyId === envelope.keyId);
  if (pinned === undefined) return reject(`unknown signing key "${envelope.keyId}"`);
  const key = publicKey(pinned);
  if (key === null) return reject(`signing key "${envelope.keyId}" is not an Ed25519 key`);
  let signature: Buffer;
  try {
    signature = Buffer.from(envelope.signature, 'base64');
  } catch {
    return reject('the signature is not base64');
  }
  const signed = Buffer.from(envelope.payload, 'utf8');
  let valid = false;
  try {
    valid = verifySignature(null, signed, key, signature);
  } catch {
    valid = false;
  }
  if (!valid) return reject('bad signature: the task was not signed by the server');
  let raw: unknown;
  try {
    raw = JSON.parse(envelope.payload);
  } catch {
    return reject('the payload is not JSON');
  }
  const parsed = TaskPayload.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject(
      `the payload is not a task this agent understands (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
    );
  }
  const task = parsed.data;
  if (task.taskId !== envelope.taskId)
    return reject(`the payload is task ${task.taskId}, the envelope says ${envelope.taskId}`);
  if (task.agentId !== options.agentId)
    return reject(`the task is for agent ${task.agentId}, not this agent (${options.agentId})`);
  const notAfter = Date.parse(task.notAfter);
  if (!(notAfter > options.serverNow.getTime()))
    return reject(
      `the task expired at ${task.notAfter} (server time now ${options.serverNow.toISOString()})`,
    );
  return { ok: true, task };
}
