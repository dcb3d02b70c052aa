export type { ParseResult, VersionScheme } from './scheme.ts';
export { InvalidVersionError, compareVersions, parseOrThrow } from './scheme.ts';
export {
  ecosystemBase,
  findScheme,
  isDistributionEcosystem,
  knownEcosystems,
  samePackageFamily,
  schemeForEcosystem,
  versionSchemes,
} from './registry.ts';
/** For rpm inventories without epochs: compare ignoring epochs (docs/adr/0003-unknown-rpm-epoch.md). */
export { stripEpoch } from './schemes/rpm/index.ts';
