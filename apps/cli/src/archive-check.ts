/**
 * Inputs given as archives Patchgate does not unpack (tar, tar.gz, tar.xz, bzip2, zstd, 7z,
 * rar): said plainly before loading, with how to unpack them, instead of a parser's complaint
 * about binary bytes. Zip files (OSV's all.zip, CVE 5 bundles) and plain gzip files (EPSS)
 * are read as they are. Only the first bytes are read, never echoed.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { UsageError } from './io.ts';

const magic: readonly [string, readonly number[], string][] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'tar -xJf'],
  ['bzip2', [0x42, 0x5a, 0x68], 'tar -xjf'],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd], 'tar --zstd -xf'],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], '7z x'],
  ['rar', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], 'unrar x'],
];

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

/** A POSIX tar header has "ustar" at offset 257 (POSIX.1-1988 and GNU tar alike). */
function isTar(bytes: Buffer): boolean {
  return bytes.subarray(257, 262).toString('latin1') === 'ustar';
}

function head(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The kind of archive at `absolute` that must be unpacked first, and the command to do it. */
export function archiveToUnpack(absolute: string): { kind: string; unpack: string } | undefined {
  if (!statSync(absolute).isFile()) return undefined;
  const bytes = head(absolute, 64 * 1024);
  for (const [kind, prefix, unpack] of magic) {
    if (startsWith(bytes, prefix)) return { kind, unpack };
  }
  if (isTar(bytes)) return { kind: 'tar', unpack: 'tar -xf' };
  if (startsWith(bytes, [0x1f, 0x8b])) {
    let inflated: Buffer;
    try {
      // The first 4 KiB of the stream are enough to see a tar header (at most a few MiB
      // inflated); a truncated stream is fine with a sync flush.
      inflated = gunzipSync(bytes.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
    if (isTar(inflated)) return { kind: 'tar.gz', unpack: 'tar -xzf' };
  }
  return undefined;
}

/** Throw a usage error naming the flag when `absolute` is an archive to unpack first. */
export function refuseArchive(flag: string, path: string, absolute: string, accepts: string): void {
  const archive = archiveToUnpack(absolute);
  if (archive === undefined) return;
  throw new UsageError(
    `${flag} ${path}: Patchgate does not unpack ${archive.kind} archives; ${flag} takes ${accepts}. ` +
      `Unpack it first (${archive.unpack} <archive> -C <directory>) and pass the directory.`,
  );
}
