import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateClientTypes } from '../../../packages/api-client/scripts/generate-types.ts';
import { generateOpenApiDocument } from './openapi.ts';

const checkedIn = (path: string) =>
  readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

describe('the checked-in OpenAPI document and client types', () => {
  it('match the code (run `npm run openapi` after changing a route or schema)', async () => {
    const document = await generateOpenApiDocument();
    expect(document, 'apps/server/openapi.json is stale: run npm run openapi').toBe(
      checkedIn('../openapi.json'),
    );
    expect(
      await generateClientTypes(document),
      'packages/api-client/src/schema.gen.ts is stale: run npm run openapi',
    ).toBe(checkedIn('../../../packages/api-client/src/schema.gen.ts'));
  });

  it('documents every operation and every input field', async () => {
    const document = JSON.parse(await generateOpenApiDocument()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    const undocumented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.summary === undefined || operation.summary === '')
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undocumented).toEqual([]);
  });
});
