/**
 * `patchgate scan <inventory files…> --advisories <dirs|zips|files…>`: read inventories, load
 * OSV advisories, match, apply VEX and the ignore file, enrich (KEV, EPSS, CVE 5, NVD),
 * prioritise by a policy, print the findings most urgent first, exit by the --fail-on gate.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OsRelease } from '@patchgate/inventory';
import { inventoryFormats, osReleaseFromFile, osReleaseFromFlag } from '@patchgate/inventory';
import { buildAdvisoryIndex } from '@patchgate/matcher';
import { loadAdvisories } from '@patchgate/osv/node';
import { defaultPolicyId } from '@patchgate/policy';
import { buildScanReport, parseGate, renderers, reportFormats } from '@patchgate/report';
import { runScanPipeline } from '@patchgate/scan-pipeline';
import { oneOf, parseCommandArgs } from '../args.ts';
import type { CliIo, ExitCode } from '../io.ts';
import { exitCodes, UsageError } from '../io.ts';
import { refuseArchive } from '../archive-check.ts';
import { readInventoryFile } from '../inventory-file.ts';
import { Progress } from '../progress.ts';
import {
  loadAssetContext,
  loadEnrichmentFlags,
  loadIgnoreFile,
  loadPolicy,
  loadVex,
} from '../scan-inputs.ts';
import { toolVersion } from '../version.ts';

export const scanHelp = `Usage: patchgate scan <inventory files…> --advisories <dir|zip|file> [options]

Reads each inventory (format detected from its content: dpkg status, dpkg-query,
rpm -qa, apk installed, CycloneDX JSON/XML, SPDX JSON/tag-value, package-lock.json,
requirements.txt, go.mod, go version -m, Cargo.lock, Gemfile.lock, composer.lock),
matches it against OSV advisories, prioritises every finding by a policy and prints
them most urgent first, each with its due date.

Advisories and enrichment:
  -a, --advisories <path>   OSV records: a directory, a .json/.yaml file or a zip
                            such as <Ecosystem>/all.zip (repeatable; required)
      --kev <file>          CISA KEV catalogue, JSON or CSV (repeatable)
      --epss <file>         FIRST EPSS scores CSV, plain or .gz (repeatable)
      --cve <path>          CVE JSON 5 records: a file, a directory tree or a zip
                            (CNA/ADP CVSS, CISA SSVC decisions) (repeatable)
      --nvd <file>          NVD CVE API 2.0 JSON pages (repeatable)

Prioritisation and triage:
      --policy <id|file>    default (the default), bod-26-04, ssvc-deployer, pci-dss-4,
                            fedramp-rev5, or a custom YAML/JSON policy file
      --asset-context <v>   exposure=internet|internal|unknown,environment=production,
                            criticality=high,owner=team,tags=a+b — or a YAML/JSON file
                            mapping inventory paths to assets
      --detected-on <date>  the detection date due dates count from (default: today)
      --vex <file>          CycloneDX VEX or OpenVEX document (repeatable)
      --ignore-file <file>  ignore entries, each with a reason and an expiry date

Output:
  -f, --format <fmt>        table (default), json, csv, sarif, cyclonedx-vex
      --explain             table: show why each row got its priority
      --fail-on <level>     exit 1 when an unsuppressed finding is at or above: any
                            (default), low, medium, high, critical, P1…P5, or none;
                            add ,coverage (e.g. high,coverage; or coverage alone) to
                            exit 1 on a coverage gap too: packages that could not be
                            matched (no OS release, no advisories for the ecosystem
                            or the release)
      --os <id:release>     the distribution release of the inventories, e.g.
                            debian:12, ubuntu:22.04, alpine:3.20, almalinux:9; wins
                            over a release detected in them (a conflict is noted)
      --os-release <file>   read the release from an os-release file instead
      --inventory-format <id>
                            skip detection and read every inventory as this format
  -o, --output <file>       write the report to a file instead of standard output
  -q, --quiet               no progress on standard error

Exit codes: 0 no finding at or above --fail-on; 1 some finding is (or, with
--fail-on …,coverage, some package could not be matched); 2 usage or input error.
`;

function readOs(
  io: CliIo,
  flag: string | undefined,
  file: string | undefined,
): OsRelease | undefined {
  if (flag !== undefined) {
    const os = osReleaseFromFlag(flag);
    if (os === undefined) {
      throw new UsageError(
        `--os "${flag}" is not <distribution>:<release> of a known distribution (e.g. debian:12, ubuntu:22.04, alpine:3.20, almalinux:9, rocky:9)`,
      );
    }
    return os;
  }
  if (file === undefined) return undefined;
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) throw new UsageError(`os-release file not found: ${file}`);
  const os = osReleaseFromFile(readFileSync(path, 'utf8'));
  if (os?.ecosystem === undefined) {
    throw new UsageError(`${file}: no ID/VERSION_ID of a distribution with per-release advisories`);
  }
  return { ...os, evidence: `--os-release ${file}` };
}

const calendarDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export async function scanCommand(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('scan', args, {
    advisories: { type: 'string', short: 'a', multiple: true },
    kev: { type: 'string', multiple: true },
    epss: { type: 'string', multiple: true },
    cve: { type: 'string', multiple: true },
    nvd: { type: 'string', multiple: true },
    policy: { type: 'string' },
    'asset-context': { type: 'string' },
    'detected-on': { type: 'string' },
    vex: { type: 'string', multiple: true },
    'ignore-file': { type: 'string' },
    format: { type: 'string', short: 'f' },
    explain: { type: 'boolean' },
    'fail-on': { type: 'string' },
    os: { type: 'string' },
    'os-release': { type: 'string' },
    'inventory-format': { type: 'string' },
    output: { type: 'string', short: 'o' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.stdout.write(scanHelp);
    return exitCodes.ok;
  }
  const format = oneOf('format', values.format, reportFormats, 'table');
  const gate = parseGate(values['fail-on']);
  if ('error' in gate) throw new UsageError(gate.error);
  if (positionals.length === 0)
    throw new UsageError(`scan: no inventory files given\n\n${scanHelp}`);
  const advisoryPaths = values.advisories ?? [];
  if (advisoryPaths.length === 0) {
    throw new UsageError(
      'scan: --advisories is required (a directory, file or zip of OSV records)',
    );
  }
  for (const path of advisoryPaths) {
    const absolute = resolve(io.cwd, path);
    if (!existsSync(absolute)) throw new UsageError(`advisories not found: ${path}`);
    refuseArchive(
      '--advisories',
      path,
      absolute,
      'OSV records: a directory, a .json/.yaml file or a .zip such as all.zip',
    );
  }
  const formatId = values['inventory-format'];
  if (formatId !== undefined && !inventoryFormats.some((f) => f.id === formatId)) {
    throw new UsageError(
      `unknown --inventory-format "${formatId}" (known: ${inventoryFormats.map((f) => f.id).join(', ')})`,
    );
  }
  const detectedOn = values['detected-on'] ?? io.today();
  if (!calendarDate.test(detectedOn) || Number.isNaN(Date.parse(detectedOn))) {
    throw new UsageError(`--detected-on must be a date YYYY-MM-DD (got "${detectedOn}")`);
  }
  // Every input is read and checked before the long steps start.
  const os = readOs(io, values.os, values['os-release']);
  const policy = loadPolicy(io, values.policy ?? defaultPolicyId);
  const assetFor = loadAssetContext(io, values['asset-context']);
  const vex = loadVex(io, values.vex ?? []);
  const ignores = loadIgnoreFile(io, values['ignore-file']);
  const inventories = positionals.map((path) => readInventoryFile(path, io.cwd, formatId));

  const progress = new Progress(io, values.quiet === true);
  const advisories = await loadAdvisories(
    advisoryPaths.map((path) => resolve(io.cwd, path)),
    {
      onProgress: (event) =>
        progress.update(() => `loading advisories: ${event.records.toLocaleString('en')} records`),
    },
  );
  for (const error of advisories.errors.slice(0, 5)) {
    io.stderr.write(`patchgate: skipped advisory: ${error.origin}: ${error.reason}\n`);
  }
  if (advisories.errors.length > 5) {
    io.stderr.write(
      `patchgate: skipped ${advisories.errors.length} advisories in all (first 5 shown)\n`,
    );
  }
  const enrichment = await loadEnrichmentFlags(
    io,
    {
      kev: values.kev ?? [],
      epss: values.epss ?? [],
      cve: values.cve ?? [],
      nvd: values.nvd ?? [],
    },
    progress,
  );
  progress.done(
    `loaded ${advisories.records.length.toLocaleString('en')} advisories` +
      (enrichment.facts.size > 0
        ? ` and facts on ${enrichment.facts.size.toLocaleString('en')} CVEs`
        : ''),
  );

  const index = buildAdvisoryIndex(advisories.records);
  const result = await runScanPipeline({
    targets: inventories.map((inventory) => ({
      inventory,
      ...(os !== undefined && { statedOs: os }),
    })),
    index,
    facts: enrichment.facts,
    policy,
    assetFor,
    today: detectedOn,
    triage: { vex, ignores },
  });
  const report = buildScanReport(result, {
    gate,
    policy: { id: policy.id, name: policy.name, version: policy.version },
    detectedOn,
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
    enrichment: {
      cves: enrichment.facts.size,
      errors: enrichment.errors,
      sources: enrichment.sources,
    },
    tool: { name: 'patchgate', version: toolVersion },
  });

  for (const note of report.notes)
    io.stderr.write(`patchgate: note: ${note.inventory}: ${note.message}\n`);
  for (const gap of report.coverage)
    io.stderr.write(`patchgate: coverage gap: ${gap.inventory}: ${gap.message}; ${gap.fix}\n`);
  for (const note of report.triage.notes) io.stderr.write(`patchgate: note: ${note}\n`);
  for (const entry of report.triage.expired) {
    io.stderr.write(
      `patchgate: warning: ${entry.file} entry ${entry.entry} (${entry.id}) expired on ${entry.expires}; it no longer applies\n`,
    );
  }
  for (const entry of report.triage.unused) {
    io.stderr.write(
      `patchgate: warning: ${entry.file} entry ${entry.entry} (${entry.id}) matched no finding\n`,
    );
  }
  for (const inventory of report.inventories) {
    for (const warning of inventory.warnings.slice(0, 5)) {
      io.stderr.write(`patchgate: warning: ${inventory.source}: ${warning}\n`);
    }
    if (inventory.warnings.length > 5) {
      io.stderr.write(
        `patchgate: warning: ${inventory.source}: ${inventory.warnings.length} warnings in all (first 5 shown)\n`,
      );
    }
  }

  const rendered = renderers[format](report, {
    explain: values.explain === true,
    sourceRoot: io.cwd,
  });
  if (values.output !== undefined) writeFileSync(resolve(io.cwd, values.output), rendered);
  else io.stdout.write(rendered);
  return report.summary.failed ? exitCodes.findings : exitCodes.ok;
}
