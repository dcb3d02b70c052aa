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
export type { CsvProblem } from './csv.ts';
export { forEachCsvRecord, parseCsv } from './csv.ts';
export { KEV_SOURCE_NAME, kevCsvColumns, kevSource } from './kev/index.ts';
export { EPSS_SOURCE_NAME, epssSource, parseEpssComment } from './epss/index.ts';
export {
  CISA_ADP_SHORT_NAME,
  CISA_ADP_SOURCE_NAME,
  cve5Source,
  factsOfCve5Record,
} from './cve5/index.ts';
export { NVD_KEV_SOURCE_NAME, NVD_SOURCE_NAME, factsOfNvdCve, nvdSource } from './nvd/index.ts';
export type { EnrichmentSourceId } from './registry.ts';
export {
  detectSource,
  enrichmentSource,
  enrichmentSourceIds,
  enrichmentSources,
} from './registry.ts';
