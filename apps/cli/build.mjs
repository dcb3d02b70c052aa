// Bundles the CLI into ESM files in dist/ so `npx patchgate` starts fast, without a TypeScript
// loader at run time. Patchgate's own packages (TypeScript source) are bundled, and so are the
// pure-JavaScript libraries the scan path loads (`bundled` below: one pre-linked file parses
// and links faster than Node resolving and loading hundreds of files from node_modules; zod
// alone was a fifth of a one-lockfile scan's CPU time). The server's libraries stay in
// node_modules (native addons such as better-sqlite3, and packages that read their own files,
// such as the API docs' static assets, need that); zod schemas cross that line safely (zod's
// `instanceof` checks traits and its registry lives on globalThis).
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

const bundled = ['zod', 'yaml', 'fast-xml-parser', 'openapi-fetch'];
const isBundled = (path) =>
  path.startsWith('@patchgate/') ||
  path.startsWith('node:') ||
  bundled.some((name) => path === name || path.startsWith(`${name}/`));

const thirdPartyExternal = {
  name: 'third-party-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      isBundled(args.path) ? undefined : { path: args.path, external: true },
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
  // CommonJS libraries bundled into ESM (yaml) still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __patchgateRequire } from 'node:module'; const require = __patchgateRequire(import.meta.url);",
  },
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

// Remove chunks of earlier builds (content-hashed names change); a concurrent build of the
// same sources writes the same names, so this never removes a file another build needs.
const written = new Set(Object.keys(result.metafile.outputs).map((path) => basename(path)));
for (const name of readdirSync(`${root}dist`)) {
  if (!written.has(name)) rmSync(`${root}dist/${name}`, { force: true });
}
