export type { ChangelogEntry, ParsedChangelog } from './debian-changelog/parse.ts';
export { parseDebianChangelog } from './debian-changelog/parse.ts';
export type { ChangelogConversion } from './debian-changelog/to-osv.ts';
export { changelogToOsv, releaseOfChangelog } from './debian-changelog/to-osv.ts';
