/**
 * The task-signing key: Ed25519 (node:crypto), generated once and shared by every replica
 * through the database (docs/adr/0035-agent-protocol.md, "Where the signing key lives").
 *
 * Generation is race-safe: each process that finds no active key generates one and inserts it
 * into the `active` slot with ON CONFLICT DO NOTHING; the unique slot lets one insert win, and
 * every process then reads the winner. Parsed keys are cached per key id (a key never changes
 * once written).
 */
import type { KeyObject } from 'node:crypto';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Executor } from './repository.ts';

export interface TaskSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  /** SPKI PEM, as agents pin it. */
  readonly publicKey: string;
}

const activeSlot = 'active';
const parsed = new Map<string, TaskSigningKey>();

/** A key's id: `ed25519:` and the first 16 hex digits of the SHA-256 of its SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

function cached(row: { key_id: string; public_key: string; private_key: string }): TaskSigningKey {
  let key = parsed.get(row.key_id);
  if (key === undefined) {
    key = {
      keyId: row.key_id,
      privateKey: createPrivateKey(row.private_key),
      publicKey: row.public_key,
    };
    parsed.set(row.key_id, key);
  }
  return key;
}

/** The key new tasks are signed with, created on first use (race-safe across replicas). */
export async function activeSigningKey(db: Executor, clock: Clock): Promise<TaskSigningKey> {
  const existing = await db
    .selectFrom('agent_signing_keys')
    .select(['key_id', 'public_key', 'private_key'])
    .where('slot', '=', activeSlot)
    .executeTakeFirst();
  if (existing !== undefined) return cached(existing);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await db
    .insertInto('agent_signing_keys')
    .values({
      key_id: keyIdOf(publicKey),
      slot: activeSlot,
      public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      created_at: timestamp(clock),
      retired_at: null,
    })
    .onConflict((oc) => oc.column('slot').doNothing())
    .execute();
  const winner = await db
    .selectFrom('agent_signing_keys')
    .select(['key_id', 'public_key', 'private_key'])
    .where('slot', '=', activeSlot)
    .executeTakeFirstOrThrow();
  return cached(winner);
}

/** Every key an agent should accept (the active one first; retired keys are not sent). */
export async function publishedSigningKeys(
  db: Executor,
  clock: Clock,
): Promise<{ keyId: string; publicKey: string }[]> {
  const active = await activeSigningKey(db, clock);
  return [{ keyId: active.keyId, publicKey: active.publicKey }];
}

/** Ed25519 over the payload's UTF-8 bytes, base64. */
export function signPayload(key: TaskSigningKey, payload: string): string {
  return sign(null, Buffer.from(payload, 'utf8'), key.privateKey).toString('base64');
}

/** What an agent does (tests use it to check the server's side). */
export function verifyPayload(publicKeyPem: string, payload: string, signature: string): boolean {
  return verify(
    null,
    Buffer.from(payload, 'utf8'),
    createPublicKey(publicKeyPem),
    Buffer.from(signature, 'base64'),
  );
}
