/**
 * The report runs and schedules API's schemas (docs/adr/0045-report-runs-schedules-delivery.md):
 * strict inputs, every field described (they become the OpenAPI document).
 */
import { documentFormats, reportTypes } from '@patchgate/report';
import { z } from 'zod';

export const ReportTypeName = z
  .enum(reportTypes)
  .describe('patch-compliance, change, pci-dss, fedramp-poam, bod-26-04 or executive');
export const ReportFormat = z.enum(documentFormats).describe('pdf, csv, json or html');

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day YYYY-MM-DD')
  .refine(
    (value) => new Date(Date.parse(`${value}T00:00:00Z`) || 0).toISOString().startsWith(value),
    'not a day of the calendar',
  );

export const ReportPeriod = z
  .strictObject({
    from: day.describe('first day, YYYY-MM-DD (UTC), included'),
    to: day.describe('last day, YYYY-MM-DD (UTC), included'),
  })
  .describe('the days the report covers, both included');

export const ReportScope = z
  .strictObject({
    team: z.string().min(1).max(200).optional().describe('only assets this team owns'),
    environment: z.string().min(1).max(200).optional().describe('only assets in this environment'),
    assetGroup: z.string().min(1).max(200).optional().describe('only assets in this group'),
  })
  .describe('which assets the report covers; an absent key means every asset');

export const ReportTypeInfo = z.object({
  type: ReportTypeName,
  title: z.string().describe('name for people'),
  description: z.string().describe('what it contains'),
  formats: z.array(ReportFormat).describe('the formats it can be made in'),
  needs: z.enum(['period', 'change']).describe('a period (and scope) or one change'),
  periodRequired: z
    .boolean()
    .describe('false: the period may be left out (the status as of data-as-of)'),
});
export const ReportTypeList = z.object({
  types: z.array(ReportTypeInfo).describe('every built-in report type'),
});

export const GenerateReportBody = z
  .strictObject({
    type: ReportTypeName,
    format: ReportFormat,
    period: ReportPeriod.optional().describe(
      'required by patch-compliance, pci-dss and executive; optional for fedramp-poam and bod-26-04 (without: the status as of data-as-of); not for change',
    ),
    scope: ReportScope.optional(),
    change: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('the change report: a change id or number (CHG-0001)'),
    dataAsOf: z
      .string()
      .datetime({ offset: true })
      .optional()
      .describe('the instant the figures describe (ISO 8601; default: now)'),
  })
  .describe('what to report on');
export type GenerateReportBody = z.infer<typeof GenerateReportBody>;

export const runStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof runStatuses)[number];

export const ReportRunInputs = z
  .object({
    type: ReportTypeName,
    period: z
      .object({ from: z.string().describe('YYYY-MM-DD'), to: z.string().describe('YYYY-MM-DD') })
      .nullable()
      .describe('both days included; null for a change report'),
    scope: z
      .object({
        team: z.string().optional().describe('team'),
        environment: z.string().optional().describe('environment'),
        assetGroup: z.string().optional().describe('asset group'),
      })
      .describe('absent keys: every asset'),
    change: z
      .object({ id: z.string().describe('change id'), number: z.string().describe('CHG-0001') })
      .nullable()
      .describe('the change report’s change, once resolved'),
    changeRef: z.string().nullable().describe('the change as asked for (id or number)'),
    policy: z
      .object({ id: z.string().describe('policy id'), name: z.string().describe('policy name') })
      .nullable()
      .describe('the prioritisation policy the due dates came from, once built'),
    dataAsOf: z
      .string()
      .nullable()
      .describe('the instant the figures describe (set when built): regenerating keeps it'),
  })
  .describe('what the report was made from: enough to make it again with the same figures');
export type ReportRunInputs = z.infer<typeof ReportRunInputs>;

export const ReportRun = z.object({
  id: z.string().describe('report id (UUID)'),
  type: ReportTypeName,
  format: ReportFormat,
  title: z.string().describe('the report’s title'),
  status: z.enum(runStatuses).describe('queued, running, succeeded or failed'),
  error: z.string().nullable().describe('why it failed'),
  inputs: ReportRunInputs,
  sizeBytes: z.number().nullable().describe('size of the content'),
  sha256: z.string().nullable().describe('SHA-256 of the content (hex)'),
  filename: z.string().nullable().describe('file name of the content'),
  contentType: z.string().nullable().describe('media type of the content'),
  scheduleId: z.string().nullable().describe('the schedule that made it; null: on demand'),
  jobId: z.string().nullable().describe('the job generating it'),
  requestedBy: z.string().describe('who asked for it (user name, or the schedule)'),
  createdAt: z.string().describe('ISO 8601'),
  finishedAt: z.string().nullable().describe('ISO 8601'),
  progress: z
    .object({
      done: z.number().describe('steps done'),
      total: z.number().describe('steps in all'),
      step: z.string().describe('what it is doing'),
    })
    .nullable()
    .describe('while queued or running: the last progress its job reported'),
});
export type ReportRun = z.infer<typeof ReportRun>;

export const ReportRunList = z.object({
  reports: z.array(ReportRun).describe('newest first'),
  nextCursor: z.string().nullable().describe('cursor of the next page, null at the end'),
});

export const ReportListQuery = z.strictObject({
  type: ReportTypeName.optional(),
  status: z.enum(runStatuses).optional().describe('only reports in this status'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('page size'),
  cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
});
export type ReportListQuery = z.infer<typeof ReportListQuery>;

export const IdParams = z.strictObject({
  id: z.string().min(1).max(100).describe('id'),
});

export const relativePeriods = [
  'previous-day',
  'previous-week',
  'previous-month',
  'previous-quarter',
  'last-30-days',
  'last-90-days',
] as const;
export type RelativePeriod = (typeof relativePeriods)[number];
export const RelativePeriodName = z
  .enum(relativePeriods)
  .describe(
    'the period, relative to the day each report is made (in the schedule’s time zone): previous-day, previous-week (Monday to Sunday), previous-month, previous-quarter, last-30-days, last-90-days (ending yesterday)',
  );

const scheduleFields = {
  name: z.string().trim().min(1).max(200).describe('unique name'),
  type: ReportTypeName,
  format: ReportFormat,
  rrule: z
    .string()
    .min(1)
    .max(1000)
    .describe(
      'RFC 5545 RRULE in the time zone, e.g. FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0 or FREQ=MONTHLY;BYMONTHDAY=1',
    ),
  timeZone: z.string().min(1).max(100).describe('IANA time zone, e.g. Europe/Berlin'),
  startsAt: z
    .string()
    .max(40)
    .describe('the first occurrence, local YYYY-MM-DDTHH:MM (default: now, to the minute)'),
  period: RelativePeriodName,
  scope: ReportScope,
  channelIds: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(20)
    .describe('notification channels (ids or names) the report is delivered through'),
  recipients: z
    .array(z.string().email().max(320))
    .max(50)
    .describe('e-mail addresses (required when a channel is an e-mail channel)'),
  enabled: z.boolean().describe('false: kept but not run'),
};

export const ReportScheduleBody = z
  .strictObject({
    ...scheduleFields,
    startsAt: scheduleFields.startsAt.optional(),
    scope: scheduleFields.scope.optional(),
    recipients: scheduleFields.recipients.optional(),
    enabled: scheduleFields.enabled.default(true),
  })
  .describe('a report made on a recurrence and delivered');
export type ReportScheduleBody = z.infer<typeof ReportScheduleBody>;

export const ReportSchedulePatch = z
  .strictObject({
    name: scheduleFields.name.optional(),
    type: scheduleFields.type.optional(),
    format: scheduleFields.format.optional(),
    rrule: scheduleFields.rrule.optional(),
    timeZone: scheduleFields.timeZone.optional(),
    startsAt: scheduleFields.startsAt.optional(),
    period: scheduleFields.period.optional(),
    scope: scheduleFields.scope.optional(),
    channelIds: scheduleFields.channelIds.optional(),
    recipients: scheduleFields.recipients.optional(),
    enabled: scheduleFields.enabled.optional(),
  })
  .describe('the fields to change');
export type ReportSchedulePatch = z.infer<typeof ReportSchedulePatch>;

export const ReportSchedule = z.object({
  id: z.string().describe('schedule id (UUID)'),
  name: z.string().describe('unique name'),
  type: ReportTypeName,
  format: ReportFormat,
  rrule: z.string().describe('RRULE'),
  timeZone: z.string().describe('IANA time zone'),
  startsAt: z.string().describe('first occurrence, local YYYY-MM-DDTHH:MM'),
  period: RelativePeriodName,
  scope: ReportScope,
  channelIds: z.array(z.string()).describe('notification channel ids'),
  recipients: z.array(z.string()).describe('e-mail addresses'),
  enabled: z.boolean().describe('false: not run'),
  nextRunAt: z.string().nullable().describe('the next occurrence (ISO 8601); null: none left'),
  lastRunAt: z.string().nullable().describe('when it last made a report'),
  lastRunId: z.string().nullable().describe('the report it last made'),
  createdBy: z.string().describe('who made it'),
  createdAt: z.string().describe('ISO 8601'),
  updatedAt: z.string().describe('ISO 8601'),
});
export type ReportSchedule = z.infer<typeof ReportSchedule>;

export const ReportScheduleList = z.object({
  schedules: z.array(ReportSchedule).describe('by name'),
});
