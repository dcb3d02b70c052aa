export type { Criticality, Environment, Exposure } from './asset.ts';
export {
  criticalities,
  environments,
  exposures,
  isCriticality,
  isEnvironment,
  isExposure,
} from './asset.ts';
export type { AssetFacts, AssetSelector, ParsedSelector } from './asset-selector.ts';
export { formatSelector, matchesSelector, parseSelector } from './asset-selector.ts';
