import type { OsvRecord } from './schema.ts';

/**
 * Every identifier this record answers to: its own id, its `aliases` (the same
 * vulnerability in other databases) and its `upstream` ids (the records it was derived
 * from, e.g. a DSA's or USN's CVEs). `related` is left out: the spec says related records
 * are *not* the same vulnerability. Record order kept, duplicates removed.
 */
export function advisoryKeys(record: OsvRecord): string[] {
  return [...new Set([record.id, ...record.aliases, ...record.upstream])];
}

/**
 * The CVE id rule, the one copy every package uses: `CVE-<year>-<4 to 19 digits>`, upper case,
 * as the CVE JSON 5 schema's `cveId` pattern (`^CVE-[0-9]{4}-[0-9]{4,19}$`) and CISA KEV's say.
 */
const cveId = String.raw`CVE-(\d{4})-(\d{4,19})`;
export const cveIdPattern = new RegExp(`^${cveId}$`);
const CVE_ID = cveIdPattern;

/** Whether `id` is a CVE id (`CVE-2024-3094`); case matters, as in the CVE schema. */
export function isCveId(id: string): boolean {
  return cveIdPattern.test(id);
}

/** CVE ids mentioned in free text (a changelog line), in order of appearance, unique. */
export function cveIdsInText(text: string): string[] {
  return [...new Set(text.match(new RegExp(String.raw`\b${cveId}\b`, 'g')) ?? [])];
}

function byCveNumber(a: string, b: string): number {
  const [, yearA = '', numberA = ''] = CVE_ID.exec(a) ?? [];
  const [, yearB = '', numberB = ''] = CVE_ID.exec(b) ?? [];
  return Number(yearA) - Number(yearB) || Number(numberA) - Number(numberB);
}

export interface CveIdOptions {
  /**
   * Also take CVE ids from `related`. AlmaLinux (like Red Hat) lists the CVEs an errata fixes
   * there rather than in `aliases`, so KEV/EPSS enrichment of ALSA records needs this.
   */
  includeRelated?: boolean;
}

/** A distribution's record of a CVE (`UBUNTU-CVE-2014-0472`, `DEBIAN-CVE-2024-1234`) names that CVE. */
const PREFIXED_CVE_ID = new RegExp(`^[A-Z]+-(${cveId})$`);

function asCveId(key: string): string | undefined {
  if (CVE_ID.test(key)) return key;
  return PREFIXED_CVE_ID.exec(key)?.[1];
}

/**
 * The CVE ids among `advisoryKeys(record)` (and `related` on request), unique, in CVE order.
 * Distribution records of a CVE in `upstream` (USNs list `UBUNTU-CVE-…`) count as that CVE.
 */
export function cveIds(record: OsvRecord, options: CveIdOptions = {}): string[] {
  const keys = advisoryKeys(record);
  if (options.includeRelated === true) keys.push(...record.related);
  const cves = keys.map(asCveId).filter((id): id is string => id !== undefined);
  return [...new Set(cves)].sort(byCveNumber);
}

/**
 * Red Hat-style errata (RHSA, and the rebuilds' ALSA, RLSA, ELSA…) list the CVEs they fix in
 * `related` rather than `aliases`; for them `related` is the fixed CVEs, not a neighbour.
 */
const ERRATA_ID = /^(RHSA|RHBA|RHEA|ALSA|ALBA|ALEA|RLSA|RLBA|RXSA|ELSA|ELBA)-/;

/** The CVEs an advisory is about, for joining KEV, EPSS, CVSS and SSVC facts. */
export function fixedCveIds(record: OsvRecord): string[] {
  return cveIds(record, { includeRelated: ERRATA_ID.test(record.id) });
}

/** What an advisory is for: fixing a vulnerability, or a bug fix or an enhancement only. */
export type AdvisoryKind = 'security' | 'bugfix' | 'enhancement';

/**
 * Red Hat-style errata say their kind in the id: RHSA/RHBA/RHEA (security advisory, bug fix,
 * enhancement), and the rebuilds alike: AlmaLinux ALSA/ALBA/ALEA, Rocky RLSA/RLBA/RLEA, Oracle
 * ELSA/ELBA/ELEA (https://access.redhat.com/articles/explaining_redhat_errata). A bug-fix or
 * enhancement erratum names no vulnerability: it is not a security finding. Every other
 * record (CVE, GHSA, DSA, USN, GO-…) is a security advisory.
 */
const NON_SECURITY_ERRATA = /^(?:RH|AL|RL|EL)(B|E)A-/;

export function advisoryKind(record: Pick<OsvRecord, 'id'>): AdvisoryKind {
  const kind = NON_SECURITY_ERRATA.exec(record.id)?.[1];
  return kind === 'B' ? 'bugfix' : kind === 'E' ? 'enhancement' : 'security';
}
