/**
 * The audit chain: each event's hash covers the previous event's hash and the event itself
 * (canonical JSON: keys sorted, no whitespace), so changing, removing or reordering any event
 * breaks every hash after it. Pure functions; the repository stores and reads.
 */
import { createHash } from 'node:crypto';

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields of an event the hash covers: every column but `hash` itself. */
export interface ChainedFields {
  seq: number;
  id: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  before_json: string | null;
  after_json: string | null;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
}

export function eventHash(fields: ChainedFields): string {
  return createHash('sha256')
    .update(`${fields.prev_hash}\n${canonicalJson(fields)}`)
    .digest('hex');
}
