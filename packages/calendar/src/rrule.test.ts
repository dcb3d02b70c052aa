import { describe, expect, it } from 'vitest';
import { parseLocal } from './local-time.ts';
import { expandRRule, parseRRule } from './rrule.ts';

const local = (text: string) => {
  const parsed = parseLocal(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

function expand(
  rrule: string,
  dtstart: string,
  timeZone: string,
  from: string,
  to: string,
  exdates: string[] = [],
): string[] {
  const parsed = parseRRule(rrule);
  if (!parsed.ok) throw new Error(parsed.error);
  return expandRRule({
    rule: parsed.rule,
    dtstart: local(dtstart),
    timeZone,
    from: Date.parse(from),
    to: Date.parse(to),
    exdates: exdates.map((x) => {
      const p = parseLocal(x);
      if (!p.ok) throw new Error(p.error);
      return { value: p.value, dateOnly: p.dateOnly };
    }),
  }).starts.map((ms) => new Date(ms).toISOString().replace(':00.000Z', 'Z'));
}

describe('expandRRule', () => {
  it.each([
    {
      name: 'daily 02:30 Berlin across spring forward: the missing 02:30 becomes 03:30 CEST',
      rrule: 'FREQ=DAILY',
      dtstart: '2026-03-20T02:30',
      zone: 'Europe/Berlin',
      from: '2026-03-27T00:00Z',
      to: '2026-03-31T00:00Z',
      expected: [
        '2026-03-27T01:30Z',
        '2026-03-28T01:30Z',
        '2026-03-29T01:30Z',
        '2026-03-30T00:30Z',
      ],
    },
    {
      name: 'daily 02:30 Berlin across fall back: the first of the two 02:30s',
      rrule: 'FREQ=DAILY',
      dtstart: '2026-10-20T02:30',
      zone: 'Europe/Berlin',
      from: '2026-10-24T00:00Z',
      to: '2026-10-27T00:00Z',
      expected: ['2026-10-24T00:30Z', '2026-10-25T00:30Z', '2026-10-26T01:30Z'],
    },
    {
      name: 'weekly Tuesday 22:00 New York keeps the wall clock across 8 March',
      rrule: 'FREQ=WEEKLY;BYDAY=TU',
      dtstart: '2026-03-03T22:00',
      zone: 'America/New_York',
      from: '2026-03-01T00:00Z',
      to: '2026-03-12T00:00Z',
      expected: ['2026-03-04T03:00Z', '2026-03-11T02:00Z'],
    },
    {
      name: 'New York 01:30 on 1 November is the first (EDT) one',
      rrule: 'FREQ=DAILY;BYHOUR=1;BYMINUTE=30',
      dtstart: '2026-10-30T00:00',
      zone: 'America/New_York',
      from: '2026-10-31T00:00Z',
      to: '2026-11-03T00:00Z',
      expected: ['2026-10-31T05:30Z', '2026-11-01T05:30Z', '2026-11-02T06:30Z'],
    },
    {
      name: 'Sydney Sunday 02:30 on both 2026 transitions',
      rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30',
      dtstart: '2026-03-29T02:30',
      zone: 'Australia/Sydney',
      from: '2026-04-01T00:00Z',
      to: '2026-04-13T00:00Z',
      expected: ['2026-04-04T15:30Z', '2026-04-11T16:30Z'],
    },
    {
      name: 'Sydney spring forward on 4 October',
      rrule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=30',
      dtstart: '2026-09-27T02:30',
      zone: 'Australia/Sydney',
      from: '2026-09-26T00:00Z',
      to: '2026-10-12T00:00Z',
      expected: ['2026-09-26T16:30Z', '2026-10-03T16:30Z', '2026-10-10T15:30Z'],
    },
    {
      name: 'Kolkata daily 23:00 (+05:30, no DST)',
      rrule: 'FREQ=DAILY;COUNT=3',
      dtstart: '2026-03-28T23:00',
      zone: 'Asia/Kolkata',
      from: '2026-01-01T00:00Z',
      to: '2027-01-01T00:00Z',
      expected: ['2026-03-28T17:30Z', '2026-03-29T17:30Z', '2026-03-30T17:30Z'],
    },
    {
      name: 'Patch Tuesday (2TU) at 20:00 Berlin',
      rrule: 'FREQ=MONTHLY;BYDAY=2TU',
      dtstart: '2026-01-01T20:00',
      zone: 'Europe/Berlin',
      from: '2026-01-01T00:00Z',
      to: '2026-05-01T00:00Z',
      expected: [
        '2026-01-13T19:00Z',
        '2026-02-10T19:00Z',
        '2026-03-10T19:00Z',
        '2026-04-14T18:00Z',
      ],
    },
    {
      name: 'last Friday (-1FR)',
      rrule: 'FREQ=MONTHLY;BYDAY=-1FR',
      dtstart: '2026-01-01T18:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2026-04-01T00:00Z',
      expected: ['2026-01-30T18:00Z', '2026-02-27T18:00Z', '2026-03-27T18:00Z'],
    },
    {
      name: 'last day of the month (BYMONTHDAY=-1)',
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
      dtstart: '2026-01-01T22:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2026-05-01T00:00Z',
      expected: [
        '2026-01-31T22:00Z',
        '2026-02-28T22:00Z',
        '2026-03-31T22:00Z',
        '2026-04-30T22:00Z',
      ],
    },
    {
      name: 'the 31st skips shorter months (§3.3.10: invalid dates are ignored)',
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=31',
      dtstart: '2026-01-31T22:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2026-06-01T00:00Z',
      expected: ['2026-01-31T22:00Z', '2026-03-31T22:00Z', '2026-05-31T22:00Z'],
    },
    {
      name: 'last weekday of the month (BYSETPOS=-1)',
      rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
      dtstart: '2026-01-01T21:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2026-04-01T00:00Z',
      expected: ['2026-01-30T21:00Z', '2026-02-27T21:00Z', '2026-03-31T21:00Z'],
    },
    {
      name: 'RFC 5545 example: 20th Monday of the year',
      rrule: 'FREQ=YEARLY;BYDAY=20MO;COUNT=2',
      dtstart: '1997-05-19T09:00',
      zone: 'America/New_York',
      from: '1997-01-01T00:00Z',
      to: '2000-01-01T00:00Z',
      expected: ['1997-05-19T13:00Z', '1998-05-18T13:00Z'],
    },
    {
      name: 'RFC 5545 example: every other week on Tu, Su, WKST=MO',
      rrule: 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO',
      dtstart: '1997-08-05T09:00',
      zone: 'America/New_York',
      from: '1997-01-01T00:00Z',
      to: '1998-01-01T00:00Z',
      expected: [
        '1997-08-05T13:00Z',
        '1997-08-10T13:00Z',
        '1997-08-19T13:00Z',
        '1997-08-24T13:00Z',
      ],
    },
    {
      name: 'RFC 5545 example: the same with WKST=SU',
      rrule: 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU',
      dtstart: '1997-08-05T09:00',
      zone: 'America/New_York',
      from: '1997-01-01T00:00Z',
      to: '1998-01-01T00:00Z',
      expected: [
        '1997-08-05T13:00Z',
        '1997-08-17T13:00Z',
        '1997-08-19T13:00Z',
        '1997-08-31T13:00Z',
      ],
    },
    {
      name: 'yearly: last Sunday of December (BYMONTH + ordinal within the month)',
      rrule: 'FREQ=YEARLY;BYMONTH=12;BYDAY=-1SU',
      dtstart: '2026-01-01T10:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2028-01-01T00:00Z',
      expected: ['2026-12-27T10:00Z', '2027-12-26T10:00Z'],
    },
    {
      name: 'BYHOUR and BYMINUTE expand a day',
      rrule: 'FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;COUNT=5',
      dtstart: '2026-06-01T00:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2027-01-01T00:00Z',
      expected: [
        '2026-06-01T09:00Z',
        '2026-06-01T09:30Z',
        '2026-06-01T17:00Z',
        '2026-06-01T17:30Z',
        '2026-06-02T09:00Z',
      ],
    },
    {
      name: 'UNTIL (UTC) is inclusive',
      rrule: 'FREQ=DAILY;UNTIL=20260103T220000Z',
      dtstart: '2026-01-01T22:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2027-01-01T00:00Z',
      expected: ['2026-01-01T22:00Z', '2026-01-02T22:00Z', '2026-01-03T22:00Z'],
    },
    {
      name: 'UNTIL as a DATE includes that local day',
      rrule: 'FREQ=DAILY;UNTIL=20260102',
      dtstart: '2026-01-01T23:30',
      zone: 'Europe/Berlin',
      from: '2026-01-01T00:00Z',
      to: '2027-01-01T00:00Z',
      expected: ['2026-01-01T22:30Z', '2026-01-02T22:30Z'],
    },
    {
      name: 'INTERVAL=3 days',
      rrule: 'FREQ=DAILY;INTERVAL=3;COUNT=3',
      dtstart: '2026-02-27T06:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2027-01-01T00:00Z',
      expected: ['2026-02-27T06:00Z', '2026-03-02T06:00Z', '2026-03-05T06:00Z'],
    },
    {
      name: 'a DTSTART off the rule is not itself an occurrence',
      rrule: 'FREQ=WEEKLY;BYDAY=FR;COUNT=2',
      dtstart: '2026-01-06T20:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2027-01-01T00:00Z',
      expected: ['2026-01-09T20:00Z', '2026-01-16T20:00Z'],
    },
    {
      name: 'a rule that never occurs (30 February) ends without looping',
      rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
      dtstart: '2026-01-01T00:00',
      zone: 'UTC',
      from: '2026-01-01T00:00Z',
      to: '2036-01-01T00:00Z',
      expected: [],
    },
  ])('$name', ({ rrule, dtstart, zone, from, to, expected }) => {
    expect(expand(rrule, dtstart, zone, from, to)).toEqual(expected);
  });

  it('EXDATE removes exact occurrences and whole local days, after COUNT has counted them', () => {
    expect(
      expand(
        'FREQ=DAILY;COUNT=5',
        '2026-12-22T22:00',
        'Europe/Berlin',
        '2026-01-01T00:00Z',
        '2027-02-01T00:00Z',
        ['2026-12-23T22:00', '2026-12-25'],
      ),
    ).toEqual(['2026-12-22T21:00Z', '2026-12-24T21:00Z', '2026-12-26T21:00Z']);
  });

  it('stops at maxOccurrences and says so', () => {
    const parsed = parseRRule('FREQ=DAILY');
    if (!parsed.ok) throw new Error(parsed.error);
    const expansion = expandRRule({
      rule: parsed.rule,
      dtstart: local('2026-01-01T00:00'),
      timeZone: 'UTC',
      from: Date.parse('2026-01-01T00:00Z'),
      to: Date.parse('2100-01-01T00:00Z'),
      limits: { maxOccurrences: 10 },
    });
    expect(expansion.starts).toHaveLength(10);
    expect(expansion.truncated).toBe(true);
  });

  it('stops at maxPeriods for a rule that matches rarely', () => {
    const parsed = parseRRule('FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29');
    if (!parsed.ok) throw new Error(parsed.error);
    const expansion = expandRRule({
      rule: parsed.rule,
      dtstart: local('2026-01-01T00:00'),
      timeZone: 'UTC',
      from: Date.parse('2026-01-01T00:00Z'),
      to: Date.parse('2100-01-01T00:00Z'),
      limits: { maxPeriods: 500 },
    });
    expect(expansion).toEqual({ starts: [], truncated: true });
  });

  it('refuses an unknown zone', () => {
    const parsed = parseRRule('FREQ=DAILY');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(() =>
      expandRRule({
        rule: parsed.rule,
        dtstart: local('2026-01-01T00:00'),
        timeZone: 'Europe/Atlantis',
        from: 0,
        to: 1,
      }),
    ).toThrow(/"Europe\/Atlantis" is not an IANA time zone/);
  });
});

describe('parseRRule', () => {
  it('parses every supported part', () => {
    expect(
      parseRRule(
        'RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=2TU,-1FR,MO;BYMONTHDAY=1,-1;BYMONTH=1,7;BYHOUR=22;BYMINUTE=30;BYSETPOS=1,-1;WKST=SU',
      ),
    ).toEqual({
      ok: true,
      rule: {
        freq: 'MONTHLY',
        interval: 2,
        count: 10,
        wkst: 0,
        byDay: [
          { weekday: 2, ordinal: 2 },
          { weekday: 5, ordinal: -1 },
          { weekday: 1, ordinal: 0 },
        ],
        byMonthDay: [1, -1],
        byMonth: [1, 7],
        byHour: [22],
        byMinute: [30],
        bySetPos: [1, -1],
      },
    });
  });

  it.each([
    ['', /empty rule/],
    ['BYDAY=MO', /FREQ is required/],
    ['FREQ=HOURLY', /FREQ=HOURLY is not supported/],
    ['FREQ=FORTNIGHTLY', /not one of DAILY, WEEKLY, MONTHLY, YEARLY/],
    ['FREQ=DAILY;FREQ=WEEKLY', /FREQ is given twice/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL=0 is not a positive/],
    ['FREQ=DAILY;COUNT=-1', /COUNT=-1 is not a positive/],
    ['FREQ=DAILY;COUNT=2;UNTIL=20260101', /COUNT and UNTIL must not both/],
    ['FREQ=DAILY;UNTIL=2026', /UNTIL=2026 is not a DATE/],
    ['FREQ=DAILY;UNTIL=20260101Z', /not a DATE/],
    ['FREQ=WEEKLY;BYDAY=XX', /"XX" is not a weekday/],
    ['FREQ=WEEKLY;BYDAY=2TU', /ordinals .* only apply to MONTHLY and YEARLY/],
    ['FREQ=MONTHLY;BYDAY=6TU', /at most 5/],
    ['FREQ=MONTHLY;BYDAY=0TU', /ordinal in "0TU"/],
    ['FREQ=MONTHLY;BYMONTHDAY=0', /BYMONTHDAY=0: 0 is out of range/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', /out of range/],
    ['FREQ=WEEKLY;BYMONTHDAY=1', /does not apply to WEEKLY/],
    ['FREQ=YEARLY;BYMONTH=13', /BYMONTH=13: 13 is out of range/],
    ['FREQ=DAILY;BYHOUR=24', /BYHOUR=24/],
    ['FREQ=DAILY;BYMINUTE=a', /"A" is not a whole number/],
    ['FREQ=DAILY;BYSETPOS=1', /BYSETPOS needs another BYxxx/],
    ['FREQ=YEARLY;BYWEEKNO=1', /BYWEEKNO is not supported/],
    ['FREQ=DAILY;COLOR=red', /unknown rule part COLOR/],
    ['FREQ=DAILY;WKST=XX', /WKST=XX/],
    ['FREQ', /"FREQ" is not NAME=VALUE/],
    ['FREQ=DAILY;' + 'X'.repeat(1000), /longer than 1000/],
  ])('refuses %j', (text, error) => {
    const parsed = parseRRule(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});
