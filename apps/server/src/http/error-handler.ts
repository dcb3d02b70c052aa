/** The one place errors become responses: RFC 9457 problem+json, never a stack trace. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { FieldProblem } from './problems.ts';
import {
  ApiError,
  BadRequestError,
  NotFoundError,
  problemOf,
  TooManyRequestsError,
  ValidationError,
} from './problems.ts';

function fieldName(context: string, path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return [context, ...parts].reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc === '' ? part : `${acc}.${part}`),
    '',
  );
}

function toApiError(error: unknown): ApiError | undefined {
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
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.statusCode === 429)
    return new TooManyRequestsError(fastifyError.message ?? 'Slow down');
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    // Fastify's own 4xx: malformed JSON, unsupported media type, body too large…
    return fastifyError.statusCode === 404
      ? new NotFoundError('The resource')
      : new ApiError(
          fastifyError.statusCode,
          (fastifyError.code ?? 'bad_request').toLowerCase(),
          'The request cannot be processed',
          fastifyError.message ?? 'Bad request',
        );
  }
  return undefined;
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError !== undefined) {
      if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
      return reply
        .status(apiError.status)
        .type('application/problem+json')
        .send(problemOf(apiError, request.url));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply
      .status(500)
      .type('application/problem+json')
      .send({
        type: 'https://patchgate.invalid/problems/internal_error',
        title: 'Internal error',
        status: 500,
        detail: `An unexpected error occurred; quote request ${request.id} when reporting it`,
        code: 'internal_error',
        instance: request.url,
      });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send(
        problemOf(
          new NotFoundError(`${request.method} ${request.url.split('?')[0] ?? ''}`),
          request.url,
        ),
      ),
  );
}

export { BadRequestError };
