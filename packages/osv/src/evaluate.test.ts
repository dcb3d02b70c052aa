import { readFileSync } from 'node:fs';
import { findScheme, stripEpoch } from '@patchgate/versioning';
import type { VersionScheme } from '@patchgate/versioning';
import { describe, expect, it } from 'vitest';
import { compileAffected, prepareVersion } from './evaluate.ts';
import type { CompileOptions, Verdict } from './evaluate.ts';
import { parseOsvDocument } from './parse.ts';
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from './schema.ts';

/** Test-only scheme: plain non-negative integers. */
const integers: VersionScheme<number> = {
  id: 'test-int',
  displayName: 'integers',
  specUrls: [],
  ecosystems: ['TestInt'],
  parse: (v) =>
    /^\d+$/.test(v) ? { ok: true, value: Number(v) } : { ok: false, error: 'digits only' },
  compareParsed: (a, b) => a - b,
};

/** Test-only scheme: `epoch:number`, the epoch mandatory, to exercise `ignoreEpoch`. */
const epochs: VersionScheme<[number, number]> = {
  id: 'test-epoch',
  displayName: 'epoch:integer',
  specUrls: [],
  ecosystems: ['TestEpoch'],
  parse: (v) => {
    const m = /^(\d+):(\d+)$/.exec(v);
    return m ? { ok: true, value: [Number(m[1]), Number(m[2])] } : { ok: false, error: 'E:N' };
  },
  compareParsed: (a, b) => a[0] - b[0] || a[1] - b[1],
};

const onlyIntegers: CompileOptions = { resolveScheme: () => integers };

function affected(ranges: OsvRange[], versions: string[] = []): OsvAffected {
  return { package: { ecosystem: 'TestInt', name: 'p' }, ranges, versions, severity: [] };
}
function eco(...events: OsvEvent[]): OsvRange {
  return { type: 'ECOSYSTEM', events };
}

function verdict(partial: Partial<Verdict> & Pick<Verdict, 'affected' | 'reason'>): Verdict {
  return { evaluable: true, fixed: [], lastAffected: [], problems: [], ...partial };
}

describe('compileAffected with a test-only integer scheme', () => {
  const pairs = affected([
    eco(
      { introduced: '0' },
      { fixed: '3' },
      { introduced: '5' },
      { fixed: '8' },
      { introduced: '10' },
    ),
  ]);

  it.each([
    // The fix offered is the one closing the version's own interval, not later lines' fixes.
    ['0', true, '<3', ['3']],
    ['2', true, '<3', ['3']],
    ['3', false, undefined, []],
    ['4', false, undefined, []],
    ['5', true, '>=5 <8', ['8']],
    ['7', true, '>=5 <8', ['8']],
    ['8', false, undefined, []],
    ['10', true, '>=10', []],
    ['99', true, '>=10', []],
  ])('multiple introduced/fixed pairs: %s → affected %s', (v, isAffected, range, fixed) => {
    const result = compileAffected(pairs, onlyIntegers).evaluate(v);
    expect(result).toEqual(
      isAffected
        ? verdict({
            affected: true,
            reason: `${v} is in the affected range ${range}`,
            matchedRange: range,
            fixed,
          })
        : verdict({
            affected: false,
            reason: `${v} is outside every affected range and not in the versions list`,
          }),
    );
  });

  it('sorts events by version before walking (the spec does not require sorted input)', () => {
    const shuffled = affected([
      eco({ fixed: '8' }, { introduced: '5' }, { fixed: '3' }, { introduced: '0' }),
    ]);
    const compiled = compileAffected(shuffled, onlyIntegers);
    expect(['2', '4', '6', '9'].map((v) => compiled.evaluate(v).affected)).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it.each([
    ['4', true, ['5']],
    ['5', true, ['5']],
    ['6', false, []],
  ])('last_affected is inclusive: %s → %s', (v, isAffected, lastAffected) => {
    const result = compileAffected(
      affected([eco({ introduced: '2' }, { last_affected: '5' })]),
      onlyIntegers,
    ).evaluate(v);
    expect(result).toMatchObject({ affected: isAffected, lastAffected });
    if (isAffected) expect(result.matchedRange).toBe('>=2 <=5');
  });

  it.each([
    ['1', false],
    ['3', true],
    ['6', true],
    ['7', false],
    ['50', false],
  ])('limit bounds the range (introduced 3, limit 7): %s → %s', (v, isAffected) => {
    const compiled = compileAffected(
      affected([eco({ introduced: '3' }, { limit: '7' })]),
      onlyIntegers,
    );
    expect(compiled.evaluate(v).affected).toBe(isAffected);
  });

  it('several limits: below any one of them is enough; "*" is infinity', () => {
    const two = compileAffected(
      affected([eco({ introduced: '0' }, { limit: '4' }, { limit: '9' })]),
      onlyIntegers,
    );
    const star = compileAffected(
      affected([eco({ introduced: '0' }, { limit: '*' })]),
      onlyIntegers,
    );
    expect([two.evaluate('8').affected, two.evaluate('9').affected]).toEqual([true, false]);
    expect(two.evaluate('2').matchedRange).toBe('<4');
    expect(star.evaluate('123456').affected).toBe(true);
  });

  it('the versions list matches exact strings only, even when no range matches', () => {
    const compiled = compileAffected(affected([], ['7', '07']), onlyIntegers);
    expect(compiled.evaluate('07')).toEqual(
      verdict({
        affected: true,
        reason: '07 is listed in the affected versions',
        matchedRange: 'versions list',
      }),
    );
    expect(compiled.evaluate('0007').affected).toBe(false);
  });

  it('an event version the scheme rejects makes that range unevaluable, never guessed', () => {
    const compiled = compileAffected(
      affected([eco({ introduced: '0' }, { fixed: '1.2' })]),
      onlyIntegers,
    );
    const problem = 'range 0 (ECOSYSTEM): test-int rejects fixed "1.2" (digits only)';
    expect(compiled.problems).toEqual([problem]);
    expect(compiled.evaluate('5')).toEqual(
      verdict({
        affected: false,
        evaluable: false,
        reason: `could not decide: ${problem}`,
        problems: [problem],
      }),
    );
  });

  it('another evaluable range can still prove "affected" next to a broken one', () => {
    const compiled = compileAffected(
      affected([eco({ introduced: 'x' }), eco({ introduced: '2' }, { fixed: '4' })]),
      onlyIntegers,
    );
    expect(compiled.evaluate('3')).toMatchObject({ affected: true, evaluable: true, fixed: ['4'] });
  });

  it('an installed version the scheme rejects is reported, not coerced', () => {
    const result = compileAffected(affected([eco({ introduced: '0' })]), onlyIntegers).evaluate(
      'v1',
    );
    expect(result).toEqual(
      verdict({
        affected: false,
        evaluable: false,
        reason:
          'could not decide: installed version "v1" is not a valid test-int version (digits only)',
        problems: ['installed version "v1" is not a valid test-int version (digits only)'],
      }),
    );
  });

  it('GIT ranges are not version-evaluable; the versions list decides', () => {
    const git: OsvRange = {
      type: 'GIT',
      repo: 'https://example.invalid/r',
      events: [{ introduced: '0' }, { fixed: 'abc123' }],
    };
    const skipped =
      "range 0 (GIT): GIT ranges name commits and need the repository's history; not evaluated against a version";
    const withList = compileAffected(affected([git], ['3']), onlyIntegers);
    expect(withList.evaluate('4')).toEqual(
      verdict({
        affected: false,
        reason: '4 is outside every affected range and not in the versions list',
        problems: [skipped],
      }),
    );
    expect(compileAffected(affected([git]), onlyIntegers).evaluate('4')).toEqual(
      verdict({
        affected: false,
        evaluable: false,
        reason: 'only GIT ranges and no versions list: nothing version-evaluable',
        problems: [skipped],
      }),
    );
  });

  it('an ecosystem without a scheme is reported', () => {
    const result = compileAffected(affected([eco({ introduced: '0' })]), {
      resolveScheme: () => undefined,
    }).evaluate('1');
    expect(result).toMatchObject({
      affected: false,
      evaluable: false,
      problems: ['range 0 (ECOSYSTEM): no version scheme for ecosystem "TestInt"'],
    });
  });

  it('ignoreEpoch transforms events, the versions list and the installed version alike', () => {
    const entry: OsvAffected = {
      ...affected([eco({ introduced: '0' }, { fixed: '2:5' })], ['2:9']),
      package: { ecosystem: 'TestEpoch', name: 'p' },
    };
    const withEpochs = compileAffected(entry, { resolveScheme: () => epochs });
    // The inventory had no epochs: the scheme would reject "4"; with the transform both
    // sides lose the epoch and compare as "0:4" < "0:5".
    const dropEpoch = (v: string) => `0:${v.replace(/^\d+:/, '')}`;
    const stripped = compileAffected(entry, {
      resolveScheme: () => epochs,
      ignoreEpoch: dropEpoch,
    });
    expect(withEpochs.evaluate('4').evaluable).toBe(false);
    expect(stripped.evaluate('4')).toMatchObject({ affected: true, fixed: ['2:5'] });
    expect(stripped.evaluate('5').affected).toBe(false);
    expect(stripped.evaluate('9')).toMatchObject({ affected: true, matchedRange: 'versions list' });
  });

  it('a PreparedVersion is parsed once per scheme and reused across entries', () => {
    let calls = 0;
    const counting: VersionScheme<number> = {
      ...integers,
      parse: (v) => (calls++, integers.parse(v)),
    };
    const options = { resolveScheme: () => counting };
    const a = compileAffected(affected([eco({ introduced: '1' }, { fixed: '5' })]), options);
    const b = compileAffected(affected([eco({ introduced: '3' })]), options);
    const before = calls;
    const installed = prepareVersion('4');
    expect([a.evaluateParsed(installed).affected, b.evaluateParsed(installed).affected]).toEqual([
      true,
      true,
    ]);
    expect(calls - before).toBe(1);
  });
});

// Integration with the real schemes: these run as soon as packages/versioning ships them.
const testdata = new URL('../testdata/', import.meta.url);
function fixture(name: string): OsvRecord {
  const text = readFileSync(new URL(name, testdata), 'utf8');
  const record = parseOsvDocument(text, name).records[0];
  if (record === undefined) throw new Error(`fixture ${name} did not parse`);
  return record;
}
function schemeReady(id: string): boolean {
  return findScheme(id)?.parse('1.0.0').ok === true;
}
function firstAffected(record: OsvRecord): OsvAffected {
  const entry = record.affected[0];
  if (entry === undefined) throw new Error(`${record.id} has no affected entry`);
  return entry;
}

describe.skipIf(!schemeReady('semver'))('real records, semver scheme', () => {
  it.each([
    ['GO-2024-2666.json', '1.13.13', true, ['1.13.14']],
    ['GO-2024-2666.json', '1.13.14', false, []],
    ['GO-2024-2666.json', '1.14.8', true, ['1.14.9']],
    ['GO-2024-2666.json', '1.15.3', false, []],
    ['GO-2024-2666.json', '1.16.0', false, []],
    ['RUSTSEC-2024-0012.json', '0.5.1', true, ['0.5.2']],
    ['RUSTSEC-2024-0012.json', '0.5.2', false, []],
    ['RUSTSEC-2024-0012.json', '1.0.0', true, ['1.0.1']],
    ['RUSTSEC-2024-0012.json', '1.0.1', false, []],
  ])('%s at %s → affected %s', (file, version, isAffected, fixed) => {
    const result = compileAffected(firstAffected(fixture(file))).evaluate(version);
    expect(result).toMatchObject({ affected: isAffected, evaluable: true, fixed });
  });
});

describe.skipIf(!schemeReady('debian'))('real records, debian scheme', () => {
  it.each([
    ['DSA-5257-2.json', '5.10.149-1', true],
    ['DSA-5257-2.json', '5.10.149-2', false],
    ['DSA-5257-2.json', '5.10.158-2', false],
    ['DSA-3029-1.json', '1.2.1-2.2+wheezy2', true],
    ['DSA-3029-1.json', '1.2.1-2.2+wheezy3', false],
  ])('%s at %s → affected %s', (file, version, isAffected) => {
    expect(compileAffected(firstAffected(fixture(file))).evaluate(version)).toMatchObject({
      affected: isAffected,
      evaluable: true,
    });
  });
});

describe.skipIf(!schemeReady('pep440'))('real records, pep440 scheme', () => {
  it.each([
    ['PYSEC-2022-42969.yaml', '1.11.0', true, '<=1.11.0'],
    ['PYSEC-2022-42969.yaml', '1.11.1', false, undefined],
    ['PYSEC-2022-302.yaml', '2.4.9', true, '<2.4.10'],
    ['PYSEC-2022-302.yaml', '2.4.10', false, undefined],
  ])('%s at %s → affected %s', (file, version, isAffected, matchedRange) => {
    const result = compileAffected(firstAffected(fixture(file))).evaluate(version);
    expect(result).toMatchObject({ affected: isAffected, evaluable: true });
    expect(result.matchedRange).toBe(matchedRange);
  });
});

describe.skipIf(!schemeReady('rpm'))(
  'real records, rpm scheme (ALSA-2026:0067, fixed 2:1.34-9.el9_7)',
  () => {
    const tar = firstAffected(fixture('ALSA-2026-0067.json'));
    it.each([
      ['2:1.34-9.el9_6', {}, true],
      ['2:1.34-9.el9_7', {}, false],
      // Epoch 0 sorts below epoch 2: with epochs honoured, a newer-looking 0: build is affected.
      ['1.35-1.el9', {}, true],
      // An inventory without epochs: strip them on both sides (the matcher's choice).
      ['1.35-1.el9', { ignoreEpoch: stripEpoch }, false],
      ['1.34-9.el9_6', { ignoreEpoch: stripEpoch }, true],
    ])('%s with %o → affected %s', (version, options, isAffected) => {
      expect(compileAffected(tar, options).evaluate(version)).toMatchObject({
        affected: isAffected,
        evaluable: true,
      });
    });
  },
);
