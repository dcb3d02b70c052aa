/**
 * The one place errors become responses: RFC 9457 problem+json, never a stack trace, never a
 * framework's internal error code. Every error maps to one of `problemTypes` (problems.ts).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { FieldProblem } from './problems.ts';
import {
  ApiError,
  BadRequestError,
  ForbiddenError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  problemOf,
  problemTypes,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './problems.ts';

function fieldName(context: string, path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return [context, ...parts].reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`),
    '',
  );
}

/** Fastify's (and its plugins') client errors, by their code, in our words. */
function frameworkError(error: Partial<FastifyError>, request: FastifyRequest): ApiError {
  const status = error.statusCode ?? 400;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(request.routeOptions.bodyLimit ?? 0);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'] ?? '';
      return new UnsupportedMediaTypeError(
        `This route does not read a ${JSON.stringify(type.split(';')[0]?.trim() ?? '')} body; send application/json`,
      );
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BadRequestError(
        'The body is empty but the Content-Type says JSON: send a JSON document or no Content-Type',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new BadRequestError('The body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BadRequestError('The Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return new BadRequestError('The URL is not well-formed (a malformed percent-encoding?)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(
        414,
        'uri_too_long',
        problemTypes.uri_too_long.title,
        'A path parameter is longer than any identifier this API uses (100 characters)',
      );
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new ApiError(
        413,
        'payload_too_large',
        problemTypes.payload_too_large.title,
        `The multipart form is too large: ${error.message ?? 'a limit was reached'}`,
      );
    default:
      break;
  }
  // A JSON body that does not parse (secure-json-parse's SyntaxError, also for __proto__).
  if (error instanceof SyntaxError && status === 400) {
    return new BadRequestError(`The body is not valid JSON: ${error.message}`);
  }
  switch (status) {
    case 401:
      return new ApiError(401, 'unauthorized', problemTypes.unauthorized.title, error.message);
    case 403:
      return new ForbiddenError(error.message);
    case 404:
      return new NotFoundError('The resource');
    case 413:
      return new PayloadTooLargeError(request.routeOptions.bodyLimit ?? 0);
    case 415:
      return new UnsupportedMediaTypeError(error.message ?? 'Unsupported media type');
    case 429:
      return new TooManyRequestsError(error.message ?? 'Slow down');
    default:
      return new BadRequestError(error.message ?? 'Bad request');
  }
}

function toApiError(error: unknown, request: FastifyRequest): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'request';
    const fields: FieldProblem[] = error.validation.map((issue) => {
      const params = issue.params as { issue?: { path?: (string | number)[] } } | undefined;
      const path = params?.issue?.path?.join('/') ?? issue.instancePath;
      return { field: fieldName(context, path), message: issue.message ?? 'is not valid' };
    });
    return new ValidationError(
      fields.map((f) => `${f.field}: ${f.message}`).join('; ') || 'The request is not valid',
      fields,
      { cause: error },
    );
  }
  const fastifyError = error as Partial<FastifyError> | undefined;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return frameworkError(fastifyError ?? {}, request);
  }
  return undefined;
}

/** Send a problem document as it is (already JSON: no response schema re-serialises it). */
function sendProblem(reply: FastifyReply, request: FastifyRequest, error: ApiError) {
  return reply
    .status(error.status)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(problemOf(error, request.url)));
}

/**
 * Fastify's `frameworkErrors` option: errors met while routing (a malformed URL, an overlong
 * path parameter), before any route's error handler exists. Same answers as everywhere else.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void sendProblem(reply, request, frameworkError(error, request));
}

export interface ErrorHandlerOptions {
  /** The methods a path answers (empty when no route matches it): turns a 404 into a 405. */
  readonly allowedMethods: (path: string) => readonly string[];
}

export function registerErrorHandler(app: FastifyInstance, options: ErrorHandlerOptions): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, request);
    if (apiError !== undefined) {
      if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendProblem(reply, request, apiError);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(reply, request, new InternalError(request.id, { cause: error }));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = options.allowedMethods(path);
    // A route that answers this method sent us here itself (a file it does not have): a 404.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const error = new MethodNotAllowedError(request.method, path, allowed);
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, request, error);
    }
    return sendProblem(reply, request, new NotFoundError(`${request.method} ${path}`));
  });
}
