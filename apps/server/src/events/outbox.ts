/**
 * Publishing a domain event: a row in the durable job queue, written in the publisher's own
 * transaction. The event commits with the change it reports or not at all, and once committed
 * it survives a crash (the queue is the outbox; docs/adr/0022-domain-events-outbox.md).
 */
import type { Transaction } from 'kysely';
import type { Clock } from '../clock.ts';
import { enqueueJob } from '../contexts/jobs/index.ts';
import type { DatabaseSchema } from '../db/schema.ts';
import type { DomainEventData, DomainEventName } from './catalogue.ts';
import { domainEvents, eventJobKind } from './catalogue.ts';

export interface PublishOptions {
  /** The user whose request caused it (shown on the job), null for the system. */
  readonly createdBy?: string | null;
}

/** Publish `name` inside `trx`; returns the event's id (the id of its job). */
export async function publishEvent<N extends DomainEventName>(
  trx: Transaction<DatabaseSchema>,
  clock: Clock,
  name: N,
  data: DomainEventData<N>,
  options: PublishOptions = {},
): Promise<string> {
  // The type already says so; the parse keeps a cast somewhere upstream from writing junk.
  const payload: unknown = domainEvents[name].parse(data);
  return enqueueJob(trx, clock, {
    kind: eventJobKind(name),
    payload,
    // Delivery only enqueues, so it rarely fails; when the database does, retry for longer.
    maxAttempts: 10,
    createdBy: options.createdBy ?? null,
  });
}
