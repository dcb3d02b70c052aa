/**
 * The problem types, served by the server itself: a problem document's `type` (`/problems/<code>`)
 * resolves to a short page (HTML for a browser, JSON otherwise) saying what the problem means.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  isProblemCode,
  NotFoundError,
  problemCodes,
  problemTypes,
  problemTypeUri,
} from './problems.ts';
import type { ProblemCode } from './problems.ts';

const ProblemType = z
  .object({
    type: z.string().describe('this page: `/problems/<code>`'),
    code: z.enum(problemCodes),
    status: z.number().int().describe('the HTTP status it comes with'),
    title: z.string(),
    description: z.string().describe('what it means and what to do'),
  })
  .describe('A problem type of the API');

const ProblemTypeList = z.object({ problemTypes: z.array(ProblemType) });

const ProblemTypeParams = z.strictObject({
  code: z.string().max(100).describe('the problem code, e.g. not_found'),
});

function problemType(code: ProblemCode): z.infer<typeof ProblemType> {
  const { status, title, description } = problemTypes[code];
  return { type: problemTypeUri(code), code, status, title, description };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? '',
  );

function page(type: z.infer<typeof ProblemType>): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${type.status} ${escapeHtml(type.title)} · Patchgate API</title></head>`,
    `<body><h1>${type.status} ${escapeHtml(type.title)}</h1>`,
    `<p>Problem code <code>${type.code}</code>.</p>`,
    `<p>${escapeHtml(type.description)}</p>`,
    '<p><a href="/problems">All problem types</a> · <a href="/docs">API documentation</a></p>',
    '</body></html>',
    '',
  ].join('\n');
}

export function registerProblemRoutes(app: FastifyInstance): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/problems',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'listProblemTypes',
        tags: ['problems'],
        summary: 'Every problem type the API answers with',
        response: { 200: ProblemTypeList },
      },
    },
    () => ({ problemTypes: problemCodes.map(problemType) }),
  );
  api.get(
    '/problems/:code',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getProblemType',
        tags: ['problems'],
        summary: "A problem type: the page a problem document's `type` points to",
        description: 'HTML when the caller prefers it (a browser), JSON otherwise.',
        params: ProblemTypeParams,
        response: {
          200: {
            description: 'The problem type',
            content: {
              'application/json': { schema: ProblemType },
              'text/html': { schema: z.string().describe('a short page') },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { code } = request.params;
      if (!isProblemCode(code)) throw new NotFoundError('The problem type');
      const type = problemType(code);
      const accept = request.headers.accept ?? '';
      if (/\btext\/html\b/.test(accept) && !/^application\/(problem\+)?json/.test(accept)) {
        return reply.type('text/html; charset=utf-8').send(page(type));
      }
      return reply.type('application/json; charset=utf-8').send(type);
    },
  );
}
