export type { Criticality, Environment, Exposure } from './asset.ts';
export {
  criticalities,
  environments,
  exposures,
  isCriticality,
  isEnvironment,
  isExposure,
} from './asset.ts';
