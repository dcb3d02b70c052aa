import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { compileAffected } from '@patchgate/osv';
import { describe, expect, it } from 'vitest';
import { parseDebianChangelog } from './parse.ts';
import { changelogToOsv, releaseOfChangelog } from './to-osv.ts';

const testdata = fileURLToPath(new URL('../../testdata/', import.meta.url));
const read = (file: string) => gunzipSync(readFileSync(testdata + file)).toString('utf8');

describe('parseDebianChangelog', () => {
  it('reads the real curl changelog of Debian 12', () => {
    const { entries, warnings } = parseDebianChangelog(
      read('curl_7.88.1-10+deb12u15.changelog.Debian.gz'),
    );
    expect(warnings).toEqual([]);
    expect(entries[0]).toEqual({
      package: 'curl',
      version: '7.88.1-10+deb12u15',
      distributions: ['bookworm'],
      urgency: 'medium',
      changes: expect.stringContaining('CVE-2025-10148') as string,
      maintainer: 'Samuel Henrique <samueloph@debian.org>',
      date: '2026-05-08T14:16:21Z',
      line: 1,
    });
    expect(entries.every((e) => e.package === 'curl')).toBe(true);
    expect(entries.length).toBeGreaterThan(50);
  });

  it('warns about an entry without a trailer and keeps going', () => {
    const text =
      'foo (1.0-2) unstable; urgency=low\n\n  * Fix CVE-2024-0001.\n\nfoo (1.0-1) unstable; urgency=low\n\n  * Initial.\n\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n';
    const { entries, warnings } = parseDebianChangelog(text);
    expect(entries.map((e) => e.version)).toEqual(['1.0-2', '1.0-1']);
    expect(warnings).toEqual(['line 1: entry for 1.0-2 has no " -- maintainer  date" trailer']);
  });

  it('finds nothing in text that is not a changelog', () => {
    expect(parseDebianChangelog('hello\nworld\n').entries).toEqual([]);
  });
});

describe('changelogToOsv', () => {
  const openssl = parseDebianChangelog(
    read('openssl_3.0.22-1~deb12u2.changelog.Debian.gz'),
  ).entries;

  it('takes the release from the newest entry', () => {
    expect(releaseOfChangelog(openssl)).toBe('Debian:12');
    expect(releaseOfChangelog([])).toBeUndefined();
  });

  it('writes one record per CVE, fixed where the changelog first names it', () => {
    const { records } = changelogToOsv(openssl, {
      ecosystem: 'Debian:12',
      origin: 'openssl changelog',
    });
    const record = records.find((r) => r.aliases.includes('CVE-2026-84782'));
    expect(record).toMatchObject({
      id: 'DEBCL-openssl-CVE-2026-84782',
      aliases: ['CVE-2026-84782'],
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: 'openssl' },
          ranges: [
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.22-1~deb12u2' }] },
          ],
        },
      ],
    });
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    // The host in the shared data runs 3.0.19-1~deb12u2: affected by this one, not by old ones.
    const compiled = compileAffected(record!.affected[0]!);
    expect(compiled.evaluate('3.0.19-1~deb12u2').affected).toBe(true);
    expect(compiled.evaluate('3.0.22-1~deb12u2').affected).toBe(false);
  });

  it('uses the lowest version when a CVE is named again later (regression fixes)', () => {
    const entries = parseDebianChangelog(
      [
        'curl (1.0-3) bookworm; urgency=medium',
        '',
        '  * Fix regression of CVE-2023-27534.',
        '',
        ' -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000',
        '',
        'curl (1.0-2) bookworm; urgency=medium',
        '',
        '  * Fix CVE-2023-27534.',
        '',
        ' -- A <a@b.c>  Sun, 31 Dec 2023 00:00:00 +0000',
      ].join('\n'),
    ).entries;
    const { records } = changelogToOsv(entries, { ecosystem: 'Debian:12', origin: 't' });
    expect(records.map((r) => r.affected[0]?.ranges[0]?.events)).toEqual([
      [{ introduced: '0' }, { fixed: '1.0-2' }],
    ]);
  });
});
