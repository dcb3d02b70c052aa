/** The findings API's shapes, from the generated schema (never hand-written). */
import type { paths } from '../../api/client.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type FindingPage = Json<paths['/api/v1/findings']['get']['responses']['200']>;
export type FindingRow = FindingPage['findings'][number];
export type FindingDetail = Json<paths['/api/v1/findings/{id}']['get']['responses']['200']>;
export type FindingDecision = FindingDetail['decision'];
export type FindingException = FindingDetail['exceptions'][number];
export type FindingHistoryEntry = FindingDetail['history'][number];
export type FindingsSummary = Json<paths['/api/v1/findings/summary']['get']['responses']['200']>;
export type ExceptionPage = Json<paths['/api/v1/finding-exceptions']['get']['responses']['200']>;
export type TriageBody = NonNullable<
  paths['/api/v1/findings/{id}/triage']['put']['requestBody']
>['content']['application/json'];
export type TriageState = TriageBody['state'];
export type TriageJustification = NonNullable<TriageBody['justification']>;
export type ExceptionRequestBody = NonNullable<
  paths['/api/v1/findings/{id}/exceptions']['post']['requestBody']
>['content']['application/json'];
