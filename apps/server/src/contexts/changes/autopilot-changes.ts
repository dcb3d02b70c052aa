/**
 * The autopilot's ports bound to the real services: the changes context's `createChange` and
 * the calendar's windows. INTERIM: until the change requests land on this branch, creating a
 * change fails the run with a clear error.
 */
import type { AutopilotDeps } from './autopilot.ts';

export const defaultAutopilotDeps: AutopilotDeps = {
  createChange: () =>
    Promise.reject(new Error('the changes context is not wired to the autopilot yet')),
};
