/**
 * `@patchgate/sources/node`: reading enrichment data from the file system (files, directory
 * trees, zip and gzip archives). Node only; the main entry `@patchgate/sources` is
 * browser-safe.
 */
export type {
  EnrichmentProgress,
  LoadEnrichmentOptions,
  LoadEnrichmentResult,
  LoadedSource,
} from './load.ts';
export { loadEnrichment } from './load.ts';
