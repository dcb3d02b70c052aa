/**
 * The ignore file: a user's time-boxed decision to accept a finding.
 *
 *   # .patchgateignore.yaml
 *   version: 1
 *   ignore:
 *     - id: CVE-2023-44487              # advisory id or any alias
 *       package: pkg:npm/http2-wrapper   # optional: a name, or a purl (version-aware)
 *       reason: not exposed, internal gRPC only
 *       expires: 2025-12-31              # required; the entry stops applying on this day
 *       owner: team-platform
 *
 * Every entry needs a reason and an expiry date: an ignore without one is how findings get
 * forgotten. Entries are validated one by one; a bad entry is reported with its path and left
 * out, the valid ones still apply. Nothing here throws.
 */
import { parseYaml } from '@patchgate/safe-parse';
import type { z } from 'zod';
import { IgnoreFile, IgnoreFileEntry } from './schema.ts';

/** One valid entry of an ignore file, with where it came from. */
export interface IgnoreEntry {
  readonly id: string;
  readonly package?: string;
  readonly reason: string;
  /** `YYYY-MM-DD`: the first day the entry no longer applies. */
  readonly expires: string;
  readonly owner?: string;
  /** The file it was read from, as the user named it. */
  readonly file: string;
  /** Position in `ignore[]`, from 0 (messages say "entry index+1"). */
  readonly index: number;
}

export interface IgnoreFileResult {
  readonly entries: readonly IgnoreEntry[];
  /** `ignore[3].expires: required`; empty when the whole file is valid. */
  readonly errors: readonly string[];
}

function issuePaths(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    let path = prefix;
    for (const part of issue.path) {
      path +=
        typeof part === 'number' ? `[${part}]` : path === '' ? String(part) : `.${String(part)}`;
    }
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}

/** A human label for an entry: `ignore file .patchgateignore.yaml entry 3`. */
export function ignoreEntryLabel(entry: Pick<IgnoreEntry, 'file' | 'index'>): string {
  return `ignore file ${entry.file} entry ${entry.index + 1}`;
}

/** Read an ignore file (YAML or JSON). `file` names it in entries and messages. */
export function parseIgnoreFile(text: string, file: string): IgnoreFileResult {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { entries: [], errors: [`not YAML or JSON: ${parsed.error}`] };
  const raw = parsed.value;
  const top = IgnoreFile.safeParse(raw ?? {});
  if (!top.success) return { entries: [], errors: issuePaths(top.error, '') };

  const entries: IgnoreEntry[] = [];
  const errors: string[] = [];
  top.data.ignore.forEach((item, index) => {
    const parsed = IgnoreFileEntry.safeParse(item);
    if (!parsed.success) {
      errors.push(...issuePaths(parsed.error, `ignore[${index}]`));
      return;
    }
    const { id, package: pkg, reason, expires, owner } = parsed.data;
    entries.push({
      id,
      ...(pkg !== undefined && { package: pkg }),
      reason,
      expires,
      ...(owner !== undefined && { owner }),
      file,
      index,
    });
  });
  return { entries, errors };
}
