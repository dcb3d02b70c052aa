/** @patchgate/calendar: windows, freezes, conflicts, next feasible slot, iCalendar output. */
export {};
