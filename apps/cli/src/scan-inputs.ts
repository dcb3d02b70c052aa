/**
 * The inputs a scan may take besides inventories and advisories: enrichment (KEV, EPSS,
 * CVE 5, NVD), the policy, the asset context, VEX documents and an ignore file. Each is read
 * here, at the edge, and every problem becomes a UsageError naming the file and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
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
import type { CliIo } from './io.ts';
import { UsageError } from './io.ts';
import type { Progress } from './progress.ts';

function readText(io: CliIo, path: string, what: string): string {
  const absolute = resolve(io.cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`${what} not found: ${path}`);
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read ${what} (${(error as Error).message})`, {
      cause: error,
    });
  }
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
    throw new UsageError(`${value}: invalid policy:\n  ${parsed.errors.join('\n  ')}`);
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
    for (const path of list) {
      if (!existsSync(resolve(io.cwd, path)))
        throw new UsageError(
          `${kind === 'cve5' ? 'CVE 5' : kind.toUpperCase()} data not found: ${path}`,
        );
    }
    const result = await loadEnrichment(
      list.map((path) => resolve(io.cwd, path)),
      {
        kind,
        onProgress: (event) =>
          progress.update(`loading ${kind}: ${event.facts.toLocaleString('en')} facts`),
      },
    );
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
    if (result.sources.every((s) => s.records === 0)) {
      throw new UsageError(
        `${list.join(', ')}: no ${kind === 'cve5' ? 'CVE 5' : kind.toUpperCase()} records found`,
      );
    }
  }
  return { facts: mergeFacts(...maps), sources, errors };
}

/** Read every `--vex` document; a document that is not VEX is an error, a bad statement a warning. */
export function loadVex(io: CliIo, paths: readonly string[]): VexStatement[] {
  return paths.flatMap((path) => {
    const parsed = parseVex(readText(io, path, 'VEX document'), path);
    if (!parsed.ok) throw new UsageError(`${path}: ${parsed.error}`);
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
