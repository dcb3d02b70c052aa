/**
 * Who listens to which domain event, wired by the composition root. Delivering an event
 * turns it into one job per subscriber, all in one transaction, each with an id derived
 * from the event and the subscriber: a delivery retried after a crash enqueues nothing
 * twice. A subscriber may coalesce: its job is not added when an identical one is still
 * queued (75 uploads to one asset → one reconcile).
 */
import { createHash } from 'node:crypto';
import type { ServerContext } from '../context.ts';
import type { JobRunner, JobType } from '../contexts/jobs/index.ts';
import { enqueueTyped } from '../contexts/jobs/index.ts';
import type { DomainEventData, DomainEventName } from './catalogue.ts';
import { domainEventNames, domainEvents, eventJobKind } from './catalogue.ts';

export interface Subscriber<N extends DomainEventName, P> {
  /** Stable and unique per event: part of the delivered job's id. */
  readonly id: string;
  readonly job: JobType<P>;
  /** The job's payload for this event, or undefined to let it pass. */
  readonly payload: (data: DomainEventData<N>) => P | undefined;
  readonly coalesce?: boolean;
}

interface AnySubscriber {
  readonly id: string;
  readonly deliver: (
    ctx: Pick<ServerContext, 'clock'>,
    trx: Parameters<typeof enqueueTyped>[0],
    eventId: string,
    data: unknown,
  ) => Promise<Delivery | undefined>;
}

export interface Delivery {
  readonly subscriber: string;
  readonly jobId: string;
  readonly coalesced: boolean;
}

/** A UUID (version 8, RFC 9562) derived from its inputs: the same delivery, the same id. */
export function derivedId(...parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class EventSubscriptions {
  private readonly byEvent = new Map<DomainEventName, AnySubscriber[]>();

  on<N extends DomainEventName, P>(name: N, subscriber: Subscriber<N, P>): this {
    const list = this.byEvent.get(name) ?? [];
    if (list.some((s) => s.id === subscriber.id))
      throw new Error(`${subscriber.id} already subscribes to ${name}`);
    list.push({
      id: subscriber.id,
      deliver: async (ctx, trx, eventId, data) => {
        const payload = subscriber.payload(data as DomainEventData<N>);
        if (payload === undefined) return undefined;
        const enqueued = await enqueueTyped(trx, ctx.clock, subscriber.job, payload, {
          id: derivedId(eventId, subscriber.id),
          ifAbsent: true,
          ...(subscriber.coalesce !== undefined && { coalesce: subscriber.coalesce }),
        });
        return { subscriber: subscriber.id, jobId: enqueued.id, coalesced: enqueued.coalesced };
      },
    });
    this.byEvent.set(name, list);
    return this;
  }

  subscribers(name: DomainEventName): readonly string[] {
    return (this.byEvent.get(name) ?? []).map((s) => s.id);
  }

  /**
   * Register the delivery of every event on the runner, subscribed or not (an event nobody
   * listens to is delivered to nobody and done, never left queued).
   */
  register(
    runner: Pick<JobRunner, 'register'>,
    ctx: Pick<ServerContext, 'database' | 'clock'>,
  ): void {
    for (const name of domainEventNames) {
      runner.register(eventJobKind(name), async (job) => {
        const data: unknown = domainEvents[name].parse(job.payload);
        const subscribers = this.byEvent.get(name) ?? [];
        if (subscribers.length === 0) return { event: name, delivered: [] };
        const delivered = await ctx.database.db.transaction().execute(async (trx) => {
          const out: Delivery[] = [];
          for (const subscriber of subscribers) {
            const delivery = await subscriber.deliver(ctx, trx, job.id, data);
            if (delivery !== undefined) out.push(delivery);
          }
          return out;
        });
        return { event: name, delivered };
      });
    }
  }
}
