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

const CVE_ID = /^CVE-(\d{4})-(\d{4,})$/;

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

/** The CVE ids among `advisoryKeys(record)` (and `related` on request), unique, in CVE order. */
export function cveIds(record: OsvRecord, options: CveIdOptions = {}): string[] {
  const keys = advisoryKeys(record);
  if (options.includeRelated === true) keys.push(...record.related);
  return [...new Set(keys.filter((key) => CVE_ID.test(key)))].sort(byCveNumber);
}
