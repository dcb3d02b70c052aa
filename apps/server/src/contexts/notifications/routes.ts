/**
 * Notifications API (`notifications:manage` for all of it, reading the delivery log too):
 * channels, subscriptions, contacts, templates, deliveries.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerContext } from '../../context.ts';
import { Problem } from '../../http/problems.ts';
import { auditSource } from '../audit/index.ts';
import { enqueueDelivery } from './jobs.ts';
import {
  Channel,
  ChannelInput,
  ChannelList,
  ChannelPatch,
  ChannelTestResult,
  Contact,
  ContactInput,
  ContactList,
  DeliveryDetail,
  DeliveryList,
  DeliveryQuery,
  EventParams,
  IdParams,
  Subscription,
  SubscriptionInput,
  SubscriptionList,
  SubscriptionPatch,
  Template,
  TemplateInput,
  TemplateList,
} from './schema.ts';
import {
  addContact,
  createChannel,
  createSubscription,
  deleteChannel,
  deleteSubscription,
  getChannel,
  getDelivery,
  listChannels,
  listContacts,
  listDeliveries,
  listSubscriptions,
  listTemplates,
  putTemplate,
  removeContact,
  resetTemplate,
  retryDelivery,
  testChannel,
  updateChannel,
  updateSubscription,
} from './service.ts';

const access = 'notifications:manage';
const tags = ['notifications'];
const deleted = { 204: z.null().describe('deleted') };

export function registerNotificationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const channels = '/api/v1/notification-channels';

  api.get(
    channels,
    {
      config: { access },
      schema: {
        operationId: 'listNotificationChannels',
        tags,
        summary: 'List notification channels (secrets are never returned)',
        response: { 200: ChannelList },
      },
    },
    async () => ({ channels: await listChannels(ctx) }),
  );
  api.post(
    channels,
    {
      config: { access },
      schema: {
        operationId: 'createNotificationChannel',
        tags,
        summary: 'Add a channel: signed webhook, Slack or Teams webhook, or SMTP e-mail',
        body: ChannelInput,
        response: { 201: Channel, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createChannel(ctx, request.body, auditSource(request))),
  );
  api.get(
    `${channels}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'getNotificationChannel',
        tags,
        summary: 'One channel, by id or name',
        params: IdParams,
        response: { 200: Channel },
      },
    },
    (request) => getChannel(ctx, request.params.id),
  );
  api.patch(
    `${channels}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'updateNotificationChannel',
        tags,
        summary: 'Change a channel (rename, enable, new settings or secrets)',
        params: IdParams,
        body: ChannelPatch,
        response: { 200: Channel, 409: Problem },
      },
    },
    (request) => updateChannel(ctx, request.params.id, request.body, auditSource(request)),
  );
  api.delete(
    `${channels}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'deleteNotificationChannel',
        tags,
        summary: 'Remove a channel and its subscriptions (its delivery log stays)',
        params: IdParams,
        response: deleted,
      },
    },
    async (request, reply) => {
      await deleteChannel(ctx, request.params.id, auditSource(request));
      return reply.status(204).send(null);
    },
  );
  api.post(
    `${channels}/:id/test`,
    {
      config: { access },
      schema: {
        operationId: 'testNotificationChannel',
        tags,
        summary: 'Send a test message through a channel now and report the outcome',
        params: IdParams,
        body: z
          .strictObject({
            recipient: z
              .email()
              .max(255)
              .optional()
              .describe('the address to send to (required for an e-mail channel)'),
          })
          .describe('where to send the test'),
        response: { 200: ChannelTestResult },
      },
    },
    async (request) => {
      const result = await testChannel(
        ctx,
        request.params.id,
        request.body.recipient,
        auditSource(request),
      );
      return {
        ok: result.ok,
        code: result.code,
        error: result.error,
        durationMs: result.durationMs,
      };
    },
  );

  const subscriptions = '/api/v1/notification-subscriptions';
  api.get(
    subscriptions,
    {
      config: { access },
      schema: {
        operationId: 'listNotificationSubscriptions',
        tags,
        summary: 'List subscriptions',
        response: { 200: SubscriptionList },
      },
    },
    async () => ({ subscriptions: await listSubscriptions(ctx) }),
  );
  api.post(
    subscriptions,
    {
      config: { access },
      schema: {
        operationId: 'createNotificationSubscription',
        tags,
        summary: 'Subscribe an audience to events through a channel (digest, quiet hours)',
        body: SubscriptionInput,
        response: { 201: Subscription, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSubscription(ctx, request.body, auditSource(request))),
  );
  api.patch(
    `${subscriptions}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'updateNotificationSubscription',
        tags,
        summary: 'Change a subscription, by id or name (the fields given; null removes one)',
        params: IdParams,
        body: SubscriptionPatch,
        response: { 200: Subscription, 409: Problem },
      },
    },
    async (request) =>
      updateSubscription(ctx, request.params.id, request.body, auditSource(request)),
  );
  api.delete(
    `${subscriptions}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'deleteNotificationSubscription',
        tags,
        summary: 'Remove a subscription, by id or name',
        params: IdParams,
        response: deleted,
      },
    },
    async (request, reply) => {
      await deleteSubscription(ctx, request.params.id, auditSource(request));
      return reply.status(204).send(null);
    },
  );

  const contacts = '/api/v1/notification-contacts';
  api.get(
    contacts,
    {
      config: { access },
      schema: {
        operationId: 'listNotificationContacts',
        tags,
        summary: 'List contacts: the addresses of users, teams, asset groups and roles',
        response: { 200: ContactList },
      },
    },
    async () => ({ contacts: await listContacts(ctx) }),
  );
  api.post(
    contacts,
    {
      config: { access },
      schema: {
        operationId: 'addNotificationContact',
        tags,
        summary: 'Add an address for a user, owner team, asset group or role',
        body: ContactInput,
        response: { 201: Contact, 409: Problem },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await addContact(ctx, request.body, auditSource(request))),
  );
  api.delete(
    `${contacts}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'removeNotificationContact',
        tags,
        summary: 'Remove a contact',
        params: IdParams,
        response: deleted,
      },
    },
    async (request, reply) => {
      await removeContact(ctx, request.params.id, auditSource(request));
      return reply.status(204).send(null);
    },
  );

  const templates = '/api/v1/notification-templates';
  api.get(
    templates,
    {
      config: { access },
      schema: {
        operationId: 'listNotificationTemplates',
        tags,
        summary: 'The message template of every event (pre / during / post), edited or default',
        response: { 200: TemplateList },
      },
    },
    async () => ({ templates: await listTemplates(ctx) }),
  );
  api.put(
    `${templates}/:event`,
    {
      config: { access },
      schema: {
        operationId: 'putNotificationTemplate',
        tags,
        summary:
          'Edit the template of an event ({{value}} placeholders only; unknown ones are refused)',
        params: EventParams,
        body: TemplateInput,
        response: { 200: Template },
      },
    },
    (request) => putTemplate(ctx, request.params.event, request.body, auditSource(request)),
  );
  api.delete(
    `${templates}/:event`,
    {
      config: { access },
      schema: {
        operationId: 'resetNotificationTemplate',
        tags,
        summary: "Restore an event's built-in template",
        params: EventParams,
        response: { 200: Template },
      },
    },
    (request) => resetTemplate(ctx, request.params.event, auditSource(request)),
  );

  const deliveries = '/api/v1/notification-deliveries';
  api.get(
    deliveries,
    {
      config: { access },
      schema: {
        operationId: 'listNotificationDeliveries',
        tags,
        summary: 'The delivery log, newest first, keyset-paginated',
        querystring: DeliveryQuery,
        response: { 200: DeliveryList },
      },
    },
    (request) => listDeliveries(ctx, request.query),
  );
  api.get(
    `${deliveries}/:id`,
    {
      config: { access },
      schema: {
        operationId: 'getNotificationDelivery',
        tags,
        summary: 'One delivery with every attempt',
        params: IdParams,
        response: { 200: DeliveryDetail },
      },
    },
    (request) => getDelivery(ctx, request.params.id),
  );
  api.post(
    `${deliveries}/:id/retry`,
    {
      config: { access },
      schema: {
        operationId: 'retryNotificationDelivery',
        tags,
        summary: 'Send a failed delivery again (after fixing its channel or receiver)',
        params: IdParams,
        response: { 200: DeliveryDetail, 409: Problem },
      },
    },
    (request) =>
      retryDelivery(ctx, request.params.id, auditSource(request), (trx, row) =>
        enqueueDelivery(trx, ctx.clock, row),
      ),
  );
}
