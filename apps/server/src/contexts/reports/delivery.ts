/**
 * Delivering a scheduled report (docs/adr/0045-report-runs-schedules-delivery.md): once its run
 * is made, the schedule's channels get it through the notifications outbox — e-mail with the
 * file attached (loaded when sent, through the loader main.ts gives notifications), webhooks
 * and chats a link to the content, absolute with PATCHGATE_PUBLIC_URL.
 */
import type { ServerContext } from '../../context.ts';
import type { ReportRun } from './schema.ts';
import { scheduleForDelivery } from './schedules.ts';
import type { ReportEngine } from './service.ts';
import { reportContentPath } from './service.ts';

export async function deliverScheduledRun(
  ctx: ServerContext,
  engine: ReportEngine,
  run: ReportRun,
): Promise<
  { deliveries: number; written: number; missingChannels: string[] } | { skipped: string }
> {
  if (run.scheduleId === null) return { skipped: 'made on demand' };
  if (
    run.status !== 'succeeded' ||
    run.filename === null ||
    run.contentType === null ||
    run.sha256 === null ||
    run.sizeBytes === null
  )
    return { skipped: `the report is ${run.status}` };
  const schedule = await scheduleForDelivery(ctx, run.scheduleId);
  if (schedule === undefined) return { skipped: 'the schedule was deleted' };
  const period =
    run.inputs.period === null
      ? ''
      : `\nPeriod: ${run.inputs.period.from} to ${run.inputs.period.to}`;
  const scope = Object.entries(run.inputs.scope)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
  return engine.notify(ctx, {
    sourceId: run.id,
    channelIds: schedule.channelIds,
    recipients: schedule.recipients,
    report: {
      id: run.id,
      title: run.title,
      type: run.type,
      format: run.format,
      filename: run.filename,
      contentType: run.contentType,
      sizeBytes: run.sizeBytes,
      sha256: run.sha256,
      link: reportContentPath(run.id),
    },
    summary:
      `${run.title}${period}${scope === '' ? '' : `\nScope: ${scope}`}` +
      `\nData as of: ${run.inputs.dataAsOf ?? 'unknown'}` +
      `\nSchedule: ${schedule.name} (${schedule.rrule}, ${schedule.timeZone})`,
  });
}
