/**
 * The error hierarchy of the API and its one translation into RFC 9457 problem+json
 * (https://www.rfc-editor.org/rfc/rfc9457). Handlers throw these; nothing else formats errors.
 *
 * Every problem code is listed once in `problemTypes`: its status, title and a description.
 * A problem's `type` is `/problems/<code>`, a URI reference the server itself answers (RFC 9457
 * §3.1.1: resolved against the request's URI), so it stays the same on every deployment and
 * never names a framework's internals.
 */
import { z } from 'zod';

export const problemTypes = {
  bad_request: {
    status: 400,
    title: 'The request cannot be read',
    description:
      'The body is not well-formed (not valid JSON, empty while a Content-Type says there is one, a truncated multipart form) or a header is malformed. Fix the request; repeating it as it is will fail the same way.',
  },
  unauthorized: {
    status: 401,
    title: 'Authentication required',
    description:
      'Log in (POST /api/v1/session, which sets the session cookie) or send an API token as `Authorization: Bearer pgt_…`. An unknown, expired or revoked token answers this too.',
  },
  forbidden: {
    status: 403,
    title: 'Forbidden',
    description:
      'The caller is known but may not do this: a permission (or, for an API token, a scope) is missing, or a browser session changing state did not echo its CSRF token in the `x-csrf-token` header.',
  },
  not_found: {
    status: 404,
    title: 'Not found',
    description:
      'No such route, or no such resource. The answer is the same whether a resource does not exist or the caller may not see it.',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description:
      'The path exists but not with this method; the `Allow` header lists the methods it answers.',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description:
      'The request contradicts the current state: a name already taken, a job or exception in a state that does not allow the change, a first admin when users exist.',
  },
  audit_log_broken: {
    status: 409,
    title: 'The audit log does not verify',
    description:
      'The audit chain or its signed checkpoints do not verify, so no new checkpoint is signed over it; `GET /api/v1/audit/verification` names the first problem.',
  },
  gone: {
    status: 410,
    title: 'Gone',
    description:
      'The resource existed but its content was removed by retention (the packages of an old inventory snapshot); what is still kept is named in the detail.',
  },
  payload_too_large: {
    status: 413,
    title: 'Request body too large',
    description:
      "The body is larger than the route's limit, named in the detail and in the `limit` member (bytes). Most routes take at most a small JSON document; uploads and imports take more, up to the server's configured upload limit.",
  },
  uri_too_long: {
    status: 414,
    title: 'URI too long',
    description:
      'A path parameter is longer than any identifier the API uses (at most 100 characters): the URL cannot name anything.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'Unsupported media type',
    description:
      "The body's Content-Type is not one this route reads: JSON routes take `application/json`; the inventory upload takes the file as it is or a multipart form.",
  },
  validation_failed: {
    status: 422,
    title: 'The request is not valid',
    description:
      'The request was read but a field is wrong: the `errors` member names each field (`body.tags[2]`, `querystring.limit`, `params.id`) and what is wrong with it.',
  },
  too_many_requests: {
    status: 429,
    title: 'Too many requests',
    description:
      'Slow down: too many attempts (failed logins, say) from this caller. The `Retry-After` header says when to try again.',
  },
  internal_error: {
    status: 500,
    title: 'Internal error',
    description:
      'Something went wrong on the server. Nothing about it is in the answer; quote the request id from the detail when reporting it (the server log has the rest).',
  },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

/** Stable, machine-readable problem codes: `validation_failed`, `not_found`, `conflict`… */
export type ProblemCode = keyof typeof problemTypes;
export const problemCodes = Object.keys(problemTypes) as ProblemCode[];

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(problemTypes, code);
}

/** The problem type URI of a code: answered by the server itself (`GET /problems/<code>`). */
export function problemTypeUri(code: ProblemCode): string {
  return `/problems/${code}`;
}

export interface FieldProblem {
  /** `body.tags[2]`, `querystring.limit`, `params.id` (Fastify's names for the request parts) */
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** One of `problemTypes`: each code has its own type URI, page and status. */
    readonly code: ProblemCode,
    /** Short, human, the same for every occurrence of the code. */
    readonly title: string,
    detail?: string,
    readonly fields?: readonly FieldProblem[],
    options?: { cause?: unknown },
  ) {
    super(detail ?? title, options);
    this.name = 'ApiError';
  }

  /** Extension members of the problem document (RFC 9457 §3.2), e.g. `limit` for a 413. */
  extensions(): Readonly<Record<string, unknown>> {
    return {};
  }
}

export class ValidationError extends ApiError {
  constructor(detail: string, fields: readonly FieldProblem[] = [], options?: { cause?: unknown }) {
    super(422, 'validation_failed', problemTypes.validation_failed.title, detail, fields, options);
  }
}

export class BadRequestError extends ApiError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(400, 'bad_request', problemTypes.bad_request.title, detail, undefined, options);
  }
}

/** One message whether the thing does not exist or the caller may not see it: leaks nothing. */
export class NotFoundError extends ApiError {
  constructor(what: string) {
    super(404, 'not_found', problemTypes.not_found.title, `${what} was not found`);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(detail = 'Log in or send an API token') {
    super(401, 'unauthorized', problemTypes.unauthorized.title, detail);
  }
}

export class ForbiddenError extends ApiError {
  constructor(detail = 'You may not do this') {
    super(403, 'forbidden', problemTypes.forbidden.title, detail);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(
    method: string,
    path: string,
    /** What the path answers: sent as the `Allow` header too. */
    readonly allowed: readonly string[],
  ) {
    super(
      405,
      'method_not_allowed',
      problemTypes.method_not_allowed.title,
      `${path} does not answer ${method}; it answers ${allowed.join(', ')}`,
    );
  }
}

export class ConflictError extends ApiError {
  constructor(detail: string) {
    super(409, 'conflict', problemTypes.conflict.title, detail);
  }
}

export class GoneError extends ApiError {
  constructor(detail: string) {
    super(410, 'gone', problemTypes.gone.title, detail);
  }
}

/** Binary units as people read them: 1048576 → "1 MiB", 1500 → "1500 bytes". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % (size / 4) === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

export class PayloadTooLargeError extends ApiError {
  constructor(
    /** The limit in bytes. */
    readonly limit: number,
    what = 'The request body',
  ) {
    super(
      413,
      'payload_too_large',
      problemTypes.payload_too_large.title,
      `${what} is larger than this route's limit of ${formatBytes(limit)} (${limit} bytes)`,
    );
  }

  override extensions(): Readonly<Record<string, unknown>> {
    return { limit: this.limit };
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(detail: string) {
    super(415, 'unsupported_media_type', problemTypes.unsupported_media_type.title, detail);
  }
}

export class TooManyRequestsError extends ApiError {
  constructor(detail: string) {
    super(429, 'too_many_requests', problemTypes.too_many_requests.title, detail);
  }
}

export class InternalError extends ApiError {
  constructor(requestId: string, options?: { cause?: unknown }) {
    super(
      500,
      'internal_error',
      problemTypes.internal_error.title,
      `An unexpected error occurred; quote request ${requestId} when reporting it`,
      undefined,
      options,
    );
  }
}

/** The problem+json document, as declared in the OpenAPI document (`Problem`). */
export const Problem = z
  .object({
    type: z
      .string()
      .describe('the problem type: `/problems/<code>`, a page of this server describing it'),
    title: z.string().describe('short, the same for every occurrence of the type'),
    status: z.number().int().describe('the HTTP status code'),
    detail: z.string().describe('what went wrong with this request, for a person'),
    code: z.enum(problemCodes).describe('the problem code, stable, for programs'),
    instance: z.string().optional().describe('the request path'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('validation_failed: each field that is wrong and why'),
    limit: z.number().int().optional().describe("payload_too_large: the route's limit in bytes"),
  })
  .describe('An RFC 9457 problem document');
export type ProblemDocument = z.infer<typeof Problem>;

export function problemOf(error: ApiError, instance?: string): ProblemDocument {
  return {
    type: problemTypeUri(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(instance !== undefined && { instance }),
    ...(error.fields !== undefined && error.fields.length > 0 && { errors: [...error.fields] }),
    ...error.extensions(),
  };
}
