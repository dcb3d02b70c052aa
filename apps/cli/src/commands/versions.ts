/**
 * `patchgate versions compare --ecosystem <name> <a> <b>` and its `--batch` form;
 * `patchgate versions list`.
 */
import type { VersionScheme } from '@patchgate/versioning';
import { findScheme, knownEcosystems, versionSchemes } from '@patchgate/versioning';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';

export const versionsHelp = `Usage:
  patchgate versions compare --ecosystem <name> <a> <b>
  patchgate versions compare --ecosystem <name> --batch < pairs.tsv
  patchgate versions list [--json]

compare prints <, = or > (a is lower than, equal to, or higher than b) under the
ecosystem's rules. --ecosystem takes an OSV ecosystem (Debian:12, PyPI, npm, Go…)
or a scheme id (debian, rpm, alpine, semver, go, pep440, maven, rubygems, nuget,
packagist). With --batch it reads "a<TAB>b" lines on standard input and prints one
result per line, in order; a line with an invalid version prints "error" and the
reason goes to standard error (exit 2 at the end).
`;

const symbol = (order: number): string => (order < 0 ? '<' : order > 0 ? '>' : '=');

function schemeOrThrow(name: string | undefined): VersionScheme {
  if (name === undefined) throw new UsageError('versions compare: --ecosystem is required');
  const scheme = findScheme(name);
  if (scheme === undefined) {
    throw new UsageError(
      `unknown ecosystem or scheme "${name}" (ecosystems: ${knownEcosystems().join(', ')}; schemes: ${versionSchemes.map((s) => s.id).join(', ')})`,
    );
  }
  return scheme;
}

function compareLine(
  scheme: VersionScheme,
  a: string,
  b: string,
): { order?: string; error?: string } {
  const left = scheme.parse(a);
  if (!left.ok) return { error: `invalid ${scheme.displayName} version "${a}": ${left.error}` };
  const right = scheme.parse(b);
  if (!right.ok) return { error: `invalid ${scheme.displayName} version "${b}": ${right.error}` };
  return { order: symbol(scheme.compareParsed(left.value, right.value)) };
}

export async function versionsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(versionsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'list') {
    const { values } = parseCommandArgs('versions list', rest, { json: { type: 'boolean' } });
    const rows = versionSchemes.map((s) => ({
      id: s.id,
      name: s.displayName,
      ecosystems: s.ecosystems,
      spec: s.specUrls,
    }));
    if (values.json) io.stdout.write(JSON.stringify({ schemes: rows }, null, 2) + '\n');
    else
      for (const row of rows)
        io.stdout.write(
          `${row.id.padEnd(10)} ${row.name.padEnd(28)} ${row.ecosystems.join(', ')}\n`,
        );
    return exitCodes.ok;
  }
  if (sub !== 'compare')
    throw new UsageError(`versions: unknown subcommand "${sub}"\n\n${versionsHelp}`);

  const { values, positionals } = parseCommandArgs('versions compare', rest, {
    ecosystem: { type: 'string', short: 'e' },
    batch: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(versionsHelp);
    return exitCodes.ok;
  }
  const scheme = schemeOrThrow(values.ecosystem);

  if (values.batch) {
    if (positionals.length > 0)
      throw new UsageError(
        'versions compare --batch reads pairs from standard input, not arguments',
      );
    const lines = (await io.readStdin()).split('\n');
    if (lines.at(-1) === '') lines.pop();
    let failed = false;
    const out: string[] = [];
    lines.forEach((raw, index) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const fields = line.split('\t');
      if (fields.length !== 2) {
        failed = true;
        out.push('error');
        io.stderr.write(
          `patchgate: line ${index + 1}: expected "a<TAB>b", got ${JSON.stringify(line)}\n`,
        );
        return;
      }
      const result = compareLine(scheme, fields[0] as string, fields[1] as string);
      if (result.order !== undefined) out.push(result.order);
      else {
        failed = true;
        out.push('error');
        io.stderr.write(`patchgate: line ${index + 1}: ${result.error}\n`);
      }
    });
    io.stdout.write(out.length > 0 ? out.join('\n') + '\n' : '');
    return failed ? exitCodes.usage : exitCodes.ok;
  }

  if (positionals.length !== 2) {
    throw new UsageError(`versions compare takes exactly two versions (got ${positionals.length})`);
  }
  const result = compareLine(scheme, positionals[0] as string, positionals[1] as string);
  if (result.error !== undefined) throw new UsageError(result.error);
  io.stdout.write(`${result.order}\n`);
  return exitCodes.ok;
}
