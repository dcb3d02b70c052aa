/**
 * The walls between the server's contexts are an ESLint rule (eslint.config.js): this test
 * takes the rule exactly as the repository's configuration applies it to a given file, and
 * checks that it refuses a reach into another context's files and lets the index.ts through.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function importProblems(file: string, specifier: string): Promise<string[]> {
  const config = (await eslint.calculateConfigForFile(join(root, file))) as {
    rules?: Record<string, unknown>;
  };
  const rule = config.rules?.['no-restricted-imports'] as Linter.RuleEntry | undefined;
  if (rule === undefined) return [];
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    `import { something } from '${specifier}';\nexport const used = something;\n`,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: { 'no-restricted-imports': rule },
      },
    ],
    { filename: join(root, file) },
  );
  return messages.map((m) => `${m.ruleId ?? 'parser'}: ${m.message}`);
}

const src = 'apps/server/src';

describe('context walls (eslint.config.js)', () => {
  it.each([
    // Another context's internals, from inside a context: the original offence.
    [`${src}/contexts/inventory/service.ts`, '../jobs/queue.ts', 'index.ts is its only door'],
    [`${src}/contexts/advisories/sync.ts`, '../findings/jobs.ts', 'index.ts is its only door'],
    // From the composition root and the shared modules.
    [`${src}/app.ts`, './contexts/inventory/routes.ts', 'index.ts is its only door'],
    [`${src}/main.ts`, './contexts/findings/reconcile.ts', 'index.ts is its only door'],
    [`${src}/events/outbox.ts`, '../contexts/jobs/queue.ts', 'index.ts is its only door'],
    // A context never imports the composition root.
    [`${src}/contexts/findings/jobs.ts`, '../../main.ts', 'composition root'],
  ])('%s may not import %s', async (file, specifier, message) => {
    const problems = await importProblems(file, specifier);
    expect(problems).toEqual([expect.stringContaining(message)]);
  });

  it.each([
    [`${src}/contexts/inventory/service.ts`, '../jobs/index.ts'],
    [`${src}/contexts/inventory/service.ts`, './repository.ts'],
    [`${src}/contexts/inventory/service.ts`, '../../events/index.ts'],
    [`${src}/app.ts`, './contexts/inventory/index.ts'],
    [`${src}/main.ts`, './contexts/findings/index.ts'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await importProblems(file, specifier)).toEqual([]);
  });
});

/** Tables one context owns: only its own files name them in a query. */
const ownedTables: Readonly<Record<string, readonly string[]>> = {
  findings: ['findings', 'finding_exceptions', 'finding_aliases', 'finding_asset_groups'],
  audit: ['audit_events'],
};

/** Files of apps/server/src (no tests or their set-up, no migrations) that query `table` through Kysely. */
function queriesOf(table: string): string[] {
  const dir = join(root, src);
  const query = new RegExp(`(selectFrom|updateTable|insertInto|deleteFrom)\\(\\s*'${table}'`);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        !f.endsWith('.test.ts') &&
        !f.includes('test-support') &&
        !f.includes('migrations'),
    )
    .filter((f) => query.test(readFileSync(join(dir, f), 'utf8')))
    .sort();
}

describe('tables stay in their context', () => {
  it.each(Object.entries(ownedTables))(
    "only the %s context's files query its tables (others call its index.ts)",
    (context, tables) => {
      for (const table of tables) {
        const files = queriesOf(table);
        expect({
          table,
          outside: files.filter((f) => !f.startsWith(`contexts/${context}/`)),
        }).toEqual({ table, outside: [] });
      }
      // The scan sees queries at all (its own context's).
      expect(queriesOf(tables[0]!).length).toBeGreaterThan(0);
    },
  );

  it('the dashboard context owns no table and queries none (findings and audit through their index.ts)', () => {
    const dir = join(root, src, 'contexts/dashboard');
    const querying = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) =>
        /selectFrom\(|updateTable\(|insertInto\(|deleteFrom\(/.test(
          readFileSync(join(dir, f), 'utf8'),
        ),
      );
    expect(querying).toEqual([]);
  });
});
