/** The real `patchgate` executable, as `npx patchgate` runs it: built bundle, real process. */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.ts';

const bin = `${repoRoot}apps/cli/bin/patchgate.js`;

function patchgate(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // Build exactly as `npm run build` does, so the test never runs a stale bundle.
  const built = spawnSync(process.execPath, [`${repoRoot}apps/cli/build.mjs`], {
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
});

describe('patchgate executable', () => {
  it('prints its version', () => {
    expect(patchgate(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('compares a batch on stdin', () => {
    expect(
      patchgate(
        ['versions', 'compare', '--ecosystem', 'Debian:12', '--batch'],
        '1.0-1\t1.0-1~bpo1\n2:1\t3\n',
      ),
    ).toMatchObject({
      code: 0,
      stdout: '>\n>\n',
    });
  });

  it('scans the examples and exits 1 with findings', () => {
    const result = patchgate([
      'scan',
      'examples/debian-bookworm/dpkg-query.tsv',
      'examples/sbom/proton-bridge-v1.8.0.bom.json',
      '--advisories',
      'examples/advisories',
      '--format',
      'json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: unknown[] };
    expect(report.findings.length).toBeGreaterThan(10);
  });

  it('exits 2 on a usage error', () => {
    const result = patchgate(['scan', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^patchgate: scan: Unknown option '--nope'/);
  });
});
