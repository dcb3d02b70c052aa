import { describe, expect, it } from 'vitest';
import { MACRO_VECTOR_SCORES } from './lookup.ts';
import { scoreV4 } from './score.ts';

const body = (vector: string): string => vector.slice('CVSS:4.0/'.length);

/** The score FIRST publishes for a vector: CVSS-B, -BT, -BE or -BTE, whichever the vector is. */
function publishedScore(vector: string): number | undefined {
  const result = scoreV4(body(vector));
  if (!result.ok) return undefined;
  return result.value.environmentalScore ?? result.value.temporalScore ?? result.value.baseScore;
}

// https://www.first.org/cvss/v4.0/examples: the vectors and scores of FIRST's examples document
// (each example's score is that of its whole vector, so E/CR/M* examples are CVSS-BT/-BE/-BTE).
describe('CVSS v4.0 examples document', () => {
  it.each([
    [
      'CVE-2022-41741 NGINX mp4 module',
      'CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      7.3,
    ],
    [
      'CVE-2020-3549 Cisco Firepower',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      7.7,
    ],
    [
      'CVE-2020-3549 with E:U',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U',
      5.2,
    ],
    [
      'CVE-2023-3089 OpenShift FIPS',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N',
      8.3,
    ],
    [
      'CVE-2023-3089 environmental',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L',
      8.1,
    ],
    [
      'CVE-2021-44714 Adobe Reader',
      'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N',
      4.6,
    ],
    [
      'CVE-2022-24682 Zimbra calendar XSS',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N',
      5.1,
    ],
    [
      'CVE-2022-22186 Juniper EX4650',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N',
      6.9,
    ],
    [
      'CVE-2023-21989 Oracle VirtualBox',
      'CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N',
      5.9,
    ],
    [
      'CVE-2020-3947 VMware Workstation',
      'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H',
      9.4,
    ],
    [
      'physical safety example',
      'CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D',
      8.3,
    ],
    [
      'CVE-2014-0160 Heartbleed, E:A',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:A',
      8.7,
    ],
    ['maximum with E:A', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A', 10],
    [
      'CVE-2021-44228 Log4Shell, E:A',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A',
      9.3,
    ],
    [
      'CVE-2013-6014 Juniper proxy ARP',
      'CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:H/SI:N/SA:H',
      6.4,
    ],
    [
      'recovery irrecoverable',
      'CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I',
      9.3,
    ],
    [
      'recovery irrecoverable, AT:P',
      'CVSS:4.0/AV:L/AC:L/AT:P/PR:H/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/R:I',
      8.7,
    ],
    ['physical, all high', 'CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 8.6],
    [
      'PR:L confidentiality',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
      7.1,
    ],
    [
      'AT:P confidentiality',
      'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
      8.2,
    ],
    ['availability', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L', 8.7],
    [
      'availability, E:U',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L/E:U',
      6.6,
    ],
    [
      'PR:L UI:P subsequent',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N',
      5.1,
    ],
    ['AT:P PR:L', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7],
    ['local PR:H', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N', 8.3],
    ['local PR:H, E:U', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:U', 5.6],
    ['local UI:P', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
    ['AT:P, E:A', 'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A', 9.2],
    ['physical AT:P', 'CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 5.4],
    [
      'network confidentiality',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
      8.7,
    ],
    [
      'network PR:H confidentiality',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
      6.9,
    ],
    ['network all high', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    [
      'subsequent integrity',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N',
      6.9,
    ],
    [
      'local UI:P, safety',
      'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P',
      8.5,
    ],
    [
      'supplemental metrics do not score',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/S:P/AU:Y/V:C/RE:L',
      9.4,
    ],
    [
      'CVSS-BTE with MSI:S',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:L/IR:H/AR:L/MAV:L/MAC:H/MAT:N/MPR:N/MUI:N/MVC:N/MVI:H/MVA:L/MSC:N/MSI:S/MSA:L',
      7.0,
    ],
    [
      'CVSS-BTE, metrics out of order',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:A/MAC:H/MAT:N/MPR:L/MUI:N/MVC:L/MVI:H/MVA:H/MSC:L/MSI:S/MSA:S/CR:L/IR:H/AR:H/E:P',
      7.4,
    ],
    [
      'CVSS-BTE, MSA:H',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:N/MAC:H/MAT:N/MPR:L/MUI:N/MVC:H/MVI:H/MVA:H/MSC:H/MSI:S/MSA:H/CR:M/IR:H/AR:M/E:P',
      8.7,
    ],
    [
      'adjacent, safety',
      'CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/S:P',
      8.6,
    ],
    [
      'adjacent, MSI:S',
      'CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P',
      9.7,
    ],
    [
      'value density concentrated',
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N/V:C',
      8.7,
    ],
  ])('%s: %s = %d', (_name, vector, score) => {
    expect(publishedScore(vector)).toBe(score);
  });
});

// FIRST's calculator validation set (github.com/FIRSTdotorg/cvss-resources,
// vectorFiles/reference-scores, "Max Equivalency Set Vectors"): a sample of its first lines.
describe('CVSS v4.0 reference scores of FIRST (cvss-resources)', () => {
  it.each([
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/CR:H/IR:H/AR:H/MSI:S/MSA:S', 10],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:H/IR:H/AR:H/MSI:S/MSA:S', 9.5],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H', 8.1],
    ['AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:H/IR:H/AR:H', 9],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:M/AR:M', 6.8],
    ['AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:M/AR:M', 5.3],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:H/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H', 6.9],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M', 4.8],
    ['AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:H/SC:L/SI:L/SA:L/E:U/CR:M/IR:H/AR:M', 3],
    ['AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H', 2.7],
    ['AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:U/CR:H/IR:H/AR:H', 1.7],
    ['AV:A/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:H/IR:H/AR:H/MSI:S/MSA:S', 7.6],
    ['AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/CR:M/IR:M/AR:M', 6.4],
  ])('CVSS:4.0/%s = %d', (vector, score) => {
    expect(publishedScore(`CVSS:4.0/${vector}`)).toBe(score);
  });
});

describe('CVSS v4.0 scoring rules', () => {
  it('has a score for each of the 270 macro vectors', () => {
    expect(Object.keys(MACRO_VECTOR_SCORES)).toHaveLength(270);
  });

  it('scores the base metrics alone as baseScore and names each score', () => {
    expect(
      scoreV4('AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/MAV:L/U:Red'),
    ).toEqual({
      ok: true,
      value: {
        version: '4.0',
        baseScore: 7.7,
        severity: 'high',
        vector:
          'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/CR:L/MAV:L/U:Red',
        metrics: {
          AV: 'N',
          AC: 'L',
          AT: 'P',
          PR: 'N',
          UI: 'P',
          VC: 'H',
          VI: 'H',
          VA: 'H',
          SC: 'N',
          SI: 'N',
          SA: 'N',
          E: 'U',
          CR: 'L',
          MAV: 'L',
          U: 'Red',
        },
        nomenclature: 'CVSS-BTE',
        temporalScore: 5.2,
        // 4.1 in an independent implementation too (ae-cvss-calculator 1.0.13).
        environmentalScore: 4.1,
      },
    });
  });

  it.each([
    ['all X is still CVSS-B', 'E:X/CR:X/MAV:X', 'CVSS-B'],
    ['threat only', 'E:P', 'CVSS-BT'],
    ['environmental only', 'MVC:L', 'CVSS-BE'],
    ['both', 'E:A/AR:M', 'CVSS-BTE'],
  ])('nomenclature: %s', (_name, extra, nomenclature) => {
    const result = scoreV4(`AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/${extra}`);
    expect(result.ok && result.value.nomenclature).toBe(nomenclature);
  });

  it.each([
    [
      'no impact anywhere scores 0',
      'AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N',
      0,
      'none',
    ],
    // 5.6499999... in floating point: rounded half up as FIRST's calculator does since its fix.
    [
      'a tie rounds half up',
      'AV:L/AC:H/AT:N/PR:H/UI:N/VC:L/VI:H/VA:N/SC:N/SI:L/SA:N',
      5.7,
      'medium',
    ],
    // Base metrics alone reach macro vector 212201 (E:X scores as E:A), whose score is 1.0.
    ['lowest base-only vector', 'AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L', 1, 'low'],
    [
      'E:U leaves the base score alone',
      'AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L/E:U',
      1,
      'low',
    ],
  ])('%s', (_name, vector, baseScore, severity) => {
    const result = scoreV4(vector);
    expect(result.ok && [result.value.baseScore, result.value.severity]).toEqual([
      baseScore,
      severity,
    ]);
  });
});
