import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { globToRegExp, parsePolicy } from './custom.ts';
import { asset, facts, finding, policyInput } from './test-support.ts';
import type { Policy, PolicyInput } from './types.ts';

const examples = new URL('../examples/', import.meta.url);

const head = 'apiVersion: patchgate.dev/policy/v1\nid: p\nname: P\nversion: 1\n';
const defaultRule =
  '  - id: default\n    description: d\n    then: { priority: P4, dueInDays: 90 }\n';
const rule = (when: string, then = '{ priority: P1, dueInDays: 1 }', id = 'a'): string =>
  `  - id: ${id}\n    description: ${id}\n    when: ${when}\n    then: ${then}\n`;
const policyWith = (...rules: string[]): string => `${head}rules:\n${rules.join('')}`;

describe('parsePolicy: invalid files report every error with its path', () => {
  it.each([
    [
      'YAML syntax',
      'p.yaml',
      'apiVersion: [\n',
      [
        'p.yaml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:',
      ],
    ],
    [
      'JSON syntax',
      'p.json',
      '{"apiVersion": ',
      ['p.json: not valid JSON: unexpected end of input'],
    ],
    [
      'duplicate YAML key',
      'p.yaml',
      policyWith(defaultRule).replace('name: P\n', 'name: P\nname: Q\n'),
      ['p.yaml: not valid YAML: Map keys must be unique at line 4, column 1:'],
    ],
    [
      'not a mapping',
      'p.yaml',
      '- a\n- b\n',
      [
        'p.yaml: (top level): expected a mapping (apiVersion, id, name, version, rules), got a list',
      ],
    ],
    [
      'wrong apiVersion',
      'p.yaml',
      policyWith(defaultRule).replace('/v1', '/v2'),
      ['p.yaml: apiVersion: expected patchgate.dev/policy/v1'],
    ],
    [
      'unknown top-level key',
      'p.yaml',
      `owner: me\n${policyWith(defaultRule)}`,
      ['p.yaml: owner: unknown key'],
    ],
    [
      'bad policy id',
      'p.yaml',
      policyWith(defaultRule).replace('id: p\n', 'id: My Policy\n'),
      ['p.yaml: id: expected an id (lower-case letters, digits and "-")'],
    ],
    ['no rules', 'p.yaml', head, ['p.yaml: rules: required, expected a list of rules']],
    ['empty rules', 'p.yaml', `${head}rules: []\n`, ['p.yaml: rules: expected at least one rule']],
    [
      'misspelt condition',
      'p.yaml',
      policyWith(rule('{ epsss: 0.5 }'), defaultRule),
      ['p.yaml: rules[0].when.epsss: unknown key'],
    ],
    [
      'EPSS out of range and of the wrong type',
      'p.yaml',
      policyWith(
        rule('{ epss: 5 }', undefined, 'a'),
        rule('{ kev: true }', undefined, 'b'),
        rule('{ epss: high }', undefined, 'c'),
        defaultRule,
      ),
      [
        'p.yaml: rules[0].when.epss: expected a number between 0 and 1',
        'p.yaml: rules[2].when.epss: expected a number between 0 and 1, got "high"',
      ],
    ],
    [
      'cvssScore above 10',
      'p.yaml',
      policyWith(rule('{ cvssScore: 11 }'), defaultRule),
      ['p.yaml: rules[0].when.cvssScore: expected a number between 0 and 10'],
    ],
    [
      'unknown severity word',
      'p.yaml',
      policyWith(rule('{ severity: [urgent] }'), defaultRule),
      [
        'p.yaml: rules[0].when.severity[0]: expected one of: none, low, medium, high, critical, unknown',
      ],
    ],
    [
      'severity not a list',
      'p.yaml',
      policyWith(rule('{ severity: high }'), defaultRule),
      [
        'p.yaml: rules[0].when.severity: expected a non-empty list of: none, low, medium, high, critical, unknown, got "high"',
      ],
    ],
    [
      'SSVC value',
      'p.yaml',
      policyWith(rule('{ ssvc: { exploitation: [exploited] } }'), defaultRule),
      ['p.yaml: rules[0].when.ssvc.exploitation[0]: expected one of: none, poc, active'],
    ],
    [
      'asset conditions',
      'p.yaml',
      policyWith(rule('{ asset: { tags: pci, environment: [prod], owner: x } }'), defaultRule),
      [
        'p.yaml: rules[0].when.asset.environment[0]: expected one of: production, staging, test, development',
        'p.yaml: rules[0].when.asset.tags: expected a non-empty list of strings, got "pci"',
        'p.yaml: rules[0].when.asset.owner: unknown key',
      ],
    ],
    [
      'kev not a boolean',
      'p.yaml',
      policyWith(rule('{ kev: "yes" }'), defaultRule),
      ['p.yaml: rules[0].when.kev: expected true or false, got "yes"'],
    ],
    [
      'missing priority',
      'p.yaml',
      policyWith(rule('{ kev: true }', '{ dueInDays: 1 }'), defaultRule),
      ['p.yaml: rules[0].then.priority: expected one of: P1, P2, P3, P4, P5'],
    ],
    [
      'bad priority and fractional days',
      'p.yaml',
      policyWith(rule('{ kev: true }', '{ priority: P6, dueInDays: 1.5 }'), defaultRule),
      [
        'p.yaml: rules[0].then.priority: expected one of: P1, P2, P3, P4, P5',
        'p.yaml: rules[0].then.dueInDays: expected a whole number of days (0 to 3650), got 1.5',
      ],
    ],
    [
      'no due date at all',
      'p.yaml',
      policyWith(rule('{ kev: true }', '{ priority: P1 }'), defaultRule),
      ['p.yaml: rules[0].then: expected dueInDays, dueDate: kev or dueDate: none'],
    ],
    [
      'dueDate none with days',
      'p.yaml',
      policyWith(
        rule('{ kev: true }', '{ priority: P1, dueDate: none, dueInDays: 3 }'),
        defaultRule,
      ),
      ['p.yaml: rules[0].then.dueInDays: not allowed with dueDate: none'],
    ],
    [
      'dueDate kev without the fallback days',
      'p.yaml',
      policyWith(rule('{ kev: true }', '{ priority: P1, dueDate: kev }'), defaultRule),
      [
        'p.yaml: rules[0].then.dueInDays: required with dueDate: kev (used when CISA set no due date or it has passed)',
      ],
    ],
    [
      'unknown dueDate word',
      'p.yaml',
      policyWith(rule('{ kev: true }', '{ priority: P1, dueDate: soon }'), defaultRule),
      ['p.yaml: rules[0].then.dueDate: expected kev or none'],
    ],
    [
      'unknown key in then',
      'p.yaml',
      policyWith(rule('{ kev: true }', '{ priority: P1, dueInDays: 1, owner: x }'), defaultRule),
      ['p.yaml: rules[0].then.owner: unknown key'],
    ],
    [
      'bad URL',
      'p.yaml',
      `${head}specUrls: [not-a-url]\nrules:\n${defaultRule}`,
      ['p.yaml: specUrls[0]: expected a URL'],
    ],
    [
      'no final default rule',
      'p.yaml',
      policyWith(rule('{ kev: true }')),
      [
        'p.yaml: rules[0].when: the last rule must be the default: no conditions, so that every finding gets a decision',
      ],
    ],
    [
      'default rule not last, duplicate id',
      'p.yaml',
      policyWith(defaultRule, defaultRule),
      [
        'p.yaml: rules[0].when: a rule without conditions must be the last one (the rules after it could never match)',
        'p.yaml: rules[1].id: duplicate rule id "default"',
      ],
    ],
  ])('%s', (_name, fileName, text, errors) => {
    expect(parsePolicy(text, fileName)).toEqual({ ok: false, errors });
  });
});

describe('parsePolicy: valid files', () => {
  it('reads the same policy from YAML and JSON', () => {
    const json = JSON.stringify({
      apiVersion: 'patchgate.dev/policy/v1',
      id: 'p',
      name: 'P',
      version: 1,
      rules: [{ id: 'default', description: 'd', then: { priority: 'P4', dueInDays: 90 } }],
    });
    const fromJson = parsePolicy(json, 'p.json');
    const fromYaml = parsePolicy(policyWith(defaultRule), 'p.yaml');
    expect(fromJson.ok && fromJson.definition).toEqual({
      apiVersion: 'patchgate.dev/policy/v1',
      id: 'p',
      name: 'P',
      version: '1',
      rules: [{ id: 'default', description: 'd', then: { priority: 'P4', dueInDays: 90 } }],
    });
    expect(fromYaml.ok && fromYaml.definition).toEqual(fromJson.ok && fromJson.definition);
  });
});

describe('the example policy (examples/acme-production.yaml)', () => {
  const parsed = parsePolicy(
    readFileSync(new URL('acme-production.yaml', examples), 'utf8'),
    'acme-production.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const policy: Policy = parsed.policy;

  it('parses, with its metadata', () => {
    expect({
      id: policy.id,
      name: policy.name,
      version: policy.version,
      specUrls: policy.specUrls,
    }).toEqual({
      id: 'acme-production',
      name: 'ACME production patching',
      version: '2026.11',
      specUrls: ['https://www.cisa.gov/known-exploited-vulnerabilities-catalog'],
    });
    expect(parsed.definition.rules.map((entry) => entry.id)).toEqual([
      'kev-ransomware',
      'kev',
      'internet-likely-exploited',
      'internet-critical',
      'pci-high',
      'dev-no-fix',
      'openssl',
      'by-severity-high',
      'default',
    ]);
  });

  const kev = (dueDate: string, ransomware: 'Known' | 'Unknown') => ({
    source: 'CISA KEV',
    dateAdded: '2026-11-20',
    dueDate,
    knownRansomwareCampaignUse: ransomware,
  });
  const epss = (score: number) => ({
    source: 'FIRST EPSS',
    score,
    percentile: 0.9,
    scoreDate: '2026-11-21',
  });

  it.each<
    [
      string,
      PolicyInput,
      { rule: string; priority: string; dueDate: string | null; timeline: string },
    ]
  >([
    [
      'KEV with ransomware use',
      policyInput({ facts: [facts({ kev: kev('2026-12-11', 'Known') })] }),
      { rule: 'kev-ransomware', priority: 'P1', dueDate: '2026-11-24', timeline: '48 hours' },
    ],
    [
      'KEV, CISA date earlier than 7 days',
      policyInput({ facts: [facts({ kev: kev('2026-11-26', 'Unknown') })] }),
      {
        rule: 'kev',
        priority: 'P1',
        dueDate: '2026-11-26',
        timeline: 'KEV due date, at most 7 days',
      },
    ],
    [
      'KEV, CISA date later than 7 days',
      policyInput({ facts: [facts({ kev: kev('2026-12-11', 'Unknown') })] }),
      {
        rule: 'kev',
        priority: 'P1',
        dueDate: '2026-11-29',
        timeline: 'KEV due date, at most 7 days',
      },
    ],
    [
      'KEV, CISA date already past',
      policyInput({ facts: [facts({ kev: kev('2022-01-10', 'Unknown') })] }),
      {
        rule: 'kev',
        priority: 'P1',
        dueDate: '2026-11-29',
        timeline: 'KEV due date, at most 7 days',
      },
    ],
    [
      'internet-facing with EPSS 0.1 (at the threshold)',
      policyInput({ facts: [facts({ epss: epss(0.1) })], asset: asset({ exposure: 'internet' }) }),
      {
        rule: 'internet-likely-exploited',
        priority: 'P1',
        dueDate: '2026-11-29',
        timeline: '7 days',
      },
    ],
    [
      'internal with EPSS 0.5: not that rule; unrated → by-severity-high',
      policyInput({ facts: [facts({ epss: epss(0.5) })], asset: asset({ exposure: 'internal' }) }),
      { rule: 'by-severity-high', priority: 'P2', dueDate: '2026-12-22', timeline: '30 days' },
    ],
    [
      'critical on an asset of unknown exposure',
      policyInput({
        finding: finding({ statedSeverity: 'critical' }),
        asset: asset({ exposure: 'unknown' }),
      }),
      { rule: 'internet-critical', priority: 'P1', dueDate: '2026-11-29', timeline: '7 days' },
    ],
    [
      'high on a PCI asset (all listed tags present)',
      policyInput({
        finding: finding({ statedSeverity: 'high' }),
        asset: asset({ tags: ['pci', 'eu'] }),
      }),
      { rule: 'pci-high', priority: 'P2', dueDate: '2026-12-22', timeline: '30 days' },
    ],
    [
      'medium on a development asset with no fix',
      policyInput({
        finding: finding({ statedSeverity: 'medium', fixedVersions: [] }),
        asset: asset({ environment: 'development' }),
      }),
      { rule: 'dev-no-fix', priority: 'P5', dueDate: null, timeline: 'track' },
    ],
    [
      'openssl with CVSS 7.5',
      policyInput({
        finding: finding({
          packageName: 'openssl-libs',
          advisoryCvss: [
            { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
          ],
        }),
      }),
      { rule: 'openssl', priority: 'P2', dueDate: '2026-12-06', timeline: '14 days' },
    ],
    [
      'libssl with CVSS 7.5: the glob does not match',
      policyInput({
        finding: finding({
          packageName: 'libssl3',
          advisoryCvss: [
            { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
          ],
        }),
      }),
      { rule: 'by-severity-high', priority: 'P2', dueDate: '2026-12-22', timeline: '30 days' },
    ],
    [
      'low everywhere else: the default rule',
      policyInput({ finding: finding({ statedSeverity: 'low' }) }),
      { rule: 'default', priority: 'P4', dueDate: '2027-02-20', timeline: '90 days' },
    ],
  ])('%s', (_name, input, expected) => {
    const decision = policy.decide(input);
    expect({
      rule: decision.explanation.rule.id,
      priority: decision.priority,
      dueDate: decision.dueDate,
      timeline: decision.timeline,
    }).toEqual(expected);
  });

  it('explains a custom decision with the inputs its rule read', () => {
    const decision = policy.decide(
      policyInput({
        facts: [facts({ epss: epss(0.25) })],
        asset: asset({ name: 'web-1', exposure: 'internet' }),
      }),
    );
    expect(decision).toEqual({
      priority: 'P1',
      dueDate: '2026-11-29',
      timeline: '7 days',
      severity: 'unknown',
      drivingCve: 'CVE-2026-0001',
      explanation: {
        policy: { id: 'acme-production', name: 'ACME production patching', version: '2026.11' },
        rule: {
          id: 'internet-likely-exploited',
          description: 'Internet-facing (or unknown) with an EPSS score of at least 0.1',
        },
        inputs: [
          { name: 'epss', value: 0.25, source: 'FIRST EPSS', timestamp: '2026-11-21' },
          { name: 'exposure', value: 'internet', source: 'asset context (web-1)' },
          { name: 'severity', value: 'unknown', source: 'no CVSS vector and no stated severity' },
          { name: 'detectedOn', value: '2026-11-22', source: 'finding' },
        ],
        due: '7 days from detection on 2026-11-22',
        text: 'ACME production patching, rule internet-likely-exploited: CVE-2026-0001 (GHSA-test) in example 1.0.0: Internet-facing (or unknown) with an EPSS score of at least 0.1. Priority P1, due 2026-11-29: 7 days from detection on 2026-11-22.',
      },
    });
  });
});

describe('globToRegExp', () => {
  it.each([
    ['openssl*', 'openssl', true],
    ['openssl*', 'openssl-libs', true],
    ['openssl*', 'libopenssl', false],
    ['@types/*', '@types/node', true],
    ['lib?.so', 'libc.so', true],
    ['lib?.so', 'libcc.so', false],
    ['a.b', 'axb', false],
    ['log4j-core', 'log4j-core', true],
  ])('%s matches %s: %s', (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });
});

describe('parsePolicy: nesting', () => {
  it.each([
    ['p.yaml', '- '.repeat(50_000) + 'x'],
    ['p.json', '['.repeat(50_000)],
  ])('%s nested 50,000 deep is refused naming the limit', (file, text) => {
    expect(parsePolicy(text, file)).toEqual({
      ok: false,
      errors: [`${file}: nested deeper than the limit of 256 levels`],
    });
  });
});
