#!/usr/bin/env node
// The `patchgate` command. The CLI is bundled into dist/ by `npm run build`, which
// `npm ci` runs through the root `prepare` script.
// Node 22.1+ keeps compiled code between runs (a no-op where the function does not exist).
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
try {
  await import('../dist/patchgate.mjs');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('patchgate.mjs')) {
    process.stderr.write(
      'patchgate: the CLI is not built yet; run `npm run build` at the repository root\n',
    );
    process.exit(2);
  }
  throw error;
}
