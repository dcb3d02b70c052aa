import { describe, expect, it } from 'vitest';
import { roundUpV30, roundUpV31, scoreV3 } from './score.ts';

const body = (vector: string): string => vector.slice('CVSS:3.1/'.length);

// https://www.first.org/cvss/v3.1/examples: every single-score example of the document.
describe('CVSS v3.1 examples document', () => {
  it.each([
    ['CVE-2013-1937 phpMyAdmin reflected XSS', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    [
      'CVE-2013-0375 MySQL stored SQL injection',
      'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N',
      6.4,
    ],
    ['CVE-2014-3566 SSLv3 POODLE', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
    [
      'CVE-2012-1516 VMware guest to host escape',
      'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H',
      9.9,
    ],
    ['CVE-2009-0783 Apache Tomcat XML parser', 'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2],
    [
      'CVE-2012-0384 Cisco IOS command execution',
      'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      7.2,
    ],
    [
      'CVE-2015-1098 Apple iWork denial of service',
      'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
      7.8,
    ],
    ['CVE-2014-0160 OpenSSL Heartbleed', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
    ['CVE-2014-6271 Bash Shellshock', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVE-2008-1447 DNS Kaminsky bug', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8],
    [
      'CVE-2014-2005 Sophos login screen bypass',
      'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      6.8,
    ],
    [
      'CVE-2010-0467 Joomla directory traversal',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N',
      5.8,
    ],
    [
      'CVE-2012-1342 Cisco access control bypass',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N',
      5.8,
    ],
    ['CVE-2013-6014 Juniper proxy ARP DoS', 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H', 9.3],
    [
      'CVE-2019-7551 Cantemo Portal stored XSS',
      'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H',
      9.0,
    ],
    [
      'CVE-2009-0658 Adobe Acrobat buffer overflow',
      'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
      7.8,
    ],
    ['CVE-2011-1265 Windows Bluetooth RCE', 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8],
    [
      'CVE-2014-2019 Apple iOS security bypass',
      'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N',
      4.6,
    ],
    ['CVE-2015-0970 SearchBlox CSRF', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2014-0224 SSL/TLS MITM', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4],
    ['CVE-2012-5376 Chrome sandbox bypass', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6],
    ['CVE-2016-1645 Chrome PDFium RCE', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2016-0128 Badlock', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:N', 6.8],
    [
      'CVE-2017-5942 WordPress plugin reflected XSS',
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
      6.1,
    ],
    [
      'CVE-2018-18913 Opera DLL search order hijacking',
      'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H',
      7.8,
    ],
    ['CVE-2016-5558 Oracle Outside In RCE', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:L/A:L', 8.6],
    ['CVE-2016-5729 Lenovo ThinkPwn', 'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H', 8.2],
    [
      'CVE-2015-2890 failure to lock flash on resume',
      'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:H',
      6.0,
    ],
    ['CVE-2018-3652 Intel DCI', 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 7.6],
  ])('%s: %s = %d', (_name, vector, baseScore) => {
    const result = scoreV3('3.1', body(vector));
    expect(result.ok && result.value.baseScore).toBe(baseScore);
    // The v3.0 examples document scores the same vectors alike: no base score here touches a
    // Roundup edge where the two versions differ.
    const v30 = scoreV3('3.0', body(vector));
    expect(v30.ok && v30.value.baseScore).toBe(baseScore);
  });
});

describe('CVSS v3 temporal and environmental scores', () => {
  it.each([
    // The v3.1 specification's own example of metrics in another order (section 6).
    ['3.1', 'S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X', 3.8, 3.7, undefined],
    // Scores of FIRST's official v3.0 calculator, as recorded in RedHatProductSecurity/cvss
    // tests/vectors_calculator3.
    ['3.0', 'S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X', 3.8, 3.7, undefined],
    [
      '3.0',
      'AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H',
      9.3,
      8.9,
      9.5,
    ],
    // v3.1's changed-scope ModifiedImpact ([MISS x 0.9731 - 0.02]^13) lifts the environmental
    // score above the base score of the same vector (RedHatProductSecurity/cvss tests/vectors_simple31).
    ['3.1', 'AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H/CR:X', 9.6, undefined, 9.7],
    ['3.1', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H/MAV:X', 9.9, undefined, 10],
    // ...while v3.0's environmental equation repeats the base one.
    ['3.0', 'AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H/CR:X', 9.6, undefined, 9.6],
    // Modified metrics replace the base ones; requirements weigh the impacts.
    // 9.8 x 0.91 x 0.95 x 0.92 = 7.794..., rounded up.
    ['3.1', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U', 9.8, 7.8, undefined],
    ['3.1', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/MAV:L/MC:N/MI:N/MA:N', 7.5, undefined, 0],
  ] as const)(
    'CVSS:%s/%s = %d / %s / %s',
    (version, vector, baseScore, temporal, environmental) => {
      const result = scoreV3(version, vector);
      if (!result.ok) throw new Error(result.error);
      expect([
        result.value.baseScore,
        result.value.temporalScore,
        result.value.environmentalScore,
      ]).toEqual([baseScore, temporal, environmental]);
    },
  );

  it('normalises the order and keeps every given metric', () => {
    expect(scoreV3('3.1', 'S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X')).toEqual({
      ok: true,
      value: {
        version: '3.1',
        baseScore: 3.8,
        severity: 'low',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/RL:X',
        metrics: {
          AV: 'N',
          AC: 'L',
          PR: 'H',
          UI: 'N',
          S: 'U',
          C: 'L',
          I: 'L',
          A: 'N',
          E: 'F',
          RL: 'X',
        },
        temporalScore: 3.7,
      },
    });
  });
});

describe('Roundup', () => {
  // v3.1 specification Appendix A and its motivating float artefacts.
  it.each([
    [4.02, 4.1],
    [4.0, 4.0],
    [4.00001, 4.1],
    [4.000001, 4.0],
    [0.1 + 0.2, 0.3],
    [9.95, 10],
    [0, 0],
  ])('v3.1 Roundup(%d) = %d', (input, expected) => {
    expect(roundUpV31(input)).toBe(expected);
  });

  // v3.0 is the plain ceiling, so a float artefact just above a tenth goes up a tenth.
  it.each([
    [4.02, 4.1],
    [4.0, 4.0],
    [4.000001, 4.1],
    [0.1 + 0.2, 0.4],
  ])('v3.0 Roundup(%d) = %d', (input, expected) => {
    expect(roundUpV30(input)).toBe(expected);
  });
});
