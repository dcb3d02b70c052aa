/**
 * `patchgate scan <inventory files…> --advisories <dirs|zips|files…>`: read inventories,
 * load OSV advisories, match, print findings, exit by the --fail-on gate.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Inventory, OsRelease } from '@patchgate/inventory';
import {
  osReleaseFromFile,
  osReleaseFromFlag,
  readInventory,
  withRelease,
  inventoryFormats,
} from '@patchgate/inventory';
import type { Finding, MatchNote } from '@patchgate/matcher';
import { buildAdvisoryIndex, compareFindings, matchInventory } from '@patchgate/matcher';
import { loadAdvisories } from '@patchgate/osv';
import { oneOf, parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { renderCsv } from '../output/csv.ts';
import { renderJson } from '../output/json.ts';
import { renderSarif } from '../output/sarif.ts';
import { renderTable } from '../output/table.ts';
import { Progress } from '../progress.ts';
import type { FailOn, ScanReport } from '../report.ts';
import { breaksGate, countBySeverity, failOnValues } from '../report.ts';
import { toolVersion } from '../version.ts';
import { writeFileSync } from 'node:fs';

export const scanHelp = `Usage: patchgate scan <inventory files…> --advisories <dir|zip|file> [options]

Reads each inventory (format detected from its content: dpkg status, dpkg-query,
rpm -qa, apk installed, CycloneDX JSON/XML, SPDX JSON/tag-value, package-lock.json,
requirements.txt, go.mod, go version -m, Cargo.lock, Gemfile.lock, composer.lock),
matches it against OSV advisories and prints the findings.

Options:
  -a, --advisories <path>   OSV records: a directory, a .json/.yaml file or a zip
                            such as <Ecosystem>/all.zip (repeatable; required)
  -f, --format <fmt>        table (default), json, csv, sarif
      --fail-on <level>     exit 1 when a finding is at or above: any (default),
                            low, medium, high, critical, or none (never)
      --os <id:release>     distribution release for inventories that do not state
                            it, e.g. debian:12, ubuntu:22.04, alpine:3.20, almalinux:9
      --os-release <file>   read the release from an os-release file instead
      --inventory-format <id>
                            skip detection and read every inventory as this format
  -o, --output <file>       write the report to a file instead of standard output
  -q, --quiet               no progress on standard error

Exit codes: 0 no finding at or above --fail-on; 1 some finding is; 2 usage or input error.
`;

interface LoadedInventory {
  inventory: Inventory;
  osOverride?: OsRelease;
}

function readInventoryFile(path: string, cwd: string, formatId: string | undefined): Inventory {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`inventory not found: ${path}`);
  if (statSync(absolute).isDirectory()) {
    throw new UsageError(`${path} is a directory; pass the inventory files themselves`);
  }
  const text = readFileSync(absolute, 'utf8');
  const result = readInventory({ path, text }, formatId);
  if (!result.ok) throw new UsageError(result.error);
  return result.inventory;
}

function applyOs(inventory: Inventory, os: OsRelease | undefined): Inventory {
  if (os === undefined) return inventory;
  const packages = withRelease(inventory.packages, os, { override: true });
  // An SBOM of npm packages is not "on" the operating system the flag names; leave it be.
  const distribution = packages.some((pkg, i) => pkg !== inventory.packages[i]);
  return distribution || inventory.os !== undefined ? { ...inventory, os, packages } : inventory;
}

export async function scanCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('scan', args, {
    advisories: { type: 'string', short: 'a', multiple: true },
    format: { type: 'string', short: 'f' },
    'fail-on': { type: 'string' },
    os: { type: 'string' },
    'os-release': { type: 'string' },
    'inventory-format': { type: 'string' },
    output: { type: 'string', short: 'o' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(scanHelp);
    return exitCodes.ok;
  }
  const format = oneOf(
    'format',
    values.format,
    ['table', 'json', 'csv', 'sarif'] as const,
    'table',
  );
  const failOn: FailOn = oneOf('fail-on', values['fail-on'], failOnValues, 'any');
  if (positionals.length === 0)
    throw new UsageError(`scan: no inventory files given\n\n${scanHelp}`);
  const advisoryPaths = values.advisories ?? [];
  if (advisoryPaths.length === 0)
    throw new UsageError(
      'scan: --advisories is required (a directory, file or zip of OSV records)',
    );
  for (const path of advisoryPaths) {
    if (!existsSync(resolve(io.cwd, path))) throw new UsageError(`advisories not found: ${path}`);
  }
  const formatId = values['inventory-format'];
  if (formatId !== undefined && !inventoryFormats.some((f) => f.id === formatId)) {
    throw new UsageError(
      `unknown --inventory-format "${formatId}" (known: ${inventoryFormats.map((f) => f.id).join(', ')})`,
    );
  }

  let os: OsRelease | undefined;
  if (values.os !== undefined) {
    os = osReleaseFromFlag(values.os);
    if (os === undefined) {
      throw new UsageError(
        `--os "${values.os}" is not <distribution>:<release> of a known distribution (e.g. debian:12, ubuntu:22.04, alpine:3.20, almalinux:9, rocky:9)`,
      );
    }
  } else if (values['os-release'] !== undefined) {
    const path = resolve(io.cwd, values['os-release']);
    if (!existsSync(path))
      throw new UsageError(`os-release file not found: ${values['os-release']}`);
    os = osReleaseFromFile(readFileSync(path, 'utf8'));
    if (os?.ecosystem === undefined) {
      throw new UsageError(
        `${values['os-release']}: no ID/VERSION_ID of a distribution with per-release advisories`,
      );
    }
  }

  const progress = new Progress(io, values.quiet === true);
  const loaded: LoadedInventory[] = positionals.map((path) => ({
    inventory: applyOs(readInventoryFile(path, io.cwd, formatId), os),
  }));

  const advisories = await loadAdvisories(
    advisoryPaths.map((path) => resolve(io.cwd, path)),
    {
      onProgress: (event) =>
        progress.update(`loading advisories: ${event.records.toLocaleString('en')} records`),
    },
  );
  progress.done(`loaded ${advisories.records.length.toLocaleString('en')} advisories`);
  for (const error of advisories.errors.slice(0, 5))
    io.stderr.write(`patchgate: skipped advisory: ${error.origin}: ${error.reason}\n`);
  if (advisories.errors.length > 5)
    io.stderr.write(
      `patchgate: skipped ${advisories.errors.length} advisories in all (first 5 shown)\n`,
    );

  const index = buildAdvisoryIndex(advisories.records);
  const findings: Finding[] = [];
  const notes: MatchNote[] = [];
  const inventories: ScanReport['inventories'][number][] = [];
  for (const { inventory } of loaded) {
    const result = matchInventory(index, inventory);
    findings.push(...result.findings);
    notes.push(...result.notes);
    inventories.push({
      source: inventory.source,
      format: inventory.format,
      ...(inventory.os !== undefined && { os: inventory.os }),
      packages: result.packages,
      affectedPackages: result.affectedPackages,
      findings: result.findings.length,
      warnings: inventory.warnings,
    });
  }
  findings.sort(compareFindings);

  const report: ScanReport = {
    findings,
    summary: {
      findings: findings.length,
      bySeverity: countBySeverity(findings),
      failOn,
      failed: breaksGate(findings, failOn),
    },
    inventories,
    advisories: {
      records: index.records,
      withdrawn: index.withdrawn,
      errors: advisories.errors.length,
      sources: advisories.sources.map((s) => ({
        path: s.path,
        records: s.records,
        errors: s.errors,
      })),
    },
    notes,
    tool: { name: 'patchgate', version: toolVersion },
  };

  for (const note of notes)
    io.stderr.write(`patchgate: note: ${note.inventory}: ${note.message}\n`);
  for (const inventory of inventories) {
    for (const warning of inventory.warnings.slice(0, 5))
      io.stderr.write(`patchgate: warning: ${inventory.source}: ${warning}\n`);
    if (inventory.warnings.length > 5)
      io.stderr.write(
        `patchgate: warning: ${inventory.source}: ${inventory.warnings.length} warnings in all (first 5 shown)\n`,
      );
  }

  const rendered =
    format === 'json'
      ? renderJson(report)
      : format === 'csv'
        ? renderCsv(report)
        : format === 'sarif'
          ? renderSarif(report)
          : renderTable(report);
  if (values.output !== undefined) writeFileSync(resolve(io.cwd, values.output), rendered);
  else io.stdout.write(rendered);
  return report.summary.failed ? exitCodes.findings : exitCodes.ok;
}
