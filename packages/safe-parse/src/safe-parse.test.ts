import { describe, expect, it } from 'vitest';
import { parseJson } from './json.ts';
import { DEFAULT_MAX_DEPTH } from './limits.ts';
import { describeValue, formatPath, valueAt } from './report.ts';
import { xmlDepthExceeds } from './xml.ts';
import { parseYaml, yamlDepthExceeds } from './yaml.ts';

const deep = 50_000;
const secret = 'PATCHGATE_ADMIN_PASSWORD=hunter2-very-secret';

describe('parseJson', () => {
  it('reads JSON', () => {
    expect(parseJson('{"a":[1,{"b":"[[["}]}')).toEqual({
      ok: true,
      value: { a: [1, { b: '[[[' }] },
    });
  });

  it.each([
    ['arrays', '['.repeat(deep) + ']'.repeat(deep)],
    ['objects', '{"a":'.repeat(deep) + '1' + '}'.repeat(deep)],
  ])('refuses %s nested 50,000 deep, naming the limit', (_, text) => {
    expect(parseJson(text)).toEqual({
      ok: false,
      error: `nested deeper than the limit of ${DEFAULT_MAX_DEPTH} levels`,
    });
  });

  it('skips strings with escaped quotes and backslashes when counting', () => {
    const brackets = '['.repeat(300);
    const text = `{"a":"\\\\","b":"x\\"${brackets}","c":[1]}`;
    expect(parseJson(text)).toEqual({ ok: true, value: { a: '\\', b: `x"${brackets}`, c: [1] } });
    expect(parseJson(`["\\\\"${brackets}]`).ok).toBe(false);
  });

  it('accepts nesting at the limit and refuses one more', () => {
    const at = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(parseJson(at(256)).ok).toBe(true);
    expect(parseJson(at(257)).ok).toBe(false);
    expect(parseJson(at(10), { maxDepth: 9 }).ok).toBe(false);
  });

  it.each([secret, `{"a": ${secret}}`, `["${secret}`, `{"x": 1} ${secret}`])(
    'never quotes the input in its error (%#)',
    (text) => {
      const result = parseJson(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).not.toMatch(/hunter2|PATCHGATE|SECRET/i);
        expect(result.error).toMatch(/^not valid JSON: /);
      }
    },
  );
});

describe('parseYaml', () => {
  it('reads YAML', () => {
    expect(parseYaml('a:\n  - b: [1, "]]"]\n  - |\n    [[[ text\n')).toEqual({
      ok: true,
      value: { a: [{ b: [1, ']]'] }, '[[[ text\n'] },
    });
  });

  it.each([
    ['flow sequences', '['.repeat(deep) + ']'.repeat(deep)],
    ['flow mappings', '{a: '.repeat(deep) + '1' + '}'.repeat(deep)],
    ['compact block sequences', '- '.repeat(deep) + 'x'],
    [
      'indented block mappings',
      Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    ],
  ])('refuses %s nested too deep, naming the limit', (_, text) => {
    expect(parseYaml(text)).toEqual({
      ok: false,
      error: `nested deeper than the limit of ${DEFAULT_MAX_DEPTH} levels`,
    });
  });

  it('does not count brackets inside quotes, comments or block scalars', () => {
    const brackets = '['.repeat(400);
    const text = `a: "${brackets}"\nb: '${brackets}'\n# ${brackets}\nc: |\n  ${brackets}\nd: 1\n`;
    expect(yamlDepthExceeds(text)).toBe(false);
    expect(parseYaml(text).ok).toBe(true);
  });

  it.each([`a: b: ${secret}`, `key: "${secret}`, `- a\nb: ${secret}`, `[${secret}`])(
    'never quotes the input in its error (%#)',
    (text) => {
      const result = parseYaml(text);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).not.toMatch(/hunter2|PATCHGATE|SECRET/i);
        expect(result.error).toMatch(/^not valid YAML: .* at line \d+, column \d+$/);
      }
    },
  );
});

describe('xmlDepthExceeds', () => {
  it('counts element nesting only', () => {
    const ok = `<?xml version="1.0"?><!-- <a><a> --><r a="<b>">${'<e/>'.repeat(1000)}<![CDATA[<x><x>]]></r>`;
    expect(xmlDepthExceeds(ok)).toBe(false);
    expect(xmlDepthExceeds('<a>'.repeat(deep) + '</a>'.repeat(deep))).toBe(true);
    expect(xmlDepthExceeds('<a>'.repeat(256) + '</a>'.repeat(256))).toBe(false);
    expect(xmlDepthExceeds('<a>'.repeat(257) + '</a>'.repeat(257))).toBe(true);
  });
});

describe('error reports', () => {
  it('names a path, finds the value at it and describes it without quoting much', () => {
    expect(formatPath(['rules', 2, 'when', 'epss'])).toBe('rules[2].when.epss');
    expect(formatPath([])).toBe('(top level)');
    const data = { rules: [{ name: 'x'.repeat(50) }, null] };
    expect(valueAt(data, ['rules', 0, 'name'])).toBe('x'.repeat(50));
    expect(valueAt(data, ['rules', 1, 'name'])).toBeUndefined();
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(40)}…"`);
    expect([null, [], {}, 3, true, undefined].map(describeValue)).toEqual([
      'null',
      'a list',
      'a mapping',
      '3',
      'true',
      'undefined',
    ]);
  });
});
