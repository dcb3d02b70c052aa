/** The calendar API's schemas: strict inputs, every field described (they become the OpenAPI document). */
import { conflictKinds } from '@patchgate/calendar';
import { criticalities, environments, exposures } from '@patchgate/model';
import { z } from 'zod';

const label = z.string().min(1).max(200);

export const AssetSelector = z
  .strictObject({
    names: z.array(label).max(1000).optional().describe('asset names or ids'),
    environments: z.array(z.enum(environments)).max(10).optional().describe('environments'),
    criticalities: z.array(z.enum(criticalities)).max(10).optional().describe('criticalities'),
    exposures: z.array(z.enum(exposures)).max(10).optional().describe('exposures'),
    teams: z.array(label).max(100).optional().describe('owning teams'),
    tags: z.array(label).max(100).optional().describe('tags'),
    groups: z.array(label).max(100).optional().describe('groups'),
  })
  .describe(
    'Which assets: every field given must hold, any value of a field may match; {} selects every asset',
  );
export type AssetSelector = z.infer<typeof AssetSelector>;

const name = z.string().trim().min(1).max(200).describe('unique name');
const rrule = z
  .string()
  .min(1)
  .max(1000)
  .describe('RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=TU (DAILY, WEEKLY, MONTHLY, YEARLY)');
const dtstart = z
  .string()
  .min(10)
  .max(19)
  .describe('first occurrence on the wall clock of timeZone, no offset: 2026-01-06T22:00');
const timeZone = z.string().min(1).max(64).describe('IANA time zone, e.g. Europe/Berlin');
const durationMinutes = z.number().int().min(1).max(527_040).describe('length in minutes');
const exdates = z
  .array(z.string().min(8).max(19))
  .max(500)
  .describe(
    'excluded occurrences: local dates (2026-12-24, holidays) or date-times (2026-12-22T22:00)',
  );

export const MaintenanceWindow = z
  .object({
    id: z.string().describe('window id'),
    name: z.string().describe('unique name'),
    rrule: z.string().describe('RFC 5545 RRULE value'),
    dtstart: z.string().describe('first occurrence, wall clock in timeZone'),
    timeZone: z.string().describe('IANA time zone'),
    durationMinutes: z.number().int().describe('length in minutes'),
    cutoffMinutes: z
      .number()
      .int()
      .describe('no new work starts within this many minutes of the end'),
    selector: AssetSelector,
    selectorText: z
      .string()
      .describe('the selector in text form, e.g. environment=production,group=web'),
    assets: z.array(z.string()).describe('names of the assets the selector picks today, sorted'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
  })
  .describe('A recurring maintenance window and the assets it applies to');
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const WindowInput = z.strictObject({
  name,
  rrule,
  dtstart,
  timeZone,
  durationMinutes,
  cutoffMinutes: z
    .number()
    .int()
    .min(0)
    .max(527_040)
    .default(0)
    .describe('no new work starts within this many minutes of the end (default 0)'),
  selector: AssetSelector,
});
export type WindowInput = z.infer<typeof WindowInput>;

export const WindowPatch = WindowInput.partial().describe('the fields to change');
export type WindowPatch = z.infer<typeof WindowPatch>;

export const Freeze = z
  .object({
    id: z.string().describe('freeze id'),
    name: z.string().describe('unique name'),
    start: z.string().nullable().describe('one-off: start, ISO 8601 UTC'),
    end: z.string().nullable().describe('one-off: end, ISO 8601 UTC'),
    recurrence: z
      .object({
        rrule: z.string().describe('RFC 5545 RRULE value'),
        dtstart: z.string().describe('first occurrence, wall clock in timeZone'),
        timeZone: z.string().describe('IANA time zone'),
        durationMinutes: z.number().int().describe('length of each occurrence in minutes'),
      })
      .nullable()
      .describe('recurring: the rule; null for a one-off freeze'),
    exdates: z.array(z.string()).describe('excluded local dates or date-times'),
    allowEmergency: z
      .boolean()
      .describe('whether an emergency change may override it (with the extra approval)'),
    createdAt: z.string().describe('ISO 8601 UTC'),
    updatedAt: z.string().describe('ISO 8601 UTC'),
  })
  .describe('A change freeze (blackout): one-off or recurring');
export type Freeze = z.infer<typeof Freeze>;

export const FreezeInput = z.strictObject({
  name,
  start: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('one-off: start, ISO 8601 with offset'),
  end: z.iso.datetime({ offset: true }).optional().describe('one-off: end, ISO 8601 with offset'),
  recurrence: z
    .strictObject({ rrule, dtstart, timeZone, durationMinutes })
    .optional()
    .describe('recurring freezes: the rule, instead of start and end'),
  exdates: exdates.default([]),
  allowEmergency: z
    .boolean()
    .default(false)
    .describe('whether an emergency change may override it (default false)'),
});
export type FreezeInput = z.infer<typeof FreezeInput>;

export const FreezePatch = FreezeInput.partial().describe('the fields to change');
export type FreezePatch = z.infer<typeof FreezePatch>;

export const IdParams = z.strictObject({ id: z.uuid().describe('window or freeze id') });
export const FeedParams = z.strictObject({
  token: z.string().min(1).max(100).describe('the feed token'),
});

export const WindowList = z.object({ windows: z.array(MaintenanceWindow).describe('by name') });
export const FreezeList = z.object({ freezes: z.array(Freeze).describe('by name') });

export const CalendarQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional().describe('start of the range (default: now)'),
    to: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('end of the range (default: from + 30 days; at most 366 days after from)'),
  })
  .describe('the range to show');
export type CalendarQuery = z.infer<typeof CalendarQuery>;

export const CalendarView = z
  .object({
    from: z.string().describe('ISO 8601 UTC'),
    to: z.string().describe('ISO 8601 UTC'),
    windows: z
      .array(
        z.object({
          windowId: z.string().describe('window id'),
          name: z.string().describe('window name'),
          start: z.string().describe('ISO 8601 UTC'),
          end: z.string().describe('ISO 8601 UTC'),
          cutoffAt: z.string().describe('no new work starts after this, ISO 8601 UTC'),
        }),
      )
      .describe('window occurrences overlapping the range, by start'),
    freezes: z
      .array(
        z.object({
          freezeId: z.string().describe('freeze id'),
          name: z.string().describe('freeze name'),
          start: z.string().describe('ISO 8601 UTC'),
          end: z.string().describe('ISO 8601 UTC'),
          allowEmergency: z.boolean().describe('an emergency change may override it'),
        }),
      )
      .describe('freeze occurrences overlapping the range, by start'),
    changes: z
      .array(
        z.object({
          id: z.string().describe('change id'),
          title: z.string().describe('change title'),
          start: z.string().describe('ISO 8601 UTC'),
          end: z.string().describe('ISO 8601 UTC'),
          assetNames: z.array(z.string()).describe('assets in scope'),
          state: z.string().describe('change state'),
          url: z.string().optional().describe('link to the change'),
        }),
      )
      .describe('scheduled changes overlapping the range, by start'),
    truncated: z
      .boolean()
      .describe('true when a window or freeze had more occurrences than listed'),
  })
  .describe('Windows, freezes and scheduled changes in a range');
export type CalendarView = z.infer<typeof CalendarView>;

export const FeedToken = z
  .object({
    token: z.string().describe('the feed token: shown once, stored only as a hash'),
    path: z
      .string()
      .describe('the feed path on this server; calendar clients subscribe to server URL + path'),
    createdAt: z.string().describe('ISO 8601 UTC'),
  })
  .describe('A new calendar feed token (any previous one of the caller stops working)');
export type FeedToken = z.infer<typeof FeedToken>;

const selectorText = z
  .string()
  .max(2000)
  .default('*')
  .describe(
    'the assets, in text form: environment=production|staging,group=web; * for every asset',
  );
const changeType = z
  .enum(['standard', 'normal', 'emergency'])
  .default('normal')
  .describe('the change type (an emergency change may enter freezes that allow it)');

export const ConflictQuery = z.strictObject({
  start: z.iso.datetime({ offset: true }).describe('planned start, ISO 8601 with offset'),
  end: z.iso.datetime({ offset: true }).describe('planned end, ISO 8601 with offset'),
  assets: selectorText,
  type: changeType,
  estimatedMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(527_040)
    .optional()
    .describe("the plan's estimated duration (default: end − start)"),
  approved: z
    .enum(['true', 'false'])
    .default('true')
    .describe('whether every approval is in (false adds approval-missing-before-start)'),
});
export type ConflictQuery = z.infer<typeof ConflictQuery>;

export const ConflictList = z
  .object({
    assets: z.array(z.string()).describe('names of the assets the selector picked'),
    conflicts: z
      .array(
        z.object({
          kind: z
            .enum(conflictKinds)
            .describe(
              'asset-in-overlapping-change, outside-window, in-freeze, window-too-short, approval-missing-before-start',
            ),
          assetId: z.string().optional().describe('the asset concerned'),
          otherChangeId: z.string().optional().describe('the other change holding the asset'),
          windowId: z.string().optional().describe('the window concerned'),
          freezeId: z.string().optional().describe('the freeze concerned'),
          emergencyOverrideAllowed: z
            .boolean()
            .optional()
            .describe('in-freeze: whether this change may override the freeze'),
          message: z.string().describe('the reason, for people'),
        }),
      )
      .describe('every conflict; empty when none'),
  })
  .describe('The conflicts a change over this interval on these assets would have');
export type ConflictList = z.infer<typeof ConflictList>;

export const SlotQuery = z.strictObject({
  after: z.iso.datetime({ offset: true }).optional().describe('earliest start (default: now)'),
  durationMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(527_040)
    .describe('how long the change needs'),
  assets: selectorText,
  type: changeType,
  horizonDays: z.coerce
    .number()
    .int()
    .min(1)
    .max(366)
    .default(90)
    .describe('how far ahead to look (default 90 days)'),
});
export type SlotQuery = z.infer<typeof SlotQuery>;

export const SlotAnswer = z
  .object({
    assets: z.array(z.string()).describe('names of the assets the selector picked'),
    start: z
      .string()
      .nullable()
      .describe('the earliest feasible start, ISO 8601 UTC; null when none'),
    end: z.string().nullable().describe('start + duration; null when none'),
    reason: z.string().nullable().describe('why there is none within the horizon; null when found'),
  })
  .describe(
    'The next feasible slot: every asset in its window, outside freezes, free of other changes',
  );
export type SlotAnswer = z.infer<typeof SlotAnswer>;
