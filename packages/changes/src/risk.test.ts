import type { AssetFacts } from '@patchgate/model';
import { describe, expect, it } from 'vitest';
import type { TestEvidence } from './plans.ts';
import type { RiskFactorId, RiskInputs } from './risk.ts';
import { assessRisk, overrideRisk, riskLevelFor } from './risk.ts';

const asset = (name: string, over: Partial<AssetFacts> = {}): AssetFacts => ({
  id: `id-${name}`,
  name,
  environment: 'test',
  criticality: 'low',
  exposure: 'internal',
  team: null,
  tags: [],
  groups: [],
  ...over,
});

const passed: TestEvidence = {
  kind: 'automated',
  suite: 'smoke',
  passed: 10,
  failed: 0,
  skipped: 0,
  ranAt: '2026-12-01T10:00:00Z',
  attachments: [],
};
const failedManual: TestEvidence = {
  kind: 'manual',
  signedOffBy: 'eve',
  signedOffAt: '2026-12-01T10:00:00Z',
  outcome: 'failed',
  notes: 'login broke',
  attachments: [],
};

/** Every factor at 0 points. */
const calm: RiskInputs = {
  assets: [asset('t-01')],
  restart: 'none',
  testEvidence: [passed],
  history: { changes: 10, failed: 0 },
  urgency: { kev: false, highestPriority: 'P4' },
};

const many = (n: number) =>
  Array.from({ length: n }, (_, i) => asset(`a-${String(i).padStart(3, '0')}`));

const factor = (inputs: Partial<RiskInputs>, id: RiskFactorId) =>
  assessRisk({ ...calm, ...inputs }).factors.find((f) => f.id === id);

describe('risk factors, one table row per documented threshold', () => {
  it.each<[RiskFactorId, Partial<RiskInputs>, number, string]>([
    ['asset-count', { assets: many(1) }, 0, '1 asset'],
    ['asset-count', { assets: many(2) }, 5, '2 assets'],
    ['asset-count', { assets: many(5) }, 5, '5 assets'],
    ['asset-count', { assets: many(6) }, 10, '6 assets'],
    ['asset-count', { assets: many(20) }, 10, '20 assets'],
    ['asset-count', { assets: many(21) }, 15, '21 assets'],
    ['asset-count', { assets: many(100) }, 15, '100 assets'],
    ['asset-count', { assets: many(101) }, 20, '101 assets'],
    ['asset-count', { assets: [] }, 0, '0 assets'],
    [
      'criticality',
      {
        assets: [asset('b', { criticality: 'critical' }), asset('a', { criticality: 'critical' })],
      },
      20,
      'a is critical',
    ],
    ['criticality', { assets: [asset('a'), asset('b', { criticality: 'high' })] }, 12, 'b is high'],
    ['criticality', { assets: [asset('a', { criticality: 'medium' })] }, 5, 'a is medium'],
    ['criticality', { assets: [asset('a')] }, 0, 'a is low'],
    ['criticality', { assets: [] }, 0, 'no assets'],
    [
      'environment',
      { assets: [asset('a'), asset('p', { environment: 'production' })] },
      15,
      'p is production',
    ],
    [
      'environment',
      { assets: [asset('n', { environment: null })] },
      15,
      'n has no environment (counted as production)',
    ],
    ['environment', { assets: [asset('s', { environment: 'staging' })] }, 5, 's is staging'],
    [
      'environment',
      { assets: [asset('d', { environment: 'development' })] },
      0,
      'd is development',
    ],
    [
      'exposure',
      { assets: [asset('a', { exposure: 'internet' }), asset('b', { exposure: 'unknown' })] },
      10,
      '1 asset internet-facing',
    ],
    [
      'exposure',
      { assets: [asset('a', { exposure: 'unknown' })] },
      3,
      '1 asset of unknown exposure',
    ],
    ['exposure', { assets: [asset('a')] }, 0, 'no internet-facing asset'],
    ['restart', { restart: 'reboot' }, 15, 'assets reboot'],
    ['restart', { restart: 'service' }, 5, 'services restart'],
    ['restart', { restart: 'none' }, 0, 'no restart'],
    ['test-evidence', { testEvidence: [passed, failedManual] }, 25, '1 test result with failures'],
    ['test-evidence', { testEvidence: [] }, 15, 'no test evidence'],
    ['test-evidence', { testEvidence: [passed, passed] }, 0, '2 test results, all passed'],
    ['history', { history: { changes: 0, failed: 0 } }, 5, 'no past changes to learn from'],
    ['history', { history: { changes: 10, failed: 3 } }, 20, '3 of 10 changes failed (30%)'],
    ['history', { history: { changes: 10, failed: 2 } }, 10, '2 of 10 changes failed (20%)'],
    ['history', { history: { changes: 10, failed: 1 } }, 10, '1 of 10 changes failed (10%)'],
    ['history', { history: { changes: 11, failed: 1 } }, 5, '1 of 11 changes failed (9%)'],
    ['history', { history: { changes: 1, failed: 0 } }, 0, '0 of 1 change failed (0%)'],
    [
      'urgency',
      { urgency: { kev: true, highestPriority: 'P1' } },
      20,
      'fixes a known exploited vulnerability (KEV); highest priority P1',
    ],
    [
      'urgency',
      { urgency: { kev: true, highestPriority: 'P3' } },
      10,
      'fixes a known exploited vulnerability (KEV); highest priority P3',
    ],
    ['urgency', { urgency: { kev: false, highestPriority: 'P2' } }, 5, 'highest priority P2'],
    [
      'urgency',
      { urgency: { kev: false, highestPriority: null } },
      0,
      'fixes no prioritised finding',
    ],
  ])('%s with %j → %d', (id, inputs, points, detail) => {
    expect(factor(inputs, id)).toMatchObject({ id, points, detail });
  });
});

describe('risk levels', () => {
  it.each([
    [0, 'low'],
    [39, 'low'],
    [40, 'moderate'],
    [69, 'moderate'],
    [70, 'high'],
    [145, 'high'],
  ] as const)('score %d is %s', (score, level) => {
    expect(riskLevelFor(score)).toBe(level);
  });

  it('explains a calm change', () => {
    expect(assessRisk(calm)).toEqual({
      level: 'low',
      computedLevel: 'low',
      score: 0,
      factors: [
        { id: 'asset-count', label: 'Assets in scope', points: 0, detail: '1 asset' },
        { id: 'criticality', label: 'Most critical asset', points: 0, detail: 't-01 is low' },
        {
          id: 'environment',
          label: 'Most sensitive environment',
          points: 0,
          detail: 't-01 is test',
        },
        {
          id: 'exposure',
          label: 'Internet exposure',
          points: 0,
          detail: 'no internet-facing asset',
        },
        { id: 'restart', label: 'Restart needed', points: 0, detail: 'no restart' },
        {
          id: 'test-evidence',
          label: 'Test evidence',
          points: 0,
          detail: '1 test result, all passed',
        },
        {
          id: 'history',
          label: 'Past changes to the same packages or assets',
          points: 0,
          detail: '0 of 10 changes failed (0%)',
        },
        {
          id: 'urgency',
          label: 'Urgency of what it fixes',
          points: 0,
          detail: 'highest priority P4',
        },
      ],
      explanation: 'Risk low: score 0 (moderate from 40, high from 70): no factor adds risk.',
      override: null,
    });
  });

  it.each<[string, RiskInputs, 'low' | 'moderate' | 'high', number]>([
    [
      'a routine production update of ten web servers',
      {
        assets: many(10).map((a) => ({ ...a, environment: 'production', criticality: 'high' })),
        restart: 'service',
        testEvidence: [passed],
        history: { changes: 12, failed: 0 },
        urgency: { kev: false, highestPriority: 'P3' },
      },
      'moderate',
      10 + 12 + 15 + 0 + 5 + 0 + 0 + 0,
    ],
    [
      'an untested kernel update of internet-facing critical servers for a KEV',
      {
        assets: many(30).map((a) => ({
          ...a,
          environment: 'production',
          criticality: 'critical',
          exposure: 'internet',
        })),
        restart: 'reboot',
        testEvidence: [],
        history: { changes: 0, failed: 0 },
        urgency: { kev: true, highestPriority: 'P1' },
      },
      'high',
      15 + 20 + 15 + 10 + 15 + 15 + 5 + 20,
    ],
    [
      'three staging assets with a good record',
      {
        assets: many(3).map((a) => ({ ...a, environment: 'staging', criticality: 'medium' })),
        restart: 'service',
        testEvidence: [passed],
        history: { changes: 4, failed: 0 },
        urgency: { kev: false, highestPriority: 'P2' },
      },
      'low',
      5 + 5 + 5 + 0 + 5 + 0 + 0 + 5,
    ],
  ])('%s', (_label, inputs, level, score) => {
    expect(assessRisk(inputs)).toMatchObject({ level, computedLevel: level, score });
  });

  it('lists only the factors that add points in the explanation', () => {
    expect(assessRisk({ ...calm, restart: 'reboot', testEvidence: [] }).explanation).toBe(
      'Risk low: score 30 (moderate from 40, high from 70): assets reboot (+15), no test evidence (+15).',
    );
  });
});

describe('overrideRisk', () => {
  it('keeps the computed level beside the override', () => {
    const assessed = assessRisk({ ...calm, restart: 'reboot' });
    expect(overrideRisk(assessed, 'high', '  payment service, month-end  ')).toEqual({
      ...assessed,
      level: 'high',
      computedLevel: 'low',
      override: { level: 'high', reason: 'payment service, month-end' },
      explanation:
        'Risk high (overridden from low: payment service, month-end). Computed: Risk low: score 15 (moderate from 40, high from 70): assets reboot (+15).',
    });
  });

  it('needs a reason', () => {
    expect(() => overrideRisk(assessRisk(calm), 'high', '  ')).toThrow(
      'overrideRisk needs a reason',
    );
  });
});
