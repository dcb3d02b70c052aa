// Type-aware lint for the whole workspace. Zero warnings are allowed (`npm run lint`).
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** The server's bounded contexts: one folder each under apps/server/src/contexts. */
const serverContexts = readdirSync(new URL('./apps/server/src/contexts/', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const wallMessage =
  "A context's index.ts is its only door: import another context through its index.ts (docs/DEVELOPING.md, 'The server').";

/** Import specifiers that reach into `context`'s files from `prefixes`, its index.ts excepted. */
const internalsOf = (context, prefixes) =>
  prefixes.flatMap((prefix) => [`${prefix}${context}/**`, `!${prefix}${context}/index.ts`]);

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.gen.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` union instead of an enum.' },
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
    },
  },
  // Layering: each package may import only the packages below it (docs/DEVELOPING.md).
  ...Object.entries({
    versioning: [],
    testing: [],
    'safe-parse': [],
    model: [],
    osv: ['versioning', 'safe-parse'],
    inventory: ['versioning', 'safe-parse'],
    matcher: ['versioning', 'osv', 'inventory'],
    sources: ['versioning', 'osv', 'safe-parse'],
    cvss: [],
    policy: ['cvss', 'sources', 'model', 'safe-parse'],
    triage: ['matcher', 'inventory', 'versioning', 'osv', 'safe-parse'],
    prioritisation: ['matcher', 'policy', 'sources', 'osv', 'safe-parse'],
    'scan-pipeline': [
      'versioning',
      'inventory',
      'matcher',
      'sources',
      'policy',
      'triage',
      'prioritisation',
    ],
    report: ['inventory', 'matcher', 'policy', 'triage', 'scan-pipeline'],
    calendar: ['model'],
    changes: ['model', 'versioning', 'safe-parse'],
    rollout: ['changes', 'model'],
    'agent-protocol': ['changes'],
  }).flatMap(([name, allowed]) => {
    const layering = {
      group: [
        '@patchgate/*',
        ...allowed.flatMap((dep) => [`!@patchgate/${dep}`, `!@patchgate/${dep}/node`]),
      ],
      message: `packages/${name} may import only: ${allowed.join(', ') || 'no other Patchgate package'}.`,
    };
    const byPath = {
      group: ['../../../*'],
      message: 'Import another package by its name, not by a path into it.',
    };
    // Browser-safe (ADR 0014): Node built-ins and ./node subpaths only in the Node edges
    // (load.ts, node.ts, node/), which a package exports from its `./node` subpath.
    const nodeOnly = {
      group: ['node:*', ...builtinModules, '@patchgate/*/node'],
      message:
        'Pure code is browser-safe: Node I/O belongs in load.ts, node.ts or node/ (the ./node export).',
    };
    const nodeEdges = [
      `packages/${name}/src/**/load.ts`,
      `packages/${name}/src/node.ts`,
      `packages/${name}/src/node/**/*.ts`,
    ];
    // Tests and their helpers (never exported from the main entry) may read fixtures and use
    // any package, as the tests themselves do.
    const testFiles = ['**/*.test.ts', '**/*.test-support.ts'];
    const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
    return [
      {
        files: [`packages/${name}/src/**/*.ts`],
        ignores: [...testFiles, ...(name === 'testing' ? [] : nodeEdges)],
        rules: rule(name === 'testing' ? [layering, byPath] : [layering, byPath, nodeOnly]),
      },
      ...(name === 'testing'
        ? []
        : [{ files: nodeEdges, ignores: testFiles, rules: rule([layering, byPath]) }]),
    ];
  }),
  // Walls between the server's contexts (STYLE.md: "a context's index.ts is its only door").
  // Inside a context: another context only through its index.ts, never the composition root.
  ...serverContexts.map((context) => ({
    files: [`apps/server/src/contexts/${context}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...serverContexts
              .filter((other) => other !== context)
              .map((other) => ({
                group: internalsOf(other, ['../', '../../', '../../../', '**/contexts/']),
                message: wallMessage,
              })),
            {
              group: ['../../main.ts', '../../app.ts', '../../../main.ts', '../../../app.ts'],
              message: 'Contexts do not import the composition root; main.ts wires them.',
            },
          ],
        },
      ],
    },
  })),
  {
    // Outside the contexts (app.ts, main.ts, http, events, ops…): only a context's index.ts.
    files: ['apps/server/src/**/*.ts'],
    ignores: [
      'apps/server/src/contexts/**',
      '**/*.test.ts',
      // The database schema composes every context's own table types, and nothing else.
      'apps/server/src/db/schema.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: internalsOf('*', ['**/contexts/']), message: wallMessage }],
        },
      ],
    },
  },
  {
    // The web application: React's rules of hooks; the browser, never Node's built-ins.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...builtinModules],
              message: 'The web application runs in a browser.',
            },
            {
              regex: '^@patchgate/(?!api-client/schema$)',
              message: 'The web application talks to the server through the typed API client only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tool configuration files must default-export their config.
    files: ['*.config.ts', '**/vite.config.ts', '**/test/global-setup.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Pure libraries: no process, clock or console access inside the domain.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/testing/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Pure packages take their inputs as arguments.' },
        { name: 'console', message: 'Pure packages report through return values or callbacks.' },
      ],
    },
  },
);
