/** The changes context's public face (autopilot part; the change requests join it). */
export type { AutopilotChangeRequest, AutopilotDeps } from './autopilot.ts';
export {
  autopilotActor,
  autopilotIntervalSeconds,
  autopilotJobs,
  registerAutopilotJobs,
} from './autopilot.ts';
export { registerAutopilotRoutes } from './autopilot-routes.ts';
export { defaultAutopilotDeps } from './autopilot-changes.ts';
