/**
 * The agents context's public face: the agent-facing and admin routes, queuing signed tasks
 * for an asset's agent, reading tasks and their events, and agents per asset. Rollouts and
 * verification use only these (HELPERS.md seams; docs/adr/0035-agent-protocol.md).
 */
export type {
  AgentSummary,
  AgentTask,
  EnqueuedTask,
  EnqueueTaskInput,
  TaskEvent,
  TaskSpec,
  TaskState,
} from './model.ts';
export { defaultTaskLifetimeMs, heartbeatSeconds, pollSeconds, taskStates } from './model.ts';
export { agentTask, enqueueTask, taskEvents } from './tasks.ts';
export { agentsForAssets } from './summaries.ts';
export { verifyPayload } from './signing.ts';
export type { AgentRouteOptions } from './routes.ts';
export { registerAgentRoutes, taskIdHeader } from './routes.ts';
export { authenticateAgent } from './agent-service.ts';
export { agentJobs, expireTasksIntervalSeconds, registerAgentJobs } from './jobs.ts';
// What the reports context's metrics read (issue 11, ADR 0043).
export type { AgentMetricRow } from './metric-reads.ts';
export { agentMetricRows } from './metric-reads.ts';
