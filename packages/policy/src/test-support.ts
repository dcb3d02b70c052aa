/**
 * Test support (imported only by *.test.ts): the real KEV entries and CVE 5 records in
 * ../testdata, read by the real sources of @patchgate/sources. Pure: the tests read the files.
 */
import type { KevFact, VulnerabilityFacts } from '@patchgate/sources';
import { cve5Source, kevSource } from '@patchgate/sources';
import type { AssetContext, PolicyFinding, PolicyInput } from './types.ts';

/** KEV facts by CVE, read from a real catalogue excerpt by the real KEV source. */
export function kevFacts(text: string, path = 'kev-excerpt.json'): Map<string, KevFact> {
  const result = kevSource.parse({ path, text });
  return new Map(
    [...result.facts].flatMap(([cve, facts]) =>
      facts.kev === undefined ? [] : [[cve, facts.kev] as const],
    ),
  );
}

/** The facts of one real CVE 5 record, read by the real CVE 5 source (and a KEV fact, if given). */
export function cve5Facts(text: string, path: string, kev?: KevFact): VulnerabilityFacts {
  const [facts] = [...cve5Source.parse({ path, text }).facts.values()];
  if (facts === undefined) throw new Error(`${path}: no facts`);
  return kev === undefined ? facts : { ...facts, kev };
}

export function finding(overrides: Partial<PolicyFinding> = {}): PolicyFinding {
  return {
    advisoryId: 'GHSA-test',
    aliases: [],
    ecosystem: 'npm',
    packageName: 'example',
    installedVersion: '1.0.0',
    fixedVersions: ['1.0.1'],
    statedSeverity: 'unknown',
    advisoryCvss: [],
    ...overrides,
  };
}

export function asset(overrides: Partial<AssetContext> = {}): AssetContext {
  return { exposure: 'internal', tags: [], ...overrides };
}

/** A policy input with no CVE facts, for table tests. */
export function policyInput(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return { finding: finding(), facts: [], asset: asset(), detectedOn: '2026-11-22', ...overrides };
}

/** Facts for one made-up CVE with only the fields given. */
export function facts(overrides: Partial<VulnerabilityFacts> = {}): VulnerabilityFacts {
  return { cve: 'CVE-2026-0001', cvss: [], cwes: [], ...overrides };
}
