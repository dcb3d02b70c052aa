import { describe, expect, it } from 'vitest';
import type { AssetFacts } from './asset-selector.ts';
import { formatSelector, matchesSelector, parseSelector } from './asset-selector.ts';

const web: AssetFacts = {
  id: 'a1',
  name: 'web-01',
  environment: 'production',
  criticality: 'high',
  exposure: 'internet',
  team: 'web',
  tags: ['nginx'],
  groups: ['web'],
};

describe('asset selectors', () => {
  it.each([
    [{}, true],
    [{ names: ['web-01'] }, true],
    [{ names: ['a1'] }, true],
    [{ names: ['db-01'] }, false],
    [{ environments: ['production', 'staging'] }, true],
    [{ environments: ['test'] }, false],
    [{ environments: ['production'], groups: ['db'] }, false],
    [{ tags: ['nginx'], exposures: ['internet'] }, true],
    [{ teams: ['web'], criticalities: ['low'] }, false],
  ] as const)('%j matches web-01: %s', (selector, expected) => {
    expect(matchesSelector(web, selector)).toBe(expected);
  });

  it('reads and writes the text form', () => {
    const parsed = parseSelector('environment=production|staging, group=web');
    expect(parsed).toEqual({
      ok: true,
      selector: { environments: ['production', 'staging'], groups: ['web'] },
    });
    if (parsed.ok)
      expect(formatSelector(parsed.selector)).toBe('environment=production|staging,group=web');
    expect(parseSelector('*')).toEqual({ ok: true, selector: {} });
    expect(formatSelector({})).toBe('*');
  });

  it.each([
    ['environment=prod', '"prod" is not a valid environment'],
    ['colour=blue', 'is not a selector term'],
    ['group=', 'needs at least one value'],
    ['group', 'is not a selector term'],
  ])('refuses %s', (text, message) => {
    const parsed = parseSelector(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});
