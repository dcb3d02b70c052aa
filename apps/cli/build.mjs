// Bundles the CLI into one ESM file (dist/patchgate.mjs) so `npx patchgate` starts fast,
// without a TypeScript loader at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

await build({
  entryPoints: [`${root}src/main.ts`],
  outfile: `${root}dist/patchgate.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __patchgateCreateRequire } from 'node:module'; const require = __patchgateCreateRequire(import.meta.url);",
  },
});
