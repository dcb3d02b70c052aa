/**
 * The metrics API (issue 11; ADR 0043), all `reports:read`: the figures of a period and scope,
 * one figure's daily trend from the snapshots, and the rows a figure counts.
 */
import { addDays } from '@patchgate/metrics';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { computeMetrics, metricRows } from './metrics.ts';
import {
  MetricRowsQuery,
  MetricRowsSchema,
  MetricSetSchema,
  MetricsQuery,
  MetricTrendQuery,
  MetricTrendSchema,
} from './metrics-schema.ts';
import { lastEndedDay, metricTrendReport, requestBackfill } from './snapshots.ts';
import { auditSource } from '../audit/index.ts';
import { BackfillBody, BackfillRequested } from './metrics-schema.ts';

const tags = ['metrics'];
const problems = { 400: Problem, 401: Problem, 403: Problem, 422: Problem };

function scopeOf(q: { team?: string; environment?: string; assetGroup?: string }) {
  return {
    ...(q.team !== undefined && { team: q.team }),
    ...(q.environment !== undefined && { environment: q.environment }),
    ...(q.assetGroup !== undefined && { assetGroup: q.assetGroup }),
  };
}

export function registerMetricRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const periodOf = (q: { from?: string; to?: string }) => {
    const to = q.to ?? ctx.clock.now().toISOString().slice(0, 10);
    return { from: q.from ?? addDays(to, -29), to };
  };

  api.get(
    '/api/v1/metrics',
    {
      config: { access: 'reports:read' },
      schema: {
        operationId: 'getMetricSet',
        tags,
        summary:
          'Every figure of a period (both days included; default the last 30 days) and scope, as of the end of the period (or asOf): remediation (open, overdue, KEV, SLA compliance per priority/policy/team/environment/group, time to triage and remediate, patch latency, exceptions), changes (by type and outcome, success and rollback rates, durations, overruns, failures per wave, lead time) and coverage',
        querystring: MetricsQuery,
        response: { 200: MetricSetSchema, ...problems },
      },
    },
    async (request) =>
      computeMetrics(ctx, {
        period: periodOf(request.query),
        scope: scopeOf(request.query),
        asOf: request.query.asOf,
      }),
  );

  api.get(
    '/api/v1/metrics/trend',
    {
      config: { access: 'reports:read' },
      schema: {
        operationId: 'getMetricTrend',
        tags,
        summary:
          'One figure per day from the daily snapshots (each the 30 days ending that day, as of its end); days without a snapshot are null and counted in missingDays',
        querystring: MetricTrendQuery,
        response: { 200: MetricTrendSchema, ...problems },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ?? lastEndedDay(ctx.clock.now());
      return metricTrendReport(ctx, {
        metric: q.metric,
        key: q.key,
        scope: scopeOf(q),
        from: q.from ?? addDays(to, -89),
        to,
      });
    },
  );

  api.get(
    '/api/v1/metrics/rows',
    {
      config: { access: 'reports:read' },
      schema: {
        operationId: 'getMetricRows',
        tags,
        summary:
          'The rows a figure counts (its drill-down), with the same period, scope and asOf as GET /api/v1/metrics: findings, changes, assets, exceptions, agents or advisories, a page at a time',
        querystring: MetricRowsQuery,
        response: { 200: MetricRowsSchema, ...problems },
      },
    },
    async (request) => {
      const q = request.query;
      return metricRows(ctx, {
        period: periodOf(q),
        scope: scopeOf(q),
        asOf: q.asOf,
        metric: q.metric,
        key: q.key,
        limit: q.limit,
        ...(q.cursor !== undefined && { cursor: q.cursor }),
      });
    },
  );

  api.post(
    '/api/v1/metrics/snapshots/backfill',
    {
      config: { access: 'reports:manage' },
      schema: {
        operationId: 'backfillMetricSnapshots',
        tags,
        summary:
          'Compute the daily snapshots of every ended day in from..to (at most 400 days), for all assets and each team, environment and group, replacing those there: a background job (follow it at /api/v1/jobs/{jobId}); audited',
        body: BackfillBody,
        response: { 202: BackfillRequested, ...problems },
      },
    },
    async (request, reply) => {
      const requested = await requestBackfill(ctx, request.body, auditSource(request));
      return reply.status(202).send(requested);
    },
  );
}
