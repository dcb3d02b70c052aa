/**
 * `patchgate scan` with prioritisation and triage, in-process, on the real examples and the
 * real public data (KEV, CVE 5) when present.
 */
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '@patchgate/testing';
import { runCli } from './helpers.ts';

const host = 'examples/debian-bookworm/dpkg-query.tsv';
const sbom = 'examples/sbom/proton-bridge-v1.8.0.bom.json';
const advisories = 'examples/advisories';
const fixtures = 'apps/cli/test/fixtures';

interface ReportedFinding {
  package: { name: string; version: string };
  advisory: { id: string; aliases: string[]; cves: string[] };
  prioritisation: {
    priority: string;
    dueDate: string | null;
    timeline: string;
    severity: string;
    explanation: {
      policy: { id: string };
      rule: { id: string };
      inputs: { name: string; source: string }[];
      text: string;
    };
  };
  triage?: { state: string; suppressed: boolean; source: string };
}
interface Report {
  findings: ReportedFinding[];
  summary: {
    findings: number;
    suppressed: number;
    byPriority: Record<string, number>;
    failed: boolean;
  };
  policy: { id: string };
  detectedOn: string;
  triage: { expired: { id: string }[]; unused: { id: string }[] };
  enrichment: { cves: number };
}

async function scan(...extra: string[]) {
  const result = await runCli([
    'scan',
    host,
    sbom,
    '--advisories',
    advisories,
    '--format',
    'json',
    '-q',
    ...extra,
  ]);
  return {
    ...result,
    report: (result.stdout === '' ? undefined : JSON.parse(result.stdout)) as Report,
  };
}

const priorityRank = (p: string) => Number(p.slice(1));

describe('prioritised scan', () => {
  it('decides every finding by the default policy and sorts the most urgent first', async () => {
    const { report } = await scan();
    expect(report.policy.id).toBe('default');
    expect(report.detectedOn).toBe('2026-11-22');
    const ranks = report.findings.map((f) => priorityRank(f.prioritisation.priority));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (const f of report.findings) {
      expect(f.prioritisation.explanation.policy.id).toBe('default');
      expect(f.prioritisation.explanation.text.length).toBeGreaterThan(20);
    }
  });

  it('applies BOD 26-04 with the asset context and counts days from --detected-on', async () => {
    const { report } = await scan(
      '--policy',
      'bod-26-04',
      '--asset-context',
      `${fixtures}/assets.yaml`,
      '--detected-on',
      '2026-12-01',
    );
    const curl = report.findings.find(
      (f) => f.advisory.id === 'DEBCL-curl-CVE-2025-10148' && f.package.name === 'curl',
    );
    // Not in KEV, no SSVC data: the directive's 60 days for unknown Automatable and Technical Impact.
    expect(curl?.prioritisation).toMatchObject({
      priority: 'P3',
      dueDate: '2027-01-30',
      timeline: '60 days',
    });
    expect(curl?.prioritisation.explanation.inputs).toEqual(
      expect.arrayContaining([
        { name: 'exposure', value: 'internet', source: 'asset context (web-01)' },
      ]),
    );
    expect(curl?.prioritisation.explanation.rule.id).toBe('missing-ssvc-not-kev');
  });

  it('suppresses a finding a VEX document says is not affected, and keeps it in the report', async () => {
    const plain = await scan();
    const { report } = await scan('--vex', `${fixtures}/curl-not-affected.openvex.json`);
    const curl = report.findings.filter(
      (f) => f.advisory.aliases.includes('CVE-2025-10148') && f.package.name === 'curl',
    );
    expect(curl.map((f) => f.triage)).toEqual([
      expect.objectContaining({ state: 'not_affected', suppressed: true }),
    ]);
    expect(report.summary.suppressed).toBe(1);
    expect(report.summary.findings).toBe(plain.report.summary.findings - 1);
  });

  it('applies an ignore file and reports its expired and unused entries', async () => {
    const { report, stderr } = await scan('--ignore-file', `${fixtures}/ignore.yaml`);
    const libssl = report.findings.find(
      (f) => f.advisory.aliases.includes('CVE-2026-84782') && f.package.name === 'libssl3',
    );
    expect(libssl?.triage).toMatchObject({ state: 'ignored', suppressed: true });
    expect(report.triage.expired.map((e) => e.id)).toEqual(['CVE-2026-7168']);
    expect(report.triage.unused.map((e) => e.id)).toEqual(['CVE-1999-0001']);
    expect(stderr).toMatch(/entry 2 \(CVE-2026-7168\) expired on 2026-01-01/);
    expect(stderr).toMatch(/entry 3 \(CVE-1999-0001\) matched no finding/);
  });

  it.each([
    ['P1', 0],
    ['P5', 1],
  ])('--fail-on %s exits %d', async (failOn, code) => {
    const { code: exit, report } = await scan('--fail-on', failOn);
    const worst = Math.min(...report.findings.map((f) => priorityRank(f.prioritisation.priority)));
    expect(exit).toBe(worst <= priorityRank(failOn) ? 1 : 0);
    expect(code === 1 ? worst <= priorityRank(failOn) : worst > priorityRank(failOn)).toBe(true);
  });

  it('writes a CycloneDX 1.6 VEX document', async () => {
    const result = await runCli([
      'scan',
      host,
      '--advisories',
      advisories,
      '--format',
      'cyclonedx-vex',
      '-q',
      '--vex',
      `${fixtures}/curl-not-affected.openvex.json`,
    ]);
    const vex = JSON.parse(result.stdout) as {
      bomFormat: string;
      specVersion: string;
      vulnerabilities: { id: string; analysis: { state: string } }[];
    };
    expect(vex).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const states = new Set(vex.vulnerabilities.map((v) => v.analysis.state));
    expect(states).toEqual(new Set(['in_triage', 'not_affected']));
  });

  it.each([
    [['--policy', 'nonsense'], /unknown policy "nonsense" \(built-in: default, /],
    [['--policy', `${fixtures}/bad-policy.yaml`], /invalid policy:\n.*rules\[0\]\.when\.epss/],
    [['--policy', 'no/such/policy.yaml'], /policy file not found: no\/such\/policy\.yaml/],
    [['--asset-context', 'exposure=everywhere'], /--asset-context exposure=everywhere: exposure: /],
    [['--asset-context', 'no-such-file.yaml'], /asset context file not found/],
    [['--detected-on', '22/11/2026'], /--detected-on must be a date YYYY-MM-DD/],
    [['--ignore-file', `${fixtures}/bad-ignore.yaml`], /invalid ignore file:\n.*ignore\[0\]/],
    [['--vex', 'README.md'], /README\.md: /],
    [['--kev', 'no/such/kev.json'], /KEV data not found: no\/such\/kev\.json/],
    [['--fail-on', 'P9'], /--fail-on must be one of/],
  ])('input error %j exits 2 before any work', async (extra, message) => {
    const result = await runCli(['scan', host, '--advisories', advisories, '-q', ...extra]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe.skipIf(!hasSharedData('advisories/kev'))(
  'prioritised scan with the real KEV catalogue (shared data set)',
  () => {
    it('loads the catalogue and joins it by CVE', async () => {
      const { report } = await scan(
        '--kev',
        sharedData('advisories/kev/known_exploited_vulnerabilities.json'),
      );
      expect(report.enrichment.cves).toBe(1404);
    });
  },
);
