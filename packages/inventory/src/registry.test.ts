/**
 * Contract test over every registered format and every real sample in testdata/: a sample in
 * testdata/<format-id>/ is detected as that format (and no other format claims it more
 * strongly), and it parses. Per-format tests check the details.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectFormat, findFormat, inventoryFormats, readInventory } from './registry.ts';
import { distroFormats } from './formats/distro-formats.ts';
import { lockfileFormats } from './formats/lockfile-formats.ts';
import { sbomFormats } from './formats/sbom-formats.ts';
import { inventoryFormatFamilies } from './types.ts';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));

/** Samples that are deliberately not inventories of their folder's format. */
const notInventories = new Set([
  'cyclonedx-json/vex.json', // a VEX document: must be refused, tested in cyclonedx-json
  'npm-package-lock/generator-package.json', // the package.json the lockfiles were made from
]);

const samples = readdirSync(testdata).flatMap((format) =>
  readdirSync(testdata + format)
    .filter((file) => file !== 'SOURCES.md')
    .map((file) => [format, `${format}/${file}`] as const)
    .filter(([, path]) => !notInventories.has(path)),
);

describe('inventory formats', () => {
  it.each(inventoryFormats.map((f) => [f.id, f] as const))('%s describes itself', (id, format) => {
    expect(id).toMatch(/^[a-z0-9-]+$/);
    expect(format.displayName.length).toBeGreaterThan(0);
    expect(format.specUrls.length).toBeGreaterThan(0);
    expect(inventoryFormatFamilies).toContain(format.family);
    expect(format.mediaTypes.length).toBeGreaterThan(0);
    for (const mediaType of format.mediaTypes) expect(mediaType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
    expect(findFormat(id)).toBe(format);
    const readme = fileURLToPath(new URL(`./formats/${id}/readme.md`, import.meta.url));
    expect(readFileSync(readme, 'utf8').length).toBeGreaterThan(100);
  });

  it('gives each format the family of the group it is registered in', () => {
    expect(distroFormats.map((f) => f.family)).toEqual(distroFormats.map(() => 'package-list'));
    expect(sbomFormats.map((f) => f.family)).toEqual(sbomFormats.map(() => 'sbom'));
    expect(lockfileFormats.map((f) => f.family)).toEqual(lockfileFormats.map(() => 'lockfile'));
  });

  it('has a real sample for every format', () => {
    const covered = new Set(samples.map(([format]) => format));
    expect(inventoryFormats.map((f) => f.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(samples)('%s: %s is detected as its own format and parses', (format, path) => {
    const input = { path, text: readFileSync(testdata + path, 'utf8') };
    expect(detectFormat(input)?.id).toBe(format);
    const result = readInventory(input);
    expect(result.ok, result.ok ? '' : result.error).toBe(true);
    if (result.ok) expect(result.inventory.format).toBe(format);
  });

  it('refuses what is no inventory with a message naming the known formats', () => {
    const result = readInventory({ path: 'notes.txt', text: 'Dear diary,\nno packages today.\n' });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^notes\.txt: not a recognised inventory format \(known: dpkg-status, /,
      ) as string,
    });
  });

  it('refuses an unknown format id', () => {
    expect(readInventory({ path: 'x', text: '' }, 'punch-cards')).toMatchObject({
      ok: false,
      error: expect.stringContaining('unknown inventory format "punch-cards"') as string,
    });
  });
});
