/** The approval administration API's types, from the generated `paths` (never by hand). */
import type { paths } from '../../api/client.ts';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type GetOk<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } }
  ? Json<R>
  : never;
type PutBody<P extends keyof paths> = paths[P] extends {
  put: { requestBody: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

export type ApprovalPolicy = GetOk<'/api/v1/approval-policy'>;
export type ApprovalRule = ApprovalPolicy['rules'][number];
/** A rule as PUT takes it (defaults may be left out). */
export type ApprovalRuleInput = PutBody<'/api/v1/approval-policy'>['rules'][number];
export type ApprovalStage = ApprovalRule['stages'][number];
export type ApprovalQuorum = ApprovalStage['quorum'];
export type ApprovalEnvironment = NonNullable<ApprovalRule['match']['environments']>[number];
export type ApproverGroup = GetOk<'/api/v1/approver-groups'>['groups'][number];
export type Delegation = GetOk<'/api/v1/delegations'>['delegations'][number];
export type UserRef = Delegation['from'];
