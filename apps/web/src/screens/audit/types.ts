/** The audit API's types, from the generated `paths`. */
import type { paths } from '../../api/client.ts';

export type AuditPage =
  paths['/api/v1/audit/events']['get']['responses']['200']['content']['application/json'];
export type AuditEvent = AuditPage['events'][number];
export type AuditQuery = NonNullable<paths['/api/v1/audit/events']['get']['parameters']['query']>;
export type Verification =
  paths['/api/v1/audit/verification']['get']['responses']['200']['content']['application/json'];
