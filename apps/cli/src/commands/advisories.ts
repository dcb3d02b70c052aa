/**
 * `patchgate advisories …`: work with advisory data offline.
 *   from-debian-changelog  OSV records from Debian packages' own changelogs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { osReleaseFromFlag } from '@patchgate/inventory';
import { changelogToOsv, parseDebianChangelog, releaseOfChangelog } from '@patchgate/sources';
import { parseCommandArgs } from '../args.ts';
import { advisoriesRemoteCommand, advisoriesRemoteHelp } from './advisories-remote.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';

export const advisoriesHelp = `Usage:
${advisoriesRemoteHelp}  patchgate advisories from-debian-changelog <changelog.Debian.gz|changelog…> --out <dir>
                                             [--os debian:<release>] [--json]

from-debian-changelog writes one OSV record per CVE a Debian changelog names, fixed at the
version of the first entry naming it, for the package's release (from the newest entry's
suite, e.g. bookworm-security → Debian:12, or --os). Use it where the Debian security
tracker's data is not at hand; see packages/sources/src/debian-changelog/readme.md.
`;

function readText(path: string): string {
  const bytes = readFileSync(path);
  // gzip magic number (RFC 1952 §2.3.1)
  return bytes[0] === 0x1f && bytes[1] === 0x8b
    ? gunzipSync(bytes).toString('utf8')
    : bytes.toString('utf8');
}

export async function advisoriesCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(advisoriesHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (
    sub === 'sources' ||
    sub === 'add-source' ||
    sub === 'sync' ||
    sub === 'catalogue' ||
    sub === 'enable' ||
    sub === 'disable'
  )
    return advisoriesRemoteCommand(sub, rest, io);
  if (sub !== 'from-debian-changelog')
    throw new UsageError(`advisories: unknown subcommand "${sub}"\n\n${advisoriesHelp}`);
  const { values, positionals } = parseCommandArgs('advisories from-debian-changelog', rest, {
    out: { type: 'string' },
    os: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length === 0)
    throw new UsageError('advisories from-debian-changelog: no changelog files given');
  if (values.out === undefined)
    throw new UsageError('advisories from-debian-changelog: --out <dir> is required');
  let ecosystem: string | undefined;
  if (values.os !== undefined) {
    const os = osReleaseFromFlag(values.os);
    if (os?.id !== 'debian' || os.ecosystem === undefined)
      throw new UsageError(`--os "${values.os}" is not debian:<release>`);
    ecosystem = os.ecosystem;
  }
  const out = resolve(io.cwd, values.out);
  const written: {
    file: string;
    package: string;
    ecosystem: string;
    records: number;
    warnings: string[];
  }[] = [];
  const conversions = positionals.map((path) => {
    const absolute = resolve(io.cwd, path);
    if (!existsSync(absolute)) throw new UsageError(`changelog not found: ${path}`);
    let text: string;
    try {
      text = readText(absolute);
    } catch (error) {
      throw new UsageError(`${path}: not a readable changelog (${(error as Error).message})`, {
        cause: error,
      });
    }
    const parsed = parseDebianChangelog(text);
    if (parsed.entries.length === 0)
      throw new UsageError(`${path}: no Debian changelog entries found`);
    const release = ecosystem ?? releaseOfChangelog(parsed.entries);
    if (release === undefined) {
      throw new UsageError(
        `${path}: cannot tell the Debian release from the newest entry; pass --os debian:<release>`,
      );
    }
    return {
      path,
      parsed,
      conversion: changelogToOsv(parsed.entries, { ecosystem: release, origin: basename(path) }),
    };
  });
  mkdirSync(out, { recursive: true });
  for (const { path, parsed, conversion } of conversions) {
    for (const record of conversion.records) {
      writeFileSync(join(out, `${record.id}.json`), JSON.stringify(record, null, 2) + '\n');
    }
    written.push({
      file: path,
      package: parsed.entries[0]?.package ?? '',
      ecosystem: conversion.ecosystem,
      records: conversion.records.length,
      warnings: parsed.warnings,
    });
  }
  if (values.json) io.stdout.write(JSON.stringify({ out, changelogs: written }, null, 2) + '\n');
  else {
    for (const w of written) {
      io.stdout.write(
        `${w.file}: ${w.package} (${w.ecosystem}): ${w.records} advisories written to ${values.out}\n`,
      );
      for (const warning of w.warnings)
        io.stderr.write(`patchgate: warning: ${w.file}: ${warning}\n`);
    }
  }
  return exitCodes.ok;
}
