import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData } from '@patchgate/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { readZip } from './zip.ts';
import { writeZip } from './zip-writer.ts';

const temp = mkdtempSync(join(tmpdir(), 'patchgate-zip-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const text = (s: string) => () => [Buffer.from(s)];
/** `total` zero bytes in 1 MiB chunks: never more than one chunk in memory. */
const zeros = (total: number) =>
  function* () {
    const chunk = Buffer.alloc(MiB);
    for (let left = total; left > 0; left -= MiB)
      yield left >= MiB ? chunk : chunk.subarray(0, left);
  };

async function readAll(path: string | Uint8Array, limits = {}, readWholeBelow?: number) {
  const read: Record<string, string> = {};
  const result = await readZip(path, {
    limits,
    ...(readWholeBelow !== undefined && { readWholeBelow }),
    onEntry: (name, data) => {
      read[name] = data.length > 100 ? `${data.length} bytes` : data.toString();
    },
  });
  return { read, ...result };
}

describe('readZip', () => {
  it.each([
    ['read whole', undefined],
    ['read entry by entry from the file', 0],
  ])(
    'reads stored and deflated entries, small and streamed, skipping directories (%s)',
    async (_, readWholeBelow) => {
      const path = join(temp, `plain-${readWholeBelow ?? 'whole'}.zip`);
      await writeZip(path, [
        { name: 'a/', chunks: () => [] },
        { name: 'a/one.json', chunks: text('{"id":"ONE"}') },
        { name: 'two.txt', chunks: text('two'), store: true },
        { name: 'big.bin', chunks: zeros(3 * MiB) },
        {
          name: 'random.bin',
          chunks: () => [Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 7919) % 251))],
        },
      ]);
      expect(await readAll(path, {}, readWholeBelow)).toEqual({
        read: {
          'a/one.json': '{"id":"ONE"}',
          'two.txt': 'two',
          'big.bin': `${3 * MiB} bytes`,
          'random.bin': '400000 bytes',
        },
        entries: 4,
        bytes: 12 + 3 + 3 * MiB + 400_000,
        problems: [],
      });
    },
  );

  it('filters entries and reads them in name order when asked', async () => {
    const path = join(temp, 'order.zip');
    await writeZip(
      path,
      ['c.json', 'b.txt', 'a.json'].map((name) => ({ name, chunks: text(name) })),
    );
    const names: string[] = [];
    await readZip(path, {
      wanted: (name) => name.endsWith('.json'),
      sortByName: true,
      onEntry: (name) => void names.push(name),
    });
    expect(names).toEqual(['a.json', 'c.json']);
  });

  it.each([
    [
      'not a zip',
      Buffer.from('PATCHGATE_SECRET=x'.repeat(10)),
      'unreadable zip: no end of central directory record',
    ],
    ['too short', Buffer.from('PK'), 'unreadable zip: too short to be a zip archive'],
  ])('reports an archive that is %s without quoting it', async (_, bytes, message) => {
    expect(await readAll(bytes)).toEqual({
      read: {},
      entries: 0,
      bytes: 0,
      problems: [{ message }],
    });
  });

  it('reports a missing file by its errno code', async () => {
    expect((await readAll(join(temp, 'missing.zip'))).problems).toEqual([
      { message: 'unreadable: ENOENT' },
    ]);
  });

  it('refuses entries whose declared size exceeds the per-entry limit, reading the rest', async () => {
    const path = join(temp, 'declared.zip');
    await writeZip(path, [
      { name: 'big', chunks: zeros(2 * MiB) },
      { name: 'small', chunks: text('ok') },
    ]);
    expect(await readAll(path, { maxEntryBytes: MiB })).toEqual({
      read: { small: 'ok' },
      entries: 1,
      bytes: 2,
      problems: [
        {
          entry: 'big',
          message: 'refused: inflates beyond the per-entry limit of 1 MiB (declared 2 MiB)',
        },
      ],
    });
  });

  it.each([
    ['small (inflated in one call)', 200 * 1024],
    ['large (streamed)', 8 * MiB],
  ])('counts real inflated bytes when the declared size lies: %s', async (_, size) => {
    const path = join(temp, `lying-${size}.zip`);
    await writeZip(path, [{ name: 'liar', chunks: zeros(size), declaredSize: 10 }]);
    expect((await readAll(path, { maxEntryBytes: 100 * 1024 }, 0)).problems).toEqual([
      {
        entry: 'liar',
        message: 'refused: inflates beyond the per-entry limit of 100 KiB (declared 10 bytes)',
      },
    ]);
  });

  it('stops at the total limit', async () => {
    const path = join(temp, 'total.zip');
    await writeZip(
      path,
      ['a', 'b', 'c'].map((name) => ({ name, chunks: zeros(MiB), declaredSize: 1 })),
    );
    const result = await readAll(path, { maxEntryBytes: 2 * MiB, maxTotalBytes: 2.5 * MiB });
    expect(result).toEqual({
      read: { a: `${MiB} bytes`, b: `${MiB} bytes` },
      entries: 2,
      bytes: 2 * MiB,
      problems: [
        {
          entry: 'c',
          message:
            'refused: the archive inflates beyond the total limit of 2.5 MiB (declared 1 bytes)',
        },
      ],
    });
  });

  it('refuses an archive listing more entries than the limit', async () => {
    const path = join(temp, 'many.zip');
    await writeZip(
      path,
      Array.from({ length: 11 }, (_, i) => ({ name: `${i}`, chunks: text('x') })),
    );
    expect((await readAll(path, { maxEntries: 10 })).problems).toEqual([
      { message: 'refused: 11 entries, more than the limit of 10' },
    ]);
  });

  it('refuses an entry whose bytes do not match its CRC-32, reading the rest', async () => {
    const path = join(temp, 'crc.zip');
    await writeZip(path, [
      { name: 'a', chunks: text('abc'), store: true },
      { name: 'b', chunks: text('ok') },
    ]);
    const bytes = readFileSync(path);
    bytes[30 + 1] = 0x78; // the stored 'abc' after the 30-byte header and the 1-byte name
    expect(await readAll(bytes)).toEqual({
      read: { b: 'ok' },
      entries: 1,
      bytes: 5,
      problems: [{ entry: 'a', message: 'damaged entry (CRC-32 mismatch)' }],
    });
  });

  it('reports damaged deflate data', async () => {
    const path = join(temp, 'damaged.zip');
    await writeZip(path, [{ name: 'x', chunks: () => [Buffer.from('hello hello hello')] }]);
    const bytes = readFileSync(path);
    bytes[31 + 1] = 0xff; // inside the deflate stream of the first entry (after the name)
    bytes[31 + 2] = 0xff;
    const result = await readAll(bytes);
    expect(result.problems).toEqual([{ message: 'unreadable zip: damaged deflate data' }]);
  });

  it('a zip bomb (4 entries × 500 MB of zeros, sizes declared or hidden) is refused in bounded memory', async () => {
    const honest = join(temp, 'bomb.zip');
    const liar = join(temp, 'bomb-liar.zip');
    const entry = (i: number, declaredSize?: number) => ({
      name: `bomb-${i}.json`,
      chunks: zeros(500 * 1000 * 1000),
      ...(declaredSize !== undefined && { declaredSize }),
    });
    await writeZip(
      honest,
      [0, 1, 2, 3].map((i) => entry(i)),
    );
    await writeZip(
      liar,
      [0, 1, 2, 3].map((i) => entry(i, 1000)),
    );
    expect(statSync(honest).size).toBeLessThan(3 * MiB);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const a = await readAll(honest);
    const b = await readAll(liar);
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(a.entries + b.entries).toBe(0);
    expect(a.problems.map((p) => p.message)).toEqual(
      Array(4).fill('refused: inflates beyond the per-entry limit of 64 MiB (declared 476.84 MiB)'),
    );
    expect(b.problems.map((p) => p.message)).toEqual(
      Array(4).fill('refused: inflates beyond the per-entry limit of 64 MiB (declared 1000 bytes)'),
    );
    // Whole, the bomb is 2 GB; the reader holds at most one entry's limit (64 MiB) at once.
    expect(peak - before).toBeLessThan(400 * MiB);
  }, 180_000);

  const almaZip = sharedData('advisories/osv/AlmaLinux/all.zip');
  it.skipIf(!existsSync(almaZip))('reads a real OSV all.zip whole', async () => {
    const result = await readZip(almaZip, { onEntry: () => undefined });
    expect(result.problems).toEqual([]);
    expect(result.entries).toBeGreaterThan(1000);
  });
});
