import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

describe('patchgate versions compare', () => {
  it.each([
    ['Debian:12', '1:1.0-1', '2.0-1', '>'],
    ['debian', '1.0~rc1-1', '1.0-1', '<'],
    ['AlmaLinux:9', '1:1.1.1k-9.el8_7', '1:1.1.1k-12.el8_9', '<'],
    ['Alpine:v3.20', '1.2.3-r1', '1.2.3-r0', '>'],
    ['npm', '1.0.0-rc.1', '1.0.0', '<'],
    ['crates.io', '1.0.0+build.1', '1.0.0', '='],
    ['Go', 'v0.0.0-20191109021931-daa7c04131f5', 'v0.0.1', '<'],
    ['PyPI', '1.0', '1.0.0', '='],
    ['PyPI', '1.0.dev0', '1.0a1', '<'],
    ['Maven', '1.0-alpha-1', '1.0', '<'],
    ['RubyGems', '1.0.0.pre', '1.0.0', '<'],
    ['NuGet', '1.0.0.0', '1.0', '='],
    ['Packagist', 'v2.0.0-RC1', '2.0.0', '<'],
  ])('%s: %s ? %s prints %s', async (ecosystem, a, b, expected) => {
    expect(await runCli(['versions', 'compare', '--ecosystem', ecosystem, a, b])).toEqual({
      code: 0,
      stdout: `${expected}\n`,
      stderr: '',
    });
  });

  it('reads pairs on stdin with --batch and answers in order', async () => {
    const result = await runCli(
      ['versions', 'compare', '--ecosystem', 'npm', '--batch'],
      '1.0.0\t2.0.0\n2.0.0\t2.0.0\n3.0.0-beta\t3.0.0-alpha\n',
    );
    expect(result).toEqual({ code: 0, stdout: '<\n=\n>\n', stderr: '' });
  });

  it('keeps batch output aligned when a line is invalid, and exits 2', async () => {
    const result = await runCli(
      ['versions', 'compare', '--ecosystem', 'npm', '--batch'],
      '1.0.0\t2.0.0\nnot-a-version\t1.0.0\n1.0.0\t1.0.0\n',
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('<\nerror\n=\n');
    expect(result.stderr).toMatch(/line 2: invalid .*"not-a-version"/);
  });

  it('rejects an invalid version with an error naming the scheme', async () => {
    const result = await runCli(['versions', 'compare', '--ecosystem', 'PyPI', '1.0', 'banana!']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^patchgate: invalid .*PEP 440.* version "banana!"/i);
  });

  it.each([
    [
      ['versions', 'compare', '--ecosystem', 'COBOL', '1', '2'],
      /unknown ecosystem or scheme "COBOL"/,
    ],
    [['versions', 'compare', '1', '2'], /--ecosystem is required/],
    [['versions', 'compare', '--ecosystem', 'npm', '1.0.0'], /exactly two versions/],
    [
      ['versions', 'compare', '--ecosystem', 'npm', '--bogus', '1', '2'],
      /Unknown option '--bogus'/,
    ],
    [['versions', 'frobnicate'], /unknown subcommand "frobnicate"/],
  ])('usage error %j', async (argv, message) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('lists the schemes', async () => {
    const result = await runCli(['versions', 'list', '--json']);
    const { schemes } = JSON.parse(result.stdout) as { schemes: { id: string }[] };
    expect(schemes.map((s) => s.id).sort()).toEqual([
      'alpine',
      'debian',
      'go',
      'maven',
      'nuget',
      'packagist',
      'pep440',
      'rpm',
      'rubygems',
      'semver',
    ]);
  });
});
