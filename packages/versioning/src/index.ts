export type { ParseResult, VersionScheme } from './scheme.ts';
export { InvalidVersionError, compareVersions, parseOrThrow } from './scheme.ts';
export {
  ecosystemBase,
  findScheme,
  knownEcosystems,
  schemeForEcosystem,
  versionSchemes,
} from './registry.ts';
