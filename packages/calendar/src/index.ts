/** @patchgate/calendar: windows, freezes, conflicts, next feasible slot, iCalendar output. */
export type { LocalDateTime, LocalParse } from './local-time.ts';
export { formatLocal, parseLocal } from './local-time.ts';
export { isTimeZone, offsetAt, toLocal, toUtc } from './zoned-time.ts';
export type {
  ByDay,
  Expansion,
  ExpandInput,
  ExpansionLimits,
  Frequency,
  RRule,
  RRuleParse,
  Until,
} from './rrule.ts';
export { expandRRule, frequencies, parseRRule, weekdayCodes } from './rrule.ts';
export type {
  CompiledRecurrence,
  Interval,
  RecurrenceCheck,
  RecurrenceSpec,
} from './recurrence.ts';
export { compileRecurrence, maxDurationMinutes, occurrencesBetween } from './recurrence.ts';
export type { Freeze, FreezeOccurrence, MaintenanceWindow, WindowOccurrence } from './windows.ts';
export {
  checkFreeze,
  checkWindow,
  freezeOccurrences,
  windowOccurrences,
  windowsByAsset,
} from './windows.ts';
export type {
  BusyChange,
  Conflict,
  ConflictInput,
  ConflictKind,
  Slot,
  SlotInput,
} from './conflicts.ts';
export { conflictKinds, detectConflicts, nextFeasibleSlot } from './conflicts.ts';
export type {
  CalendarChange,
  CalendarDocument,
  CalendarEvent,
  CalendarPerson,
  FeedInput,
  InvitationInput,
} from './ical.ts';
export {
  calendarFeed,
  changeInvitation,
  escapeText,
  foldLine,
  prodId,
  utcDateTime,
  writeCalendar,
} from './ical.ts';
export { parseDuration } from './duration.ts';
