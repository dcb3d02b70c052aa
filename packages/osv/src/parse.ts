import { parseJson, parseYaml } from '@patchgate/safe-parse';
import { validateOsvRecord } from './schema.ts';
import type { OsvRecord } from './schema.ts';

/** Something that could not be read, named by where it came from. */
export interface OsvLoadError {
  /** File path, or `archive.zip!entry/path.json` for a zip entry. */
  origin: string;
  /** The record id when the document got that far. */
  id?: string;
  reason: string;
}

export interface OsvRecordWarning {
  origin: string;
  id: string;
  warning: string;
}

export interface ParsedOsvDocument {
  records: OsvRecord[];
  errors: OsvLoadError[];
  warnings: OsvRecordWarning[];
}

export type OsvDocumentFormat = 'json' | 'yaml';

/** `json` for `.json`, `yaml` for `.yaml`/`.yml`, otherwise undefined (not an advisory file). */
export function formatOfPath(path: string): OsvDocumentFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

function decode(
  text: string,
  format: OsvDocumentFormat,
): { ok: true; value: unknown } | { ok: false; error: string } {
  // OSV is served as JSON; databases may store YAML (the PyPA database does). YAML 1.2's
  // core schema keeps timestamps as strings, so `modified` reads the same from both. Both
  // readers refuse nesting beyond 256 levels and never quote the text in their errors: a
  // file read on the server must not come back through a sync run's error list.
  return format === 'json' ? parseJson(text) : parseYaml(text);
}

/**
 * Read one OSV document: JSON or YAML, holding a single record or an array of records.
 * `origin` names the document in errors; its extension picks the format (JSON when unknown
 * and the text starts with `{` or `[`, YAML otherwise). One bad record never drops the rest.
 */
export function parseOsvDocument(
  text: string,
  origin: string,
  format?: OsvDocumentFormat,
): ParsedOsvDocument {
  const chosen = format ?? formatOfPath(origin) ?? (/^\s*[[{]/.test(text) ? 'json' : 'yaml');
  const out: ParsedOsvDocument = { records: [], errors: [], warnings: [] };
  const decoded = decode(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, chosen);
  if (!decoded.ok) {
    out.errors.push({ origin, reason: decoded.error });
    return out;
  }
  const items = Array.isArray(decoded.value) ? decoded.value : [decoded.value];
  const many = Array.isArray(decoded.value);
  items.forEach((item, index) => {
    const where = many ? `${origin}[${index}]` : origin;
    const result = validateOsvRecord(item);
    if (!result.ok) {
      out.errors.push(
        result.id === undefined
          ? { origin: where, reason: result.error }
          : { origin: where, id: result.id, reason: result.error },
      );
      return;
    }
    out.records.push(result.record);
    for (const warning of result.warnings) {
      out.warnings.push({ origin: where, id: result.record.id, warning });
    }
  });
  return out;
}
