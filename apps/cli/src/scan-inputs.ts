/**
 * The inputs a scan may take besides inventories and advisories: enrichment (KEV, EPSS,
 * CVE 5, NVD), the policy, the asset context, VEX documents and an ignore file. Each is read
 * here, at the edge, and every problem becomes a UsageError naming the file and the field.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Policy } from '@patchgate/policy';
import { builtinPolicies, findPolicy, parsePolicy } from '@patchgate/policy';
import type { AssetContext } from '@patchgate/policy';
import { parseAssetContextFile, parseAssetContextFlag } from '@patchgate/prioritisation';
import type { FactsByCve } from '@patchgate/sources';
import { mergeFacts } from '@patchgate/sources';
import { loadEnrichment } from '@patchgate/sources/node';
import type { IgnoreEntry, VexStatement } from '@patchgate/triage';
import { parseIgnoreFile, parseVex } from '@patchgate/triage';
import { refuseArchive } from './archive-check.ts';
import type { CliIo } from './io.ts';
import { UsageError } from './io.ts';
import type { Progress } from './progress.ts';

function readText(io: CliIo, path: string, what: string): string {
  const absolute = resolve(io.cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`${what} not found: ${path}`);
  if (statSync(absolute).isDirectory())
    throw new UsageError(`${path} is a directory; give the ${what} itself`);
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    // Node's message names the path already ("EACCES: permission denied, open '…'").
    throw new UsageError(`cannot read the ${what}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A parser's message that already starts with the file name, without it (never said twice). */
export function withoutPrefix(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}

/** JSON.parse quotes the bytes it choked on; a message about a file never shows its content. */
function withoutContent(message: string): string {
  return message.replace(/^(not (?:valid )?JSON): .*$/s, '$1');
}

function looksLikePolicyFile(value: string): boolean {
  return /\.(ya?ml|json)$/i.test(value) || value.includes('/');
}

/** `--policy <id>` of a built-in policy, or `--policy <file>` of a custom one. */
export function loadPolicy(io: CliIo, value: string): Policy {
  const builtin = findPolicy(value);
  if (builtin !== undefined) return builtin;
  if (!looksLikePolicyFile(value)) {
    throw new UsageError(
      `unknown policy "${value}" (built-in: ${builtinPolicies.map((p) => p.id).join(', ')}; or a YAML/JSON policy file)`,
    );
  }
  const parsed = parsePolicy(readText(io, value, 'policy file'), value);
  if (!parsed.ok)
    throw new UsageError(
      `${value}: invalid policy:\n  ${parsed.errors.map((e) => withoutPrefix(e, value)).join('\n  ')}`,
    );
  return parsed.policy;
}

/** `--asset-context key=value,…` for every inventory, or `--asset-context <file>`. */
export function loadAssetContext(
  io: CliIo,
  value: string | undefined,
): (inventory: string) => AssetContext {
  if (value === undefined) return () => ({ exposure: 'unknown', tags: [] });
  const isFile = existsSync(resolve(io.cwd, value));
  if (!isFile && !value.includes('='))
    throw new UsageError(`asset context file not found: ${value}`);
  const parsed = isFile
    ? parseAssetContextFile(readText(io, value, 'asset context file'))
    : parseAssetContextFlag(value);
  if (!parsed.ok) throw new UsageError(`--asset-context ${value}: ${parsed.errors.join('; ')}`);
  return parsed.assetFor;
}

const flagOf = { kev: 'kev', epss: 'epss', cve5: 'cve', nvd: 'nvd' } as const;
const acceptedBy = {
  kev: "CISA's KEV catalogue as JSON or CSV",
  epss: "FIRST's EPSS CSV, plain or gzip-compressed",
  cve5: 'CVE JSON 5 records: a .json file, a directory tree of them, or a .zip of them',
  nvd: 'NVD CVE API 2.0 JSON pages',
} as const;

export interface EnrichmentPaths {
  readonly kev: readonly string[];
  readonly epss: readonly string[];
  readonly cve: readonly string[];
  readonly nvd: readonly string[];
}

export interface LoadedEnrichment {
  readonly facts: FactsByCve;
  readonly sources: {
    path: string;
    kind: string;
    records: number;
    errors: number;
    metadata: Record<string, string | number>;
  }[];
  readonly errors: number;
}

/** Load every enrichment path as the kind its flag names; merge the facts. */
export async function loadEnrichmentFlags(
  io: CliIo,
  paths: EnrichmentPaths,
  progress: Progress,
): Promise<LoadedEnrichment> {
  const kinds = [
    ['kev', paths.kev],
    ['epss', paths.epss],
    ['cve5', paths.cve],
    ['nvd', paths.nvd],
  ] as const;
  const maps: FactsByCve[] = [];
  const sources: LoadedEnrichment['sources'] = [];
  let errors = 0;
  for (const [kind, list] of kinds) {
    if (list.length === 0) continue;
    const label = kind === 'cve5' ? 'CVE 5' : kind.toUpperCase();
    for (const path of list) {
      const absolute = resolve(io.cwd, path);
      if (!existsSync(absolute)) throw new UsageError(`${label} data not found: ${path}`);
      refuseArchive(`--${flagOf[kind]}`, path, absolute, acceptedBy[kind]);
    }
    const result = await loadEnrichment(
      list.map((path) => resolve(io.cwd, path)),
      {
        kind,
        onProgress: (event) =>
          progress.update(() => `loading ${kind}: ${event.facts.toLocaleString('en')} facts`),
      },
    );
    if (result.sources.every((s) => s.records === 0)) {
      // One message, with the first reason, instead of a warning and an error naming the path.
      const first = result.errors[0];
      const reason = first === undefined ? '' : ` (${withoutContent(first.message)})`;
      throw new UsageError(
        `--${flagOf[kind]} ${list.join(', ')}: no ${label} records found${reason}; it takes ${acceptedBy[kind]}`,
      );
    }
    maps.push(result.facts);
    for (const source of result.sources) {
      sources.push({
        path: source.path,
        kind: source.kind,
        records: source.records,
        errors: source.errors,
        metadata: source.metadata,
      });
    }
    errors += result.errors.length;
    for (const error of result.errors.slice(0, 3))
      io.stderr.write(`patchgate: skipped ${kind} entry: ${error.origin}: ${error.message}\n`);
    if (result.errors.length > 3)
      io.stderr.write(
        `patchgate: skipped ${result.errors.length} ${kind} entries in all (first 3 shown)\n`,
      );
  }
  return { facts: mergeFacts(...maps), sources, errors };
}

/** Read every `--vex` document; a document that is not VEX is an error, a bad statement a warning. */
export function loadVex(io: CliIo, paths: readonly string[]): VexStatement[] {
  return paths.flatMap((path) => {
    const parsed = parseVex(readText(io, path, 'VEX document'), path);
    if (!parsed.ok)
      throw new UsageError(`${path}: ${withoutContent(withoutPrefix(parsed.error, path))}`);
    for (const warning of parsed.warnings)
      io.stderr.write(`patchgate: warning: ${path}: ${warning}\n`);
    return [...parsed.statements];
  });
}

/** Read the ignore file; invalid entries are errors (a typo must not silently ignore nothing). */
export function loadIgnoreFile(io: CliIo, path: string | undefined): IgnoreEntry[] {
  if (path === undefined) return [];
  const parsed = parseIgnoreFile(readText(io, path, 'ignore file'), path);
  if (parsed.errors.length > 0)
    throw new UsageError(`${path}: invalid ignore file:\n  ${parsed.errors.join('\n  ')}`);
  return [...parsed.entries];
}
