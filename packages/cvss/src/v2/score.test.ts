import { describe, expect, it } from 'vitest';
import { scoreV2 } from './score.ts';

describe('CVSS v2 examples of the v2 guide (https://www.first.org/cvss/v2/guide section 3.3)', () => {
  it.each([
    // 3.3.1 CVE-2002-0392 (Apache chunked encoding)
    ['AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H', 7.8, 6.4, 9.2],
    // 3.3.2 CVE-2003-0818 (Microsoft ASN.1)
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:L', 10.0, 8.3, 9.0],
    // 3.3.3 CVE-2003-0062 (NOD32 buffer overflow)
    ['AV:L/AC:H/Au:N/C:C/I:C/A:C/E:POC/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:M', 6.2, 4.9, 7.5],
  ])('%s scores %d / %d / %d', (vector, baseScore, temporalScore, environmentalScore) => {
    const result = scoreV2(vector);
    expect(result.ok && result.value).toMatchObject({
      baseScore,
      temporalScore,
      environmentalScore,
    });
  });
});

// The v3.0 and v3.1 examples documents also score each example with CVSS v2.
describe('CVSS v2 vectors of the v3.0/v3.1 examples documents', () => {
  it.each([
    // https://www.first.org/cvss/v3.0/examples
    ['CVE-2013-1937 phpMyAdmin reflected XSS', 'AV:N/AC:L/Au:S/C:P/I:P/A:N', 5.5, 'medium'],
    ['CVE-2014-3566 SSLv3 POODLE', 'AV:N/AC:M/Au:N/C:P/I:N/A:N', 4.3, 'medium'],
    ['CVE-2012-1516 VMware guest to host escape', 'AV:N/AC:L/Au:S/C:C/I:C/A:C', 9.0, 'high'],
    ['CVE-2009-0783 Apache Tomcat XML parser', 'AV:L/AC:L/Au:N/C:P/I:P/A:P', 4.6, 'medium'],
    ['CVE-2012-0384 Cisco IOS command execution', 'AV:N/AC:M/Au:S/C:C/I:C/A:C', 8.5, 'high'],
    ['CVE-2015-1098 Apple iWork denial of service', 'AV:N/AC:M/Au:N/C:P/I:P/A:P', 6.8, 'medium'],
    ['CVE-2014-0160 OpenSSL Heartbleed', 'AV:N/AC:L/Au:N/C:P/I:N/A:N', 5.0, 'medium'],
    ['CVE-2008-1447 DNS Kaminsky bug', 'AV:N/AC:L/Au:N/C:N/I:P/A:N', 5.0, 'medium'],
    ['CVE-2014-2005 Sophos login screen bypass', 'AV:L/AC:M/Au:N/C:C/I:C/A:C', 6.9, 'medium'],
    ['CVE-2013-6014 Juniper proxy ARP DoS', 'AV:A/AC:L/Au:N/C:N/I:C/A:N', 6.1, 'medium'],
    ['CVE-2014-9253 DokuWiki reflected XSS', 'AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3, 'medium'],
    ['CVE-2009-0658 Adobe Acrobat buffer overflow', 'AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3, 'high'],
    ['CVE-2011-1265 Windows Bluetooth RCE', 'AV:A/AC:L/Au:N/C:C/I:C/A:C', 8.3, 'high'],
    [
      'CVE-2014-2019 Apple iOS security control bypass',
      'AV:L/AC:L/Au:N/C:N/I:C/A:N',
      4.9,
      'medium',
    ],
    ['CVE-2016-0128 Badlock', 'AV:N/AC:M/Au:N/C:P/I:P/A:N', 5.8, 'medium'],
    // https://www.first.org/cvss/v3.1/examples
    ['CVE-2019-7551 Cantemo Portal stored XSS', 'AV:N/AC:M/Au:S/C:P/I:P/A:P', 6.0, 'medium'],
    ['CVE-2016-5729 Lenovo ThinkPwn', 'AV:L/AC:L/Au:S/C:C/I:C/A:C', 6.8, 'medium'],
    ['CVE-2015-2890 failure to lock flash on resume', 'AV:L/AC:L/Au:N/C:C/I:C/A:C', 7.2, 'high'],
    ['CVE-2019-0884 scripting engine memory corruption', 'AV:N/AC:H/Au:N/C:C/I:C/A:C', 7.6, 'high'],
  ])('%s: %s = %d (%s)', (_name, vector, baseScore, severity) => {
    expect(scoreV2(vector)).toEqual({
      ok: true,
      value: {
        version: '2.0',
        baseScore,
        severity,
        vector,
        metrics: Object.fromEntries(vector.split('/').map((part) => part.split(':'))) as Record<
          string,
          string
        >,
      },
    });
  });
});

describe('CVSS v2 rules', () => {
  it.each([
    ['no impact scores 0.0, which NVD rates low', 'AV:N/AC:L/Au:N/C:N/I:N/A:N', 0, 'low'],
    ['the highest vector scores 10.0', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'high'],
    ['partial everything', 'AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, 'high'],
    ['a local partial vector is low', 'AV:L/AC:M/Au:N/C:P/I:N/A:P', 3.3, 'low'],
  ])('%s', (_name, vector, baseScore, severity) => {
    const result = scoreV2(vector);
    expect(
      result.ok && { baseScore: result.value.baseScore, severity: result.value.severity },
    ).toEqual({ baseScore, severity });
  });

  it('reports temporal and environmental scores only when their metrics are given', () => {
    const base = scoreV2('AV:N/AC:L/Au:N/C:C/I:C/A:C');
    const notDefined = scoreV2('AV:N/AC:L/Au:N/C:C/I:C/A:C/E:ND/RL:ND/RC:ND/CDP:ND/TD:ND/CR:ND');
    expect(base.ok && [base.value.temporalScore, base.value.environmentalScore]).toEqual([
      undefined,
      undefined,
    ]);
    expect(
      notDefined.ok && [notDefined.value.temporalScore, notDefined.value.environmentalScore],
    ).toEqual([10, 10]);
  });
});
