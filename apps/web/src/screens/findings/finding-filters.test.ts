import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  toFindingsQuery,
  toSummaryQuery,
  usesDefaultStatus,
} from './finding-filters.ts';

describe('finding filters', () => {
  it.each([
    [{}, {}],
    [
      { priority: 'P1,P2', kev: 'true', sort: 'epss', asset: ' web-01 ', epssMin: '0.3' },
      { priority: 'P1,P2', kev: 'true', sort: 'epss', asset: 'web-01', epssMin: 0.3 },
    ],
    // The API's default sort is not sent; values the API would refuse are left out.
    [{ sort: 'priority', kev: 'maybe', epssMin: '2', overdue: 'false' }, { overdue: 'false' }],
    [{ sort: 'nonsense', selected: 'f1', group: '' }, {}],
    // The dashboard's filters: due status, owner team; a date only when it is one.
    [
      { due: 'later,none', ownerTeam: ' team-web ', noOwnerTeam: 'maybe', dueBefore: '2026-12-14' },
      { due: 'later,none', ownerTeam: 'team-web', dueBefore: '2026-12-14' },
    ],
    [{ noOwnerTeam: 'true', dueBefore: 'next week' }, { noOwnerTeam: 'true' }],
  ] as const)('URL %j → request %j', (values, expected) => {
    expect(toFindingsQuery(values)).toEqual(expected);
  });

  it('counts without the sort and knows when the list is the default work queue', () => {
    expect(toSummaryQuery({ sort: 'due', priority: 'P1' })).toEqual({ priority: 'P1' });
    expect(usesDefaultStatus({ priority: 'P1' })).toBe(true);
    expect(usesDefaultStatus({ triage: 'none' })).toBe(false);
    expect(usesDefaultStatus({ accepted: 'true' })).toBe(false);
    expect(activeFilterCount({ priority: 'P1', sort: 'due', selected: 'x', kev: 'true' })).toBe(2);
  });
});
