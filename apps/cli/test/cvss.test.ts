import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

describe('patchgate cvss', () => {
  it.each([
    // FIRST CVSS v3.1 specification, section 7 examples / the NVD calculator
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '9.8\tCritical'],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', '6.1\tMedium'],
    // metrics in an unusual order
    ['CVSS:3.1/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/S:U', '9.8\tCritical'],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '7.5\tHigh'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '9.3\tCritical'],
  ])('%s → %s', async (vector, expected) => {
    expect(await runCli(['cvss', vector])).toEqual({
      code: 0,
      stdout: `${expected}\n`,
      stderr: '',
    });
  });

  it('scores a batch on stdin, one line per vector, keeping invalid lines in place', async () => {
    const result = await runCli(
      ['cvss', '--batch'],
      'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\nCVSS:3.1/AV:X\nAV:L/AC:H/Au:M/C:N/I:N/A:N\n',
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('9.8\tCritical\nerror\n0.0\tLow\n');
    expect(result.stderr).toMatch(/^patchgate: line 2: /);
  });

  it('rejects an invalid vector with exit 2', async () => {
    const result = await runCli(['cvss', 'CVSS:3.1/AV:N/AC:L']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^patchgate: .*missing/i);
  });

  it('prints the whole score with --json', async () => {
    const result = await runCli(['cvss', '--json', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      version: '3.1',
      baseScore: 9.8,
      severity: 'critical',
    });
  });
});
