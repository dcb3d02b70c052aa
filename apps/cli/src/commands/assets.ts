/**
 * `patchgate assets import|upload|list|upload-updates|updates`: the server's asset inventory
 * and each asset's available updates from the command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { PatchgateClient, paths } from '@patchgate/api-client';
import { parse as parseYaml } from 'yaml';
import { parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { expectOk, reachable, remoteClient } from '../remote/call.ts';
import { limitOption, pageFooter, writeTable } from '../remote/listing.ts';
import { uploadInventory } from '../remote/password-token.ts';

type AssetImportBody = NonNullable<
  paths['/api/v1/assets/import']['post']['requestBody']
>['content']['application/json'];

export const assetsHelp = `Usage:
  patchgate assets import <assets.json|assets.yaml> [--server <url>] [--json]
  patchgate assets upload <asset name> <inventory file> [--format <id>] [--server <url>] [--json]
  patchgate assets list [--environment …] [--exposure …] [--criticality …] [--kind …]
                        [--owner …] [--group …] [--tag …] [--q <text>]
                        [--limit <n>] [--cursor <c>] [--server <url>] [--json]
  patchgate assets upload-updates <asset name> <apt output file|-> [--server <url>] [--json]
  patchgate assets updates <asset name> [--security] [--server <url>] [--json]

import upserts assets by name from a JSON or YAML list: [{ name, kind, osRelease, environment,
criticality, exposure, owner, tags, groups }]. upload sends an inventory (any format
"patchgate inventory formats" lists) as the asset's new snapshot; its findings follow.
upload-updates sends the output of "apt list --upgradable" or "apt-get -s upgrade" ("-" reads
standard input) as the asset's available updates, replacing the previous report; updates
lists them, security updates first (--security: only those). list pages with --cursor.
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
    const asset = await findAsset(client, server, name);
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
  if (sub === 'list') return list(rest, io);
  if (sub === 'upload-updates') return uploadUpdates(rest, io);
  if (sub === 'updates') return updates(rest, io);
  throw new UsageError(`assets: unknown subcommand "${sub}"\n\n${assetsHelp}`);
}

/** The asset named `name` (exact), through the API's name search, every page of it. */
async function findAsset(
  client: PatchgateClient,
  server: string,
  name: string,
): Promise<{ id: string; name: string }> {
  let cursor: string | undefined;
  do {
    const page = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/assets', {
          params: { query: { q: name, limit: 500, ...(cursor !== undefined && { cursor }) } },
        }),
      ),
      'asset lookup',
    );
    const asset = page.assets.find((a) => a.name === name);
    if (asset !== undefined) return asset;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  throw new UsageError(`no asset named "${name}" (import it first: patchgate assets import)`);
}

async function list(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseCommandArgs('assets list', args, {
    server: { type: 'string' },
    environment: { type: 'string' },
    exposure: { type: 'string' },
    criticality: { type: 'string' },
    kind: { type: 'string' },
    owner: { type: 'string' },
    group: { type: 'string' },
    tag: { type: 'string' },
    q: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  const limit = limitOption(values.limit, 500);
  const { client, server } = remoteClient(io, values);
  const query = Object.fromEntries(
    Object.entries({
      environment: values.environment,
      exposure: values.exposure,
      criticality: values.criticality,
      kind: values.kind,
      owner: values.owner,
      group: values.group,
      tag: values.tag,
      q: values.q,
      cursor: values.cursor,
      limit,
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
  writeTable(
    io,
    ['name', 'kind', 'environment', 'criticality', 'exposure', 'os release'],
    page.assets.map((a) => [
      a.name,
      a.kind,
      a.environment ?? '-',
      a.criticality,
      a.exposure,
      a.osRelease ?? '-',
    ]),
  );
  io.stdout.write(pageFooter('assets', page.assets.length, page));
  return exitCodes.ok;
}

async function uploadUpdates(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('assets upload-updates', args, {
    server: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [name, path] = positionals;
  if (name === undefined || path === undefined || positionals.length > 2)
    throw new UsageError(
      `assets upload-updates takes an asset name and a file of apt output ("-" for standard input)`,
    );
  const text =
    path === '-'
      ? await io.readStdin()
      : readFileArg(io, path, 'apt output').bytes.toString('utf8');
  const { client, server } = remoteClient(io, values);
  const asset = await findAsset(client, server, name);
  const report = expectOk(
    await reachable(server, () =>
      client.POST('/api/v1/assets/{id}/available-updates', {
        params: {
          path: { id: asset.id },
          query: { name: path === '-' ? 'stdin' : basename(path) },
        },
        body: text,
        bodySerializer: (body: unknown) => body as string,
        headers: { 'content-type': 'text/plain' },
      }),
    ),
    'available updates upload',
  );
  if (values.json === true) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    const keptBack = report.keptBack.length > 0 ? `, ${report.keptBack.length} kept back` : '';
    io.stdout.write(
      `${name}: ${report.updates} available updates (${report.securityUpdates} security${keptBack}) from ${report.format}\n`,
    );
    for (const warning of report.warnings)
      io.stderr.write(`patchgate: warning: ${path}: ${warning}\n`);
  }
  return exitCodes.ok;
}

async function updates(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('assets updates', args, {
    server: { type: 'string' },
    security: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1)
    throw new UsageError('assets updates takes one asset name');
  const { client, server } = remoteClient(io, values);
  const asset = await findAsset(client, server, name);
  const list = expectOk(
    await reachable(server, () =>
      client.GET('/api/v1/assets/{id}/available-updates', {
        params: {
          path: { id: asset.id },
          query: values.security === true ? { security: 'true' } : {},
        },
      }),
    ),
    'available updates',
  );
  if (values.json === true) {
    io.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return exitCodes.ok;
  }
  if (list.report === null) {
    io.stdout.write(
      `${name}: no available updates reported yet (patchgate assets upload-updates ${name} <apt output>)\n`,
    );
    return exitCodes.ok;
  }
  writeTable(
    io,
    ['package', 'installed', 'available', 'security', 'from'],
    list.updates.map((u) => [
      u.name,
      u.installedVersion,
      u.candidateVersion,
      u.security ? 'yes' : 'no',
      u.origins.map((o) => o.archive).join(', '),
    ]),
  );
  const r = list.report;
  io.stdout.write(
    `${list.updates.length} ${values.security === true ? 'security ' : ''}updates (${r.securityUpdates} of ${r.updates} from a security archive` +
      `${r.keptBack.length > 0 ? `; kept back: ${r.keptBack.join(', ')}` : ''}), reported ${r.takenAt} from ${r.sourceName}\n`,
  );
  return exitCodes.ok;
}
