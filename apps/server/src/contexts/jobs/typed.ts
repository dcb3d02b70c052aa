/**
 * Typed jobs: a job kind declared once with the zod schema of its payload. Enqueuing checks
 * the payload against it at compile time; the runner parses it before the handler sees it,
 * so a handler gets `P`, never `unknown` (a malformed payload fails the job, loudly).
 */
import type { z } from 'zod';
import type { Clock } from '../../clock.ts';
import { enqueueJob } from './queue.ts';
import type { Executor } from './repository.ts';
import { findQueuedJob } from './repository.ts';

export interface JobType<P> {
  readonly kind: string;
  readonly payload: z.ZodType<P>;
}

export function defineJobType<S extends z.ZodType>(kind: string, payload: S): JobType<z.output<S>> {
  return { kind, payload: payload as z.ZodType<z.output<S>> };
}

export interface EnqueueOptions {
  /** A pre-chosen id: with `ifAbsent`, enqueuing the same id twice is a no-op. */
  readonly id?: string;
  readonly ifAbsent?: boolean;
  readonly createdBy?: string | null;
  readonly maxAttempts?: number;
  /**
   * Coalesce: when a job of this kind with exactly this payload is still queued (not yet
   * claimed), return it instead of adding another. The queued job reads the current state
   * when it runs, so it covers every request made before it starts (75 uploads to one asset
   * → one reconcile); a job already running may have read older state, so it does not count.
   */
  readonly coalesce?: boolean;
}

export interface Enqueued {
  readonly id: string;
  /** True when an already queued job was returned instead (`coalesce`). */
  readonly coalesced: boolean;
}

export async function enqueueTyped<P>(
  db: Executor,
  clock: Clock,
  type: JobType<P>,
  payload: P,
  options: EnqueueOptions = {},
): Promise<Enqueued> {
  if (options.coalesce === true) {
    const queued = await findQueuedJob(db, type.kind, JSON.stringify(payload ?? null));
    if (queued !== undefined) return { id: queued.id, coalesced: true };
  }
  const id = await enqueueJob(db, clock, {
    kind: type.kind,
    payload,
    ...(options.id !== undefined && { id: options.id }),
    ...(options.ifAbsent !== undefined && { ifAbsent: options.ifAbsent }),
    ...(options.createdBy !== undefined && { createdBy: options.createdBy }),
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
  });
  return { id, coalesced: false };
}

/** The payload of a claimed job, parsed; a payload that does not fit is the enqueuer's bug. */
export function parsePayload<P>(type: JobType<P>, payload: unknown): P {
  const parsed = type.payload.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new Error(
    `the payload of this ${type.kind} job does not fit its schema: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`)
      .join('; ')}`,
  );
}
