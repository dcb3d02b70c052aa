/**
 * `@patchgate/osv/node`: reading advisories from the file system (files, directories, zip
 * archives). Node only; the main entry `@patchgate/osv` is browser-safe.
 */
export type {
  AdvisorySource,
  AdvisorySourceKind,
  LoadOptions,
  LoadProgress,
  LoadResult,
} from './load.ts';
export { loadAdvisories } from './load.ts';
