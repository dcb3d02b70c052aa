/**
 * The error hierarchy of the API and its one translation into RFC 9457 problem+json
 * (https://www.rfc-editor.org/rfc/rfc9457). Handlers throw these; nothing else formats errors.
 */
export interface FieldProblem {
  /** `body.tags[2]`, `querystring.limit`, `params.id` (Fastify's names for the request parts) */
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** Stable, machine-readable: `validation_failed`, `not_found`, `conflict`… */
    readonly code: string,
    /** Short, human, the same for every occurrence of the code. */
    readonly title: string,
    detail?: string,
    readonly fields?: readonly FieldProblem[],
    options?: { cause?: unknown },
  ) {
    super(detail ?? title, options);
    this.name = 'ApiError';
  }
}

export class ValidationError extends ApiError {
  constructor(detail: string, fields: readonly FieldProblem[] = [], options?: { cause?: unknown }) {
    super(422, 'validation_failed', 'The request is not valid', detail, fields, options);
  }
}

export class BadRequestError extends ApiError {
  constructor(detail: string) {
    super(400, 'bad_request', 'The request cannot be read', detail);
  }
}

/** One message whether the thing does not exist or the caller may not see it: leaks nothing. */
export class NotFoundError extends ApiError {
  constructor(what: string) {
    super(404, 'not_found', 'Not found', `${what} was not found`);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(detail = 'Log in or send an API token') {
    super(401, 'unauthorized', 'Authentication required', detail);
  }
}

export class ForbiddenError extends ApiError {
  constructor(detail = 'You may not do this') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class ConflictError extends ApiError {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', detail);
  }
}

export class TooManyRequestsError extends ApiError {
  constructor(detail: string) {
    super(429, 'too_many_requests', 'Too many requests', detail);
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
}

export function problemOf(error: ApiError, instance?: string): ProblemDocument {
  return {
    type: `https://patchgate.invalid/problems/${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(instance !== undefined && { instance }),
    ...(error.fields !== undefined && error.fields.length > 0 && { errors: [...error.fields] }),
  };
}
