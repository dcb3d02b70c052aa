/**
 * Maintenance windows and freezes: what they are and when they occur.
 */
import type { AssetFacts, AssetSelector } from '@patchgate/model';
import { matchesSelector } from '@patchgate/model';
import type { ExpansionLimits } from './rrule.ts';
import type { CompiledRecurrence, Interval, RecurrenceCheck } from './recurrence.ts';
import { compileRecurrence, occurrencesBetween } from './recurrence.ts';

/** A recurring time when work may happen on the assets its selector picks. */
export interface MaintenanceWindow {
  readonly id: string;
  readonly name: string;
  /** RRULE value (RFC 5545 §3.3.10), e.g. `FREQ=WEEKLY;BYDAY=TU`. */
  readonly rrule: string;
  /** First occurrence on the wall clock of `timeZone`, e.g. `2026-01-06T22:00`. */
  readonly dtstart: string;
  readonly timeZone: string;
  readonly durationMinutes: number;
  /** No new work starts within this many minutes of the window's end. */
  readonly cutoffMinutes: number;
  readonly selector: AssetSelector;
}

/** A time when changes must not happen: one-off (start/end) or recurring (rrule…). */
export interface Freeze {
  readonly id: string;
  readonly name: string;
  /** One-off: from this instant… */
  readonly start?: Date;
  /** …to this one. */
  readonly end?: Date;
  readonly recurrence?: {
    readonly rrule: string;
    readonly dtstart: string;
    readonly timeZone: string;
    readonly durationMinutes: number;
  };
  /** Excluded occurrences of a recurring freeze: local dates (holidays) or date-times. */
  readonly exdates?: readonly string[];
  /** Whether an emergency change may be scheduled into it (with the extra approval the policy asks). */
  readonly allowEmergency: boolean;
}

export interface WindowOccurrence {
  readonly windowId: string;
  readonly name: string;
  readonly start: Date;
  readonly end: Date;
  /** The last moment new work may start or, for the duration checks, must be done by: end − cutoff. */
  readonly cutoffAt: Date;
}

export interface FreezeOccurrence {
  readonly freezeId: string;
  readonly name: string;
  readonly start: Date;
  readonly end: Date;
  readonly allowEmergency: boolean;
}

export function compileWindow(window: MaintenanceWindow): RecurrenceCheck {
  if (
    !Number.isInteger(window.cutoffMinutes) ||
    window.cutoffMinutes < 0 ||
    window.cutoffMinutes >= window.durationMinutes
  )
    return {
      ok: false,
      error: `cutoff must be 0 or more whole minutes and shorter than the window (${window.durationMinutes} min)`,
    };
  return compileRecurrence(window);
}

/** Checks a window as the API and CLI receive it; the error says what is wrong. */
export function checkWindow(
  window: MaintenanceWindow,
): { ok: true } | { ok: false; error: string } {
  const compiled = compileWindow(window);
  if (!compiled.ok) return compiled;
  return hasOccurrence(compiled.recurrence)
    ? { ok: true }
    : { ok: false, error: 'the rule has no occurrence within ten years of its start' };
}

export function compileFreeze(
  freeze: Freeze,
): RecurrenceCheck | { ok: true; recurrence: undefined } {
  if (freeze.recurrence !== undefined)
    return compileRecurrence({
      ...freeze.recurrence,
      ...(freeze.exdates === undefined ? {} : { exdates: freeze.exdates }),
    });
  if (freeze.start === undefined || freeze.end === undefined)
    return {
      ok: false,
      error: 'a freeze needs start and end, or a recurrence (rrule, time zone, duration)',
    };
  if (!(freeze.end.getTime() > freeze.start.getTime()))
    return { ok: false, error: 'a freeze must end after it starts' };
  return { ok: true, recurrence: undefined };
}

export function checkFreeze(freeze: Freeze): { ok: true } | { ok: false; error: string } {
  const compiled = compileFreeze(freeze);
  if (!compiled.ok) return compiled;
  if (compiled.recurrence !== undefined && !hasOccurrence(compiled.recurrence))
    return { ok: false, error: 'the rule has no occurrence within ten years of its start' };
  return { ok: true };
}

function hasOccurrence(recurrence: CompiledRecurrence): boolean {
  const from = new Date(
    Date.UTC(recurrence.dtstart.year, recurrence.dtstart.month - 1, recurrence.dtstart.day) -
      86_400_000,
  );
  const to = new Date(from.getTime() + 3660 * 86_400_000);
  return occurrencesBetween(recurrence, from, to, { maxOccurrences: 1 }).intervals.length > 0;
}

/** A window's occurrences overlapping [from, to); an invalid window yields none. */
export function windowOccurrences(
  window: MaintenanceWindow,
  from: Date,
  to: Date,
  limits?: ExpansionLimits,
): WindowOccurrence[] {
  const compiled = compileWindow(window);
  if (!compiled.ok) return [];
  const cutoffMs = window.cutoffMinutes * 60_000;
  return occurrencesBetween(compiled.recurrence, from, to, limits).intervals.map((i) => ({
    windowId: window.id,
    name: window.name,
    start: i.start,
    end: i.end,
    cutoffAt: new Date(i.end.getTime() - cutoffMs),
  }));
}

/** A freeze's occurrences overlapping [from, to); an invalid freeze yields none. */
export function freezeOccurrences(
  freeze: Freeze,
  from: Date,
  to: Date,
  limits?: ExpansionLimits,
): FreezeOccurrence[] {
  const compiled = compileFreeze(freeze);
  if (!compiled.ok) return [];
  const intervals: readonly Interval[] =
    compiled.recurrence === undefined
      ? freeze.start !== undefined &&
        freeze.end !== undefined &&
        freeze.start < to &&
        freeze.end > from
        ? [{ start: freeze.start, end: freeze.end }]
        : []
      : occurrencesBetween(compiled.recurrence, from, to, limits).intervals;
  return intervals.map((i) => ({
    freezeId: freeze.id,
    name: freeze.name,
    start: i.start,
    end: i.end,
    allowEmergency: freeze.allowEmergency,
  }));
}

/** The windows that apply to each asset (its selector matches), by asset id. */
export function windowsByAsset(
  assets: readonly AssetFacts[],
  windows: readonly MaintenanceWindow[],
): Map<string, MaintenanceWindow[]> {
  return new Map(assets.map((a) => [a.id, windows.filter((w) => matchesSelector(a, w.selector))]));
}
