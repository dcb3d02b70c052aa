/**
 * Advisories from a Debian package's own changelog: every CVE a changelog entry names was
 * fixed, for that package's release, in the version of the first entry that names it.
 *
 * Why: the Debian security tracker is the authoritative source, but an offline site, a
 * vendor mirror or a package under evaluation often has only the packages themselves. Their
 * `changelog.Debian.gz` states which version fixed which CVE. Two limits, recorded in every
 * record's `database_specific`: an entry says when a fix landed, not when the flaw appeared,
 * so `introduced` is "0" (as the tracker's own fixed-only entries are read); and a CVE the
 * maintainers fixed without naming it in the changelog is invisible here.
 */
import type { OsvRecord } from '@patchgate/osv';
import { cveIdsInText } from '@patchgate/osv';
import { compareVersions, findScheme } from '@patchgate/versioning';
import type { ChangelogEntry } from './parse.ts';

/** Debian suites → release numbers, for the distribution field of an entry. */
const suites: Readonly<Record<string, string>> = {
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
};

/**
 * The Debian release a changelog belongs to, from its newest entry: the suite it was
 * uploaded to (`bookworm-security` → 12) or, failing that, a `debNNu` version suffix.
 */
export function releaseOfChangelog(entries: readonly ChangelogEntry[]): string | undefined {
  const newest = entries[0];
  if (newest === undefined) return undefined;
  for (const distribution of newest.distributions) {
    const suite = distribution.replace(/-(security|updates|proposed-updates|backports)$/, '');
    const release = suites[suite];
    if (release !== undefined) return `Debian:${release}`;
  }
  const suffix = /[+~]deb(\d+)u\d+/.exec(newest.version)?.[1];
  return suffix === undefined ? undefined : `Debian:${suffix}`;
}

export interface ChangelogConversion {
  readonly records: OsvRecord[];
  readonly ecosystem: string;
}

/**
 * One OSV record per CVE named in the changelog: id `DEBCL-<package>-<CVE>`, alias the CVE,
 * fixed at the lowest version whose entry names it.
 */
export function changelogToOsv(
  entries: readonly ChangelogEntry[],
  options: { ecosystem: string; origin: string },
): ChangelogConversion {
  const debian = findScheme('debian');
  if (debian === undefined) throw new Error('the debian version scheme is not registered');
  const firstFix = new Map<string, ChangelogEntry>();
  for (const entry of entries) {
    for (const cve of cveIdsInText(entry.changes)) {
      const known = firstFix.get(cve);
      if (known === undefined || compareVersions(debian, entry.version, known.version) < 0) {
        firstFix.set(cve, entry);
      }
    }
  }
  const records = [...firstFix.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cve, entry]): OsvRecord => {
      const timestamp = entry.date ?? '1970-01-01T00:00:00Z';
      return {
        schema_version: '1.6.0',
        id: `DEBCL-${entry.package}-${cve}`,
        modified: timestamp,
        published: timestamp,
        aliases: [cve],
        related: [],
        upstream: [],
        summary: `${entry.package}: ${cve} fixed in ${entry.version}`,
        details: `From the Debian changelog of ${entry.package}, entry ${entry.version} (${entry.distributions.join(' ')}):\n\n${entry.changes}`,
        severity: [],
        affected: [
          {
            package: { ecosystem: options.ecosystem, name: entry.package },
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: entry.version }] },
            ],
            versions: [],
            severity: [],
          },
        ],
        references: [
          { type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${cve}` },
        ],
        database_specific: {
          source: 'debian-changelog',
          origin: options.origin,
          changelog_line: entry.line,
          introduced_assumed: true,
          // The upload's urgency is how fast the archive should take it, not a severity.
          ...(entry.urgency !== undefined && { upload_urgency: entry.urgency }),
        },
      };
    });
  return { records, ecosystem: options.ecosystem };
}
