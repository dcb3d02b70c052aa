/**
 * What every route gets from one place rather than from its own declaration:
 *
 * - an `operationId` it must declare (camelCase, unique): a route without one stops the server
 *   at start-up, like a route without `config.access`;
 * - its problem responses in the OpenAPI document: the 4xx the shared layers answer for it
 *   (401/403 unless public; 400/404/414 for a path with parameters; 400/413/415 for a method
 *   with a body; 422 for any validated input), plus those its declaration lists as
 *   `<status>: Problem`;
 * - a raw request body: a route that `consumes` media types but declares no `body` schema (its
 *   handler streams the bytes itself) is documented as taking the file as it is, required, as a
 *   binary string in each media type it consumes (`multipart/form-data`: one `file` part), with
 *   the route's size limit;
 * - its security requirement, from `config.access` (public: none; otherwise the session cookie,
 *   with the CSRF header for a state change, or a bearer token);
 * - the methods its path answers, so a wrong method gets 405 with `Allow` (error-handler.ts);
 * - a 422 for a NUL character (U+0000) anywhere in its declared inputs: PostgreSQL cannot store
 *   one in text (it fails the query), SQLite can, and neither is ever meant by a caller.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import { z } from 'zod';
import { csrfHeader, sessionCookie } from '../contexts/auth/index.ts';
import type { Access } from './access.ts';
import type { ProblemCode } from './problems.ts';
import { Problem, problemCodes, problemTypes, ValidationError } from './problems.ts';

const operationIdPattern = /^[a-z][a-zA-Z0-9]*$/;
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Routes served by the documentation plugin: static files, not API operations. */
const isDocumentationRoute = (url: string) => url === '/docs' || url.startsWith('/docs/');

/** A Fastify path (`/api/v1/assets/:id`, `/docs/static/*`) as a regular expression. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

const methodsOf = (route: { method: string | string[] }): string[] =>
  [route.method].flat().map((method) => method.toUpperCase());

export interface RouteTable {
  /** The methods some route answers for this concrete path, sorted; empty when none. */
  allowedMethods(path: string): string[];
}

/** Where the first NUL character is in an input (a string or a key), as a field name. */
function nulField(context: string, input: unknown): string | undefined {
  // Iterative: a body nested thousands deep must not overflow the stack here.
  const stack: [string, unknown][] = [[context, input]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [path, value] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push([`${path}[${index}]`, item]));
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return path;
        stack.push([`${path}.${key}`, item]);
      }
    }
  }
  return undefined;
}

/** Call before any route is registered: checks each route and records its path. */
export function registerRouteConventions(app: FastifyInstance): RouteTable {
  const operationIds = new Map<string, string>();
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = methodsOf(route);
    routes.push({ pattern: pathPattern(route.url), methods });
    // Fastify adds a HEAD twin of every GET with the same schema; documentation is static.
    if (isDocumentationRoute(route.url) || route.schema?.hide === true) return;
    if (methods.every((method) => method === 'HEAD')) return;
    const where = `${methods.join(',')} ${route.url}`;
    const operationId = route.schema?.operationId;
    if (typeof operationId !== 'string' || !operationIdPattern.test(operationId)) {
      throw new Error(`route ${where} declares no schema.operationId (camelCase, e.g. listAssets)`);
    }
    const taken = operationIds.get(operationId);
    if (taken !== undefined) {
      throw new Error(`route ${where} reuses the operationId ${operationId} of ${taken}`);
    }
    operationIds.set(operationId, where);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema ?? {};
    const inputs = [
      ['params', schema.params, request.params],
      ['querystring', schema.querystring, request.query],
      ['body', schema.body, request.body],
    ] as const;
    for (const [context, declared, value] of inputs) {
      const field = declared === undefined ? undefined : nulField(context, value);
      if (field !== undefined) {
        const message = 'must not contain the NUL character (U+0000)';
        done(new ValidationError(`${field}: ${message}`, [{ field, message }]));
        return;
      }
    }
    done();
  });
  return {
    allowedMethods(path) {
      const allowed = new Set(
        routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods),
      );
      return [...allowed].sort();
    },
  };
}

/** Where the problem statuses of an operation travel from `transform` to `transformObject`. */
const problemsKey = 'x-patchgate-problems';

function accessOf(route: RouteOptions): Access | undefined {
  return route.config?.access;
}

/** The permissions that grant access: none for any authenticated caller, else one or several. */
function permissionsOf(access: Access | undefined): string[] {
  if (
    access === undefined ||
    access === 'public' ||
    access === 'authenticated' ||
    access === 'agent'
  )
    return [];
  return typeof access === 'string' ? [access] : [...access.anyOf];
}

/** The problem statuses the shared layers answer for this route (see the file comment). */
function sharedProblemStatuses(route: RouteOptions): number[] {
  const statuses = new Set<number>();
  const methods = methodsOf(route);
  const schema = route.schema ?? {};
  if (accessOf(route) !== 'public') statuses.add(401).add(403);
  if (schema.params !== undefined || route.url.includes(':')) statuses.add(400).add(404).add(414);
  if (methods.some((method) => unsafeMethods.has(method))) statuses.add(400).add(413).add(415);
  if (
    schema.body !== undefined ||
    schema.querystring !== undefined ||
    schema.params !== undefined ||
    rawBodyOf(route) !== undefined
  ) {
    statuses.add(422);
  }
  return [...statuses];
}

/** Where a raw body's media types and limit travel from `transform` to `transformObject`. */
const rawBodyKey = 'x-patchgate-raw-body';

interface RawBody {
  readonly mediaTypes: string[];
  readonly limitBytes: number | undefined;
}

/** A route whose handler reads the body itself: it consumes media types and has no body schema. */
function rawBodyOf(route: RouteOptions): RawBody | undefined {
  const schema = (route.schema ?? {}) as { body?: unknown; consumes?: unknown };
  if (schema.body !== undefined || !Array.isArray(schema.consumes)) return undefined;
  const mediaTypes = schema.consumes.filter((type): type is string => typeof type === 'string');
  if (mediaTypes.length === 0) return undefined;
  return { mediaTypes, limitBytes: route.bodyLimit };
}

const binary: OpenAPIV3_1.SchemaObject = { type: 'string', format: 'binary' };

function rawRequestBody({ mediaTypes, limitBytes }: RawBody): OpenAPIV3_1.RequestBodyObject {
  const limit =
    limitBytes === undefined
      ? 'larger than the server accepts'
      : `larger than ${limitBytes} bytes (this server's configured limit)`;
  return {
    required: true,
    description: `The file itself, as the raw request body (not JSON), in its own media type; ${mediaTypes.includes('multipart/form-data') ? 'or a multipart form with one `file` part; ' : ''}streamed as it is sent. An empty body is a 422; one ${limit} is a 413, and nothing is stored.`,
    content: Object.fromEntries(
      mediaTypes.map((type): [string, OpenAPIV3_1.MediaTypeObject] => [
        type,
        type === 'multipart/form-data'
          ? {
              schema: {
                type: 'object',
                properties: { file: { ...binary, description: 'the file' } },
                required: ['file'],
              },
            }
          : { schema: binary },
      ]),
    ),
  };
}

function securityOf(route: RouteOptions): OpenAPIV3_1.SecurityRequirementObject[] {
  const access = accessOf(route);
  if (access === 'public') return [];
  if (access === 'agent') return [{ agent: [] }];
  const changesState = methodsOf(route).some((method) => unsafeMethods.has(method));
  // Any one permission of an `anyOf` will do: one requirement per permission (OpenAPI ORs them).
  const permissions = permissionsOf(access);
  const alternatives = permissions.length === 0 ? [[]] : permissions.map((p) => [p]);
  return [
    ...alternatives.map((scopes): OpenAPIV3_1.SecurityRequirementObject =>
      changesState ? { session: scopes, csrf: [] } : { session: scopes },
    ),
    ...alternatives.map((scopes) => ({ token: scopes })),
  ];
}

function permissionNote(route: RouteOptions): string | undefined {
  const access = accessOf(route);
  if (access === 'public') return 'Public: no authentication.';
  if (access === 'agent') return 'An enrolled agent, with its own credential (`Bearer pga_…`).';
  const permissions = permissionsOf(access);
  if (permissions.length === 0) return 'Any authenticated caller.';
  if (permissions.length === 1)
    return `Needs the \`${permissions[0]}\` permission (an API token: in its scopes too).`;
  return `Needs one of the permissions ${permissions.map((p) => `\`${p}\``).join(', ')} (an API token: in its scopes too).`;
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0] & { route: RouteOptions };

/** @fastify/swagger's per-route transform: zod → JSON Schema, then the conventions above. */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const { route } = input;
  const declared = new Set<number>();
  const response: Record<string, unknown> = {};
  const schema = (input.schema ?? {}) as Record<string, unknown> & { response?: object };
  for (const [status, value] of Object.entries(schema.response ?? {})) {
    if (value === Problem) declared.add(Number(status));
    else response[status] = value;
  }
  const result = jsonSchemaTransform({
    ...input,
    schema: {
      ...schema,
      ...(schema.response !== undefined && { response }),
    },
  });
  const transformed = result.schema as Record<string, unknown>;
  if (transformed.hide === true) return result;
  const statuses = new Set([...sharedProblemStatuses(route), ...declared]);
  const rawBody = rawBodyOf(route);
  const note = permissionNote(route);
  const description = transformed.description;
  return {
    ...result,
    schema: {
      ...transformed,
      ...(note !== undefined && {
        description: typeof description === 'string' ? `${description}\n\n${note}` : note,
      }),
      security: securityOf(route),
      [problemsKey]: [...statuses].sort(),
      ...(rawBody !== undefined && { [rawBodyKey]: rawBody }),
    } as typeof result.schema,
  };
}

const statusCodes = new Map<number, ProblemCode>(
  problemCodes.map((code) => [problemTypes[code].status, code]),
);

const responseName = (code: ProblemCode) =>
  code.replace(/(^|_)([a-z])/g, (_match, _sep: string, letter: string) => letter.toUpperCase());

function problemResponse(code: ProblemCode): OpenAPIV3_1.ResponseObject {
  const headers: Record<string, OpenAPIV3_1.HeaderObject> = {};
  if (code === 'method_not_allowed') {
    headers.Allow = { description: 'the methods the path answers', schema: { type: 'string' } };
  }
  if (code === 'too_many_requests') {
    headers['Retry-After'] = {
      description: 'seconds to wait before trying again',
      schema: { type: 'integer' },
    };
  }
  return {
    description: `${problemTypes[code].title} (\`/problems/${code}\`)`,
    ...(Object.keys(headers).length > 0 && { headers }),
    content: {
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    },
  };
}

/**
 * zod writes a record keyed by an enum as `propertyNames` + `required`, which leaves `required`
 * naming properties no `properties` defines; spell those keys out instead (same meaning).
 */
function spellOutEnumRecords(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) spellOutEnumRecords(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  const names = (schema.propertyNames as { enum?: unknown[] } | undefined)?.enum;
  if (
    Array.isArray(names) &&
    schema.properties === undefined &&
    typeof schema.additionalProperties === 'object'
  ) {
    schema.properties = Object.fromEntries(
      names.map((name) => [String(name), structuredClone(schema.additionalProperties)]),
    );
    schema.additionalProperties = false;
    delete schema.propertyNames;
  }
  for (const value of Object.values(schema)) spellOutEnumRecords(value);
}

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** @fastify/swagger's whole-document transform: shared problem responses, once each. */
export function openApiTransformObject(input: object): OpenAPIV3_1.Document {
  if (!('openapiObject' in input)) throw new Error('the API is documented as OpenAPI 3.1');
  const document = input.openapiObject as OpenAPIV3_1.Document;
  const used = new Set<ProblemCode>();
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const method of httpMethods) {
      const operation = pathItem?.[method] as
        | (OpenAPIV3_1.OperationObject & { [problemsKey]?: number[]; [rawBodyKey]?: RawBody })
        | undefined;
      if (operation === undefined) continue;
      const rawBody = operation[rawBodyKey];
      if (rawBody !== undefined) {
        if (operation.requestBody !== undefined) {
          throw new Error(`${operation.operationId ?? method} has a raw body and a body schema`);
        }
        operation.requestBody = rawRequestBody(rawBody);
        delete operation[rawBodyKey];
      }
      for (const status of operation[problemsKey] ?? []) {
        const code = statusCodes.get(status);
        if (code === undefined) throw new Error(`no problem type has status ${status}`);
        used.add(code);
        operation.responses ??= {};
        operation.responses[String(status)] ??= {
          $ref: `#/components/responses/${responseName(code)}`,
        };
      }
      delete operation[problemsKey];
    }
  }
  spellOutEnumRecords(document.paths);
  const problemSchema = z.toJSONSchema(Problem, { target: 'draft-2020-12', io: 'output' });
  delete problemSchema.$schema;
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      Problem: problemSchema as OpenAPIV3_1.SchemaObject,
    },
    responses: Object.fromEntries(
      problemCodes
        .filter((code) => used.has(code))
        .map((code) => [responseName(code), problemResponse(code)]),
    ),
  };
  return document;
}

/** The security schemes `securityOf` refers to. */
export const securitySchemes: Record<string, OpenAPIV3_1.SecuritySchemeObject> = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: sessionCookie,
    description:
      'The session cookie POST /api/v1/session sets (HttpOnly: a browser, /docs included, sends it by itself).',
  },
  csrf: {
    type: 'apiKey',
    in: 'header',
    name: csrfHeader,
    description:
      'With the session cookie, a state change (POST, PUT, PATCH, DELETE) must echo the session’s CSRF token, returned by POST and GET /api/v1/session, in this header. In /docs: Authorize, paste it here.',
  },
  token: { type: 'http', scheme: 'bearer', description: 'An API token, `pgt_…`' },
  agent: {
    type: 'http',
    scheme: 'bearer',
    description: 'An agent credential, `pga_…`, returned once by POST /api/v1/agent/enrol',
  },
};
