/** Domain events: the catalogue, publishing in a transaction, and the subscriptions. */
export type { DomainEventData, DomainEventName } from './catalogue.ts';
export { domainEventNames, domainEvents, eventJobKind } from './catalogue.ts';
export type { PublishOptions } from './outbox.ts';
export { publishEvent } from './outbox.ts';
export type { Delivery, Subscriber } from './subscriptions.ts';
export { derivedId, EventSubscriptions } from './subscriptions.ts';
