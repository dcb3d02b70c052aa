/**
 * Route fuzzing: every operation of the API, as an anonymous caller and as an admin, gets
 * malformed, oversized, deeply nested, wrong-typed and truncated bodies, odd media types and odd
 * query strings (a corpus, then fast-check's random JSON). The server must never answer 5xx, must
 * answer problem+json for every error, and must only answer statuses the OpenAPI document
 * declares for the operation.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import fc from 'fast-check';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import type { Database } from '../src/db/database.ts';
import { testApp } from './app.ts';
import type { TestCaller } from './auth.ts';
import { testCaller } from './auth.ts';
import { testDatabases } from './databases.ts';

interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly operation: OpenAPIV3_1.OperationObject;
}

const nested = (depth: number, open: string, close: string, leaf = '1') =>
  open.repeat(depth) + leaf + close.repeat(depth);

/** Bodies that are not what any route wants, each with the media type it is sent as. */
const bodyCorpus: readonly {
  readonly name: string;
  readonly type?: string;
  readonly body: string | Buffer;
}[] = [
  { name: 'empty JSON', type: 'application/json', body: '' },
  { name: 'truncated JSON', type: 'application/json', body: '{"name": "web-01", "kind":' },
  { name: 'unterminated string', type: 'application/json', body: '{"name": "web' },
  { name: 'not JSON', type: 'application/json', body: 'name=web-01' },
  { name: 'null', type: 'application/json', body: 'null' },
  { name: 'array', type: 'application/json', body: '[]' },
  { name: 'string', type: 'application/json', body: '"web-01"' },
  { name: 'number', type: 'application/json', body: '1e309' },
  { name: 'empty object', type: 'application/json', body: '{}' },
  { name: '__proto__', type: 'application/json', body: '{"__proto__": {"admin": true}}' },
  {
    name: 'constructor',
    type: 'application/json',
    body: '{"constructor": {"prototype": {"x": 1}}}',
  },
  { name: 'deep array', type: 'application/json', body: nested(20_000, '[', ']') },
  { name: 'deep object', type: 'application/json', body: nested(20_000, '{"a":', '}', '{}') },
  {
    name: 'deep in a field',
    type: 'application/json',
    body: `{"name": ${nested(5_000, '{"name":', '}', '"x"')}, "tags": ${nested(5_000, '[', ']')}}`,
  },
  {
    name: 'wrong types',
    type: 'application/json',
    body: JSON.stringify({
      name: 1,
      kind: [],
      username: {},
      password: 12,
      roles: 'admin',
      tags: 'x',
      scopes: [1, 2],
      state: null,
      expiresAt: 'tomorrow',
      limit: -1,
      packages: [{ name: 1, version: {} }],
      assets: 'all',
    }),
  },
  {
    name: 'huge strings',
    type: 'application/json',
    body: JSON.stringify({
      name: 'x'.repeat(500_000),
      username: 'u'.repeat(200_000),
      detail: 'd'.repeat(200_000),
    }),
  },
  {
    name: 'oversized',
    type: 'application/json',
    body: `{"name":"${'x'.repeat(3 * 1024 * 1024)}"}`,
  },
  {
    name: 'invalid UTF-8',
    type: 'application/json',
    body: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]),
  },
  {
    name: 'NUL bytes',
    type: 'application/json',
    body: '{"name": "a\\u0000b", "kind": "host\u0000"}',
  },
  {
    name: 'UTF-16',
    type: 'application/json; charset=utf-16',
    body: Buffer.from('{"a":1}', 'utf16le'),
  },
  { name: 'text', type: 'text/plain', body: 'hello' },
  { name: 'form', type: 'application/x-www-form-urlencoded', body: 'name=web-01&kind=host' },
  {
    name: 'XML',
    type: 'application/xml',
    body: `<?xml version="1.0"?>${nested(5_000, '<a>', '</a>', 'x')}`,
  },
  {
    name: 'octets',
    type: 'application/octet-stream',
    body: Buffer.from([0, 1, 2, 0x1f, 0x8b, 8, 0]),
  },
  {
    name: 'gzip garbage',
    type: 'application/gzip',
    body: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2]),
  },
  { name: 'empty multipart', type: 'multipart/form-data; boundary=xyz', body: '--xyz--\r\n' },
  { name: 'odd media type', type: 'a/b/c; ;=;', body: '{}' },
  { name: 'no media type', body: '{"name":"web-01"}' },
];

/** Query strings no route wants. */
const queryCorpus: readonly string[] = [
  '?limit=-1',
  '?limit=abc',
  '?limit=1e999',
  '?limit=99999999999999999999999',
  '?limit=1&limit=2',
  '?cursor=%%%',
  '?cursor=eyJ',
  `?cursor=${Buffer.from('{"k":[1,2,{"x":null}]}').toString('base64url')}`,
  `?cursor=${'A'.repeat(10_000)}`,
  '?beforeSeq=-5&afterSeq=NaN&afterAfterSeq=1',
  '?sort=__proto__&priority=P9,P1,,&state=nope',
  '?environment=production&environment=staging',
  '?a[b][c]=1&__proto__[x]=1&constructor=1',
  '?since=yesterday&until=2026-13-45T99:99:99Z',
  '?from=x&to=y&format=nope&name=../../etc/passwd&takenAt=never',
  '?q=%00%ff%fe&id=%2e%2e%2f',
  `?q=${'%E2%80%AE'.repeat(200)}`,
  '?' + '&'.repeat(5000),
];

/** A few values for each path parameter: a real one, an unknown one, malformed ones. */
function parameterValues(name: string, known: Record<string, string>): string[] {
  const real = known[name];
  return [
    ...(real === undefined ? [] : [real]),
    randomUUID(),
    'not-a-uuid',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    'x'.repeat(2_000),
    'CVE-2024-0001',
  ];
}

/** The parts of a JSON Schema the example reads. */
interface Schema {
  readonly type?: string | string[];
  readonly enum?: unknown[];
  readonly anyOf?: Schema[];
  readonly oneOf?: Schema[];
  readonly properties?: Record<string, Schema>;
  readonly required?: string[];
  readonly items?: Schema;
  readonly minItems?: number;
  readonly minimum?: number;
  readonly maxLength?: number;
  readonly format?: string;
}

/** A body the schema accepts, as far as a simple reading goes (the first enum, a plain string). */
function exampleOf(schema: Schema | undefined): unknown {
  if (schema === undefined) return {};
  const variant = (schema.anyOf ?? schema.oneOf)?.[0];
  if (variant !== undefined) return exampleOf(variant);
  if (schema.enum !== undefined) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      // The required properties only: optional ones are where a simple example goes wrong.
      return Object.fromEntries(
        Object.entries(schema.properties ?? {})
          .filter(([name]) => schema.required?.includes(name) === true)
          .map(([name, property]) => [name, exampleOf(property)]),
      );
    case 'array':
      return Array.from({ length: schema.minItems ?? 1 }, () => exampleOf(schema.items));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      if (schema.format === 'date-time') return '2026-12-01T00:00:00.000Z';
      if (schema.format === 'uuid') return randomUUID();
      return 'fuzz.value-1234567890ab'.slice(0, schema.maxLength ?? 64);
  }
}

/** What a field gets instead of its value: wrong types, edges, deep and long values. */
const fieldMutations: readonly unknown[] = [
  null,
  -1,
  1e308,
  '',
  'x'.repeat(100_000),
  '\u202e\ud83d\ude00 \t',
  [],
  {},
  JSON.parse(nested(3_000, '[', ']')) as unknown,
  '2026-02-30T25:61:00Z',
];

function operationsOf(document: OpenAPIV3_1.Document): Operation[] {
  const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    methods.flatMap((method) => {
      const operation = item?.[method];
      return operation === undefined
        ? []
        : [{ method: method.toUpperCase() as Operation['method'], path, operation }];
    }),
  );
}

const fill = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? 'x');

describe.each(testDatabases())(
  'every route under fuzzing on $name',
  ({ open, skip }) => {
    let database: Database | undefined;
    let built: App | undefined;
    let app: FastifyInstance;
    let admin: TestCaller;
    let operations: Operation[];
    const known: Record<string, string> = {};
    /** Failures, collected: one assertion at the end lists them all. */
    const failures: string[] = [];

    beforeAll(async () => {
      if (skip !== undefined) return;
      database = await open();
      built = await testApp(database, undefined, { maxUploadBytes: 2 * 1024 * 1024 });
      app = built.app;
      admin = await testCaller(database, ['admin'], 'fuzz-admin');
      const victim = await testCaller(database, ['viewer'], 'fuzz-victim');
      const asset = await app.inject({
        method: 'POST',
        url: '/api/v1/assets',
        headers: admin.headers,
        payload: { name: 'fuzz-01', kind: 'host' },
      });
      const assetId = asset.json<{ id: string }>().id;
      const snapshot = await app.inject({
        method: 'POST',
        url: `/api/v1/assets/${assetId}/inventory`,
        headers: { ...admin.headers, 'content-type': 'text/plain' },
        payload: 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n\n',
      });
      known.id = assetId;
      known.snapshotId = snapshot.json<{ id: string }>().id;
      known.code = 'not_found';
      known.userId = victim.userId;
      operations = operationsOf(app.swagger() as OpenAPIV3_1.Document);
    });

    afterAll(async () => {
      await built?.app.close();
      await database?.close();
    });

    async function check(
      operation: Operation,
      request: InjectOptions & { url: string },
      what: string,
    ): Promise<number> {
      const response = await app.inject({ ...request, method: operation.method });
      const url = request.url;
      const where = `${operation.method} ${operation.path} (${what}: ${url.length > 90 ? `${url.slice(0, 90)}…` : url})`;
      const status = response.statusCode;
      if (status >= 500) failures.push(`${where}: ${status} ${response.body.slice(0, 300)}`);
      if (status >= 400) {
        if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
          failures.push(`${where}: ${status} is not problem+json`);
        }
        if (/FST_/.test(response.body)) failures.push(`${where}: framework internals in the body`);
      }
      const declared = Object.keys(operation.operation.responses ?? {});
      if (!declared.includes(String(status))) {
        failures.push(`${where}: ${status} is not declared (${declared.join(', ')})`);
      }
      return status;
    }

    const callers = () => [
      { name: 'anonymous', headers: {} as Record<string, string> },
      { name: 'admin', headers: admin.headers as Record<string, string> },
    ];

    it.skipIf(skip !== undefined)(
      'never answers 5xx to malformed bodies, media types and query strings',
      async () => {
        failures.length = 0;
        expect(operations.length).toBeGreaterThan(50);
        for (const operation of operations) {
          const values = parameterValues('id', known);
          for (const caller of callers()) {
            for (const value of values) {
              const url = fill(operation.path, { ...known, id: value, userId: value });
              await check(operation, { url, headers: caller.headers }, `${caller.name}, params`);
            }
            const url = fill(operation.path, known);
            for (const query of queryCorpus) {
              await check(
                operation,
                { url: url + query, headers: caller.headers },
                `${caller.name}, query`,
              );
            }
            if (operation.method === 'GET') continue;
            for (const { name, type, body } of bodyCorpus) {
              await check(
                operation,
                {
                  url,
                  headers: {
                    ...caller.headers,
                    ...(type !== undefined && { 'content-type': type }),
                  },
                  payload: body,
                },
                `${caller.name}, ${name}`,
              );
            }
          }
        }
        expect(failures).toEqual([]);
      },
    );

    it.skipIf(skip !== undefined)(
      'never answers 5xx to random JSON bodies and query values (property-based)',
      async () => {
        failures.length = 0;
        const writes = operations.filter((operation) => operation.method !== 'GET');
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...writes),
            fc.jsonValue({ maxDepth: 6 }),
            fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), {
              maxKeys: 4,
            }),
            fc.boolean(),
            async (operation, body, query, asAdmin) => {
              const before = failures.length;
              const search = new URLSearchParams(query).toString();
              await check(
                operation,
                {
                  url: fill(operation.path, known) + (search === '' ? '' : `?${search}`),
                  headers: {
                    ...(asAdmin ? admin.headers : {}),
                    'content-type': 'application/json',
                  },
                  payload: JSON.stringify(body),
                },
                `random JSON ${JSON.stringify(body).slice(0, 80)}`,
              );
              return failures.length === before;
            },
          ),
          { numRuns: 300, seed: 20261206 },
        );
        expect(failures).toEqual([]);
      },
    );

    it.skipIf(skip !== undefined)(
      'never answers 5xx to a valid body with one field mutated',
      async () => {
        failures.length = 0;
        const accepted: (string | undefined)[] = [];
        // The tests above may have deleted the asset (DELETE with a known id): a fresh one.
        const asset = await app.inject({
          method: 'POST',
          url: '/api/v1/assets',
          headers: admin.headers,
          payload: { name: 'fuzz-02', kind: 'host' },
        });
        known.id = asset.json<{ id: string }>().id;
        for (const operation of operations) {
          const requestBody = operation.operation.requestBody as
            OpenAPIV3_1.RequestBodyObject | undefined;
          const schema = requestBody?.content['application/json']?.schema as Schema | undefined;
          if (schema === undefined) continue;
          const valid = exampleOf(schema);
          const url = fill(operation.path, known);
          const bodies: [string, unknown][] = [['valid', valid]];
          const target = Array.isArray(valid) ? (valid[0] as unknown) : valid;
          const objectSchema = (schema.type === 'array' ? schema.items : schema) ?? {};
          if (target !== null && typeof target === 'object') {
            for (const field of Object.keys(objectSchema.properties ?? {})) {
              for (const mutation of fieldMutations) {
                const changed = { ...target, [field]: mutation };
                bodies.push([`${field} mutated`, Array.isArray(valid) ? [changed] : changed]);
              }
            }
          }
          const public_ = operation.operation.security?.length === 0;
          for (const [what, body] of bodies) {
            const status = await check(
              operation,
              {
                url,
                headers: { ...(public_ ? {} : admin.headers), 'content-type': 'application/json' },
                payload: JSON.stringify(body),
              },
              what,
            );
            if (what === 'valid' && status < 300) accepted.push(operation.operation.operationId);
          }
        }
        expect(failures).toEqual([]);
        // The valid bodies reach the handlers: the mutations test them, not only the validation.
        expect(accepted).toEqual(
          expect.arrayContaining([
            'createAsset',
            'createToken',
            'createUser',
            'importAssets',
            'updateAsset',
            'uploadPackages',
          ]),
        );
      },
    );

    // The inventory upload parses multipart itself: a truncated body and one without a boundary
    // answered 500 before the upload was streamed (issue 7 items 2 and 4).
    (skip === undefined ? it : it.skip)(
      'answers a truncated or boundary-less multipart upload with a 4xx',
      async () => {
        const url = `/api/v1/assets/${known.id}/inventory`;
        for (const [type, body] of [
          [
            'multipart/form-data; boundary=xyz',
            '--xyz\r\nContent-Disposition: form-data; name="file"; filename="status"\r\n\r\nPackage: zlib1g\r\n',
          ],
          ['multipart/form-data', '--xyz\r\n\r\n'],
        ]) {
          const response = await app.inject({
            method: 'POST',
            url,
            headers: { ...admin.headers, 'content-type': type },
            payload: body,
          });
          expect(response.statusCode, type).toBeLessThan(500);
        }
      },
    );
  },
  // Every operation × every corpus: the run grows with the API (195 operations with issue 11).
  240_000,
);
