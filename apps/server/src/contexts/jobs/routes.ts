/** Jobs API: list and read jobs (`jobs:read`), cancel and retry them (`jobs:manage`). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import { Job, JobList, JobListQuery, JobParams } from './schema.ts';
import { cancelJob, getJob, listJobs, retryJob } from './service.ts';

export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/jobs',
    {
      config: { access: 'jobs:read' },
      schema: {
        operationId: 'listJobs',
        tags: ['jobs'],
        summary: 'List background jobs, newest first',
        querystring: JobListQuery,
        response: { 200: JobList },
      },
    },
    (request) => listJobs(ctx, request.query),
  );
  api.get(
    '/api/v1/jobs/:id',
    {
      config: { access: 'jobs:read' },
      schema: {
        operationId: 'getJob',
        tags: ['jobs'],
        summary: 'One job, with its progress',
        params: JobParams,
        response: { 200: Job },
      },
    },
    (request) => getJob(ctx, request.params.id),
  );
  api.post(
    '/api/v1/jobs/:id/cancel',
    {
      config: { access: 'jobs:manage' },
      schema: {
        operationId: 'cancelJob',
        tags: ['jobs'],
        summary: 'Cancel a queued job, or ask a running one to stop',
        params: JobParams,
        response: { 200: Job, 409: Problem },
      },
    },
    (request) => cancelJob(ctx, request.params.id, auditSource(request)),
  );
  api.post(
    '/api/v1/jobs/:id/retry',
    {
      config: { access: 'jobs:manage' },
      schema: {
        operationId: 'retryJob',
        tags: ['jobs'],
        summary: 'Run a failed or cancelled job again',
        params: JobParams,
        response: { 200: Job, 409: Problem },
      },
    },
    (request) => retryJob(ctx, request.params.id, auditSource(request)),
  );
}
