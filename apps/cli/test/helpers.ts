import { fileURLToPath } from 'node:url';
import type { CliIo } from '../src/io.ts';
import { run } from '../src/cli.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured streams. */
export async function runCli(argv: string[], stdin = ''): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  let clock = 0;
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: () => Promise.resolve(stdin),
    cwd: repoRoot,
    now: () => (clock += 10),
    today: () => '2026-11-22',
    env: {},
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
