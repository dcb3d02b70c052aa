import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { changeWindowInvitation } from './invitation.ts';

describe('change window invitation', () => {
  it('is an RFC 5545 METHOD:REQUEST calendar a real parser reads back', () => {
    const title = 'Patch openssl; libc, and a very long title that must be folded across lines 🙂';
    const text = changeWindowInvitation({
      changeId: 'c-1',
      title,
      description: 'Before: save work.\nAfter: check your service.',
      start: '2026-11-28T22:00:00.000Z',
      end: '2026-11-29T01:00:00.000Z',
      organizer: 'patchgate@example.org',
      attendees: ['ops@example.org', 'dba@example.org'],
      url: 'https://patchgate.example.org/changes/c-1',
      now: new Date('2026-11-25T10:00:00.000Z'),
    });
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent') ?? undefined);
    expect({
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      organizer: event.organizer,
      attendees: event.attendees.map((a) => a.getFirstValue() as string),
    }).toEqual({
      uid: 'change-c-1@patchgate',
      summary: title,
      description: 'Before: save work.\nAfter: check your service.',
      start: '2026-11-28T22:00:00.000Z',
      end: '2026-11-29T01:00:00.000Z',
      organizer: 'mailto:patchgate@example.org',
      attendees: ['mailto:ops@example.org', 'mailto:dba@example.org'],
    });
  });
});
