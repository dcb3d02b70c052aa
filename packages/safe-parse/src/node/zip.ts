/**
 * Reading zip archives (PKWARE APPNOTE 6.3.10) with `node:zlib`, one entry at a time, within
 * limits. An archive is untrusted: a 2 MB zip of 4 × 500 MB deflated zeros once took 3.7 GB
 * when inflated whole. Here the declared sizes in the central directory are checked first
 * (cheap refusals) but never trusted: the inflater's real output is counted and stopped at
 * the entry's limit, and at the archive's total limit. Entries are read from the file by
 * position (the central directory, then each entry's data), so the archive itself is not
 * held in memory either.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Uncompressed bytes of one entry; default 64 MiB. */
  readonly maxEntryBytes: number;
  /** Uncompressed bytes of every entry read from one archive; default 2 GiB. */
  readonly maxTotalBytes: number;
  /** Entries in the central directory; default 1,000,000 (cvelistV5 holds ~300,000). */
  readonly maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxEntries: 1_000_000,
};

export interface ZipProblem {
  /** The entry, when the problem is one entry's; absent for the archive as a whole. */
  readonly entry?: string;
  readonly message: string;
}

export interface ReadZipOptions {
  /** Which entries to inflate (by name); directories are never passed. Default: all. */
  readonly wanted?: (name: string) => boolean;
  /** Read wanted entries in name order (code points) rather than archive order. */
  readonly sortByName?: boolean;
  readonly limits?: Partial<ZipLimits>;
  /** Archives up to this many bytes are read into memory whole; default 64 MiB. */
  readonly readWholeBelow?: number;
  /** Called with each wanted entry's bytes, one at a time, in order. */
  readonly onEntry: (name: string, data: Buffer) => void | Promise<void>;
}

export interface ReadZipResult {
  /** Entries handed to `onEntry`. */
  readonly entries: number;
  /** Uncompressed bytes inflated (what counts against the total limit). */
  readonly bytes: number;
  /** Entries refused (a limit, an unsupported method) and archive-level failures. */
  readonly problems: ZipProblem[];
}

interface CentralEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** Random access to the archive's bytes: a file, or bytes already in memory. */
interface Source {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

class NotAZip extends Error {}

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** Compressed entries up to this size are inflated in one synchronous call (OSV's records). */
const SYNC_INFLATE_BELOW = 256 * 1024;
const READ_CHUNK = 1024 * 1024;
/** Archives up to this size are read into memory whole (compressed bytes). */
const READ_WHOLE_BELOW = 64 * 1024 * 1024;

function fileSource(handle: FileHandle, size: number): Source {
  return {
    size,
    async read(position, length) {
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
        if (bytesRead === 0) throw new NotAZip('the archive ends early');
        done += bytesRead;
      }
      return buffer;
    },
    close: () => handle.close(),
  };
}

function bytesSource(bytes: Uint8Array): Source {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.length,
    read(position, length) {
      if (position + length > buffer.length) throw new NotAZip('the archive ends early');
      return Promise.resolve(buffer.subarray(position, position + length));
    },
    close: () => Promise.resolve(),
  };
}

const u64 = (buffer: Buffer, at: number) => Number(buffer.readBigUInt64LE(at));

/** The central directory: where it starts, how long it is, how many entries it lists. */
async function findCentralDirectory(
  source: Source,
): Promise<{ offset: number; size: number; count: number }> {
  const tailLength = Math.min(source.size, 22 + MAX_COMMENT);
  if (tailLength < 22) throw new NotAZip('too short to be a zip archive');
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new NotAZip('no end of central directory record');
  let count = tail.readUInt16LE(at + 10);
  let size = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    // ZIP64 (APPNOTE 4.3.14-4.3.15): the locator sits just before the classic record.
    const locatorAt = tailStart + at - 20;
    if (locatorAt < 0) throw new NotAZip('ZIP64 locator missing');
    const locator = await source.read(locatorAt, 20);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new NotAZip('ZIP64 locator missing');
    const record = await source.read(u64(locator, 8), 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new NotAZip('ZIP64 record missing');
    count = u64(record, 32);
    size = u64(record, 40);
    offset = u64(record, 48);
  }
  if (offset + size > source.size) throw new NotAZip('central directory beyond the end');
  return { offset, size, count };
}

function parseCentralDirectory(directory: Buffer, count: number): CentralEntry[] {
  const entries: CentralEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) {
      throw new NotAZip('damaged central directory');
    }
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    const crc = directory.readUInt32LE(at + 16);
    let compressedSize = directory.readUInt32LE(at + 20);
    let size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    const nameEnd = at + 46 + nameLength;
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, nameEnd);
    // ZIP64 extended information (header 0x0001): the 64-bit values, in this order, of the
    // fields saturated above (APPNOTE 4.5.3).
    for (let e = nameEnd; e + 4 <= nameEnd + extraLength;) {
      const id = directory.readUInt16LE(e);
      const length = directory.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        if (size === 0xffffffff) {
          size = u64(directory, p);
          p += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(directory, p);
          p += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(directory, p);
      }
      e += 4 + length;
    }
    entries.push({ name, method, flags, crc, compressedSize, size, localHeaderOffset });
    at = nameEnd + extraLength + commentLength;
  }
  return entries;
}

class LimitExceeded extends Error {}

/** Inflate (or copy) one entry's data, never producing more than `limit` bytes. */
async function inflateEntry(source: Source, entry: CentralEntry, limit: number): Promise<Buffer> {
  const local = await source.read(entry.localHeaderOffset, 30);
  if (local.readUInt32LE(0) !== LOCAL) throw new NotAZip('damaged local header');
  const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > source.size) throw new NotAZip('entry beyond the end');
  if (entry.method === 0) {
    if (entry.compressedSize > limit) throw new LimitExceeded();
    return source.read(start, entry.compressedSize);
  }
  if (entry.compressedSize <= SYNC_INFLATE_BELOW) {
    const compressed = await source.read(start, entry.compressedSize);
    try {
      // maxOutputLength stops the inflater itself: it never allocates beyond the limit.
      const data = inflateRawSync(compressed, { maxOutputLength: Math.max(1, limit) });
      if (data.length > limit) throw new LimitExceeded();
      return data;
    } catch (error) {
      if (error instanceof LimitExceeded) throw error;
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new LimitExceeded();
      throw new NotAZip('damaged deflate data');
    }
  }
  const chunks: Buffer[] = [];
  let produced = 0;
  async function* compressed() {
    for (let done = 0; done < entry.compressedSize; done += READ_CHUNK) {
      yield await source.read(start + done, Math.min(READ_CHUNK, entry.compressedSize - done));
    }
  }
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      produced += chunk.length;
      if (produced > limit) callback(new LimitExceeded());
      else {
        chunks.push(chunk);
        callback();
      }
    },
  });
  try {
    await pipeline(Readable.from(compressed()), createInflateRaw(), sink);
  } catch (error) {
    if (error instanceof LimitExceeded || error instanceof NotAZip) throw error;
    throw new NotAZip('damaged deflate data');
  }
  return Buffer.concat(chunks, produced);
}

const units = [
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
] as const;
function mib(bytes: number): string {
  for (const [size, unit] of units)
    if (bytes >= size) return `${+(bytes / size).toFixed(2)} ${unit}`;
  return `${bytes} bytes`;
}

/**
 * Read the wanted entries of a zip archive (a path, or its bytes) one at a time within
 * `limits`. Nothing throws for a bad archive: an entry beyond the per-entry limit, encrypted
 * or compressed by another method than stored/deflate is a problem and skipped; an archive
 * that is not a zip, lists too many entries or inflates beyond the total limit is a problem
 * and reading stops there. Errors name limits and entries, never the content.
 */
export async function readZip(
  archive: string | Uint8Array,
  options: ReadZipOptions,
): Promise<ReadZipResult> {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits };
  const problems: ZipProblem[] = [];
  let entries = 0;
  let total = 0;
  let source: Source | undefined;
  try {
    if (typeof archive === 'string') {
      const handle = await open(archive, 'r');
      try {
        const { size } = await handle.stat();
        // A small archive is read whole (one read instead of two per entry: OSV's all.zip
        // files hold thousands of small records); a large one is read entry by entry.
        if (size <= (options.readWholeBelow ?? READ_WHOLE_BELOW)) {
          source = bytesSource(await handle.readFile());
          await handle.close();
        } else source = fileSource(handle, size);
      } catch (error) {
        await handle.close();
        throw error;
      }
    } else source = bytesSource(archive);
    const directory = await findCentralDirectory(source);
    if (directory.count > limits.maxEntries) {
      problems.push({
        message: `refused: ${directory.count} entries, more than the limit of ${limits.maxEntries}`,
      });
      return { entries, bytes: total, problems };
    }
    const central = parseCentralDirectory(
      await source.read(directory.offset, directory.size),
      directory.count,
    ).filter((e) => !e.name.endsWith('/') && (options.wanted?.(e.name) ?? true));
    if (options.sortByName === true) {
      central.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    for (const entry of central) {
      if (entry.flags & 0x1) {
        problems.push({ entry: entry.name, message: 'encrypted entry not read' });
        continue;
      }
      if (entry.method !== 0 && entry.method !== 8) {
        problems.push({
          entry: entry.name,
          message: `compression method ${entry.method} not supported (stored and deflate are)`,
        });
        continue;
      }
      const entryLimit = Math.min(limits.maxEntryBytes, limits.maxTotalBytes - total);
      const overTotal = limits.maxEntryBytes > limits.maxTotalBytes - total;
      const refuse = () =>
        overTotal
          ? `refused: the archive inflates beyond the total limit of ${mib(limits.maxTotalBytes)}`
          : `refused: inflates beyond the per-entry limit of ${mib(limits.maxEntryBytes)}`;
      if (entry.size > entryLimit) {
        problems.push({ entry: entry.name, message: `${refuse()} (declared ${mib(entry.size)})` });
        if (overTotal) break;
        continue;
      }
      let data: Buffer;
      try {
        data = await inflateEntry(source, entry, entryLimit);
      } catch (error) {
        if (!(error instanceof LimitExceeded)) throw error;
        problems.push({ entry: entry.name, message: `${refuse()} (declared ${mib(entry.size)})` });
        if (overTotal) break;
        continue;
      }
      total += data.length;
      if (crc32(data) !== entry.crc) {
        problems.push({ entry: entry.name, message: 'damaged entry (CRC-32 mismatch)' });
        continue;
      }
      entries++;
      await options.onEntry(entry.name, data);
    }
  } catch (error) {
    // Only the archive's own failures become problems (an error of `onEntry` is the
    // caller's); the message is ours or an errno code, never bytes of the file.
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof NotAZip) problems.push({ message: `unreadable zip: ${error.message}` });
    else if (typeof code === 'string') problems.push({ message: `unreadable: ${code}` });
    else throw error;
  } finally {
    await source?.close();
  }
  return { entries, bytes: total, problems };
}
