/**
 * The writer's output read back by a real parser: Mozilla's ical.js (the Thunderbird one).
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { calendarFeed, changeInvitation, escapeText, foldLine, writeCalendar } from './ical.ts';

const stamp = new Date('2026-06-01T08:00:00Z');

function parse(text: string) {
  const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return {
    root,
    events: root.getAllSubcomponents('vevent').map((v) => {
      const e = new ICAL.Event(v);
      return {
        uid: e.uid,
        summary: e.summary,
        description: e.description,
        start: e.startDate.toJSDate().toISOString(),
        end: e.endDate.toJSDate().toISOString(),
        stamp: (v.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString(),
        v,
      };
    }),
  };
}

/** RFC 5545 §3.1 framing: CRLF everywhere, no line over 75 octets, folds start with a space. */
function expectWellFramed(text: string): void {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  for (const line of text.split('\r\n').slice(0, -1)) {
    expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(line).not.toMatch(/\uFFFD/);
  }
}

describe('calendarFeed', () => {
  const feed = calendarFeed({
    stamp,
    windows: [
      {
        windowId: 'w1',
        name: 'web nightly',
        start: new Date('2026-06-02T20:00:00Z'),
        end: new Date('2026-06-03T00:00:00Z'),
        cutoffAt: new Date('2026-06-02T23:30:00Z'),
      },
    ],
    freezes: [
      {
        freezeId: 'f1',
        name: 'year end',
        start: new Date('2026-12-20T00:00:00Z'),
        end: new Date('2027-01-04T00:00:00Z'),
        allowEmergency: true,
      },
    ],
    changes: [
      {
        id: 'c1',
        title: 'openssl 3.0.13; nginx, curl \\ and "more"',
        start: new Date('2026-06-02T20:30:00Z'),
        end: new Date('2026-06-02T21:30:00Z'),
        assetNames: ['web-1', 'web-2'],
        state: 'scheduled',
        url: 'https://patchgate.example/changes/c1',
      },
    ],
  });

  it('is a VCALENDAR a real parser reads, with every event', () => {
    expectWellFramed(feed);
    const { root, events } = parse(feed);
    expect(root.getFirstPropertyValue('prodid')).toBe(
      '-//Patchgate//Patchgate change calendar//EN',
    );
    expect(root.getFirstPropertyValue('version')).toBe('2.0');
    expect(root.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(events.map(({ v: _v, ...e }) => e)).toEqual([
      {
        uid: 'window-w1-20260602T200000Z@patchgate',
        summary: 'Maintenance window: web nightly',
        description: 'No new work starts after 2026-06-02T23:30:00.000Z.',
        start: '2026-06-02T20:00:00.000Z',
        end: '2026-06-03T00:00:00.000Z',
        stamp: '2026-06-01T08:00:00.000Z',
      },
      {
        uid: 'change-c1@patchgate',
        summary: 'Change: openssl 3.0.13; nginx, curl \\ and "more"',
        description: 'State: scheduled\nAssets: web-1, web-2',
        start: '2026-06-02T20:30:00.000Z',
        end: '2026-06-02T21:30:00.000Z',
        stamp: '2026-06-01T08:00:00.000Z',
      },
      {
        uid: 'freeze-f1-20261220T000000Z@patchgate',
        summary: 'Change freeze: year end',
        description: 'Emergency changes may override this freeze with an extra approval.',
        start: '2026-12-20T00:00:00.000Z',
        end: '2027-01-04T00:00:00.000Z',
        stamp: '2026-06-01T08:00:00.000Z',
      },
    ]);
    expect(events[1]?.v.getFirstPropertyValue('url')).toBe('https://patchgate.example/changes/c1');
  });

  it('escapes TEXT as §3.3.11 says', () => {
    expect(feed).toContain('SUMMARY:Change: openssl 3.0.13\\; nginx\\, curl \\\\ and "more"\r\n');
    expect(escapeText('a\nb\r\nc')).toBe('a\\nb\\nc');
  });
});

describe('folding', () => {
  it.each([
    ['ASCII', 'x'.repeat(300)],
    ['two-octet characters', 'ü'.repeat(200)],
    ['three-octet characters', '€'.repeat(120)],
    ['four-octet characters', '🔒'.repeat(90)],
    ['mixed, with escapes', 'Wartung; Größe, Ärger \\ und 🔧 '.repeat(12)],
  ])('%s fold on character boundaries and round-trip', (_name, text) => {
    const ics = writeCalendar({
      stamp,
      events: [
        {
          uid: 'u1@patchgate',
          start: stamp,
          end: new Date(stamp.getTime() + 60_000),
          summary: text,
          description: text,
        },
      ],
    });
    expectWellFramed(ics);
    const [event] = parse(ics).events;
    expect(event?.summary).toBe(text);
    expect(event?.description).toBe(text);
  });

  it('leaves a short line alone and continues folds with one space', () => {
    expect(foldLine('SUMMARY:short')).toBe('SUMMARY:short');
    const folded = foldLine(`DESCRIPTION:${'a'.repeat(100)}`);
    expect(folded.split('\r\n').map((l) => l.length)).toEqual([75, 38]);
    expect(folded.split('\r\n')[1]?.startsWith(' ')).toBe(true);
  });
});

describe('changeInvitation', () => {
  it('is a METHOD:REQUEST calendar with organizer and attendees', () => {
    const ics = changeInvitation({
      id: 'c1',
      title: 'Kernel update, web tier',
      start: new Date('2026-06-02T20:30:00Z'),
      end: new Date('2026-06-02T21:30:00Z'),
      description: 'Before: nothing.\nDuring: web-1 reboots.\nAfter: check the shop.',
      organizer: { email: 'patchgate@example.org', name: 'Patchgate' },
      attendees: [{ email: 'ops@example.org', name: 'Ops, on call' }, { email: 'cab@example.org' }],
      sequence: 2,
      stamp,
    });
    expectWellFramed(ics);
    const { root, events } = parse(ics);
    expect(root.getFirstPropertyValue('method')).toBe('REQUEST');
    const [event] = events;
    expect(event?.uid).toBe('change-c1@patchgate');
    expect(event?.description).toBe(
      'Before: nothing.\nDuring: web-1 reboots.\nAfter: check the shop.',
    );
    expect(event?.v.getFirstPropertyValue('sequence')).toBe(2);
    const organizer = event?.v.getFirstProperty('organizer');
    expect([organizer?.getFirstValue(), organizer?.getParameter('cn')]).toEqual([
      'mailto:patchgate@example.org',
      'Patchgate',
    ]);
    expect(
      event?.v
        .getAllProperties('attendee')
        .map((a) => [
          a.getFirstValue(),
          a.getParameter('cn'),
          a.getParameter('role'),
          a.getParameter('rsvp'),
        ]),
    ).toEqual([
      ['mailto:ops@example.org', 'Ops, on call', 'REQ-PARTICIPANT', 'TRUE'],
      ['mailto:cab@example.org', undefined, 'REQ-PARTICIPANT', 'TRUE'],
    ]);
  });
});
