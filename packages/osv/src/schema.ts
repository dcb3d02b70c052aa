/**
 * OSV schema 1.x types and a lenient, hand-written validator.
 * Spec: https://ossf.github.io/osv-schema/ (informal schema under "Format Overview").
 *
 * Lenient means: unknown fields are kept untouched (OSV promises minor versions only add
 * fields), missing arrays become empty arrays, and a record is rejected only when the parts
 * the evaluator relies on are unusable (no `id`, a malformed `affected` entry). A rejected
 * record carries a message naming the exact field, e.g. `affected[0].ranges[1].events[2]`.
 */

export const OSV_RANGE_TYPES = ['ECOSYSTEM', 'SEMVER', 'GIT'] as const;
export type OsvRangeType = (typeof OSV_RANGE_TYPES)[number];

export const OSV_EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
export type OsvEventKind = (typeof OSV_EVENT_KINDS)[number];

/** Exactly one key per event ("Only a single type ... is allowed in each event object"). */
export type OsvEvent =
  { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvReference {
  type: string;
  url: string;
}

export interface OsvPackage {
  ecosystem: string;
  name: string;
  purl?: string;
}

export interface OsvRange {
  type: OsvRangeType;
  /** Required by the spec for GIT ranges; kept as given. */
  repo?: string;
  events: OsvEvent[];
  database_specific?: Record<string, unknown>;
}

export interface OsvAffected {
  package: OsvPackage;
  ranges: OsvRange[];
  versions: string[];
  severity: OsvSeverity[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  id: string;
  /** RFC 3339 timestamp; an empty string when the source omitted it (a warning says so). */
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  related: string[];
  upstream: string[];
  summary?: string;
  details?: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: OsvReference[];
  database_specific?: Record<string, unknown>;
  schema_version?: string;
  /** Any field this type does not name is kept as read. */
  [unknownField: string]: unknown;
}

export type ValidationResult =
  { ok: true; record: OsvRecord; warnings: string[] } | { ok: false; id?: string; error: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The fields of `obj` not in `known`, copied as read. Building records this way (instead of
 * spreading and deleting) keeps V8's fast object shapes: validation is on the load hot path.
 */
function unknownFields(obj: Json, known: ReadonlySet<string>): Json {
  const out: Json = {};
  for (const key in obj) if (!known.has(key)) out[key] = obj[key];
  return out;
}

const RANGE_FIELDS = new Set(['type', 'repo', 'events', 'database_specific']);
const AFFECTED_FIELDS = new Set([
  'package',
  'ranges',
  'versions',
  'severity',
  'ecosystem_specific',
  'database_specific',
]);
const RECORD_FIELDS = new Set([
  'id',
  'modified',
  'published',
  'withdrawn',
  'aliases',
  'related',
  'upstream',
  'summary',
  'details',
  'severity',
  'affected',
  'references',
  'database_specific',
  'schema_version',
]);

/** Thrown only inside this module and turned into a `{ ok: false }` result below. */
class Malformed extends Error {}

function fail(path: string, reason: string): never {
  throw new Malformed(`${path}: ${reason}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (missing)';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : `a ${typeof value}`;
}

function optionalString(
  obj: Json,
  key: string,
  path: string,
  warnings: string[],
): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  warnings.push(`${path}${key}: expected a string, got ${describe(value)}; ignored`);
  return undefined;
}

function optionalObject(
  obj: Json,
  key: string,
  path: string,
  warnings: string[],
): Record<string, unknown> | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  warnings.push(`${path}${key}: expected an object, got ${describe(value)}; ignored`);
  return undefined;
}

/** An array of strings; non-string items are dropped with a warning (ids, versions). */
function stringArray(obj: Json, key: string, path: string, warnings: string[]): string[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    warnings.push(`${path}${key}: expected an array, got ${describe(value)}; ignored`);
    return [];
  }
  const out: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === 'string') out.push(item);
    else
      warnings.push(`${path}${key}[${index}]: expected a string, got ${describe(item)}; dropped`);
  });
  return out;
}

function typedPairs<T>(
  obj: Json,
  key: string,
  path: string,
  warnings: string[],
  first: string,
  second: string,
): T[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    warnings.push(`${path}${key}: expected an array, got ${describe(value)}; ignored`);
    return [];
  }
  const out: T[] = [];
  value.forEach((item, index) => {
    if (isObject(item) && typeof item[first] === 'string' && typeof item[second] === 'string') {
      out.push(item as T);
    } else {
      warnings.push(`${path}${key}[${index}]: needs string "${first}" and "${second}"; dropped`);
    }
  });
  return out;
}

function readEvent(value: unknown, path: string): OsvEvent {
  if (!isObject(value)) fail(path, `expected an event object, got ${describe(value)}`);
  const kinds = OSV_EVENT_KINDS.filter((kind) => value[kind] !== undefined);
  if (kinds.length !== 1) {
    fail(
      path,
      kinds.length === 0
        ? 'no introduced, fixed, last_affected or limit'
        : `exactly one event type allowed, found ${kinds.join(' and ')}`,
    );
  }
  const kind = kinds[0] as OsvEventKind;
  const version = value[kind];
  // A YAML `fixed: 2.40` would arrive as the number 2.4: refuse rather than guess.
  if (typeof version !== 'string' || version === '') {
    fail(`${path}.${kind}`, `expected a non-empty version string, got ${describe(version)}`);
  }
  return { [kind]: version } as OsvEvent;
}

function readRange(value: unknown, path: string, warnings: string[]): OsvRange {
  if (!isObject(value)) fail(path, `expected a range object, got ${describe(value)}`);
  const type = value['type'];
  if (typeof type !== 'string' || !(OSV_RANGE_TYPES as readonly string[]).includes(type)) {
    fail(`${path}.type`, `expected ECOSYSTEM, SEMVER or GIT, got ${describe(type)}`);
  }
  const events = value['events'];
  if (!Array.isArray(events) || events.length === 0) {
    fail(`${path}.events`, `expected a non-empty array, got ${describe(events)}`);
  }
  const range = unknownFields(value, RANGE_FIELDS) as unknown as OsvRange;
  range.type = type as OsvRangeType;
  range.events = events.map((event, index) => readEvent(event, `${path}.events[${index}]`));
  if (!range.events.some((event) => 'introduced' in event)) {
    // The spec requires one; the evaluator then never marks anything affected by this range.
    warnings.push(`${path}.events: no "introduced" event, the range matches nothing`);
  }
  const repo = optionalString(value, 'repo', `${path}.`, warnings);
  if (repo !== undefined) range.repo = repo;
  const databaseSpecific = optionalObject(value, 'database_specific', `${path}.`, warnings);
  if (databaseSpecific !== undefined) range.database_specific = databaseSpecific;
  return range;
}

function readAffected(value: unknown, path: string, warnings: string[]): OsvAffected {
  if (!isObject(value)) fail(path, `expected an object, got ${describe(value)}`);
  const pkg = value['package'];
  if (!isObject(pkg)) fail(`${path}.package`, `expected an object, got ${describe(pkg)}`);
  for (const key of ['ecosystem', 'name'] as const) {
    if (typeof pkg[key] !== 'string' || pkg[key] === '') {
      fail(`${path}.package.${key}`, `expected a non-empty string, got ${describe(pkg[key])}`);
    }
  }
  const rawRanges = value['ranges'] ?? [];
  if (!Array.isArray(rawRanges)) {
    fail(`${path}.ranges`, `expected an array, got ${describe(rawRanges)}`);
  }
  const affected = unknownFields(value, AFFECTED_FIELDS) as unknown as OsvAffected;
  affected.package = pkg as unknown as OsvPackage;
  affected.ranges = rawRanges.map((range, index) =>
    readRange(range, `${path}.ranges[${index}]`, warnings),
  );
  affected.versions = stringArray(value, 'versions', `${path}.`, warnings);
  affected.severity = typedPairs(value, 'severity', `${path}.`, warnings, 'type', 'score');
  for (const key of ['ecosystem_specific', 'database_specific'] as const) {
    const field = optionalObject(value, key, `${path}.`, warnings);
    if (field !== undefined) affected[key] = field;
  }
  return affected;
}

/**
 * Check one decoded JSON/YAML value against the OSV schema, leniently (see the module doc).
 * Pure; never throws.
 */
export function validateOsvRecord(value: unknown): ValidationResult {
  if (!isObject(value)) return { ok: false, error: `expected an object, got ${describe(value)}` };
  const id = value['id'];
  if (typeof id !== 'string' || id.trim() === '') {
    return { ok: false, error: `id: expected a non-empty string, got ${describe(id)}` };
  }
  const warnings: string[] = [];
  try {
    const rawAffected = value['affected'] ?? [];
    if (!Array.isArray(rawAffected)) {
      fail('affected', `expected an array, got ${describe(rawAffected)}`);
    }
    let modified = optionalString(value, 'modified', '', warnings);
    if (modified === undefined) {
      warnings.push('modified: missing; duplicates of this id cannot be ordered by date');
      modified = '';
    }
    const record = unknownFields(value, RECORD_FIELDS) as OsvRecord;
    record.id = id;
    record.modified = modified;
    for (const key of ['published', 'withdrawn', 'summary', 'details', 'schema_version'] as const) {
      const field = optionalString(value, key, '', warnings);
      if (field !== undefined) record[key] = field;
    }
    record.aliases = stringArray(value, 'aliases', '', warnings);
    record.related = stringArray(value, 'related', '', warnings);
    record.upstream = stringArray(value, 'upstream', '', warnings);
    record.severity = typedPairs(value, 'severity', '', warnings, 'type', 'score');
    record.affected = rawAffected.map((entry, index) =>
      readAffected(entry, `affected[${index}]`, warnings),
    );
    record.references = typedPairs(value, 'references', '', warnings, 'type', 'url');
    const databaseSpecific = optionalObject(value, 'database_specific', '', warnings);
    if (databaseSpecific !== undefined) record.database_specific = databaseSpecific;
    return { ok: true, record, warnings };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, id, error: error.message };
    throw error;
  }
}

/** True when the record carries a `withdrawn` timestamp: keep it, but never match it. */
export function isWithdrawn(record: OsvRecord): boolean {
  return record.withdrawn !== undefined && record.withdrawn !== '';
}
