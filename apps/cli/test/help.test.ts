/**
 * Every command and subcommand of the command table answers --help (exit 0, its usage on
 * standard output), and still refuses an unknown option (exit 2, naming it).
 */
import { describe, expect, it } from 'vitest';
import { commandTable } from '../src/command-table.ts';
import { mainHelp } from '../src/cli.ts';
import { runCli } from './helpers.ts';

const invocations = commandTable
  .flatMap((command) => [[command.name], ...command.subcommands.map((sub) => [command.name, sub])])
  .map((words) => [words.join(' '), words] as const);

describe('help on every command', () => {
  it('lists every command of the table in the main help', () => {
    for (const command of commandTable) expect(mainHelp).toContain(`  ${command.name} `);
    expect(mainHelp).toMatch(/4 the server refused/);
  });

  it('starts every summary in one column, apart from the longest name', () => {
    const rows = commandTable.map(
      (c) => mainHelp.split('\n').find((line) => line.startsWith(`  ${c.name} `)) ?? '',
    );
    const columns = rows.map((row, i) => row.indexOf(commandTable[i]?.summary ?? '\0'));
    expect(new Set(columns).size).toBe(1);
    const longest = Math.max(...commandTable.map((c) => c.name.length));
    expect(columns[0]).toBeGreaterThanOrEqual(2 + longest + 2);
  });

  it.each(invocations)('patchgate %s --help', async (_, words) => {
    for (const flag of ['--help', '-h']) {
      const result = await runCli([...words, flag]);
      expect(result, flag).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage/m);
      expect(result.stdout).toContain(`patchgate ${words.join(' ')}`);
    }
  });

  it.each(invocations)('patchgate %s --no-such-option exits 2', async (_, words) => {
    const result = await runCli([...words, '--no-such-option']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^patchgate: .*--no-such-option/);
    expect(result.stdout).toBe('');
  });

  it('answers "patchgate help <command>" with that command\'s help', async () => {
    const result = await runCli(['help', 'assets']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('patchgate assets upload-updates');
  });

  it('keeps an option value that looks like a flag after "--" out of the help check', async () => {
    const result = await runCli(['versions', 'compare', '--ecosystem', 'npm', '--', '-h', '1.0.0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid SemVer|invalid/i);
  });
});
