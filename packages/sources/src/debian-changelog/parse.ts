/**
 * Debian changelog reader, following deb-changelog(5):
 * https://manpages.debian.org/bookworm/dpkg-dev/deb-changelog.5.en.html
 *
 *   package (version) distribution(s); urgency=urgency
 *
 *     * change details
 *
 *    -- maintainer name <email address>  date
 */

export interface ChangelogEntry {
  readonly package: string;
  readonly version: string;
  readonly distributions: readonly string[];
  readonly urgency?: string;
  /** The change lines, without the two-space indentation. */
  readonly changes: string;
  readonly maintainer?: string;
  /** RFC 3339, from the trailer's RFC 5322 date; absent when the trailer is missing or bad. */
  readonly date?: string;
  /** 1-based line of the heading in the file. */
  readonly line: number;
}

export interface ParsedChangelog {
  readonly entries: ChangelogEntry[];
  readonly warnings: string[];
}

const heading = /^(\w[-+0-9a-z.]*) \(([^ ()]+)\) ((?:[-+0-9a-z.]+ ?)+);(.*)$/i;
const trailer = /^ -- (.+?) {2}(.+)$/;

export function parseDebianChangelog(text: string): ParsedChangelog {
  const entries: ChangelogEntry[] = [];
  const warnings: string[] = [];
  const lines = text.split(/\r?\n/);
  let current:
    | {
        package: string;
        version: string;
        distributions: string[];
        urgency?: string;
        changes: string[];
        line: number;
      }
    | undefined;

  const finish = (maintainer?: string, rawDate?: string): void => {
    if (current === undefined) return;
    const parsedDate = rawDate === undefined ? Number.NaN : Date.parse(rawDate);
    if (rawDate !== undefined && Number.isNaN(parsedDate)) {
      warnings.push(
        `line ${current.line}: unreadable date "${rawDate}" in the entry for ${current.version}`,
      );
    }
    entries.push({
      package: current.package,
      version: current.version,
      distributions: current.distributions,
      ...(current.urgency !== undefined && { urgency: current.urgency }),
      changes: current.changes.join('\n').trim(),
      ...(maintainer !== undefined && { maintainer }),
      ...(!Number.isNaN(parsedDate) && {
        date: new Date(parsedDate).toISOString().replace('.000Z', 'Z'),
      }),
      line: current.line,
    });
    current = undefined;
  };

  lines.forEach((line, index) => {
    const head = heading.exec(line);
    if (head) {
      if (current !== undefined) {
        warnings.push(
          `line ${current.line}: entry for ${current.version} has no " -- maintainer  date" trailer`,
        );
        finish();
      }
      const [, pkg, version, dists, rest] = head as unknown as [
        string,
        string,
        string,
        string,
        string,
      ];
      const urgency = /urgency=([\w*]+)/i.exec(rest)?.[1];
      current = {
        package: pkg,
        version,
        distributions: dists.trim().split(/\s+/),
        ...(urgency !== undefined && { urgency: urgency.toLowerCase() }),
        changes: [],
        line: index + 1,
      };
      return;
    }
    const end = trailer.exec(line);
    if (end && current !== undefined) {
      finish(end[1], end[2]);
      return;
    }
    if (current !== undefined) current.changes.push(line.replace(/^ {2}/, ''));
    // Text outside an entry (old-format footers, Emacs local variables) is ignored, as dpkg does.
  });
  if (current !== undefined) {
    warnings.push(`entry for ${(current as { version: string }).version} has no trailer`);
    finish();
  }
  return { entries, warnings };
}
