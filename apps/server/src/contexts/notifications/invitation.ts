/**
 * The change window as an iCalendar invitation (RFC 5545 with the iTIP method REQUEST, RFC
 * 5546 §3.2.2), attached to the "scheduled" e-mail so calendar clients offer to add it.
 *
 * Written here because `@patchgate/calendar`'s `changeInvitation` (the calendar helper's) was
 * not on a branch this one could merge in time; the integrator may replace this with it. One
 * UID per change: a rescheduled change updates the same calendar entry (higher SEQUENCE).
 */

export interface InvitationInput {
  readonly changeId: string;
  readonly title: string;
  readonly description: string;
  readonly start: string;
  readonly end: string;
  readonly organizer: string;
  readonly attendees: readonly string[];
  readonly url?: string | undefined;
  /** When the invitation is made (DTSTAMP); also orders updates (SEQUENCE). */
  readonly now: Date;
}

/** RFC 5545 §3.3.5 UTC date-time: 20261125T070000Z. */
function utc(iso: string | Date): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 5545 §3.3.11 TEXT escaping. */
function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n/g, '\\n');
}

/** RFC 5545 §3.1: lines of at most 75 octets, continued with CRLF + space; never split a character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    const limit = out.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

function mailto(address: string): string {
  return `mailto:${address.replace(/[\r\n]/g, '')}`;
}

export function changeWindowInvitation(input: InvitationInput): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Patchgate//Change notifications//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:change-${input.changeId}@patchgate`,
    `DTSTAMP:${utc(input.now)}`,
    // Minutes since the epoch: every later invitation for the same change supersedes earlier ones.
    `SEQUENCE:${Math.floor(input.now.getTime() / 60_000)}`,
    `DTSTART:${utc(input.start)}`,
    `DTEND:${utc(input.end)}`,
    `SUMMARY:${escapeText(input.title)}`,
    `DESCRIPTION:${escapeText(input.description)}`,
    ...(input.url !== undefined && input.url !== '' ? [`URL:${input.url}`] : []),
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    `ORGANIZER;CN=Patchgate:${mailto(input.organizer)}`,
    ...input.attendees.map(
      (a) => `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;RSVP=FALSE:${mailto(a)}`,
    ),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}
