/**
 * Fuzzing every inventory format: the real samples in testdata/ (every format has some, the
 * registry test checks that) mutated by a seeded generator — truncated, sliced, duplicated,
 * spliced with structural characters and with nesting 50,000 deep — are read both with
 * detection and with each format forced. Reading must never throw: a result with packages
 * and warnings, or an error. A new format is fuzzed as soon as its samples land.
 *
 * PATCHGATE_FUZZ_SEED and PATCHGATE_FUZZ_RUNS (mutations per sample, default 40) explore
 * further; the default seed keeps the suite deterministic.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inventoryFormats, readInventory } from './registry.ts';
import type { InventoryResult } from './types.ts';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const seed = Number(process.env['PATCHGATE_FUZZ_SEED'] ?? 7);
const runs = Number(process.env['PATCHGATE_FUZZ_RUNS'] ?? 40);

const samples = readdirSync(testdata).flatMap((format) =>
  readdirSync(testdata + format)
    .filter((file) => file !== 'SOURCES.md')
    .map((file) => ({
      format,
      path: `${format}/${file}`,
      text: readFileSync(testdata + format + '/' + file, 'utf8'),
    })),
);

/** mulberry32: small, seeded, good enough to pick mutations. */
function random(state: number) {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEEP = 50_000;
const fragments = [
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  ',',
  ':',
  '\n',
  '\r\n',
  '\0',
  '<',
  '>',
  '</',
  '<!--',
  ']]>',
  '- ',
  '  ',
  '\t',
  '#',
  '=',
  '@',
  '%',
  'null',
  'true',
  '1e999',
  '-0',
  '"\\u0000"',
  '\uFEFF',
  '\uD800',
  'Package: x\n',
  'Version: \n',
  '<component>',
  '<bom xmlns="http://cyclonedx.org/schema/bom/1.5">',
  '"dependencies":{',
  '"packages":{"":{',
  '"components":[',
  'pkg:npm/%zz@',
  'pkg:deb/debian/',
];
const deepNests = [
  '['.repeat(DEEP),
  '{"a":'.repeat(DEEP),
  '<component>'.repeat(DEEP),
  '- '.repeat(DEEP),
  '"dependencies":{"a":{"version":"1",'.repeat(2000),
];

type Mutation = (text: string, next: () => number) => string;
const at = (text: string, next: () => number) => Math.floor(next() * (text.length + 1));
const mutations: Mutation[] = [
  (t, n) => t.slice(0, at(t, n)), // truncated
  (t, n) => {
    const a = at(t, n);
    return t.slice(0, a) + t.slice(a + Math.floor(n() * 200));
  }, // slice cut out
  (t, n) => {
    const a = at(t, n);
    const b = a + Math.floor(n() * 500);
    return t.slice(0, b) + t.slice(a, b) + t.slice(b);
  }, // slice doubled
  (t, n) => {
    const a = at(t, n);
    return t.slice(0, a) + (fragments[Math.floor(n() * fragments.length)] ?? '') + t.slice(a);
  },
  (t, n) => {
    const a = at(t, n);
    return t.slice(0, a) + String.fromCharCode(Math.floor(n() * 0x3000)) + t.slice(a + 1);
  },
  (t, n) => {
    const a = at(t, n);
    return t.slice(0, a) + (deepNests[Math.floor(n() * deepNests.length)] ?? '') + t.slice(a);
  },
  (t, n) => {
    const lines = t.split('\n');
    const a = Math.floor(n() * lines.length);
    const b = Math.floor(n() * lines.length);
    [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
    return lines.join('\n');
  },
  (t) => t.replaceAll('"', "'"),
  (t) => t.toUpperCase(),
];

function read(path: string, text: string, format?: string): InventoryResult {
  const result = readInventory({ path, text }, format);
  // The contract: a result, never an exception, and a well-formed one.
  if (result.ok) {
    expect(Array.isArray(result.inventory.packages)).toBe(true);
    expect(Array.isArray(result.inventory.warnings)).toBe(true);
  } else expect(typeof result.error).toBe('string');
  return result;
}

describe('inventory formats under fuzzing', () => {
  it.each(samples.map((s) => [s.path, s] as const))(
    '%s: mutated, never throws (detected and forced)',
    (_, sample) => {
      const next = random(seed ^ (sample.path.length * 7919));
      for (let run = 0; run < runs; run++) {
        const mutation = mutations[Math.floor(next() * mutations.length)];
        if (mutation === undefined) continue;
        let text = mutation(sample.text, next);
        if (next() < 0.3)
          text = (mutations[Math.floor(next() * mutations.length)] ?? ((t) => t))(text, next);
        const label = `${sample.path} run ${run} (seed ${seed})`;
        expect(() => read(sample.path, text), label).not.toThrow();
        expect(() => read(sample.path, text, sample.format), label).not.toThrow();
      }
    },
  );

  it.each(inventoryFormats.map((f) => [f.id] as const))(
    '%s: nesting 50,000 deep is an error or a result, never a throw',
    (id) => {
      for (const nest of deepNests) {
        for (const text of [nest, nest + ']'.repeat(10), `{"lockfileVersion":1,${nest}`]) {
          expect(() => read(`x.${id}`, text, id)).not.toThrow();
        }
      }
    },
  );

  it.each([
    [
      'cyclonedx-json',
      '{"bomFormat":"CycloneDX","specVersion":"1.5","components":[' +
        '{"type":"library","name":"a","components":['.repeat(DEEP),
    ],
    [
      'npm-package-lock',
      '{"lockfileVersion":1,"dependencies":{' +
        '"a":{"version":"1.0.0","dependencies":{'.repeat(DEEP),
    ],
    [
      'cyclonedx-xml',
      '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>' +
        '<component type="library"><name>a</name><components>'.repeat(DEEP),
    ],
    ['spdx-json', '{"spdxVersion":"SPDX-2.3","packages":[' + '['.repeat(DEEP)],
  ])(
    '%s nested 50,000 deep (the attack of issue 7) is refused naming the limit',
    (format, head) => {
      const closing =
        format === 'cyclonedx-xml'
          ? '</components></component>'.repeat(DEEP) + '</components></bom>'
          : ']}'.repeat(DEEP);
      const result = read(`x.${format}`, head + closing, format);
      expect(result).toEqual({
        ok: false,
        error: `x.${format}: nested deeper than the limit of 256 levels`,
      });
    },
  );
});
