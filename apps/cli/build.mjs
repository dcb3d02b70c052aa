// Bundles the CLI into one ESM file (dist/patchgate.mjs) so `npx patchgate` starts fast,
// without a TypeScript loader at run time. Patchgate's own packages (TypeScript source) are
// bundled; third-party packages stay in node_modules (native addons such as better-sqlite3,
// and packages that read their own files, such as the API docs' static assets, need that).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

const thirdPartyExternal = {
  name: 'third-party-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@patchgate/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: [`${root}src/main.ts`],
  outfile: `${root}dist/patchgate.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [thirdPartyExternal],
});

// The server parses inventory uploads in a worker thread; its script sits beside the bundle
// (apps/server/src/contexts/inventory/parse-pool.ts looks for it there).
await build({
  entryPoints: [`${root}../server/src/contexts/inventory/parse-worker.ts`],
  outfile: `${root}dist/inventory-parse-worker.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [thirdPartyExternal],
});
