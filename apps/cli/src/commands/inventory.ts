/** `patchgate inventory show <file>`: what Patchgate reads from an inventory, before matching. */
import { inventoryFormats, osReleaseFromFlag, withRelease } from '@patchgate/inventory';
import { parseCommandArgs } from '../args.ts';
import { readInventoryFile } from '../inventory-file.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';

export const inventoryHelp = `Usage:
  patchgate inventory show <file> [--json] [--os <id:release>] [--inventory-format <id>]
  patchgate inventory formats [--json]

show prints the detected format, the operating-system release and every package
(ecosystem, name, version, source package) exactly as the matcher will see them.
`;

export function inventoryCommand(args: string[], io: CliIo): ExitCode {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(inventoryHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'formats') {
    const { values } = parseCommandArgs('inventory formats', rest, { json: { type: 'boolean' } });
    const rows = inventoryFormats.map((f) => ({ id: f.id, name: f.displayName, spec: f.specUrls }));
    if (values.json) io.stdout.write(JSON.stringify({ formats: rows }, null, 2) + '\n');
    else for (const row of rows) io.stdout.write(`${row.id.padEnd(20)} ${row.name}\n`);
    return exitCodes.ok;
  }
  if (sub !== 'show')
    throw new UsageError(`inventory: unknown subcommand "${sub}"\n\n${inventoryHelp}`);
  const { values, positionals } = parseCommandArgs('inventory show', rest, {
    json: { type: 'boolean' },
    os: { type: 'string' },
    'inventory-format': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('inventory show takes exactly one file');
  const path = positionals[0] as string;
  let inventory = readInventoryFile(path, io.cwd, values['inventory-format']);
  if (values.os !== undefined) {
    const os = osReleaseFromFlag(values.os);
    if (os === undefined)
      throw new UsageError(`--os "${values.os}" is not <distribution>:<release>`);
    inventory = {
      ...inventory,
      os,
      packages: withRelease(inventory.packages, os, { override: true }),
    };
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(inventory, null, 2) + '\n');
    return exitCodes.ok;
  }
  const os = inventory.os;
  io.stdout.write(
    `${inventory.source}: ${inventory.format}, ${inventory.packages.length} packages` +
      (os !== undefined ? `, OS ${os.ecosystem ?? os.id} (${os.evidence})` : '') +
      '\n',
  );
  for (const pkg of inventory.packages) {
    const source =
      pkg.sourceName !== undefined && pkg.sourceName !== pkg.name
        ? `  [source ${pkg.sourceName}${pkg.sourceVersion !== undefined && pkg.sourceVersion !== pkg.version ? ` ${pkg.sourceVersion}` : ''}]`
        : '';
    io.stdout.write(`${pkg.ecosystem}\t${pkg.name}\t${pkg.version}${source}\n`);
  }
  for (const warning of inventory.warnings) io.stderr.write(`patchgate: warning: ${warning}\n`);
  return exitCodes.ok;
}
