export type { AssetContextResult } from './asset-context.ts';
export { AssetContextFile, parseAssetContextFile, parseAssetContextFlag } from './asset-context.ts';
export type { PrioritisedFinding, PrioritiseOptions } from './prioritise.ts';
export {
  comparePrioritised,
  cveIdsOf,
  factsFor,
  prioritise,
  toPolicyFinding,
} from './prioritise.ts';
