// Type-aware lint for the whole workspace. Zero warnings are allowed (`npm run lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    triage: ['matcher', 'inventory', 'versioning', 'safe-parse'],
    prioritisation: ['matcher', 'policy', 'sources', 'safe-parse'],
  }).map(([name, allowed]) => ({
    files: [`packages/${name}/src/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@patchgate/*',
                ...allowed.flatMap((dep) => [`!@patchgate/${dep}`, `!@patchgate/${dep}/node`]),
              ],
              message: `packages/${name} may import only: ${allowed.join(', ') || 'no other Patchgate package'}.`,
            },
            {
              group: ['../../../*'],
              message: 'Import another package by its name, not by a path into it.',
            },
          ],
        },
      ],
    },
  })),
  {
    // Tool configuration files must default-export their config.
    files: ['*.config.ts', '**/test/global-setup.ts'],
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
