/** The API's types the administration screens use, from the generated `paths` (never by hand). */
import type { paths } from '../../api/client.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type GetOk<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } }
  ? Json<R>
  : never;

export type User = GetOk<'/api/v1/users'>['users'][number];
export type ApiToken = GetOk<'/api/v1/tokens'>['tokens'][number];
export type Scope = ApiToken['scopes'][number];
export type AdvisorySource = GetOk<'/api/v1/advisory-sources'>['sources'][number];
export type SourceKind = AdvisorySource['kind'];
export type CatalogueEntry = GetOk<'/api/v1/advisory-catalogue'>['entries'][number];
export type SyncRun = GetOk<'/api/v1/sync-runs'>['runs'][number];
export type Agent = GetOk<'/api/v1/agents'>['agents'][number];
export type EnrolmentToken = GetOk<'/api/v1/enrolment-tokens'>['tokens'][number];
export type Channel = GetOk<'/api/v1/notification-channels'>['channels'][number];
export type Subscription = GetOk<'/api/v1/notification-subscriptions'>['subscriptions'][number];
export type NotificationEvent = Subscription['events'][number];
export type Audience = Subscription['audience'];
export type Delivery = GetOk<'/api/v1/notification-deliveries'>['deliveries'][number];
export type Environment = NonNullable<EnrolmentToken['environment']>;
