/** Process entry point: wires the real streams into `run` and sets the exit code. */
import { run } from './cli.ts';
import { UsageError } from './io.ts';

/** A password prompt without echo, only when standard input is a terminal. */
async function promptSecret(prompt: string): Promise<string> {
  const tty = await import('./secret-prompt.ts');
  try {
    return await tty.promptSecret(prompt);
  } catch (error) {
    if (error instanceof tty.PromptCancelled) throw new UsageError('cancelled', { cause: error });
    throw error;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// EPIPE on stdout (e.g. `patchgate scan … | head`) is a normal end, not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const stopSignal = new Promise<string>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
});

try {
  process.exitCode = await run(
    process.argv.slice(2),
    {
      stdout: process.stdout,
      stderr: process.stderr,
      readStdin,
      cwd: process.cwd(),
      now: () => performance.now(),
      today: () => new Date().toISOString().slice(0, 10),
      env: process.env,
      ...(process.stdin.isTTY && { promptSecret }),
    },
    { stopSignal, env: process.env },
  );
} catch (error) {
  // Anything that reaches here is a bug, not bad input: say so, and keep exit codes 1 and 2
  // meaning what the README says they mean.
  process.stderr.write(
    `patchgate: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 3;
}
