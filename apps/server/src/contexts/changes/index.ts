/** The changes context's public face. */
export type { ApprovalStatus, ApprovalSubject } from './approvals.ts';
export {
  agendaApproverIds,
  approvalHistory,
  approvalStatus,
  openApproval,
  recordDecision,
  withdrawApprovals,
} from './approvals.ts';
export { registerApprovalRoutes } from './approvals-routes.ts';
