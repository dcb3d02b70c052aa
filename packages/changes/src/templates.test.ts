import type { AssetFacts } from '@patchgate/model';
import { describe, expect, it } from 'vitest';
import { DeploymentPlan } from './plans.ts';
import type { TemplateFacts } from './templates.ts';
import {
  checkTemplateCriteria,
  firstWaveIsNonProduction,
  globMatches,
  securityUpdatesTemplate,
  StandardTemplate,
} from './templates.ts';

const asset = (name: string, environment: AssetFacts['environment']): AssetFacts => ({
  id: `id-${name}`,
  name,
  environment,
  criticality: 'medium',
  exposure: 'internal',
  team: null,
  tags: [],
  groups: [],
});

const fits: TemplateFacts = {
  assets: [asset('test-01', 'test'), asset('stage-01', 'staging')],
  patches: [
    { packageName: 'openssl', origin: 'Debian-Security' },
    { packageName: 'libssl3', origin: 'Debian-Security' },
  ],
  risk: 'low',
  firstWaveNonProduction: true,
};

describe('checkTemplateCriteria', () => {
  it('parses the built-in template with its defaults', () => {
    expect(securityUpdatesTemplate.criteria).toEqual({
      onlySecurityOrigin: true,
      securityOrigins: ['*security*'],
      maxAssets: 50,
      environments: ['test', 'development', 'staging'],
      nonProductionFirst: true,
      maxRisk: 'low',
      packages: { deny: ['linux-image-*', 'linux-headers-*', 'kernel*'] },
    });
  });

  it.each<[string, Partial<TemplateFacts>, string[]]>([
    ['a fitting change', {}, []],
    ['no patches', { patches: [] }, ['the change has no patches']],
    [
      'origins outside security',
      {
        patches: [
          { packageName: 'openssl', origin: 'Debian' },
          { packageName: 'curl', origin: null },
          { packageName: 'zlib1g', origin: 'debian-security' },
        ],
      },
      ['only security updates: openssl (Debian), curl (origin unknown) not from *security*'],
    ],
    [
      'too many assets, production among them, no environment',
      {
        assets: [
          ...Array.from({ length: 49 }, (_, i) => asset(`t-${i}`, 'test')),
          asset('web-01', 'production'),
          asset('odd-01', null),
        ],
      },
      [
        'at most 50 assets: the change has 51',
        'only test, development, staging assets: web-01 (production), odd-01 (no environment)',
      ],
    ],
    [
      'production first',
      { firstWaveNonProduction: false },
      ['the deployment plan’s first wave must hold only non-production assets'],
    ],
    ['moderate risk', { risk: 'moderate' }, ['risk at most low: the change is moderate']],
    [
      'a kernel',
      {
        patches: [
          { packageName: 'linux-image-6.1.0-28-amd64', origin: 'Debian-Security' },
          { packageName: 'linux-image-amd64', origin: 'Debian-Security' },
        ],
      },
      [
        'packages linux-image-*, linux-headers-*, kernel* are excluded: linux-image-6.1.0-28-amd64, linux-image-amd64',
      ],
    ],
  ])('%s', (_label, over, failures) => {
    expect(checkTemplateCriteria(securityUpdatesTemplate, { ...fits, ...over })).toEqual({
      ok: failures.length === 0,
      failures,
    });
  });

  it('honours an allow list and lenient criteria', () => {
    const template = StandardTemplate.parse({
      name: 'openssl-anywhere',
      version: 3,
      description: 'OpenSSL updates, any origin, any environment, up to moderate risk',
      criteria: {
        onlySecurityOrigin: false,
        maxRisk: 'moderate',
        packages: { allow: ['openssl', 'libssl?'] },
      },
    });
    const facts: TemplateFacts = {
      assets: [asset('web-01', 'production')],
      patches: [
        { packageName: 'openssl', origin: null },
        { packageName: 'libssl3', origin: 'Debian' },
        { packageName: 'curl', origin: 'Debian' },
        { packageName: 'curl', origin: 'Debian' },
      ],
      risk: 'moderate',
      firstWaveNonProduction: false,
    };
    expect(checkTemplateCriteria(template, facts)).toEqual({
      ok: false,
      failures: ['only packages openssl, libssl?: curl'],
    });
  });

  it('refuses a malformed template', () => {
    const parsed = StandardTemplate.safeParse({
      name: 'Bad Name',
      version: 0,
      description: 'x',
      criteria: { maxRisk: 'severe', colour: 'blue' },
    });
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'name',
      'version',
      'criteria.maxRisk',
      'criteria',
    ]);
  });
});

describe('helpers', () => {
  it.each([
    ['*security*', 'Debian-Security', true],
    ['*security*', 'Debian', false],
    ['libssl?', 'libssl3', true],
    ['libssl?', 'libssl3t64', false],
    ['linux-image-*', 'linux-image-amd64', true],
    ['a.b', 'axb', false],
    ['g++-1?', 'g++-12', true],
    ['g++', 'gg', false],
    ['(x)[1]', '(x)[1]', true],
  ] as const)('%s matches %s: %s', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });

  it('tells whether the first wave is non-production', () => {
    const scope = [asset('test-01', 'test'), asset('web-01', 'production'), asset('odd', null)];
    const plan = (waves: unknown[]) => DeploymentPlan.parse({ waves });
    expect(
      [
        plan([{ name: 't', selector: { environments: ['test'] } }, { name: 'rest' }]),
        plan([{ name: 'all' }]),
        plan([{ name: 'none', selector: { environments: ['staging'] } }, { name: 'rest' }]),
        plan([{ name: 'odd', assets: ['odd'] }, { name: 'rest' }]),
      ].map((p) => firstWaveIsNonProduction(p, scope)),
    ).toEqual([true, false, false, false]);
  });
});
