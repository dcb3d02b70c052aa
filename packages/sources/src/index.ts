export type { ChangelogEntry, ParsedChangelog } from './debian-changelog/parse.ts';
export { parseDebianChangelog } from './debian-changelog/parse.ts';
export type { ChangelogConversion } from './debian-changelog/to-osv.ts';
export { changelogToOsv, releaseOfChangelog } from './debian-changelog/to-osv.ts';
export type {
  CvssFact,
  CvssVersion,
  EnrichmentResult,
  EnrichmentSource,
  EpssFact,
  FactsByCve,
  KevFact,
  Provenance,
  SourceError,
  SourceInput,
  SsvcAutomatable,
  SsvcExploitation,
  SsvcFact,
  SsvcTechnicalImpact,
  VulnerabilityFacts,
} from './facts.ts';
export {
  cvssVersions,
  mergeFacts,
  ssvcAutomatable,
  ssvcExploitation,
  ssvcTechnicalImpact,
} from './facts.ts';
