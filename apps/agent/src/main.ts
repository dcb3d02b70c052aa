/**
 * The standalone agent executable: `patchgate-agent <verb>`. esbuild bundles this file into one
 * CommonJS script that becomes a Node single executable (packaging/build-deb.mjs), so no top-level
 * await here. The first SIGTERM/SIGINT asks for a clean stop (a running task may finish within
 * its grace period); a second one exits at once (the journal reports the task on restart).
 */
import { agentMain } from './cli.ts';

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals += 1;
  if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
  controller.abort(new Error(`${signal} received`));
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

agentMain(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, stop: controller.signal },
  'patchgate-agent',
).then(
  (code) => {
    // Loops and timers are done; leftover handles (an abandoned executor) must not keep us.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`patchgate-agent: internal error: ${String(error)}\n`);
    process.exit(3);
  },
);
