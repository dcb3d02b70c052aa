export type {
  OsvAffected,
  OsvEvent,
  OsvEventKind,
  OsvPackage,
  OsvRange,
  OsvRangeType,
  OsvRecord,
  OsvReference,
  OsvSeverity,
  ValidationResult,
} from './schema.ts';
export { OSV_EVENT_KINDS, OSV_RANGE_TYPES, isWithdrawn, validateOsvRecord } from './schema.ts';
export type {
  OsvDocumentFormat,
  OsvLoadError,
  OsvRecordWarning,
  ParsedOsvDocument,
} from './parse.ts';
export { formatOfPath, parseOsvDocument } from './parse.ts';
export type {
  CompileOptions,
  CompiledAffected,
  Parser,
  PreparedVersion,
  Verdict,
} from './evaluate.ts';
export { compileAffected, prepareVersion } from './evaluate.ts';
export type { AdvisoryKind, CveIdOptions } from './aliases.ts';
export {
  advisoryKeys,
  advisoryKind,
  cveIdPattern,
  cveIds,
  cveIdsInText,
  fixedCveIds,
  isCveId,
} from './aliases.ts';
