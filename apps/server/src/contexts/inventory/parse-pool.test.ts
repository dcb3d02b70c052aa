import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InventoryParser } from './parse-pool.ts';
import { parseUpload } from './parse-upload.ts';

const dir = mkdtempSync(join(tmpdir(), 'patchgate-parse-'));
const dpkg = new URL('../../../../../examples/debian-bookworm/dpkg-query.tsv', import.meta.url);

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('InventoryParser (worker thread)', () => {
  const parser = new InventoryParser();
  afterAll(async () => {
    await parser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses in a worker thread, with the same answer as in-process', async () => {
    expect(parser.threaded).toBe(true);
    const text = (await import('node:fs')).readFileSync(dpkg, 'utf8');
    for (const path of [file('plain', text), file('gzipped', gzipSync(text))]) {
      const request = { source: { path }, name: 'dpkg-query.tsv', maxTextBytes: 1 << 24 };
      const threaded = await parser.parse(request);
      expect(threaded).toEqual(await parseUpload(request));
      expect(threaded).toMatchObject({ ok: true, format: 'dpkg-query' });
    }
  });

  it('parses a small upload held in memory in-process, with the same answer', async () => {
    const text = (await import('node:fs')).readFileSync(dpkg, 'utf8');
    const inMemory = await parser.parse({
      source: { bytes: Buffer.from(text) },
      name: 'dpkg-query.tsv',
      maxTextBytes: 1 << 24,
    });
    const threaded = await parser.parse({
      source: { path: file('again', text) },
      name: 'dpkg-query.tsv',
      maxTextBytes: 1 << 24,
    });
    expect(inMemory).toEqual(threaded);
  });

  it.each([
    ['not UTF-8', Buffer.from([0xff, 0xfe, 0x00]), 1000, 422, 'is not UTF-8 text'],
    ['gzip beyond the limit', gzipSync('x'.repeat(5000)), 1000, 413, 'once decompressed'],
    ['text beyond the limit', 'x'.repeat(1001), 1000, 413, 'larger than 1000 bytes'],
    ['no known format', 'hello\n', 1000, 422, 'not a recognised inventory format'],
  ] as const)('answers %s with a result, not a crash', async (name, content, max, status, text) => {
    const response = await parser.parse({
      source: { path: file(name, content) },
      name,
      maxTextBytes: max,
    });
    expect(response).toMatchObject({ ok: false, status });
    expect(response.ok ? '' : response.fieldMessage).toContain(text);
  });
});
