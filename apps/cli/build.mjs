// Bundles the CLI into ESM files in dist/ so `npx patchgate` starts fast, without a TypeScript
// loader at run time. Patchgate's own packages (TypeScript source) are bundled; third-party
// packages stay in node_modules (native addons such as better-sqlite3, and packages that read
// their own files, such as the API docs' static assets, need that).
//
// Code splitting: dist/patchgate.mjs holds only the dispatcher; each command (and the server
// stack, which only `patchgate server` loads) is a chunk beside it, imported on demand
// (docs/adr/0017-cli-lazy-commands.md). Chunks sit in dist/ itself, at the entry's depth, so
// paths relative to import.meta.url (the demo's examples/) hold in every chunk.
import { readdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
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

const result = await build({
  entryPoints: { patchgate: `${root}src/main.ts` },
  outdir: `${root}dist`,
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  plugins: [thirdPartyExternal],
});

// Remove chunks of earlier builds (content-hashed names change); a concurrent build of the
// same sources writes the same names, so this never removes a file another build needs.
const written = new Set(Object.keys(result.metafile.outputs).map((path) => basename(path)));
for (const name of readdirSync(`${root}dist`)) {
  if (!written.has(name)) rmSync(`${root}dist/${name}`, { force: true });
}
