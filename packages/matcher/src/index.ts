export type { AdvisoryIndex, IndexEntry } from './advisory-index.ts';
export { buildAdvisoryIndex, lookup } from './advisory-index.ts';
export type { Finding, MatchNote } from './finding.ts';
export type { MatchOptions, MatchResult } from './match.ts';
export { compareFindings, matchInventory } from './match.ts';
export { packageNameKey } from './package-names.ts';
export type { SeverityLevel, StatedSeverity } from './severity.ts';
export { severityAtLeast, severityLevels, statedSeverity } from './severity.ts';
