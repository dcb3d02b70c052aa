/**
 * OSV affected-range evaluation, as the schema's "Evaluation" section specifies:
 * https://ossf.github.io/osv-schema/#evaluation
 *
 *   IncludedInVersions(v) || IncludedInRanges(v), where for each range
 *   BeforeLimits(v) and, walking the events sorted by version,
 *   `introduced` with v >= e sets vulnerable, `fixed` with v >= e clears it,
 *   `last_affected` with v > e clears it.
 *
 * Compile once, evaluate many times: `compileAffected` parses every event version once; the
 * installed version is parsed once per scheme through a `PreparedVersion` cache that the
 * matcher can share across every affected entry of an ecosystem.
 */
import { ecosystemBase, findScheme, schemeForEcosystem } from '@patchgate/versioning';
import type { ParseResult, VersionScheme } from '@patchgate/versioning';
import type { OsvAffected, OsvEvent, OsvEventKind, OsvRange, OsvRangeType } from './schema.ts';

export interface Verdict {
  /** True when the version is listed in `versions` or falls inside an evaluable range. */
  affected: boolean;
  /**
   * False when the answer "not affected" cannot be trusted: some ECOSYSTEM/SEMVER range could
   * not be evaluated (no scheme, an unparseable event or installed version), or the entry has
   * nothing version-evaluable at all. Always true when `affected` is true.
   */
  evaluable: boolean;
  /** One sentence for people: why affected, why not, or why it could not be decided. */
  reason: string;
  /**
   * The `fixed` version closing the interval the installed version falls in, per matched
   * range (usually one), ascending; empty when that interval has no fix.
   */
  fixed: string[];
  /** The `last_affected` version closing the installed version's interval, per matched range. */
  lastAffected: string[];
  /** Human form of the matched interval: `>=1.14.0 <1.14.9`, `<=1.11.0`, `versions list`. */
  matchedRange?: string;
  /** Ranges that were skipped or could not be evaluated, and why. */
  problems: string[];
}

export interface CompileOptions {
  /**
   * Applied to every event version, every `versions` entry and the installed version before
   * parsing/comparing (the matcher passes the rpm scheme's `stripEpoch` when an rpm
   * inventory recorded no epochs). Must be pure.
   */
  ignoreEpoch?: (version: string) => string;
  /**
   * Which scheme orders a range; defaults to the `semver` scheme for SEMVER ranges (whatever
   * the ecosystem) and `schemeForEcosystem(ecosystem)` for ECOSYSTEM ranges.
   */
  resolveScheme?: (type: 'ECOSYSTEM' | 'SEMVER', ecosystem: string) => VersionScheme | undefined;
}

/** An installed version plus its parse results, filled lazily, one per scheme/transform. */
export interface PreparedVersion {
  readonly raw: string;
  readonly parsed: Map<Parser, ParseResult<unknown>>;
}

export function prepareVersion(raw: string): PreparedVersion {
  return { raw, parsed: new Map() };
}

/** One (scheme, transform) pair; interned so that PreparedVersion caches can key on it. */
export interface Parser {
  readonly scheme: VersionScheme;
  readonly transform: ((version: string) => string) | undefined;
}

const parsers = new WeakMap<VersionScheme, Map<unknown, Parser>>();

function parserFor(
  scheme: VersionScheme,
  transform: ((version: string) => string) | undefined,
): Parser {
  let byTransform = parsers.get(scheme);
  if (byTransform === undefined) {
    byTransform = new Map();
    parsers.set(scheme, byTransform);
  }
  let parser = byTransform.get(transform);
  if (parser === undefined) {
    parser = { scheme, transform };
    byTransform.set(transform, parser);
  }
  return parser;
}

function parseWith(parser: Parser, version: string): ParseResult<unknown> {
  return parser.scheme.parse(parser.transform === undefined ? version : parser.transform(version));
}

function parsePrepared(parser: Parser, version: PreparedVersion): ParseResult<unknown> {
  let result = version.parsed.get(parser);
  if (result === undefined) {
    result = parseWith(parser, version.raw);
    version.parsed.set(parser, result);
  }
  return result;
}

/** `introduced: "0"` sorts before every version; a `limit` containing `*` is infinity. */
const MIN = Symbol('lowest version');
const INFINITY = Symbol('infinity');
type Bound = unknown;

interface CompiledEvent {
  kind: OsvEventKind;
  raw: string;
  value: Bound;
}

interface CompiledRange {
  type: OsvRangeType;
  /** Set when the range cannot be evaluated; the reason. */
  problem?: string;
  /** GIT ranges and other deliberate skips: noted, but they do not make a verdict unsure. */
  skipped?: string;
  parser?: Parser;
  /** introduced/fixed/last_affected, sorted by version, `introduced: "0"` first. */
  events: CompiledEvent[];
  /** `limit` events; `*` is INFINITY. */
  limits: CompiledEvent[];
}

export interface CompiledAffected {
  readonly affected: OsvAffected;
  /** Compile-time problems (no scheme, unparseable events, GIT ranges), by range. */
  readonly problems: readonly string[];
  evaluate(installedVersion: string): Verdict;
  evaluateParsed(installed: PreparedVersion): Verdict;
}

function eventKind(event: OsvEvent): OsvEventKind {
  if ('introduced' in event) return 'introduced';
  if ('fixed' in event) return 'fixed';
  if ('last_affected' in event) return 'last_affected';
  return 'limit';
}

function eventVersion(event: OsvEvent): string {
  if ('introduced' in event) return event.introduced;
  if ('fixed' in event) return event.fixed;
  if ('last_affected' in event) return event.last_affected;
  return event.limit;
}

function compare(scheme: VersionScheme, a: Bound, b: Bound): number {
  if (a === b) return 0;
  if (a === MIN || b === INFINITY) return -1;
  if (a === INFINITY || b === MIN) return 1;
  return scheme.compareParsed(a, b);
}

/**
 * SEMVER ranges are SemVer 2.0 whatever the ecosystem, except that Go's own scheme *is* SemVer
 * with Go's spelling (a `v` prefix in go.mod and build info, which OSV's Go records omit), so
 * a Go SEMVER range is read by the Go scheme and `v1.2.3` meets `1.2.3`.
 */
function defaultResolve(type: 'ECOSYSTEM' | 'SEMVER', ecosystem: string) {
  if (type === 'ECOSYSTEM') return schemeForEcosystem(ecosystem);
  return ecosystemBase(ecosystem) === 'Go' ? findScheme('go') : findScheme('semver');
}

function compileRange(
  range: OsvRange,
  index: number,
  ecosystem: string,
  options: CompileOptions,
): CompiledRange {
  const label = `range ${index} (${range.type})`;
  const empty = { type: range.type, events: [], limits: [] };
  if (range.type === 'GIT') {
    return {
      ...empty,
      skipped: `${label}: GIT ranges name commits and need the repository's history; not evaluated against a version`,
    };
  }
  const scheme = (options.resolveScheme ?? defaultResolve)(range.type, ecosystem);
  if (scheme === undefined) {
    return {
      ...empty,
      problem: `${label}: no version scheme for ${range.type === 'SEMVER' ? 'SEMVER' : `ecosystem "${ecosystem}"`}`,
    };
  }
  const parser = parserFor(scheme, options.ignoreEpoch);
  const events: CompiledEvent[] = [];
  const limits: CompiledEvent[] = [];
  const rejected: string[] = [];
  for (const event of range.events) {
    const kind = eventKind(event);
    const raw = eventVersion(event);
    let value: Bound;
    if (kind === 'introduced' && raw === '0') value = MIN;
    else if (kind === 'limit' && raw.includes('*')) value = INFINITY;
    else {
      const parsed = parseWith(parser, raw);
      if (!parsed.ok) {
        rejected.push(`${kind} "${raw}" (${parsed.error})`);
        continue;
      }
      value = parsed.value;
    }
    (kind === 'limit' ? limits : events).push({ kind, raw, value });
  }
  if (rejected.length > 0) {
    return {
      ...empty,
      problem: `${label}: ${scheme.id} rejects ${rejected.join(', ')}`,
    };
  }
  // Array.prototype.sort is stable: events at the same version keep their record order.
  events.sort((a, b) => compare(scheme, a.value, b.value));
  return { type: range.type, parser, events, limits };
}

interface RangeMatch {
  display: string;
  fixed: CompiledEvent[];
  lastAffected: CompiledEvent[];
}

function evaluateRange(range: CompiledRange, scheme: VersionScheme, v: unknown): RangeMatch | null {
  // BeforeLimits: no limit events means an implicit `limit: "*"`.
  if (
    range.limits.length > 0 &&
    !range.limits.some((limit) => compare(scheme, v, limit.value) < 0)
  ) {
    return null;
  }
  let vulnerable = false;
  let opened = -1;
  const events = range.events;
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as CompiledEvent;
    const order = compare(scheme, v, event.value);
    if (event.kind === 'introduced') {
      if (order >= 0) {
        vulnerable = true;
        opened = index;
      }
    } else if (event.kind === 'fixed' ? order >= 0 : order > 0) {
      // fixed: v >= fixed is unaffected; last_affected: only v > last_affected is.
      vulnerable = false;
    }
  }
  if (!vulnerable) return null;
  const start = range.events[opened];
  const end = range.events.slice(opened + 1).find((event) => event.kind !== 'introduced');
  const parts: string[] = [];
  if (start !== undefined && start.value !== MIN) parts.push(`>=${start.raw}`);
  if (end !== undefined) parts.push(end.kind === 'fixed' ? `<${end.raw}` : `<=${end.raw}`);
  else {
    // No fixed/last_affected above: the nearest finite limit is the upper bound.
    const limit = range.limits
      .filter((bound) => bound.value !== INFINITY && compare(scheme, v, bound.value) < 0)
      .sort((a, b) => compare(scheme, a.value, b.value))[0];
    if (limit !== undefined) parts.push(`<${limit.raw}`);
  }
  return {
    display: parts.length === 0 ? 'all versions' : parts.join(' '),
    // The event closing the interval the version is in: the fix for *its* line. Later
    // intervals' fixes are other release lines (wasmtime 24.0.11 is fixed by 24.0.12, not
    // by 47.0.3), so they are not offered as this version's fix.
    fixed: end?.kind === 'fixed' ? [end] : [],
    lastAffected: end?.kind === 'last_affected' ? [end] : [],
  };
}

function sortedUnique(groups: { scheme: VersionScheme; events: CompiledEvent[] }[]): string[] {
  const first = groups[0];
  if (first === undefined) return [];
  const sameScheme = groups.every((group) => group.scheme === first.scheme);
  const all = groups.flatMap((group) => group.events);
  if (sameScheme) all.sort((a, b) => compare(first.scheme, a.value, b.value));
  return [...new Set(all.map((event) => event.raw))];
}

/** Compile one `affected[]` entry: parse every event version once. Pure; never throws. */
export function compileAffected(
  affected: OsvAffected,
  options: CompileOptions = {},
): CompiledAffected {
  const ecosystem = affected.package.ecosystem;
  const transform = options.ignoreEpoch;
  const listed = new Set(
    transform === undefined ? affected.versions : affected.versions.map(transform),
  );
  const ranges = affected.ranges.map((range, index) =>
    compileRange(range, index, ecosystem, options),
  );
  const compileProblems = ranges.flatMap((range) => range.problem ?? range.skipped ?? []);
  const evaluable = ranges.filter((range) => range.parser !== undefined);
  const unsure = ranges.some((range) => range.problem !== undefined);
  const nothingToEvaluate = evaluable.length === 0 && !unsure && listed.size === 0;

  function evaluateParsed(installed: PreparedVersion): Verdict {
    const key = transform === undefined ? installed.raw : transform(installed.raw);
    const inList = listed.has(key);
    const problems = [...compileProblems];
    const displays: string[] = [];
    const fixed: { scheme: VersionScheme; events: CompiledEvent[] }[] = [];
    const lastAffected: { scheme: VersionScheme; events: CompiledEvent[] }[] = [];
    let installedRejected = false;
    for (const range of evaluable) {
      const parser = range.parser as Parser;
      const parsed = parsePrepared(parser, installed);
      if (!parsed.ok) {
        installedRejected = true;
        problems.push(
          `installed version "${installed.raw}" is not a valid ${parser.scheme.id} version (${parsed.error})`,
        );
        continue;
      }
      const match = evaluateRange(range, parser.scheme, parsed.value);
      if (match === null) continue;
      displays.push(match.display);
      fixed.push({ scheme: parser.scheme, events: match.fixed });
      lastAffected.push({ scheme: parser.scheme, events: match.lastAffected });
    }
    const base = {
      fixed: sortedUnique(fixed),
      lastAffected: sortedUnique(lastAffected),
      problems: [...new Set(problems)],
    };
    if (displays.length > 0 || inList) {
      const matchedRange =
        displays.length > 0 ? [...new Set(displays)].join(' || ') : 'versions list';
      return {
        affected: true,
        evaluable: true,
        reason: inList
          ? `${installed.raw} is listed in the affected versions`
          : `${installed.raw} is in the affected range ${matchedRange}`,
        ...base,
        matchedRange,
      };
    }
    if (nothingToEvaluate) {
      return {
        affected: false,
        evaluable: false,
        reason:
          affected.ranges.length === 0
            ? 'no ranges and no versions list: nothing to evaluate'
            : 'only GIT ranges and no versions list: nothing version-evaluable',
        ...base,
      };
    }
    if (unsure || installedRejected) {
      return {
        affected: false,
        evaluable: false,
        reason: `could not decide: ${base.problems.filter((p) => !p.includes('GIT ranges')).join('; ')}`,
        ...base,
      };
    }
    return {
      affected: false,
      evaluable: true,
      reason: `${installed.raw} is outside every affected range and not in the versions list`,
      ...base,
    };
  }

  return {
    affected,
    problems: compileProblems,
    evaluate: (installedVersion) => evaluateParsed(prepareVersion(installedVersion)),
    evaluateParsed,
  };
}
