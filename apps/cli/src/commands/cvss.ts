/** `patchgate cvss <vector>` and `--batch`: CVSS base scores exactly as FIRST specifies them. */
import type { CvssResult } from '@patchgate/cvss';
import { scoreCvss } from '@patchgate/cvss';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';

export const cvssHelp = `Usage:
  patchgate cvss <vector> [--json]
  patchgate cvss --batch [--json] < vectors.txt

Prints "<base score><TAB><severity>" for a CVSS v2, v3.0, v3.1 or v4.0 vector, e.g.
  patchgate cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H      → 9.8<TAB>Critical
The version comes from the prefix (none for v2). Metrics may come in any order.
With --batch it reads one vector per line on standard input and prints one result per line,
in order; an invalid vector prints "error" and the reason goes to standard error (exit 2).
`;

const severityLabel = (severity: string): string =>
  severity.charAt(0).toUpperCase() + severity.slice(1);

function line(result: CvssResult & { ok: true }, json: boolean): string {
  const { value } = result;
  return json
    ? JSON.stringify(value)
    : `${value.baseScore.toFixed(1)}\t${severityLabel(value.severity)}`;
}

export async function cvssCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('cvss', args, {
    batch: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout.write(cvssHelp);
    return exitCodes.ok;
  }
  const json = values.json === true;
  if (values.batch === true) {
    if (positionals.length > 0)
      throw new UsageError('cvss --batch reads vectors from standard input, not arguments');
    const lines = (await io.readStdin()).split('\n');
    if (lines.at(-1) === '') lines.pop();
    let failed = false;
    const out = lines.map((raw, index) => {
      const result = scoreCvss(raw.replace(/\r$/, '').trim());
      if (result.ok) return line(result, json);
      failed = true;
      io.stderr.write(`patchgate: line ${index + 1}: ${result.error}\n`);
      return 'error';
    });
    io.stdout.write(out.length > 0 ? out.join('\n') + '\n' : '');
    return failed ? exitCodes.usage : exitCodes.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `cvss takes exactly one vector (got ${positionals.length}); use --batch for many\n\n${cvssHelp}`,
    );
  }
  const result = scoreCvss(positionals[0] as string);
  if (!result.ok) throw new UsageError(result.error);
  io.stdout.write(line(result, json) + '\n');
  return exitCodes.ok;
}
