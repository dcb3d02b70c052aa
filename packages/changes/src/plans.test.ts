import { readFileSync } from 'node:fs';
import type { AssetFacts } from '@patchgate/model';
import { describe, expect, it } from 'vitest';
import type { ChangePlans, DeploymentPlan } from './plans.ts';
import {
  amountOf,
  DeploymentPlan as DeploymentPlanSchema,
  defaultDeploymentPlan,
  estimateRollout,
  parsePlansDocument,
  resolveWaves,
  validatePlans,
  Wave,
} from './plans.ts';

const example = readFileSync(new URL('../examples/plan.yaml', import.meta.url), 'utf8');

const asset = (
  name: string,
  environment: AssetFacts['environment'],
  criticality: AssetFacts['criticality'] = 'medium',
): AssetFacts => ({
  id: `id-${name}`,
  name,
  environment,
  criticality,
  exposure: 'internal',
  team: null,
  tags: [],
  groups: [],
});

const scope = [
  asset('web-01', 'production', 'high'),
  asset('web-02', 'production', 'low'),
  asset('db-01', 'production', 'critical'),
  asset('test-01', 'test', 'low'),
  asset('dev-01', 'development', 'critical'),
  asset('stage-01', 'staging', 'medium'),
];

const names = (assets: readonly AssetFacts[]) => assets.map((a) => a.name);

/** A wave as the schema completes it, for building plans in tests. */
const wave = (input: Record<string, unknown>) => Wave.parse(input);

describe('the example plan file', () => {
  it('parses into typed plans with defaults filled', () => {
    const parsed = parsePlansDocument(example);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const waves = parsed.plans.deploymentPlan?.waves ?? [];
    expect(waves.map((w) => [w.name, w.gate, w.onFailure])).toEqual([
      ['test', 'auto', 'pause'],
      ['canary', 'manual', 'rollback'],
      ['production', 'manual', 'rollback'],
    ]);
    expect(waves[0]?.selector).toEqual({ environments: ['test', 'development'] });
    expect(waves[0]?.healthChecks).toEqual([
      {
        kind: 'command',
        command: 'nginx -t',
        expectExitCode: 0,
        retries: 3,
        intervalSeconds: 10,
        timeoutSeconds: 5,
      },
      {
        kind: 'http',
        url: 'http://localhost/healthz',
        expectStatus: 200,
        retries: 5,
        intervalSeconds: 10,
        timeoutSeconds: 3,
      },
    ]);
    expect(waves[1]?.assets).toEqual(['web-02']);
    expect(waves[2]).toEqual({
      name: 'production',
      selector: { environments: ['production'] },
      concurrency: '25%',
      failureThreshold: '5%',
      bakeMinutes: 60,
      gate: 'manual',
      onFailure: 'rollback',
      healthChecks: [
        {
          kind: 'tcp',
          host: 'localhost',
          port: 443,
          retries: 3,
          intervalSeconds: 10,
          timeoutSeconds: 5,
        },
        {
          kind: 'command',
          command: 'curl -fsS http://localhost/healthz',
          expectExitCode: 0,
          retries: 3,
          intervalSeconds: 10,
          timeoutSeconds: 5,
        },
      ],
    });
    expect(parsed.plans.rollbackPlan?.steps.map((s) => s.kind)).toEqual([
      'downgrade',
      'restore-paths',
      'command',
    ]);
    expect(parsed.plans.roles?.onCall).toEqual({ name: 'bob', contact: '+44 20 7946 0000' });
  });

  it('is valid for a normal change over a real scope, and resolves into rings and waves', () => {
    const parsed = parsePlansDocument(example);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(validatePlans(parsed.plans, 'normal', scope)).toEqual({
      ok: true,
      errors: [],
      warnings: [
        'deploymentPlan: 1 asset(s) match no wave and join the last wave (production): stage-01',
      ],
    });
    const plan = parsed.plans.deploymentPlan as DeploymentPlan;
    expect(
      resolveWaves(plan, scope).map((r) => ({
        ring: r.ring,
        offsetDays: r.offsetDays,
        wave: r.wave.name,
        assets: names(r.assets),
        leftovers: r.leftovers,
        concurrency: r.concurrency,
        failureThreshold: r.failureThreshold,
      })),
    ).toEqual([
      {
        ring: 'early',
        offsetDays: 0,
        wave: 'test',
        assets: ['test-01', 'dev-01'],
        leftovers: [],
        concurrency: 1,
        failureThreshold: 0,
      },
      {
        ring: 'early',
        offsetDays: 0,
        wave: 'canary',
        assets: ['web-02'],
        leftovers: [],
        concurrency: 1,
        failureThreshold: 0,
      },
      {
        ring: 'main',
        offsetDays: 3,
        wave: 'production',
        assets: ['web-01', 'db-01', 'stage-01'],
        leftovers: ['stage-01'],
        concurrency: 1,
        failureThreshold: 0,
      },
    ]);
  });

  it.each(['## Change plans'])(
    'agrees with the example in the repository README (%s)',
    (heading) => {
      const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
      expect(readme).toContain(heading);
      const section = readme.slice(readme.indexOf(heading));
      const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
      const parsed = parsePlansDocument(yaml);
      expect(parsed.ok && validatePlans(parsed.plans, 'normal')).toMatchObject({
        ok: true,
        errors: [],
      });
    },
  );

  it('reads the same plans from JSON', () => {
    const fromYaml = parsePlansDocument(example);
    if (!fromYaml.ok) throw new Error('example must parse');
    expect(parsePlansDocument(JSON.stringify(fromYaml.plans))).toEqual(fromYaml);
  });
});

describe('parsePlansDocument refusals', () => {
  it.each<[string, string[]]>([
    ['deploymentPlan: [unclosed', ['not valid YAML']],
    ['{"deploymentPlan": ', ['not valid JSON: unexpected end of input']],
    ['- a\n- b\n', ['(top level): expected a mapping of plans']],
    ['apiVersion: v2\n', ['apiVersion: expected patchgate.dev/change-plans/v1']],
    ['colour: blue\n', ['colour: unknown key']],
    [
      'deploymentPlan:\n  waves:\n    - name: a\n      selector: environment=prod\n',
      ['deploymentPlan.waves[0].selector: "prod" is not a valid environment'],
    ],
    [
      'deploymentPlan:\n  waves:\n    - name: a\n      concurrency: 150%\n      gate: maybe\n',
      [
        'deploymentPlan.waves[0].concurrency: expected a percentage from 0% to 100%',
        'deploymentPlan.waves[0].gate: Invalid option: expected one of "auto"|"manual"',
      ],
    ],
    [
      'deploymentPlan:\n  waves: []\n',
      ['deploymentPlan.waves: Too small: expected array to have >=1 items'],
    ],
    [
      'rollbackPlan:\n  steps: [{kind: downgrade}]\n',
      ['rollbackPlan.triggers: required (expected array)'],
    ],
    [
      'deploymentPlan:\n  waves:\n    - name: a\n      healthChecks:\n        - kind: http\n          url: ftp://x\n',
      ['deploymentPlan.waves[0].healthChecks[0].url: expected an http:// or https:// URL'],
    ],
    [
      'deploymentPlan:\n  waves:\n    - name: a\n      bakeMinutes: soon\n',
      ['deploymentPlan.waves[0].bakeMinutes: expected number, got "soon"'],
    ],
    [
      'backupPlan:\n  paths: [etc]\n  restore: copy back\n',
      ['backupPlan.paths[0]: expected an absolute path such as /etc or /var/lib/app'],
    ],
    [
      'testEvidence:\n  - kind: manual\n    signedOffBy: eve\n    signedOffAt: yesterday\n    outcome: passed\n    notes: fine\n    attachments: [{name: a.png, sha256: abc, size: 1}]\n',
      [
        'testEvidence[0].signedOffAt: Invalid ISO datetime',
        'testEvidence[0].attachments[0].sha256: expected 64 lower-case hex digits',
      ],
    ],
  ])('%j', (text, errors) => {
    const parsed = parsePlansDocument(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toHaveLength(errors.length);
    errors.forEach((e, i) => expect(parsed.errors[i]).toContain(e));
  });

  it('refuses a document nested beyond the limit without parsing it', () => {
    const deep = `${'- '.repeat(300)}x\n`;
    expect(parsePlansDocument(`a:\n  ${deep}`)).toEqual({
      ok: false,
      errors: ['nested deeper than the limit of 256 levels'],
    });
  });
});

describe('deployment plan structure', () => {
  const base = { name: 'w' };
  it.each<[string, Record<string, unknown>, string[]]>([
    ['duplicate wave names', { waves: [base, base] }, ['waves[1].name: duplicate wave name w']],
    [
      'two ways to select',
      { waves: [{ name: 'w', assets: ['a'], share: '10%' }] },
      ['waves[0]: give at most one of assets, selector and share'],
    ],
    [
      'zero concurrency',
      { waves: [{ name: 'w', concurrency: 0 }] },
      ['waves[0].concurrency: must be at least 1'],
    ],
    [
      'empty share',
      { waves: [{ name: 'w', share: '0%' }] },
      ['waves[0].share: must select at least one asset'],
    ],
    [
      'ring problems',
      {
        waves: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        rings: [
          { name: 'r1', offsetDays: 3, waves: ['b', 'x'] },
          { name: 'r1', offsetDays: 3, waves: ['a', 'b'] },
        ],
      },
      [
        'rings[0].waves[1]: no wave named x',
        'rings[1].name: duplicate ring name r1',
        "rings[1].offsetDays: must be later than the previous ring's (+3)",
        'rings[1].waves[1]: wave b is already in ring r1',
        'waves[1]: wave b (ring r1) comes after a wave of a later ring',
        'waves[2]: wave c is in no ring',
      ],
    ],
  ])('%s', (_label, input, errors) => {
    const parsed = DeploymentPlanSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(
      parsed.error?.issues.map(
        (i) =>
          `${i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')}: ${i.message}`,
      ),
    ).toEqual(errors);
  });
});

describe('validatePlans', () => {
  const deploymentPlan = DeploymentPlanSchema.parse({
    waves: [{ name: 'all', healthChecks: [{ kind: 'tcp', port: 22 }] }],
  });
  const rollbackPlan = { triggers: ['manual' as const], steps: [{ kind: 'downgrade' as const }] };
  const complete: ChangePlans = {
    testPlan: { summary: 'smoke', environments: [], steps: [], automatedSuites: [] },
    testEvidence: [
      {
        kind: 'manual',
        signedOffBy: 'eve',
        signedOffAt: '2026-12-01T10:00:00Z',
        outcome: 'passed',
        notes: 'fine',
        attachments: [],
      },
    ],
    deploymentPlan,
    rollbackPlan,
    roles: { approvers: [], onCall: { name: 'bob', contact: 'bob@example.org' } },
  };

  it.each<
    [
      string,
      ChangePlans,
      Parameters<typeof validatePlans>[1],
      Partial<ReturnType<typeof validatePlans>>,
    ]
  >([
    ['complete normal', complete, 'normal', { ok: true, errors: [], warnings: [] }],
    [
      'nothing at all, emergency',
      { testEvidence: [] },
      'emergency',
      {
        ok: false,
        errors: ['deploymentPlan: required', 'rollbackPlan: required for emergency changes'],
        warnings: [
          'testPlan: none for an emergency change',
          'testEvidence: none yet (risk counts it as untested)',
          'roles.onCall: no on-call contact during the window',
        ],
      },
    ],
    [
      'standard needs no rollback plan',
      { testEvidence: [], deploymentPlan },
      'standard',
      { ok: true, errors: [], warnings: [] },
    ],
    [
      'manual gate without implementer, rollback without plan, restore without backup',
      {
        ...complete,
        deploymentPlan: {
          waves: [wave({ name: 'w', gate: 'manual', onFailure: 'rollback' })],
          rings: [],
        },
        rollbackPlan: undefined,
      },
      'standard',
      {
        ok: false,
        errors: [
          'deploymentPlan.waves[0].gate: a manual gate needs roles.implementer (who releases the wave)',
          'deploymentPlan.waves[0].onFailure: rollback needs a rollbackPlan',
        ],
        warnings: ['deploymentPlan.waves[0]: wave w has no health checks'],
      },
    ],
    [
      'restore-paths against the backup plan',
      {
        ...complete,
        rollbackPlan: {
          triggers: ['manual'],
          steps: [{ kind: 'restore-paths', paths: ['/etc/nginx/nginx.conf', '/opt/app'] }],
        },
        backupPlan: {
          packageSelection: true,
          paths: ['/etc'],
          hooks: [],
          restore: 'untar',
          retentionDays: 30,
        },
      },
      'normal',
      {
        ok: false,
        errors: [
          'rollbackPlan.steps[0].paths: /opt/app is not under a path the backup plan copies',
        ],
      },
    ],
    [
      'restore-paths without a backup plan',
      { ...complete, rollbackPlan: { triggers: ['manual'], steps: [{ kind: 'restore-paths' }] } },
      'normal',
      {
        ok: false,
        errors: ['rollbackPlan.steps[0]: restore-paths needs a backupPlan that copies paths'],
      },
    ],
    [
      'messages: a lead time after the start, nobody to tell; rollback on checks that do not exist',
      {
        ...complete,
        deploymentPlan: { waves: [wave({ name: 'w' })], rings: [] },
        rollbackPlan: { triggers: ['health-check-failure'], steps: [{ kind: 'downgrade' }] },
        communicationPlan: {
          messages: [
            {
              phase: 'post',
              leadMinutes: 60,
              audiences: ['end-users'],
              addresses: [],
              subject: 'done',
              body: 'done',
            },
            { phase: 'pre', audiences: [], addresses: [], subject: 's', body: 'b' },
          ],
        },
      },
      'normal',
      {
        ok: false,
        errors: ['communicationPlan.messages[0].leadMinutes: only pre messages have a lead time'],
        warnings: [
          'deploymentPlan.waves[0]: wave w has no health checks',
          'communicationPlan.messages[1]: reaches nobody (no audiences, no addresses)',
          'rollbackPlan.triggers: health-check-failure, but no wave has health checks',
        ],
      },
    ],
    [
      'failed evidence',
      {
        ...complete,
        testEvidence: [
          {
            kind: 'automated',
            suite: 's',
            passed: 1,
            failed: 2,
            skipped: 0,
            ranAt: '2026-12-01T10:00:00Z',
            attachments: [],
          },
        ],
      },
      'normal',
      { ok: true, errors: [], warnings: ['testEvidence[0]: reports failures'] },
    ],
  ])('%s', (_label, plans, type, expected) => {
    expect(validatePlans(plans, type)).toMatchObject(expected);
  });

  it('checks the waves against the scope', () => {
    const plans: ChangePlans = {
      ...complete,
      deploymentPlan: DeploymentPlanSchema.parse({
        waves: [
          { name: 'named', assets: ['web-01', 'ghost'] },
          { name: 'empty', selector: { environments: ['staging'] } },
        ],
      }),
    };
    expect(validatePlans(plans, 'normal', [asset('web-01', 'production')]).errors).toEqual([
      "deploymentPlan.waves[0].assets[1]: ghost is not in the change's scope",
    ]);
    expect(
      validatePlans(plans, 'normal', [asset('web-01', 'production'), asset('ghost', 'test')]),
    ).toEqual({
      ok: true,
      errors: [],
      warnings: [
        'deploymentPlan.waves[0]: wave named has no health checks',
        'deploymentPlan.waves[1]: wave empty has no health checks',
        'deploymentPlan: wave empty selects no asset',
      ],
    });
  });
});

describe('amounts', () => {
  it.each<[number | string, number, 'up' | 'down', number]>([
    [3, 10, 'up', 3],
    [30, 10, 'up', 10],
    ['25%', 10, 'up', 3],
    ['25%', 10, 'down', 2],
    ['10%', 30, 'up', 3],
    ['10%', 30, 'down', 3],
    ['100%', 7, 'down', 7],
    ['0%', 7, 'up', 0],
    ['12.5%', 8, 'up', 1],
  ])('%s of %d rounded %s = %d', (amount, total, round, expected) => {
    expect(amountOf(amount, total, round)).toBe(expected);
  });
});

describe('resolveWaves', () => {
  it('puts every asset in exactly one wave: shares of the rest, least critical first', () => {
    const plan = DeploymentPlanSchema.parse({
      waves: [
        { name: 'tests', selector: { environments: ['test', 'development'] } },
        { name: 'one', share: 1 },
        { name: 'half', share: '50%', concurrency: '50%', failureThreshold: '50%' },
        { name: 'named', assets: ['id-db-01', 'test-01'] },
      ],
    });
    expect(
      resolveWaves(plan, scope).map((r) => [
        r.wave.name,
        names(r.assets),
        r.concurrency,
        r.failureThreshold,
      ]),
    ).toEqual([
      ['tests', ['test-01', 'dev-01'], 1, 0],
      ['one', ['web-02'], 1, 0],
      ['half', ['stage-01', 'web-01'], 1, 1],
      ['named', ['db-01'], 1, 0],
    ]);
  });

  it('sends what no wave took to the last wave', () => {
    const plan = DeploymentPlanSchema.parse({
      waves: [
        { name: 'a', assets: ['web-01'] },
        { name: 'b', selector: { criticalities: ['critical'] } },
      ],
    });
    const resolved = resolveWaves(plan, scope);
    expect(resolved.map((r) => [r.wave.name, names(r.assets), r.leftovers])).toEqual([
      ['a', ['web-01'], []],
      [
        'b',
        ['db-01', 'dev-01', 'test-01', 'web-02', 'stage-01'],
        ['test-01', 'web-02', 'stage-01'],
      ],
    ]);
    expect(resolved.flatMap((r) => names(r.assets)).sort()).toEqual(names(scope).sort());
  });
});

describe('defaultDeploymentPlan', () => {
  const noChecks =
    'no health checks: the default plan does not invent one; add at least one per wave (command, http, systemd or tcp)';

  it('builds test → canary → non-critical → critical from the scope', () => {
    const { plan, warnings } = defaultDeploymentPlan(scope);
    expect(plan).toEqual({
      waves: [
        {
          name: 'test',
          selector: { environments: ['test', 'development'] },
          concurrency: '50%',
          failureThreshold: 0,
          bakeMinutes: 60,
          gate: 'auto',
          onFailure: 'pause',
          healthChecks: [],
        },
        {
          name: 'canary',
          assets: ['web-02'],
          concurrency: 1,
          failureThreshold: 0,
          bakeMinutes: 120,
          gate: 'manual',
          onFailure: 'rollback',
          healthChecks: [],
        },
        {
          name: 'non-critical',
          selector: { criticalities: ['high', 'medium', 'low'] },
          concurrency: '25%',
          failureThreshold: '5%',
          bakeMinutes: 60,
          gate: 'manual',
          onFailure: 'pause',
          healthChecks: [],
        },
        {
          name: 'critical',
          selector: { criticalities: ['critical'] },
          concurrency: 1,
          failureThreshold: 0,
          bakeMinutes: 60,
          gate: 'manual',
          onFailure: 'rollback',
          healthChecks: [],
        },
      ],
      rings: [],
    });
    expect(warnings).toEqual([noChecks]);
    expect(DeploymentPlanSchema.parse(plan)).toEqual(plan);
    expect(
      resolveWaves(plan, scope).map((r) => [r.wave.name, names(r.assets), r.leftovers]),
    ).toEqual([
      ['test', ['test-01', 'dev-01'], []],
      ['canary', ['web-02'], []],
      ['non-critical', ['stage-01', 'web-01'], []],
      ['critical', ['db-01'], []],
    ]);
  });

  it.each<[string, AssetFacts[], string[], string[]]>([
    [
      'production only, all critical',
      [asset('db-01', 'production', 'critical'), asset('db-02', null, 'critical')],
      ['critical:auto'],
      ['no test or development asset in scope: the rollout starts with a canary', noChecks],
    ],
    [
      'one non-critical production asset: the canary alone',
      [asset('web-01', 'production', 'high')],
      ['canary:auto'],
      ['no test or development asset in scope: the rollout starts with a canary', noChecks],
    ],
    ['tests only', [asset('t', 'test')], ['test:auto'], [noChecks]],
    [
      'production and critical: the critical wave waits for a person',
      [asset('web-01', 'production', 'high'), asset('db-01', 'production', 'critical')],
      ['canary:auto', 'critical:manual'],
      ['no test or development asset in scope: the rollout starts with a canary', noChecks],
    ],
    [
      'nothing',
      [],
      ['all:auto'],
      ['no assets in scope: one wave takes whatever the scope becomes', noChecks],
    ],
  ])(
    '%s (the first wave has no manual gate: nothing comes before it)',
    (_label, assets, waves, warnings) => {
      const made = defaultDeploymentPlan(assets);
      expect([made.plan.waves.map((w) => `${w.name}:${w.gate}`), made.warnings]).toEqual([
        waves,
        warnings,
      ]);
      expect(DeploymentPlanSchema.safeParse(made.plan).success).toBe(true);
    },
  );
});

describe('estimateRollout', () => {
  const parsed = parsePlansDocument(example);
  if (!parsed.ok) throw new Error('example must parse');
  const plan = parsed.plans.deploymentPlan as DeploymentPlan;
  const computed: DeploymentPlan = { ...plan, estimatedMinutes: undefined };

  it('sums batches and bake time per ring', () => {
    // early: test 2 assets at 50% → 2 batches × 10 + 30 bake; canary 1 × 10 + 120 bake.
    // main: production 3 assets at 25% → 3 batches × 10 + 60 bake.
    expect(estimateRollout(computed, scope)).toEqual({
      rings: [
        { ring: 'early', offsetDays: 0, minutes: 50 + 130 },
        { ring: 'main', offsetDays: 3, minutes: 90 },
      ],
      longestMinutes: 180,
    });
    expect(estimateRollout(computed, scope, 5).longestMinutes).toBe(2 * 5 + 30 + 5 + 120);
  });

  it("uses the plan's own estimate per ring when given, and counts no bake for an empty wave", () => {
    expect(estimateRollout(plan, scope).rings.map((r) => r.minutes)).toEqual([90, 90]);
    expect(estimateRollout(computed, [asset('web-01', 'production', 'high')])).toEqual({
      rings: [
        { ring: 'early', offsetDays: 0, minutes: 0 },
        { ring: 'main', offsetDays: 3, minutes: 10 + 60 },
      ],
      longestMinutes: 70,
    });
  });
});
