import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import type { OpenAPIV3_1 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { generateClientTypes } from '../../../packages/api-client/scripts/generate-types.ts';
import { generateOpenApiDocument } from './openapi.ts';

const checkedIn = (path: string) =>
  readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operations(document: OpenAPIV3_1.Document) {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const operation = item?.[method];
      return operation === undefined
        ? []
        : [{ path, method, operation, name: `${method} ${path}` }];
    }),
  );
}

const document = JSON.parse(checkedIn('../openapi.json')) as OpenAPIV3_1.Document;

/**
 * The operations anyone may call: liveness, readiness, login, bootstrap, problem pages, and the
 * calendar feed (its secret is in the path, checked by the handler, as calendar clients need;
 * metrics need `metrics:read` unless PATCHGATE_METRICS_PUBLIC is set).
 */
const publicOperations = [
  'get /api/v1/calendar/feed/{token}',
  'get /healthz',
  'get /problems',
  'get /problems/{code}',
  'get /readyz',
  'post /api/v1/agent/enrol',
  'post /api/v1/bootstrap',
  'post /api/v1/session',
];

describe('the checked-in OpenAPI document and client types', () => {
  it('match the code (run `npm run openapi` after changing a route or schema)', async () => {
    const generated = await generateOpenApiDocument();
    expect(generated, 'apps/server/openapi.json is stale: run npm run openapi').toBe(
      checkedIn('../openapi.json'),
    );
    expect(
      await generateClientTypes(generated),
      'packages/api-client/src/schema.gen.ts is stale: run npm run openapi',
    ).toBe(checkedIn('../../../packages/api-client/src/schema.gen.ts'));
  });

  it('documents every operation with a summary and a unique camelCase operationId', () => {
    const all = operations(document);
    expect(all.filter(({ operation }) => (operation.summary ?? '') === '')).toEqual([]);
    const ids = all.map(({ operation }) => operation.operationId);
    expect(ids.filter((id) => id === undefined || !/^[a-z][a-zA-Z0-9]*$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['listAssets', 'login', 'getMetrics']));
  });

  it('states who may call each operation: public ones need nothing, the rest a session or a token', () => {
    const all = operations(document);
    expect(
      all
        .filter(({ operation }) => operation.security?.length === 0)
        .map(({ name }) => name)
        .sort(),
    ).toEqual(publicOperations);
    for (const { method, operation, name } of all) {
      if (publicOperations.includes(name)) continue;
      // The agent protocol: an enrolled agent's own credential, never a user's.
      if (name.includes(' /api/v1/agent/')) {
        expect(operation.security, name).toEqual([{ agent: [] }]);
        expect(Object.keys(operation.responses ?? {}), name).toContain('401');
        continue;
      }
      const schemes = (operation.security ?? []).map((requirement) => Object.keys(requirement));
      // A browser session changing state must send the CSRF header: /docs can then write.
      const session = method === 'get' ? ['session'] : ['session', 'csrf'];
      // One session and one token requirement per permission that grants access (an `anyOf`
      // route lists several: OpenAPI ORs the requirements).
      const alternatives = schemes.length / 2;
      expect(alternatives, name).toBeGreaterThanOrEqual(1);
      expect(schemes, name).toEqual([
        ...Array.from({ length: alternatives }, () => session),
        ...Array.from({ length: alternatives }, () => ['token']),
      ]);
      expect(Object.keys(operation.responses ?? {}), name).toEqual(
        expect.arrayContaining(['401', '403']),
      );
    }
    expect(document.components?.securitySchemes?.csrf).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-csrf-token',
    });
  });

  it('declares every problem response as problem+json, and the servers', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const login = document.paths?.['/api/v1/session']?.post;
    expect(Object.keys(login?.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '413', '415', '422', '429'].sort(),
    );
    const upload = document.paths?.['/api/v1/assets/{id}/inventory']?.post;
    expect(Object.keys(upload?.responses ?? {}).sort()).toEqual(
      ['201', '400', '401', '403', '404', '413', '414', '415', '422'].sort(),
    );
    const responses = document.components?.responses ?? {};
    for (const [name, response] of Object.entries(responses)) {
      expect(Object.keys((response as OpenAPIV3_1.ResponseObject).content ?? {}), name).toEqual([
        'application/problem+json',
      ]);
    }
  });

  it('declares each raw request body (the file itself) as a required binary string per media type', () => {
    // The routes whose handler streams the body itself: they consume media types, no schema.
    const rawBodies: Record<string, string[]> = {
      'post /api/v1/agent/inventory': [
        'text/plain',
        'application/gzip',
        'application/octet-stream',
      ],
      'post /api/v1/assets/{id}/inventory': [
        'text/plain',
        'application/octet-stream',
        'application/json',
        'application/xml',
        'text/xml',
        'application/gzip',
        'multipart/form-data',
      ],
      'post /api/v1/changes/{id}/evidence/{evidenceId}/attachments': [
        'application/octet-stream',
        '*/*',
      ],
    };
    const binary = { type: 'string', format: 'binary' };
    const found = operations(document).filter(({ operation }) =>
      JSON.stringify(operation.requestBody ?? {}).includes('"format":"binary"'),
    );
    expect(found.map(({ name }) => name).sort()).toEqual(Object.keys(rawBodies).sort());
    for (const { name, operation } of found) {
      const body = operation.requestBody as OpenAPIV3_1.RequestBodyObject;
      expect(body.required, name).toBe(true);
      expect(Object.keys(body.content), name).toEqual(rawBodies[name]);
      for (const [type, media] of Object.entries(body.content)) {
        expect(media.schema, `${name} ${type}`).toEqual(
          type === 'multipart/form-data'
            ? {
                type: 'object',
                properties: { file: { ...binary, description: 'the file' } },
                required: ['file'],
              }
            : binary,
        );
      }
      // The limit and the refusals are said, and the 413/422 are among its responses.
      expect(body.description, name).toMatch(/larger than \d+ bytes .* is a 413/);
      expect(body.description, name).toContain('An empty body is a 422');
      expect(Object.keys(operation.responses ?? {}), name).toEqual(
        expect.arrayContaining(['413', '415', '422']),
      );
    }
    // The limit is the route's own (the defaults: PATCHGATE_MAX_UPLOAD_BYTES for inventories).
    const inventory = document.paths?.['/api/v1/assets/{id}/inventory']?.post;
    expect((inventory?.requestBody as OpenAPIV3_1.RequestBodyObject).description).toContain(
      '67108864 bytes',
    );
  });

  it('lints clean with Redocly (recommended-strict: every finding is an error)', async () => {
    const config = await createConfig({
      extends: ['recommended-strict'],
      rules: {
        'operation-4xx-problem-details-rfc7807': 'error',
        'no-required-schema-properties-undefined': 'error',
        'no-invalid-media-type-examples': 'error',
      },
    });
    const problems = await lintFromString({
      source: checkedIn('../openapi.json'),
      absoluteRef: 'openapi.json',
      config,
    });
    // Operations without input on a public path answer no client error at all: the rule
    // "at least one 4XX response" cannot hold for them, and declaring one would be false.
    const noClientError = ['/healthz', '/readyz', '/metrics', '/problems'].map(
      (path) => `#/paths/${path.replaceAll('/', '~1')}/get/responses`,
    );
    const findings = problems
      .filter(
        (problem) =>
          !(
            problem.ruleId === 'operation-4xx-response' &&
            noClientError.includes(problem.location[0]?.pointer ?? '')
          ),
      )
      .map((problem) => `${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`);
    expect(findings).toEqual([]);
  });
});
