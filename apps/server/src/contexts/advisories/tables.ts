/** The advisories context's tables (migration 0003-advisories). */

/** `osv-directory`, `osv-file`, `osv-zip`, `kev`, `epss`, `cve5`, `nvd` (see schema.ts). */
export interface AdvisorySourceTable {
  id: string;
  name: string;
  kind: string;
  /** A file or directory on the server host. */
  path: string;
  /** Sync every this many seconds; null: only on request. */
  interval_seconds: number | null;
  enabled: number;
  created_at: string;
  updated_at: string;
  last_sync_at: string | null;
  last_sync_state: string | null;
  last_sync_run_id: string | null;
}

export interface SyncRunTable {
  id: string;
  source_id: string;
  /** The `advisories.sync` job; one run per job, reset by each attempt. */
  job_id: string;
  attempt: number;
  /** `running`, `succeeded`, `failed`, `cancelled`. */
  state: string;
  started_at: string;
  finished_at: string | null;
  /** JSON `SyncCounts`. */
  counts_json: string;
  /** JSON: a sample of `{ origin, message }`. */
  errors_json: string;
  error: string | null;
  /** JSON `SyncDownload` of a URL source's run (migration 0010); null for paths. */
  download_json: string | null;
}

/** A URL source's download state (migration 0010): one row per source whose path is a URL. */
export interface AdvisorySourceUrlTable {
  source_id: string;
  url: string;
  /** A sha256sum-style file the body is checked against, when the publisher (or mirror) has one. */
  checksum_url: string | null;
  /** The built-in catalogue entry it was enabled from (one source per entry). */
  catalogue_id: string | null;
  /** Validators of the last applied body, sent back as If-None-Match / If-Modified-Since. */
  etag: string | null;
  last_modified: string | null;
  sha256: string | null;
  /** bigint: PostgreSQL hands it back as text. */
  bytes: number | string | null;
  applied_at: string | null;
  /** The last request, whatever its answer. */
  checked_at: string | null;
}

export interface AdvisoryTable {
  /** The OSV id. */
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  summary: string | null;
  /** JSON string[]: the record's aliases. */
  aliases_json: string;
  /** JSON string[]: `fixedCveIds(record)`. */
  cves_json: string;
  /** The whole OSV record as read. */
  record_json: string;
  /** The source that last wrote it. */
  source_id: string;
  stored_at: string;
}

export interface AdvisoryPackageTable {
  advisory_id: string;
  ecosystem: string;
  /** `packageNameKey(ecosystem, name)`: the spelling-insensitive key the matcher uses. */
  name_key: string;
  name: string;
}

export interface AdvisoryAliasTable {
  alias: string;
  advisory_id: string;
}

export interface VulnerabilityFactsTable {
  cve: string;
  /** JSON `VulnerabilityFacts` (@patchgate/sources), merged over every enrichment source. */
  facts_json: string;
  updated_at: string;
}

export interface AdvisoryDataVersionTable {
  id: number;
  version: number;
}

export interface AdvisoryTables {
  advisory_sources: AdvisorySourceTable;
  sync_runs: SyncRunTable;
  advisory_source_urls: AdvisorySourceUrlTable;
  advisories: AdvisoryTable;
  advisory_packages: AdvisoryPackageTable;
  advisory_aliases: AdvisoryAliasTable;
  vulnerability_facts: VulnerabilityFactsTable;
  advisory_data_version: AdvisoryDataVersionTable;
}
