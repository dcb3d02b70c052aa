export type {
  AvailableUpdate,
  AvailableUpdates,
  AvailableUpdatesFormat,
  AvailableUpdatesResult,
  UpdateOrigin,
} from './types.ts';
export { availableUpdatesFormats } from './types.ts';
export { detectAptUpdates, isSecurityOrigin, parseAptUpdates } from './apt/index.ts';
