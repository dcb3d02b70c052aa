/** The Node-only part of safe-parse: zip archives read from disk within limits (and written). */
export type { ReadZipOptions, ReadZipResult, ZipLimits, ZipProblem } from './node/zip.ts';
export { DEFAULT_ZIP_LIMITS, readZip } from './node/zip.ts';
export type { ZipWriterEntry } from './node/zip-writer.ts';
export { writeZip } from './node/zip-writer.ts';
export type { ConfinedPath } from './node/confine.ts';
export { OUTSIDE_ROOTS, confinePath, realRoots } from './node/confine.ts';
