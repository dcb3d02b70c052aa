/**
 * The built-in catalogue of public feeds a production server keeps itself current from. Every
 * entry is off until an admin enables it (`patchgate advisories enable <id>`): a fresh server
 * fetches nothing and runs air-gapped. What each publisher offers for integrity is in the
 * context's readme; the URLs were checked against the publishers' documentation and tools
 * that use them (docs/adr/0021-advisory-sources-by-url.md).
 */
import type { AdvisorySourceKind } from './schema.ts';

export interface CatalogueEntry {
  /** Stable id: `osv-debian`, `cisa-kev`… */
  readonly id: string;
  /** The name of the source it becomes. */
  readonly name: string;
  readonly kind: AdvisorySourceKind;
  readonly url: string;
  readonly intervalSeconds: number;
  readonly publisher: string;
  readonly licence: string;
  /** What the publisher gives to check a download, as seen by this server. */
  readonly integrity: string;
}

const DAY = 24 * 3600;
const osvBucket = 'https://osv-vulnerabilities.storage.googleapis.com';
const osvIntegrity =
  'ETag and Last-Modified (conditional requests), Content-Length, x-goog-hash (CRC32C; MD5 for non-composite objects)';

/** OSV ecosystems whose versions Patchgate compares (packages/versioning), as OSV spells them. */
const osvEcosystems: readonly [
  id: string,
  ecosystem: string,
  publisher: string,
  licence: string,
][] = [
  ['debian', 'Debian', 'Debian Security Tracker via OSV.dev', 'Debian'],
  ['ubuntu', 'Ubuntu', 'Canonical Ubuntu security notices', 'CC-BY-SA-4.0'],
  ['almalinux', 'AlmaLinux', 'AlmaLinux OSV database', 'MIT'],
  ['rocky-linux', 'Rocky Linux', 'Rocky Linux (RESF)', 'BSD'],
  ['red-hat', 'Red Hat', 'Red Hat security data via OSV.dev', 'CC-BY-4.0'],
  ['suse', 'SUSE', 'SUSE security advisories', 'CC-BY-4.0'],
  ['opensuse', 'openSUSE', 'openSUSE security advisories', 'CC-BY-4.0'],
  ['alpine', 'Alpine', 'Alpine SecDB via OSV.dev', 'see alpine-secdb'],
  ['wolfi', 'Wolfi', 'Chainguard Wolfi advisories', 'CC-BY-4.0'],
  ['chainguard', 'Chainguard', 'Chainguard advisories', 'CC-BY-4.0'],
  ['npm', 'npm', 'GitHub Advisory Database', 'CC-BY-4.0'],
  ['pypi', 'PyPI', 'PyPA advisory database and GitHub Advisory Database', 'CC-BY-4.0'],
  ['go', 'Go', 'Go vulnerability database', 'CC-BY-4.0'],
  ['crates-io', 'crates.io', 'RustSec advisory database', 'CC0-1.0'],
  ['maven', 'Maven', 'GitHub Advisory Database', 'CC-BY-4.0'],
  ['rubygems', 'RubyGems', 'GitHub Advisory Database and ruby-advisory-db', 'CC-BY-4.0'],
  ['nuget', 'NuGet', 'GitHub Advisory Database', 'CC-BY-4.0'],
  ['packagist', 'Packagist', 'GitHub Advisory Database and FriendsOfPHP', 'CC-BY-4.0'],
  ['hex', 'Hex', 'GitHub Advisory Database and Erlang EEF', 'CC-BY-4.0'],
  ['pub', 'Pub', 'GitHub Advisory Database', 'CC-BY-4.0'],
];

export const catalogue: readonly CatalogueEntry[] = [
  ...osvEcosystems.map(([id, ecosystem, publisher, licence]): CatalogueEntry => ({
    id: `osv-${id}`,
    name: `OSV ${ecosystem}`,
    kind: 'osv-zip',
    url: `${osvBucket}/${encodeURIComponent(ecosystem)}/all.zip`,
    intervalSeconds: DAY,
    publisher: `${publisher} (OSV.dev export)`,
    licence,
    integrity: osvIntegrity,
  })),
  {
    id: 'cisa-kev',
    name: 'CISA KEV',
    kind: 'kev',
    url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    intervalSeconds: DAY,
    publisher: 'CISA Known Exploited Vulnerabilities catalog',
    licence: 'CC0-1.0',
    integrity:
      'ETag and Last-Modified, Content-Length; no published checksum (the JSON states its own count)',
  },
  {
    id: 'first-epss',
    name: 'FIRST EPSS',
    kind: 'epss',
    // The daily file; `-current` may answer with a redirect to the dated one (followed).
    url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
    intervalSeconds: DAY,
    publisher: 'FIRST EPSS (hosted by Empirical Security)',
    licence: 'free use with attribution (first.org/epss)',
    integrity:
      'Content-Length (after a possible redirect to the dated file); gzip’s own CRC-32 and length are checked when the file is read; no published checksum',
  },
  {
    id: 'cisa-vulnrichment',
    name: 'CISA Vulnrichment (CVE 5)',
    kind: 'cve5',
    url: 'https://github.com/cisagov/vulnrichment/archive/refs/heads/develop.zip',
    intervalSeconds: DAY,
    publisher: 'CISA ADP: SSVC decisions, CVSS and KEV markers in CVE JSON 5 records',
    licence: 'CC0-1.0',
    integrity:
      'a redirect to codeload.github.com; an ETag, usually no Content-Length (generated archive); each zip entry’s CRC-32; no published checksum',
  },
  {
    id: 'cve-list-v5',
    name: 'CVE List V5',
    kind: 'cve5',
    url: 'https://github.com/CVEProject/cvelistV5/archive/refs/heads/main.zip',
    intervalSeconds: 7 * DAY,
    publisher: 'CVE Program: every published CVE record (CNA CVSS); large, hundreds of MB',
    licence: 'CVE Terms of Use',
    integrity:
      'a redirect to codeload.github.com; an ETag, usually no Content-Length; each zip entry’s CRC-32; no published checksum',
  },
];

/**
 * Hosts the catalogue's feeds are served from, redirect targets included: always allowed.
 * Anything else must be named in PATCHGATE_DOWNLOAD_ALLOWED_HOSTS.
 */
export const catalogueHosts: readonly string[] = [
  ...new Set([...catalogue.map((entry) => new URL(entry.url).hostname), 'codeload.github.com']),
];

export function findCatalogueEntry(id: string): CatalogueEntry | undefined {
  return catalogue.find((entry) => entry.id === id);
}
