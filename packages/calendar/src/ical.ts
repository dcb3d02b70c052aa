/**
 * iCalendar (RFC 5545) output: the change calendar feed and e-mail invitations (RFC 5546
 * METHOD:REQUEST). Every event is written with UTC DATE-TIMEs, expanded over a horizon rather
 * than as RRULE + VTIMEZONE (ADR 0024): clients then need no zone data of ours, and a window's
 * exclusions and DST behaviour are exactly what Patchgate computed.
 */

export interface CalendarPerson {
  readonly email: string;
  readonly name?: string;
}

export interface CalendarEvent {
  /** Globally unique and stable across feeds (RFC 5545 §3.8.4.7), e.g. `window-<id>-<start>@patchgate`. */
  readonly uid: string;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly description?: string;
  readonly location?: string;
  readonly url?: string;
  readonly categories?: readonly string[];
  readonly status?: 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED';
  /** TRANSPARENT for windows and freezes (they do not make anyone busy); OPAQUE for changes. */
  readonly transparency?: 'OPAQUE' | 'TRANSPARENT';
  readonly sequence?: number;
  readonly organizer?: CalendarPerson;
  readonly attendees?: readonly (CalendarPerson & {
    readonly role?: 'REQ-PARTICIPANT' | 'OPT-PARTICIPANT' | 'CHAIR';
  })[];
}

export interface CalendarDocument {
  /** DTSTAMP of every event: when the document was made (the caller's clock). */
  readonly stamp: Date;
  readonly name?: string;
  readonly method?: 'PUBLISH' | 'REQUEST' | 'CANCEL';
  readonly events: readonly CalendarEvent[];
}

export const prodId = '-//Patchgate//Patchgate change calendar//EN';

/** RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT. */
export const escapeText = (text: string): string =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/** A parameter value (§3.2): quoted when it holds `:;,`; quotes and control characters dropped. */
const paramValue = (text: string): string => {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/["\u0000-\u001f\u007f]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
};

const utf8Length = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;

/**
 * §3.1: lines longer than 75 octets are folded with CRLF + a space, never inside a UTF-8
 * sequence (we split between code points; the leading space counts toward the next 75).
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = utf8Length(ch.codePointAt(0) ?? 0);
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

/** §3.3.5 form 2: `20260329T013000Z`. */
export const utcDateTime = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

const person = (name: 'ORGANIZER' | 'ATTENDEE', p: CalendarPerson, params: string[] = []): string =>
  `${name}${[...(p.name === undefined ? [] : [`CN=${paramValue(p.name)}`]), ...params].map((x) => `;${x}`).join('')}:mailto:${p.email.replace(/[\s"]/g, '')}`;

function eventLines(e: CalendarEvent, stamp: Date): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${escapeText(e.uid)}`,
    `DTSTAMP:${utcDateTime(stamp)}`,
    `DTSTART:${utcDateTime(e.start)}`,
    `DTEND:${utcDateTime(e.end)}`,
    `SUMMARY:${escapeText(e.summary)}`,
    ...(e.description === undefined ? [] : [`DESCRIPTION:${escapeText(e.description)}`]),
    ...(e.location === undefined ? [] : [`LOCATION:${escapeText(e.location)}`]),
    ...(e.url === undefined ? [] : [`URL:${e.url.replace(/[\s"]/g, '')}`]),
    ...(e.categories === undefined || e.categories.length === 0
      ? []
      : [`CATEGORIES:${e.categories.map(escapeText).join(',')}`]),
    ...(e.status === undefined ? [] : [`STATUS:${e.status}`]),
    ...(e.transparency === undefined ? [] : [`TRANSP:${e.transparency}`]),
    ...(e.sequence === undefined ? [] : [`SEQUENCE:${e.sequence}`]),
    ...(e.organizer === undefined ? [] : [person('ORGANIZER', e.organizer)]),
    ...(e.attendees ?? []).map((a) =>
      person('ATTENDEE', a, [
        `ROLE=${a.role ?? 'REQ-PARTICIPANT'}`,
        'PARTSTAT=NEEDS-ACTION',
        'RSVP=TRUE',
      ]),
    ),
    'END:VEVENT',
  ];
}

/** A whole VCALENDAR: CRLF line ends, folded lines, events in the given order. */
export function writeCalendar(doc: CalendarDocument): string {
  const lines = [
    'BEGIN:VCALENDAR',
    `PRODID:${prodId}`,
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    ...(doc.method === undefined ? [] : [`METHOD:${doc.method}`]),
    ...(doc.name === undefined ? [] : [`X-WR-CALNAME:${escapeText(doc.name)}`]),
    ...doc.events.flatMap((e) => eventLines(e, doc.stamp)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

/** A scheduled change as the calendar shows it (the changes context provides these). */
export interface CalendarChange {
  readonly id: string;
  readonly title: string;
  readonly start: Date;
  readonly end: Date;
  readonly assetNames: readonly string[];
  readonly state: string;
  readonly url?: string;
}

export interface FeedInput {
  readonly stamp: Date;
  readonly name?: string;
  readonly windows: readonly {
    readonly windowId: string;
    readonly name: string;
    readonly start: Date;
    readonly end: Date;
    readonly cutoffAt: Date;
  }[];
  readonly freezes: readonly {
    readonly freezeId: string;
    readonly name: string;
    readonly start: Date;
    readonly end: Date;
    readonly allowEmergency: boolean;
  }[];
  readonly changes: readonly CalendarChange[];
  /** The domain that makes UIDs globally unique (RFC 5545 §3.8.4.7), e.g. the server's host. */
  readonly uidDomain?: string;
}

/** The change calendar feed: window occurrences, freezes and scheduled changes as VEVENTs. */
export function calendarFeed(input: FeedInput): string {
  const domain = input.uidDomain ?? 'patchgate';
  const events: CalendarEvent[] = [
    ...input.windows.map((w) => ({
      uid: `window-${w.windowId}-${utcDateTime(w.start)}@${domain}`,
      start: w.start,
      end: w.end,
      summary: `Maintenance window: ${w.name}`,
      description: `No new work starts after ${w.cutoffAt.toISOString()}.`,
      categories: ['Maintenance window'],
      transparency: 'TRANSPARENT' as const,
    })),
    ...input.freezes.map((f) => ({
      uid: `freeze-${f.freezeId}-${utcDateTime(f.start)}@${domain}`,
      start: f.start,
      end: f.end,
      summary: `Change freeze: ${f.name}`,
      description: f.allowEmergency
        ? 'Emergency changes may override this freeze with an extra approval.'
        : 'No change may be made during this freeze.',
      categories: ['Change freeze'],
      transparency: 'TRANSPARENT' as const,
    })),
    ...input.changes.map((c) => ({
      uid: `change-${c.id}@${domain}`,
      start: c.start,
      end: c.end,
      summary: `Change: ${c.title}`,
      description: `State: ${c.state}\nAssets: ${c.assetNames.join(', ')}`,
      categories: ['Change'],
      status: 'CONFIRMED' as const,
      transparency: 'OPAQUE' as const,
      ...(c.url === undefined ? {} : { url: c.url }),
    })),
  ].sort(
    (a, b) => a.start.getTime() - b.start.getTime() || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0),
  );
  return writeCalendar({
    stamp: input.stamp,
    name: input.name ?? 'Patchgate changes',
    method: 'PUBLISH',
    events,
  });
}

export interface InvitationInput {
  readonly id: string;
  readonly title: string;
  readonly start: Date;
  readonly end: Date;
  readonly description?: string;
  readonly location?: string;
  readonly url?: string;
  readonly organizer: CalendarPerson;
  readonly attendees: readonly CalendarPerson[];
  /** Bump on each re-send of an updated invitation (RFC 5546 §2.1.4). */
  readonly sequence?: number;
  /** DTSTAMP: when the invitation is made (the caller's clock). */
  readonly stamp: Date;
  readonly uidDomain?: string;
}

/** An RFC 5546 METHOD:REQUEST calendar inviting the attendees to a change's window. */
export function changeInvitation(change: InvitationInput): string {
  return writeCalendar({
    stamp: change.stamp,
    method: 'REQUEST',
    events: [
      {
        uid: `change-${change.id}@${change.uidDomain ?? 'patchgate'}`,
        start: change.start,
        end: change.end,
        summary: `Change: ${change.title}`,
        ...(change.description === undefined ? {} : { description: change.description }),
        ...(change.location === undefined ? {} : { location: change.location }),
        ...(change.url === undefined ? {} : { url: change.url }),
        status: 'CONFIRMED',
        transparency: 'OPAQUE',
        sequence: change.sequence ?? 0,
        organizer: change.organizer,
        attendees: change.attendees,
      },
    ],
  });
}
