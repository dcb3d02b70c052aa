/**
 * The agents API. Agent-facing routes (`agentRoutes` of @patchgate/agent-protocol, access
 * `agent`: the agent's own credential, resolved before the body is read) and the admin routes
 * (`agents:read` / `agents:manage`). Every agent route checks the protocol header and has its
 * own body limit; an agent sees and reports only its own tasks (404 otherwise).
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  agentRoutes,
  EnrolRequest,
  EnrolResponse,
  Heartbeat,
  HeartbeatResponse,
  maxWaitSeconds,
  protocolHeader,
  protocolVersion,
  TaskEventBatch,
  TaskPoll,
  TaskResult,
} from '@patchgate/agent-protocol';
import type { ServerContext } from '../../context.ts';
import { requireAgent } from '../../http/access.ts';
import {
  BadRequestError,
  Problem,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
} from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import {
  InventoryParser,
  maxUpdateReportBytes,
  receiveUpload,
  storeAvailableUpdates,
  uploadRawInventory,
} from '../inventory/index.ts';
import {
  createEnrolmentToken,
  getAgent,
  getAgentTask,
  listAgents,
  listAgentTasks,
  listEnrolmentTokens,
  listTaskEvents,
  revokeAgent,
  revokeEnrolmentToken,
} from './admin.ts';
import type { CallSource } from './agent-service.ts';
import {
  agentActor,
  enrol,
  markReported,
  ownTask,
  pollAnswer,
  recordHeartbeat,
  recordTaskEvents,
  recordTaskResult,
  takeDueTasks,
} from './agent-service.ts';
import type { EnrolmentLimits } from './enrolment-limiter.ts';
import { defaultEnrolmentLimits, EnrolmentLimiter } from './enrolment-limiter.ts';
import type { LongPollOptions } from './long-poll.ts';
import { defaultLongPollOptions, longPoll } from './long-poll.ts';
import {
  Agent,
  AgentList,
  AgentQuery,
  AgentRevoke,
  AgentTaskList,
  AgentTaskQuery,
  AgentTaskView,
  CreatedEnrolmentToken,
  EnrolmentTokenCreate,
  EnrolmentTokenList,
  EnrolmentTokenQuery,
  EventsReceipt,
  IdParams,
  InventoryReceipt,
  ResultReceipt,
  TaskEventList,
  TaskEventQuery,
  TaskParams,
  TaskPollQuery,
  UpdatesReceipt,
} from './schema.ts';

const agentTags = ['agent protocol'];
const adminTags = ['agents'];
/** The header naming the task a report belongs to (a rescan's inventory, say). */
export const taskIdHeader = 'patchgate-task-id';

export interface AgentRouteOptions {
  /** Failed-enrolment throttling (tests lower it). */
  readonly enrolmentLimits?: EnrolmentLimits;
  /** Long-poll re-check timing (tests shorten it). */
  readonly longPoll?: LongPollOptions;
}

/** Agents speak one protocol version; anything else is refused before the body is used. */
function checkProtocol(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const sent = request.headers[protocolHeader];
  if (sent !== String(protocolVersion)) {
    throw new BadRequestError(
      `Send the header ${protocolHeader}: ${protocolVersion} (this server speaks agent protocol ${protocolVersion}${typeof sent === 'string' ? `, not ${sent}` : ''})`,
    );
  }
  done();
}

function callOf(request: FastifyRequest): CallSource {
  return { requestId: request.id, ip: request.ip };
}

function taskIdOf(request: FastifyRequest): string | undefined {
  const value = request.headers[taskIdHeader];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
    throw new ValidationError(`headers.${taskIdHeader}: expected one task id`, [
      { field: `headers.${taskIdHeader}`, message: 'expected one task id' },
    ]);
  }
  return value;
}

export function registerAgentRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: AgentRouteOptions = {},
): void {
  registerAgentProtocolRoutes(app, ctx, options);
  registerAgentAdminRoutes(app, ctx);
}

function registerAgentProtocolRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: AgentRouteOptions,
): void {
  const limiter = new EnrolmentLimiter(
    ctx.clock,
    options.enrolmentLimits ?? defaultEnrolmentLimits,
  );
  const pollOptions = options.longPoll ?? defaultLongPollOptions;
  // Held long-polls end when the server closes (they answer with no tasks).
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });
  const parser = new InventoryParser();
  app.addHook('onClose', () => parser.close());

  // JSON routes.
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', checkProtocol);
    const api = scope.withTypeProvider<ZodTypeProvider>();

    api.post(
      agentRoutes.enrol,
      {
        config: { access: 'public' },
        bodyLimit: 64 * 1024,
        schema: {
          operationId: 'enrolAgent',
          tags: agentTags,
          summary: 'Enrol an agent with a one-time enrolment token; returns its own credential',
          description:
            'No user authentication: the enrolment token (pge_…) in the body is the credential. It is spent by the enrolment and refused once expired, spent or revoked (401). Failed attempts are throttled per address (429). The asset of that name is linked, or a host asset created with the token’s environment and groups. Send the header `patchgate-agent-protocol: 1`.',
          body: EnrolRequest,
          response: { 201: EnrolResponse, 401: Problem, 429: Problem },
        },
      },
      async (request, reply) => {
        const retryAfter = limiter.retryAfterSeconds(request.ip);
        if (retryAfter > 0) {
          reply.header('retry-after', String(retryAfter));
          throw new TooManyRequestsError(
            `Too many failed enrolments from this address; try again in ${retryAfter} seconds`,
          );
        }
        const outcome = await enrol(ctx, request.body, callOf(request));
        if (outcome.status === 'refused') {
          limiter.fail(request.ip);
          throw new UnauthorizedError(outcome.message);
        }
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(outcome.response);
      },
    );

    api.post(
      agentRoutes.heartbeat,
      {
        config: { access: 'agent' },
        bodyLimit: 256 * 1024,
        schema: {
          operationId: 'agentHeartbeat',
          tags: agentTags,
          summary: 'Record the host’s state (reboot required, services, clock); answers the time',
          body: Heartbeat,
          response: { 200: HeartbeatResponse },
        },
      },
      (request) => recordHeartbeat(ctx, requireAgent(request), request.body),
    );

    api.get(
      agentRoutes.tasks,
      {
        config: { access: 'agent' },
        schema: {
          operationId: 'pollAgentTasks',
          tags: agentTags,
          summary: `Long-poll for the agent’s signed tasks (waitSeconds ≤ ${maxWaitSeconds})`,
          description:
            'Answers at once with the queued tasks (and those delivered a while ago whose result never came), else waits up to waitSeconds for one and answers with none. Each task is an envelope: its payload as JSON text and an Ed25519 signature over it.',
          querystring: TaskPollQuery,
          response: { 200: TaskPoll },
        },
      },
      async (request, reply) => {
        const agent = requireAgent(request);
        const gone = new AbortController();
        const onClose = () => gone.abort();
        reply.raw.once('close', onClose);
        const stop = AbortSignal.any([gone.signal, closing.signal]);
        try {
          const tasks = await longPoll(
            agent.agentId,
            request.query.waitSeconds * 1000,
            () => takeDueTasks(ctx, agent),
            stop,
            pollOptions,
          );
          reply.header('cache-control', 'no-store');
          return pollAnswer(ctx.clock, tasks);
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    );

    api.post(
      agentRoutes.taskEvents,
      {
        config: { access: 'agent' },
        bodyLimit: 8 * 1024 * 1024,
        schema: {
          operationId: 'reportAgentTaskEvents',
          tags: agentTags,
          summary: 'Stream a task’s events (log lines, steps); a seq already stored is ignored',
          params: TaskParams,
          body: TaskEventBatch,
          response: { 200: EventsReceipt },
        },
      },
      (request) =>
        recordTaskEvents(ctx, requireAgent(request), request.params.taskId, request.body),
    );

    api.post(
      agentRoutes.taskResult,
      {
        config: { access: 'agent' },
        bodyLimit: 32 * 1024 * 1024,
        schema: {
          operationId: 'reportAgentTaskResult',
          tags: agentTags,
          summary: 'Report a task’s result; accepted once (a repeat is 200 and changes nothing)',
          params: TaskParams,
          body: TaskResult,
          response: { 200: ResultReceipt },
        },
      },
      (request) =>
        recordTaskResult(
          ctx,
          requireAgent(request),
          request.params.taskId,
          request.body,
          callOf(request),
        ),
    );
    done();
  });

  // The inventory: the file as it is (text, gzip accepted), streamed under the upload limit.
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', checkProtocol);
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => {
      parsed(null, payload);
    });
    // receiveUpload also reads a multipart form (one file); agents send the file as it is.
    void scope.register(multipart, { limits: { files: 1, fileSize: ctx.config.maxUploadBytes } });
    scope.withTypeProvider<ZodTypeProvider>().post(
      agentRoutes.inventory,
      {
        config: { access: 'agent' },
        bodyLimit: ctx.config.maxUploadBytes,
        schema: {
          operationId: 'reportAgentInventory',
          tags: agentTags,
          summary: 'Send the host’s inventory (dpkg status, rpm -qa, apk…); it becomes a snapshot',
          description: `The body is the file as it is, text/plain (gzip accepted). The \`${taskIdHeader}\` header names the task that produced it, when one did (its source then says so).`,
          consumes: ['text/plain', 'application/gzip', 'application/octet-stream'],
          response: { 201: InventoryReceipt },
        },
      },
      async (request, reply) => {
        const agent = requireAgent(request);
        const taskId = taskIdOf(request);
        if (taskId !== undefined) await ownTask(ctx.database.db, agent, taskId);
        const upload = await receiveUpload(request, ctx.config.maxUploadBytes);
        try {
          if (upload.size === 0) {
            throw new ValidationError('body: send the inventory as the request body', [
              { field: 'body', message: 'is empty' },
            ]);
          }
          const summary = await uploadRawInventory(
            ctx,
            { actor: agentActor(agent), requestId: request.id, ip: request.ip },
            agent.assetId,
            {
              source: upload.source,
              name: `agent ${agent.name}${taskId === undefined ? '' : ` task ${taskId}`}`,
            },
            parser,
          );
          await markReported(ctx.database.db, agent.agentId, 'inventory', summary.uploadedAt);
          return reply.status(201).send({
            snapshotId: summary.id,
            packageCount: summary.packageCount,
            warnings: summary.warnings,
          });
        } finally {
          await upload.discard();
        }
      },
    );
    done();
  });

  // Available updates: apt's output as text.
  void app.register((scope, _options, done) => {
    scope.addHook('onRequest', checkProtocol);
    scope.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, parsed) => {
      parsed(null, body);
    });
    scope.withTypeProvider<ZodTypeProvider>().post(
      agentRoutes.availableUpdates,
      {
        config: { access: 'agent' },
        bodyLimit: maxUpdateReportBytes,
        schema: {
          operationId: 'reportAgentAvailableUpdates',
          tags: agentTags,
          summary: 'Send `apt list --upgradable` output; replaces the asset’s available updates',
          description: `text/plain, as printed. The \`${taskIdHeader}\` header names the task that produced it, when one did.`,
          consumes: ['text/plain'],
          body: z.string().min(1).describe('apt output, as printed'),
          response: { 201: UpdatesReceipt },
        },
      },
      async (request, reply) => {
        const agent = requireAgent(request);
        const taskId = taskIdOf(request);
        if (taskId !== undefined) await ownTask(ctx.database.db, agent, taskId);
        const report = await storeAvailableUpdates(
          ctx,
          { actor: agentActor(agent), requestId: request.id, ip: request.ip },
          agent.assetId,
          {
            text: request.body,
            name: `agent ${agent.name}${taskId === undefined ? '' : ` task ${taskId}`}`,
          },
        );
        await markReported(ctx.database.db, agent.agentId, 'updates', report.uploadedAt);
        return reply
          .status(201)
          .send({ updates: report.updates, securityUpdates: report.securityUpdates });
      },
    );
    done();
  });
}

function registerAgentAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tokens = '/api/v1/enrolment-tokens';

  api.post(
    tokens,
    {
      config: { access: 'agents:manage' },
      schema: {
        operationId: 'createEnrolmentToken',
        tags: adminTags,
        summary: 'Create an enrolment token; its secret is returned this once',
        body: EnrolmentTokenCreate,
        response: { 201: CreatedEnrolmentToken },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return reply
        .status(201)
        .send(await createEnrolmentToken(ctx, auditSource(request), request.body));
    },
  );
  api.get(
    tokens,
    {
      config: { access: 'agents:read' },
      schema: {
        operationId: 'listEnrolmentTokens',
        tags: adminTags,
        summary: 'List enrolment tokens (never their secrets)',
        querystring: EnrolmentTokenQuery,
        response: { 200: EnrolmentTokenList },
      },
    },
    async (request) => ({ tokens: await listEnrolmentTokens(ctx, request.query) }),
  );
  api.delete(
    `${tokens}/:id`,
    {
      config: { access: 'agents:manage' },
      schema: {
        operationId: 'revokeEnrolmentToken',
        tags: adminTags,
        summary: 'Revoke an enrolment token: it enrols no more agents',
        params: IdParams,
        response: { 204: z.null().describe('revoked') },
      },
    },
    async (request, reply) => {
      await revokeEnrolmentToken(ctx, auditSource(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/api/v1/agents',
    {
      config: { access: 'agents:read' },
      schema: {
        operationId: 'listAgents',
        tags: adminTags,
        summary: 'List agents (online: seen within three heartbeat intervals)',
        querystring: AgentQuery,
        response: { 200: AgentList },
      },
    },
    async (request) => ({ agents: await listAgents(ctx, request.query) }),
  );
  api.get(
    '/api/v1/agents/:id',
    {
      config: { access: 'agents:read' },
      schema: {
        operationId: 'getAgent',
        tags: adminTags,
        summary: 'One agent, by agent id or asset name',
        params: IdParams,
        response: { 200: Agent },
      },
    },
    (request) => getAgent(ctx, request.params.id),
  );
  api.post(
    '/api/v1/agents/:id/revoke',
    {
      config: { access: 'agents:manage' },
      schema: {
        operationId: 'revokeAgent',
        tags: adminTags,
        summary: 'Revoke an agent: its credential stops working, its open tasks are rejected',
        params: IdParams,
        body: AgentRevoke.optional(),
        response: { 200: Agent },
      },
    },
    (request) => revokeAgent(ctx, auditSource(request), request.params.id, request.body?.reason),
  );
  api.get(
    '/api/v1/agents/:id/tasks',
    {
      config: { access: 'agents:read' },
      schema: {
        operationId: 'listAgentTasks',
        tags: adminTags,
        summary: 'An agent’s tasks, newest first',
        params: IdParams,
        querystring: AgentTaskQuery,
        response: { 200: AgentTaskList },
      },
    },
    async (request) => ({
      tasks: await listAgentTasks(ctx, request.params.id, request.query),
    }),
  );
  api.get(
    '/api/v1/agent-tasks/:taskId',
    {
      config: { access: 'agents:read' },
      schema: {
        operationId: 'getAgentTask',
        tags: adminTags,
        summary: 'One task: its signed payload, state and result',
        params: TaskParams,
        response: { 200: AgentTaskView },
      },
    },
    (request) => getAgentTask(ctx, request.params.taskId),
  );
  api.get(
    '/api/v1/agent-tasks/:taskId/events',
    {
      config: { access: 'agents:read' },
      schema: {
        operationId: 'listAgentTaskEvents',
        tags: adminTags,
        summary: 'A task’s events (log lines, steps) after afterSeq',
        params: TaskParams,
        querystring: TaskEventQuery,
        response: { 200: TaskEventList },
      },
    },
    (request) => listTaskEvents(ctx, request.params.taskId, request.query.afterSeq),
  );
}
