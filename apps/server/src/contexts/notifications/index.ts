/** The notifications context's public face. */
export type { DescribeChange, NotificationEvent, NotifiedChange } from './model.ts';
export { notificationEvents, notificationEventsOf } from './model.ts';
export type { NotificationJobOptions } from './jobs.ts';
export {
  deliveryMaxAttempts,
  digestIntervalSeconds,
  findingsDueIntervalSeconds,
  notificationJobs,
  notificationSubscriber,
  registerNotificationJobs,
} from './jobs.ts';
export { registerNotificationRoutes } from './routes.ts';
export { verifyWebhookSignature, webhookSignature } from './signing.ts';
