/** The notifications context's public face. */
export type { DescribeChange, NotificationEvent, NotifiedChange } from './model.ts';
export { notificationEvents, notificationEventsOf } from './model.ts';
export type { LoadAttachment, NotificationJobOptions, ReportNotice } from './jobs.ts';
export type { MessageAttachment } from './channels.ts';
export type { AttachmentRef } from './service.ts';
export {
  deliveryMaxAttempts,
  digestIntervalSeconds,
  findingsDueIntervalSeconds,
  notificationJobs,
  notificationChannelsOf,
  notificationSubscriber,
  notifyReport,
  registerNotificationJobs,
} from './jobs.ts';
export { registerNotificationRoutes } from './routes.ts';
export { verifyWebhookSignature, webhookSignature } from './signing.ts';
