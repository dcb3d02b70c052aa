/**
 * The I/O edge of this package: read OSV advisories from files, directories and zip archives
 * (OSV's bulk export is `<Ecosystem>/all.zip`). Everything else in the package is pure; this
 * file only reads and hands the text to `parseOsvDocument`. Exported from
 * `@patchgate/osv/node` only, so that the package's main entry stays browser-safe.
 */
import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZipLimits } from '@patchgate/safe-parse/node';
import { OUTSIDE_ROOTS, confinePath, readZip, realRoots } from '@patchgate/safe-parse/node';
import { formatOfPath, parseOsvDocument } from './parse.ts';
import type { OsvLoadError, OsvRecordWarning, ParsedOsvDocument } from './parse.ts';
import { isWithdrawn } from './schema.ts';
import type { OsvRecord } from './schema.ts';

export type AdvisorySourceKind = 'file' | 'directory' | 'zip';

export interface AdvisorySource {
  path: string;
  kind: AdvisorySourceKind;
  /** Valid records read from this source (before de-duplication across sources). */
  records: number;
  errors: number;
  millis: number;
}

export interface LoadProgress {
  /** The source being read. */
  path: string;
  /** Valid records read so far, across every source. */
  records: number;
  errors: number;
  /** Sources finished so far. */
  sourcesDone: number;
}

export interface LoadOptions {
  /** Called about every 1,000 records and once at the end of each source. */
  onProgress?: (event: LoadProgress) => void;
  /** Clock for `millis`; defaults to `performance.now`. */
  now?: () => number;
  /**
   * Read only inside these directories: every path given and every file found is resolved
   * (`..`, symbolic links) and refused when it lies elsewhere, with one message whether it
   * exists or not. Unset: any path (the CLI reads what its user names).
   */
  roots?: readonly string[];
  /** Limits on what a zip may inflate to (defaults: 64 MiB an entry, 2 GiB in all). */
  zipLimits?: Partial<ZipLimits>;
}

export interface LoadResult {
  /** One record per id: the one with the newest `modified` (the first read on a tie). */
  records: OsvRecord[];
  errors: OsvLoadError[];
  warnings: OsvRecordWarning[];
  sources: AdvisorySource[];
  /** Records dropped because another source had the same id (older or equal `modified`). */
  duplicates: number;
  /** Records kept but flagged withdrawn (`isWithdrawn`): the matcher must not match them. */
  withdrawn: number;
}

const PROGRESS_EVERY = 1000;

/** Newer `modified` wins. Timestamps differ in precision, so compare instants, not text. */
function isNewer(candidate: OsvRecord, current: OsvRecord): boolean {
  const a = Date.parse(candidate.modified);
  const b = Date.parse(current.modified);
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a > b;
}

class Collector {
  readonly byId = new Map<string, OsvRecord>();
  readonly errors: OsvLoadError[] = [];
  readonly warnings: OsvRecordWarning[] = [];
  readonly sources: AdvisorySource[] = [];
  duplicates = 0;
  read = 0;
  private nextProgress = PROGRESS_EVERY;

  constructor(private readonly options: LoadOptions) {}

  add(document: ParsedOsvDocument, source: AdvisorySource): void {
    for (const record of document.records) {
      const current = this.byId.get(record.id);
      if (current === undefined) this.byId.set(record.id, record);
      else {
        this.duplicates++;
        if (isNewer(record, current)) this.byId.set(record.id, record);
      }
    }
    source.records += document.records.length;
    source.errors += document.errors.length;
    this.read += document.records.length;
    this.errors.push(...document.errors);
    this.warnings.push(...document.warnings);
    if (this.read >= this.nextProgress) {
      this.nextProgress = (Math.floor(this.read / PROGRESS_EVERY) + 1) * PROGRESS_EVERY;
      this.progress(source.path);
    }
  }

  fail(origin: string, reason: string, source?: AdvisorySource): void {
    this.errors.push({ origin, reason });
    if (source !== undefined) source.errors++;
  }

  progress(path: string): void {
    this.options.onProgress?.({
      path,
      records: this.read,
      errors: this.errors.length,
      sourcesDone: this.sources.length,
    });
  }
}

const decoder = new TextDecoder('utf-8');

/** Errors say what failed by errno code: a message could carry more than the path. */
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'read error';

class Reader {
  constructor(
    readonly collector: Collector,
    readonly options: LoadOptions,
    /** Real paths of the roots; undefined: unconfined. */
    readonly roots: readonly string[] | undefined,
  ) {}

  /** The real path to open, or undefined (and an error) when it is outside the roots. */
  async confine(path: string, source?: AdvisorySource): Promise<string | undefined> {
    if (this.roots === undefined) return path;
    const confined = await confinePath(path, this.roots);
    if (confined.ok) return confined.path;
    this.collector.fail(path, confined.reason === 'missing' ? 'not found' : OUTSIDE_ROOTS, source);
    return undefined;
  }

  async zip(path: string, source: AdvisorySource): Promise<void> {
    const result = await readZip(path, {
      // Only the advisory entries are inflated; directories and other files are skipped.
      wanted: (name) => formatOfPath(name) !== undefined,
      ...(this.options.zipLimits !== undefined && { limits: this.options.zipLimits }),
      onEntry: (name, data) => {
        this.collector.add(
          parseOsvDocument(decoder.decode(data), `${source.path}!${name}`),
          source,
        );
      },
    });
    for (const problem of result.problems) {
      const origin = problem.entry === undefined ? source.path : `${source.path}!${problem.entry}`;
      this.collector.fail(origin, problem.message, source);
    }
  }

  async file(path: string, source: AdvisorySource): Promise<void> {
    const real = await this.confine(path, source);
    if (real === undefined) return;
    if (path.toLowerCase().endsWith('.zip')) {
      await this.zip(real, source);
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(real);
    } catch (error) {
      this.collector.fail(path, `unreadable: ${codeOf(error)}`, source);
      return;
    }
    this.collector.add(parseOsvDocument(decoder.decode(bytes), path), source);
  }

  /**
   * Advisory files under a directory, recursively, sorted; dot-directories (.git) skipped.
   * Symbolic links to files are read (confined like any path); links to directories are not
   * followed.
   */
  async walk(directory: string, files: string[], zips: string[]): Promise<void> {
    const entries: Dirent[] = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.')) await this.walk(path, files, zips);
      } else if (entry.name.toLowerCase().endsWith('.zip')) zips.push(path);
      else if (formatOfPath(entry.name) !== undefined) files.push(path);
    }
  }
}

/**
 * Load OSV advisories from any mix of directories (recursive: `*.json`, `*.yaml`, `*.yml`
 * and every `*.zip` inside), single files and zip archives. Unreadable files and invalid
 * records become `errors`; nothing here throws for bad input.
 */
export async function loadAdvisories(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const now = options.now ?? (() => performance.now());
  const collector = new Collector(options);
  const roots = options.roots === undefined ? undefined : await realRoots(options.roots);
  const reader = new Reader(collector, options, roots);

  const finish = (source: AdvisorySource, started: number) => {
    source.millis = Math.round(now() - started);
    collector.sources.push(source);
    collector.progress(source.path);
  };

  for (const path of paths) {
    const started = now();
    const real = await reader.confine(path);
    if (real === undefined) continue;
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(real)).isDirectory();
    } catch (error) {
      collector.fail(path, `not found or unreadable: ${codeOf(error)}`);
      continue;
    }
    if (!isDirectory) {
      const kind = path.toLowerCase().endsWith('.zip') ? 'zip' : 'file';
      const source: AdvisorySource = { path, kind, records: 0, errors: 0, millis: 0 };
      await reader.file(path, source);
      finish(source, started);
      continue;
    }
    const files: string[] = [];
    const zips: string[] = [];
    try {
      await reader.walk(real, files, zips);
    } catch (error) {
      collector.fail(path, `unreadable directory: ${codeOf(error)}`);
      continue;
    }
    const source: AdvisorySource = { path, kind: 'directory', records: 0, errors: 0, millis: 0 };
    for (const file of files) await reader.file(file, source);
    if (files.length > 0 || zips.length === 0) finish(source, started);
    for (const zip of zips) {
      const zipStarted = now();
      const zipSource: AdvisorySource = {
        path: zip,
        kind: 'zip',
        records: 0,
        errors: 0,
        millis: 0,
      };
      await reader.file(zip, zipSource);
      finish(zipSource, zipStarted);
    }
  }

  const records = [...collector.byId.values()];
  return {
    records,
    errors: collector.errors,
    warnings: collector.warnings,
    sources: collector.sources,
    duplicates: collector.duplicates,
    withdrawn: records.filter(isWithdrawn).length,
  };
}
