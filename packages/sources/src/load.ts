/**
 * The I/O edge of the enrichment sources: read KEV, EPSS, CVE 5 and NVD data from files,
 * directories (a cvelistV5 or vulnrichment tree) and zip archives, gzip undone by magic
 * bytes, and merge what the pure parsers return. Nothing here throws for bad input: a path
 * that does not exist, a file no source recognises, an unreadable archive are error entries.
 * Exported from `@patchgate/sources/node` only: the main entry stays browser-safe.
 */
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ZipLimits } from '@patchgate/safe-parse/node';
import {
  DEFAULT_ZIP_LIMITS,
  OUTSIDE_ROOTS,
  confinePath,
  readZip,
  realRoots,
} from '@patchgate/safe-parse/node';
import { mergeFacts } from './facts.ts';
import type { EnrichmentSource, FactsByCve, SourceError, VulnerabilityFacts } from './facts.ts';
import { detectSource, enrichmentSource } from './registry.ts';
import type { EnrichmentSourceId } from './registry.ts';

export interface EnrichmentProgress {
  /** The path (as given) being loaded. */
  readonly path: string;
  /** Files (or archive entries) read so far, across every path. */
  readonly files: number;
  /** Facts (one per CVE per file) read so far, across every path. */
  readonly facts: number;
}

export interface LoadEnrichmentOptions {
  /** Called about every 1,000 files or facts, and once at the end of each path. */
  onProgress?(event: EnrichmentProgress): void;
  /** Read every file with this source instead of detecting one per file. */
  kind?: EnrichmentSourceId;
  /** Clock for `millis`; defaults to `performance.now`. */
  now?: () => number;
  /**
   * Read only inside these directories: every path given and every file found is resolved
   * (`..`, symbolic links) and refused when it lies elsewhere, with one message whether it
   * exists or not. Unset: any path (the CLI reads what its user names).
   */
  roots?: readonly string[];
  /**
   * Limits on what a zip may inflate to (defaults: 64 MiB an entry, 2 GiB in all, 1,000,000
   * entries); `maxEntryBytes` also bounds what a gzip file inflates to.
   */
  zipLimits?: Partial<ZipLimits>;
}

/** What one kind of data under one given path yielded. */
export interface LoadedSource {
  /** The path as given to `loadEnrichment`. */
  readonly path: string;
  readonly kind: EnrichmentSourceId;
  /** Files or archive entries of this kind. */
  files: number;
  /** Entries read (catalogue entries, score rows, CVE records), rejected ones included. */
  records: number;
  errors: number;
  /** Wall time to load the whole path (shared by every kind found under it). */
  millis: number;
  /** The source's metadata; over several files numbers are summed, text is the last file's. */
  metadata: Record<string, string | number>;
}

export interface LoadEnrichmentResult {
  readonly facts: Map<string, VulnerabilityFacts>;
  readonly errors: SourceError[];
  readonly sources: LoadedSource[];
}

const PROGRESS_EVERY = 1000;
/**
 * Files are read synchronously: for tens of thousands of small files (a CVE 5 tree) that is
 * 3-4 times faster than `fs/promises` (measured on vulnrichment: 0.7 s against 2.5 s at 32
 * reads in flight), since each async read is several thread-pool round trips. The loop yields
 * to the event loop every YIELD_EVERY files so that timers and I/O of the caller still run.
 */
const YIELD_EVERY = 500;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
/**
 * The order facts are merged in, whatever the order of the paths. KEV and EPSS keep the
 * latest fact and the first one on a tie, so the catalogue itself (which also names the
 * ransomware use) wins over the CVE 5 and NVD mirrors of the same `dateAdded`; CVE 5's
 * `datePublished` wins over NVD's for `published`.
 */
const MERGE_ORDER: readonly EnrichmentSourceId[] = ['kev', 'cve5', 'nvd', 'epss'];

const GZIP = [0x1f, 0x8b] as const;
const ZIP = [0x50, 0x4b, 0x03, 0x04] as const;
const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  magic.every((byte, index) => bytes[index] === byte);

/**
 * Names worth opening inside directories and zips: `*.json`, `*.csv`, `*.gz` (and `*.zip` in
 * directories). README.md, LICENSE and cvelistV5's change logs `delta.json`/`deltaLog.json`
 * (not records) are skipped.
 */
const CANDIDATE = /\.(json|csv|zip)(\.gz)?$|\.gz$/i;
const NOT_DATA = /(^|\/)delta(Log)?\.json$/;
const isDataName = (name: string) =>
  CANDIDATE.test(name) && !/\.zip$/i.test(name) && !NOT_DATA.test(name);
const decoder = new TextDecoder('utf-8');

/** Errors say what failed by errno code: a message could carry more than the path. */
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'read error';

class Loader {
  readonly errors: SourceError[] = [];
  readonly sources: LoadedSource[] = [];
  private readonly byKind = new Map<EnrichmentSourceId, Map<string, VulnerabilityFacts>>();
  private files = 0;
  private factCount = 0;
  private sinceProgress = 0;
  private lastProgress: EnrichmentProgress | undefined;
  private readonly forced: EnrichmentSource | undefined;
  private readonly limits: ZipLimits;

  constructor(
    private readonly options: LoadEnrichmentOptions,
    /** Real paths of the roots; undefined: unconfined. */
    private readonly roots: readonly string[] | undefined,
  ) {
    this.forced = options.kind === undefined ? undefined : enrichmentSource(options.kind);
    this.limits = { ...DEFAULT_ZIP_LIMITS, ...options.zipLimits };
  }

  /** The real path to open, or undefined (and an error) when it is outside the roots. */
  async confine(path: string): Promise<string | undefined> {
    if (this.roots === undefined) return path;
    const confined = await confinePath(path, this.roots);
    if (confined.ok) return confined.path;
    this.errors.push({
      origin: path,
      message: confined.reason === 'missing' ? 'not found' : OUTSIDE_ROOTS,
    });
    return undefined;
  }

  /** One file: a zip is read entry by entry from disk, anything else whole. */
  async file(path: string, file: string): Promise<void> {
    const real = await this.confine(file);
    if (real === undefined) return;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(real);
    } catch (error) {
      this.errors.push({ origin: file, message: `unreadable: ${codeOf(error)}` });
      return;
    }
    if (startsWith(bytes, ZIP)) await this.zip(path, file, bytes);
    else this.bytes(path, file, bytes);
  }

  /**
   * One file's or zip entry's bytes: gzip or plain text; `origin` names it in facts and
   * errors. A zip inside a zip is not opened: nesting is how bombs multiply.
   */
  private bytes(path: string, origin: string, bytes: Uint8Array): void {
    if (startsWith(bytes, ZIP)) {
      this.errors.push({ origin, message: 'a zip inside a zip is not read' });
      return;
    }
    let data = bytes;
    if (startsWith(bytes, GZIP)) {
      try {
        // maxOutputLength stops inflating there: a gzip bomb is refused, not unpacked.
        data = gunzipSync(bytes, { maxOutputLength: this.limits.maxEntryBytes });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        this.errors.push({
          origin,
          message:
            code === 'ERR_BUFFER_TOO_LARGE'
              ? `refused: inflates beyond the per-entry limit of ${this.limits.maxEntryBytes} bytes`
              : `unreadable gzip: ${code ?? 'damaged data'}`,
        });
        return;
      }
    }
    this.text(path, origin, decoder.decode(data));
  }

  /**
   * A zip's data entries, in name order, inflated one at a time with `node:zlib` within the
   * limits (a whole cvelistV5 archive unpacks to gigabytes, a bomb to far more).
   */
  private async zip(path: string, origin: string, bytes: Uint8Array): Promise<void> {
    let sinceYield = 0;
    const result = await readZip(bytes, {
      wanted: isDataName,
      sortByName: true,
      limits: this.limits,
      onEntry: async (name, data) => {
        this.bytes(path, `${origin}!${name}`, data);
        if (++sinceYield % YIELD_EVERY === 0) await yieldToEventLoop();
      },
    });
    for (const problem of result.problems) {
      this.errors.push({
        origin: problem.entry === undefined ? origin : `${origin}!${problem.entry}`,
        message: problem.message,
      });
    }
    if (result.entries === 0 && result.problems.length === 0) {
      this.errors.push({ origin, message: 'no .json, .csv or .gz entry inside the zip' });
    }
  }

  private text(path: string, origin: string, text: string): void {
    const input = { path: origin, text };
    const source = this.forced ?? detectSource(input);
    if (source === undefined) {
      this.errors.push({
        origin,
        message: 'not recognised as CISA KEV, FIRST EPSS, CVE JSON 5 or NVD API 2.0 data',
      });
      return;
    }
    const kind = source.id as EnrichmentSourceId;
    const result = source.parse(input);
    this.errors.push(...result.errors);
    const target = this.byKind.get(kind) ?? new Map<string, VulnerabilityFacts>();
    this.byKind.set(kind, target);
    mergeInto(target, result.facts);
    const records = result.metadata['records'];
    const entry = this.entry(path, kind);
    entry.files++;
    entry.records += typeof records === 'number' ? records : result.facts.size;
    entry.errors += result.errors.length;
    entry.metadata =
      entry.files === 1 ? { ...result.metadata } : sum(entry.metadata, result.metadata);
    this.files++;
    this.factCount += result.facts.size;
    this.sinceProgress += 1 + result.facts.size;
    if (this.sinceProgress >= PROGRESS_EVERY) this.progress(path);
  }

  private entry(path: string, kind: EnrichmentSourceId): LoadedSource {
    let entry = this.sources.find((s) => s.path === path && s.kind === kind);
    if (entry === undefined) {
      entry = { path, kind, files: 0, records: 0, errors: 0, millis: 0, metadata: {} };
      this.sources.push(entry);
    }
    return entry;
  }

  /** Report progress, unless nothing changed since the last report. */
  progress(path: string): void {
    this.sinceProgress = 0;
    const event = { path, files: this.files, facts: this.factCount };
    const last = this.lastProgress;
    if (last?.path === path && last.files === event.files && last.facts === event.facts) return;
    this.lastProgress = event;
    this.options.onProgress?.(event);
  }

  finishPath(path: string, millis: number): void {
    for (const entry of this.sources) if (entry.path === path) entry.millis = millis;
    this.progress(path);
  }

  /** Every kind merged in MERGE_ORDER; a CVE only one kind knows is taken as it is. */
  merged(): Map<string, VulnerabilityFacts> {
    const merged = new Map<string, VulnerabilityFacts>();
    for (const kind of MERGE_ORDER) mergeInto(merged, this.byKind.get(kind) ?? new Map());
    return merged;
  }
}

const one = (facts: VulnerabilityFacts): FactsByCve => new Map([[facts.cve, facts]]);

/**
 * `mergeFacts` one CVE at a time into `target`: calling it on whole maps would copy every
 * fact again for each file (36,003 files) or kind (300,000 EPSS facts).
 */
function mergeInto(target: Map<string, VulnerabilityFacts>, facts: FactsByCve): void {
  for (const [cve, fact] of facts) {
    const current = target.get(cve);
    target.set(
      cve,
      current === undefined ? fact : (mergeFacts(one(current), one(fact)).get(cve) ?? fact),
    );
  }
}

function sum(
  a: Record<string, string | number>,
  b: Readonly<Record<string, string | number>>,
): Record<string, string | number> {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = out[key];
    out[key] = typeof value === 'number' && typeof current === 'number' ? current + value : value;
  }
  return out;
}

/** Candidate files under a directory, recursively, sorted; dot-directories skipped. */
async function walk(directory: string, files: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, files);
    else if (entry.isFile() && CANDIDATE.test(entry.name) && !NOT_DATA.test(entry.name))
      files.push(path);
  }
}

/**
 * Load enrichment data from any mix of files (gzip detected by magic bytes), directories
 * (recursive: `*.json`, `*.csv`, `*.gz`, `*.zip`) and zip archives, and merge it with
 * `mergeFacts` (KEV first, then CVE 5, NVD, EPSS: see MERGE_ORDER). Lenient: every problem
 * is an entry in `errors`, never a rejected promise.
 */
export async function loadEnrichment(
  paths: readonly string[],
  options: LoadEnrichmentOptions = {},
): Promise<LoadEnrichmentResult> {
  const now = options.now ?? (() => performance.now());
  const roots = options.roots === undefined ? undefined : await realRoots(options.roots);
  const loader = new Loader(options, roots);

  for (const path of paths) {
    const started = now();
    const real = await loader.confine(path);
    if (real === undefined) continue;
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(real)).isDirectory();
    } catch (error) {
      loader.errors.push({ origin: path, message: `not found or unreadable: ${codeOf(error)}` });
      continue;
    }
    const files: string[] = [];
    if (isDirectory) {
      try {
        await walk(real, files);
      } catch (error) {
        loader.errors.push({ origin: path, message: `unreadable directory: ${codeOf(error)}` });
        continue;
      }
      if (files.length === 0)
        loader.errors.push({ origin: path, message: 'no .json, .csv, .gz or .zip file inside' });
    } else files.push(path);

    for (const [index, file] of files.entries()) {
      await loader.file(path, file);
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    }
    loader.finishPath(path, Math.round(now() - started));
  }

  return { facts: loader.merged(), errors: loader.errors, sources: loader.sources };
}
