export type {
  InventoryScan,
  ScannedFinding,
  ScanPipelineInput,
  ScanPipelineResult,
  ScanTarget,
} from './pipeline.ts';
export { runScanPipeline } from './pipeline.ts';
export type {
  CoverageAudience,
  CoverageNote,
  CoverageReason,
  LoadedEcosystems,
} from './coverage.ts';
export { coverageGaps, coverageReasons, loadedEcosystems } from './coverage.ts';
export type { ReleaseSources, SettledRelease } from './release.ts';
export { applyRelease, settleOsRelease } from './release.ts';
