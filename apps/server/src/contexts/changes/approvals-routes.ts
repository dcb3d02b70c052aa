/**
 * Approval administration API: approver groups and members, the approval policy, delegations.
 * Reading needs changes:read; groups and the policy need changes:manage; a user delegates
 * their own approvals with changes:approve (someone else's needs changes:manage). Approving
 * and rejecting a change are the change routes' (they call approvals.ts#recordDecision).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { requirePrincipal } from '../../http/access.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import type { ApprovalActing } from './approvals-admin.ts';
import {
  approvalPolicy,
  approverGroup,
  changeApproverGroupMembers,
  createApproverGroup,
  createDelegation,
  deleteApproverGroup,
  listApproverGroups,
  listDelegationsApi,
  putApprovalPolicy,
  revokeDelegationApi,
  updateApproverGroup,
} from './approvals-admin.ts';
import {
  ApiApprovalPolicy,
  ApiApproverGroup,
  ApiDelegation,
  ApproverGroupList,
  ApproverGroupMembersBody,
  ApproverGroupParams,
  CreateApproverGroupBody,
  CreateDelegationBody,
  DelegationIdParams,
  DelegationList,
  DelegationListQuery,
  PutApprovalPolicyBody,
  UpdateApproverGroupBody,
} from './approvals-schema.ts';

function acting(request: FastifyRequest): ApprovalActing {
  const principal = requirePrincipal(request);
  return { ...auditSource(request), canManage: principal.permissions.has('changes:manage') };
}

const tags = ['approvals'];

export function registerApprovalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/api/v1/approver-groups',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listApproverGroups',
        tags,
        summary: 'List the approver groups with their members',
        response: { 200: ApproverGroupList },
      },
    },
    async () => ({ groups: await listApproverGroups(ctx) }),
  );

  api.post(
    '/api/v1/approver-groups',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'createApproverGroup',
        tags,
        summary: 'Create an approver group (its name is how policies refer to it)',
        body: CreateApproverGroupBody,
        response: { 201: ApiApproverGroup, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApproverGroup(ctx, request.body, acting(request))),
  );

  api.get(
    '/api/v1/approver-groups/:group',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getApproverGroup',
        tags,
        summary: 'One approver group, by name or id',
        params: ApproverGroupParams,
        response: { 200: ApiApproverGroup },
      },
    },
    async (request) => approverGroup(ctx, request.params.group),
  );

  api.patch(
    '/api/v1/approver-groups/:group',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'updateApproverGroup',
        tags,
        summary: "Change an approver group's description or emergency flag",
        params: ApproverGroupParams,
        body: UpdateApproverGroupBody,
        response: { 200: ApiApproverGroup },
      },
    },
    async (request) =>
      updateApproverGroup(ctx, request.params.group, request.body, acting(request)),
  );

  api.delete(
    '/api/v1/approver-groups/:group',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'deleteApproverGroup',
        tags,
        summary: 'Delete an approver group the approval policy does not name',
        params: ApproverGroupParams,
        response: { 204: z.null().describe('deleted'), 409: Problem },
      },
    },
    async (request, reply) => {
      await deleteApproverGroup(ctx, request.params.group, acting(request));
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/approver-groups/:group/members',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'changeApproverGroupMembers',
        tags,
        summary: 'Add and remove members of an approver group (users by name or id)',
        params: ApproverGroupParams,
        body: ApproverGroupMembersBody,
        response: { 200: ApiApproverGroup },
      },
    },
    async (request) =>
      changeApproverGroupMembers(ctx, request.params.group, request.body, acting(request)),
  );

  api.get(
    '/api/v1/approval-policy',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'getApprovalPolicy',
        tags,
        summary: 'The approval policy in force',
        response: { 200: ApiApprovalPolicy },
      },
    },
    async () => approvalPolicy(ctx),
  );

  api.put(
    '/api/v1/approval-policy',
    {
      config: { access: 'changes:manage' },
      schema: {
        operationId: 'putApprovalPolicy',
        tags,
        summary:
          'Store a new version of the approval policy (validated; every group it names must exist)',
        body: PutApprovalPolicyBody,
        response: { 200: ApiApprovalPolicy },
      },
    },
    async (request) => putApprovalPolicy(ctx, request.body, acting(request)),
  );

  api.get(
    '/api/v1/delegations',
    {
      config: { access: 'changes:read' },
      schema: {
        operationId: 'listDelegations',
        tags,
        summary: 'List delegations of approvals (current and future; ended=true for all)',
        querystring: DelegationListQuery,
        response: { 200: DelegationList },
      },
    },
    async (request) => {
      const { user, ended } = request.query;
      return {
        delegations: await listDelegationsApi(ctx, {
          ...(user !== undefined && { user }),
          ...(ended !== undefined && { ended }),
        }),
      };
    },
  );

  api.post(
    '/api/v1/delegations',
    {
      config: { access: { anyOf: ['changes:approve', 'changes:manage'] } },
      schema: {
        operationId: 'createDelegation',
        tags,
        summary: "Delegate approvals for a window (your own; someone else's needs changes:manage)",
        body: CreateDelegationBody,
        response: { 201: ApiDelegation },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDelegation(ctx, request.body, acting(request))),
  );

  api.post(
    '/api/v1/delegations/:id/revoke',
    {
      config: { access: { anyOf: ['changes:approve', 'changes:manage'] } },
      schema: {
        operationId: 'revokeDelegation',
        tags,
        summary: 'Revoke a delegation (its giver, its delegate, or changes:manage)',
        params: DelegationIdParams,
        response: { 200: ApiDelegation, 409: Problem },
      },
    },
    async (request) => revokeDelegationApi(ctx, request.params.id, acting(request)),
  );
}
