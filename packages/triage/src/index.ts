export type {
  IgnoreEntryReport,
  Triage,
  TriagedFinding,
  TriageInput,
  TriageReport,
  TriageResult,
  TriageState,
} from './apply.ts';
export { applyTriage } from './apply.ts';
export type {
  CycloneDxAnalysis,
  CycloneDxComponent,
  CycloneDxRating,
  CycloneDxVexDocument,
  CycloneDxVexOptions,
  CycloneDxVulnerability,
} from './write-cyclonedx-vex.ts';
export { toCycloneDxVex } from './write-cyclonedx-vex.ts';
export type { IgnoreEntry, IgnoreFileResult } from './ignore-file.ts';
export { ignoreEntryLabel, parseIgnoreFile } from './ignore-file.ts';
export { IgnoreFile, IgnoreFileEntry } from './schema.ts';
export { detectVexFormat, parseVex, readVexDocument } from './vex.ts';
export { openVexJustificationToCycloneDx, openVexStatusToState } from './read-vex-openvex.ts';
export type {
  AffectedStatus,
  CycloneDxJustification,
  CycloneDxResponse,
  OpenVexJustification,
  OpenVexStatus,
  VexFormat,
  VexParseResult,
  VexProduct,
  VexState,
  VexStatement,
  VexVersion,
} from './vex-types.ts';
export {
  cyclonedxJustifications,
  cyclonedxResponses,
  openVexJustifications,
  openVexStatuses,
  vexStates,
} from './vex-types.ts';
