/** `patchgate assets import|upload|list`: the server's asset inventory from the command line. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { paths } from '@patchgate/api-client';
import { parse as parseYaml } from 'yaml';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { uploadInventory } from '../remote/password-token.ts';

type AssetImportBody = NonNullable<
  paths['/api/v1/assets/import']['post']['requestBody']
>['content']['application/json'];

export const assetsHelp = `Usage:
  patchgate assets import <assets.json|assets.yaml> [--server <url>] [--json]
  patchgate assets upload <asset name> <inventory file> [--format <id>] [--server <url>] [--json]
  patchgate assets list [--environment …] [--exposure …] [--group …] [--tag …] [--q <text>]
                        [--limit <n>] [--server <url>] [--json]

import upserts assets by name from a JSON or YAML list: [{ name, kind, osRelease, environment,
criticality, exposure, owner, tags, groups }]. upload sends an inventory (any format
"patchgate inventory formats" lists) as the asset's new snapshot; its findings follow.
`;

function readFileArg(
  io: CliIo,
  path: string | undefined,
  what: string,
): { path: string; bytes: Buffer } {
  if (path === undefined) throw new UsageError(`assets: ${what} file is required\n\n${assetsHelp}`);
  const absolute = resolve(io.cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`${what} not found: ${path}`);
  return { path, bytes: readFileSync(absolute) };
}

export async function assetsCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout.write(assetsHelp);
    return sub === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (sub === 'import') {
    const { values, positionals } = parseCommandArgs('assets import', rest, {
      server: { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = readFileArg(io, positionals[0], 'assets');
    let assets: unknown;
    try {
      assets = parseYaml(file.bytes.toString('utf8'));
    } catch (error) {
      throw new UsageError(`${file.path}: not JSON or YAML (${(error as Error).message})`, {
        cause: error,
      });
    }
    if (!Array.isArray(assets)) throw new UsageError(`${file.path}: expected a list of assets`);
    const { client, server } = remoteClient(io, values);
    const result = expectOk(
      await reachable(server, () =>
        // The server validates every entry and names the field that is wrong.
        client.POST('/api/v1/assets/import', { body: assets as AssetImportBody }),
      ),
      'asset import',
    );
    if (values.json === true) io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else
      io.stdout.write(
        `imported ${assets.length} assets: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged\n`,
      );
    return exitCodes.ok;
  }
  if (sub === 'upload') {
    const { values, positionals } = parseCommandArgs('assets upload', rest, {
      server: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const name = positionals[0];
    if (name === undefined)
      throw new UsageError(`assets upload: the asset name is required\n\n${assetsHelp}`);
    const file = readFileArg(io, positionals[1], 'inventory');
    const { client, server } = remoteClient(io, values);
    const found = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/assets', { params: { query: { q: name, limit: 500 } } }),
      ),
      'asset lookup',
    );
    const asset = found.assets.find((a) => a.name === name);
    if (asset === undefined)
      throw new UsageError(`no asset named "${name}" (import it first: patchgate assets import)`);
    const uploaded = await reachable(server, () =>
      uploadInventory(client, asset.id, {
        name: basename(file.path),
        bytes: file.bytes,
        format: values.format,
      }),
    );
    const snapshot = expectOk(uploaded, 'inventory upload') as {
      id: string;
      format: string;
      packageCount: number;
    };
    if (values.json === true) io.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
    else
      io.stdout.write(
        `uploaded ${file.path} to ${name}: ${snapshot.format}, ${snapshot.packageCount} packages (snapshot ${snapshot.id}); findings will follow\n`,
      );
    return exitCodes.ok;
  }
  if (sub === 'list') {
    const { values } = parseCommandArgs('assets list', rest, {
      server: { type: 'string' },
      environment: { type: 'string' },
      exposure: { type: 'string' },
      group: { type: 'string' },
      tag: { type: 'string' },
      q: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    const { client, server } = remoteClient(io, values);
    const query = Object.fromEntries(
      Object.entries({
        environment: values.environment,
        exposure: values.exposure,
        group: values.group,
        tag: values.tag,
        q: values.q,
        limit: values.limit,
      }).filter(([, v]) => v !== undefined),
    );
    const page = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/assets', { params: { query: query as never } }),
      ),
      'asset list',
    );
    if (values.json === true) {
      io.stdout.write(JSON.stringify(page, null, 2) + '\n');
      return exitCodes.ok;
    }
    for (const a of page.assets) {
      io.stdout.write(
        `${a.name.padEnd(30)} ${a.kind.padEnd(16)} ${(a.environment ?? '-').padEnd(12)} ${a.exposure.padEnd(9)} ${a.osRelease ?? '-'}\n`,
      );
    }
    io.stdout.write(
      `${page.assets.length} assets${page.nextCursor !== null ? ' (more: use --json and the cursor, or narrow the filters)' : ''}\n`,
    );
    return exitCodes.ok;
  }
  throw new UsageError(`assets: unknown subcommand "${sub}"\n\n${assetsHelp}`);
}
