/**
 * Writing a zip archive by streaming: each entry's bytes pass through `node:zlib`'s raw
 * deflate straight to the file, sizes and CRC follow in a data descriptor (APPNOTE 4.3.9).
 * Used to build test archives, among them zip bombs of gigabytes that must never be held in
 * memory. No ZIP64: entries and archives stay below 4 GiB.
 */
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';

export interface ZipWriterEntry {
  readonly name: string;
  /** The entry's bytes, produced on demand (a generator keeps memory flat). */
  readonly chunks: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Store instead of deflate. */
  readonly store?: boolean;
  /** Lie in the central directory about the uncompressed size (tests of readers). */
  readonly declaredSize?: number;
}

async function write(out: WriteStream, bytes: Uint8Array): Promise<void> {
  if (!out.write(bytes)) await once(out, 'drain');
}

/** Write `entries` to a new zip archive at `path`; returns the archive's size in bytes. */
export async function writeZip(path: string, entries: readonly ZipWriterEntry[]): Promise<number> {
  const out = createWriteStream(path);
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const method = entry.store === true ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // sizes in a data descriptor; UTF-8 name
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(name.length, 26);
    await write(out, local);
    await write(out, name);
    let crc = 0;
    let size = 0;
    let compressed = 0;
    if (method === 0) {
      for await (const chunk of entry.chunks()) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        await write(out, chunk);
      }
      compressed = size;
    } else {
      const deflate = createDeflateRaw({ level: 9 });
      const drained = (async () => {
        for await (const chunk of deflate as AsyncIterable<Buffer>) {
          compressed += chunk.length;
          await write(out, chunk);
        }
      })();
      for await (const chunk of entry.chunks()) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        if (!deflate.write(chunk)) await once(deflate, 'drain');
      }
      deflate.end();
      await drained;
    }
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await write(out, descriptor);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0808, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(compressed, 20);
    header.writeUInt32LE(entry.declaredSize ?? size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += 30 + name.length + compressed + 16;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(out, directory);
  await write(out, end);
  out.end();
  await once(out, 'finish');
  return offset + directory.length + 22;
}
