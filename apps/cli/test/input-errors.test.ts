/**
 * Inputs of the wrong shape get one clear message: archives Patchgate does not unpack are
 * named with how to unpack them, a file is never named twice in one message, and a file's
 * content is never echoed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'patchgate-input-errors-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A one-file POSIX tar (ustar header at offset 257), as `tar -cf` writes it. */
function tar(name: string, content: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  header.write('ustar\x0000', 257);
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512);
  body.write(content);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

/** A one-entry zip (stored, no compression): enough for the zip readers. */
function zip(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const localPart = Buffer.concat([local, Buffer.from(name), data]);
  const centralPart = Buffer.concat([central, Buffer.from(name)]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralPart.length, 12);
  end.writeUInt32LE(localPart.length, 16);
  return Buffer.concat([localPart, centralPart, end]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function file(name: string, content: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const lockfile = 'examples/sbom/proton-bridge-v1.8.0.bom.json';
const scan = (...extra: string[]) =>
  runCli(['scan', lockfile, '--advisories', 'examples/advisories', '-q', ...extra]);
const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('inputs of the wrong shape', () => {
  it('names a tar.gz given to --cve and says how to unpack it', async () => {
    const path = file('records.tar.gz', gzipSync(tar('CVE-2024-0001.json', '{"x":1}')));
    const result = await scan('--cve', path);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `patchgate: --cve ${path}: Patchgate does not unpack tar.gz archives; --cve takes CVE JSON 5 records: a .json file, a directory tree of them, or a .zip of them. Unpack it first (tar -xzf <archive> -C <directory>) and pass the directory.\n`,
    );
  });

  it.each([
    ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]), 'tar -xJf'],
    ['tar', tar('a.json', '{}'), 'tar -xf'],
  ])('names a %s archive given to --advisories', async (kind, bytes, unpack) => {
    const path = file(`advisories.${kind}`, bytes);
    const result = await runCli(['scan', lockfile, '--advisories', path, '-q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Patchgate does not unpack ${kind} archives`);
    expect(result.stderr).toContain(unpack);
  });

  it('says what a zip of another shape given to --cve lacks, naming it once', async () => {
    const path = file('notes.zip', zip('README.txt', 'not records'));
    const result = await scan('--cve', path);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no CVE 5 records found \(no \.json.*inside the zip\)/);
    expect(occurrences(result.stderr, path)).toBe(1);
  });

  it.each([
    ['--vex', 'vex.json', 'secret=hunter2\n'],
    ['--kev', 'kev.csv', 'secret=hunter2\n'],
    ['--cve', 'cve.json', 'secret=hunter2\n'],
  ])('names a bad %s file once and never echoes its content', async (flag, name, content) => {
    const path = file(name, content);
    const result = await scan(flag, path);
    expect(result.code).toBe(2);
    expect(occurrences(result.stderr, path)).toBe(1);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('names a bad --policy file once', async () => {
    const path = file('policy.yaml', 'rules: 3\n');
    const result = await scan('--policy', path);
    expect(result.code).toBe(2);
    expect(occurrences(result.stderr, path)).toBe(1);
  });

  it('says a directory given for a file is a directory', async () => {
    const dir = join(work, 'a-directory');
    mkdirSync(dir);
    const result = await scan('--ignore-file', dir);
    expect(result).toMatchObject({
      code: 2,
      stderr: `patchgate: ${dir} is a directory; give the ignore file itself\n`,
    });
  });
});
