import { describe, expect, it } from 'vitest';
import { changeTemplateData, defaultTemplates, isAbsoluteLink, recipientLink } from './defaults.ts';
import { placeholdersOf, renderHtml, renderTemplate, templateProblems } from './template.ts';

const data = {
  change: {
    title: 'Patch <openssl> & "libc"',
    assets: ['web-01', 'web-02'],
    risk: 'high',
    window: null,
  },
};

describe('template engine', () => {
  it.each([
    ['{{change.title}} is {{ change.risk }}', 'Patch <openssl> & "libc" is high'],
    ['on {{change.assets}}', 'on web-01, web-02'],
    ['missing: [{{change.nothing}}] [{{change.window}}] [{{change}}]', 'missing: [] [] []'],
    ['no prototype: [{{change.constructor}}] [{{change.toString}}]', 'no prototype: [] []'],
    ['text {{ not closed', 'text {{ not closed'],
  ])('renders %j', (template, expected) => {
    expect(renderTemplate(template, data)).toBe(expected);
  });

  it('escapes everything in HTML: no value and no template text adds markup', () => {
    expect(renderHtml("Title: {{change.title}}\nIt's <b>{{change.risk}}</b>\n\nBye", data)).toBe(
      '<!doctype html>\n<html><body>\n<p>Title: Patch &lt;openssl&gt; &amp; &quot;libc&quot;<br>\nIt&#39;s &lt;b&gt;high&lt;/b&gt;</p>\n<p>Bye</p>\n</body></html>\n',
    );
  });

  it('names the placeholders and refuses unknown names and other braces', () => {
    expect(placeholdersOf('{{a.b}} {{ c }} {{a.b}}')).toEqual(['a.b', 'c']);
    expect(templateProblems('{{change.title}}', ['change.title'])).toEqual([]);
    expect(templateProblems('{{change.secret}} {{#each x}}', ['change.title'])).toEqual([
      '{{change.secret}} is not a known value (known: change.title)',
      '"{{" and "}}" may only enclose a value name such as {{change.title}}',
    ]);
    expect(templateProblems('{{ process.exit() }}', ['change.title'])).toHaveLength(1);
  });
});

describe('the default change messages', () => {
  const change = {
    id: 'c-1',
    number: 'CHG-0007',
    title: 'curl on web-01',
    type: 'normal',
    state: 'scheduled',
    risk: 'moderate',
    windowStart: '2026-12-06T22:00:00.000Z',
    windowEnd: '2026-12-06T23:00:00.000Z',
    assets: [{ name: 'web-01', ownerTeam: 'team-web' }],
    ownerTeams: ['team-web'],
    requester: { id: 'u-1', name: 'dave' },
    implementer: null,
    pendingApproverIds: [],
  };
  const event = {
    name: 'change.state-changed',
    data: {
      changeId: 'c-1',
      from: 'authorise',
      to: 'scheduled',
      action: 'schedule',
      actorId: 'u-1',
    },
  } as const;

  it('names someone to report problems to, the requester when no implementer is named', () => {
    const body = (implementer: { id: string; name: string } | null) =>
      renderTemplate(
        defaultTemplates.scheduled.body,
        changeTemplateData({ ...change, implementer }, event),
      );
    expect(body(null)).toContain('report problems to dave.');
    expect(body({ id: 'u-2', name: 'erin' })).toContain('report problems to erin.');
  });

  it('says "approved" for the whole approval, not for a stage', () => {
    const approved = renderTemplate(
      defaultTemplates.approved.body,
      changeTemplateData(change, event),
    );
    expect(approved).toContain('The approval is complete: every stage approved the current plan');
    expect(approved).not.toMatch(/stage \d* ?was approved/i);
    const progress = renderTemplate(
      defaultTemplates['approval-progress'].subject,
      changeTemplateData(change, {
        name: 'change.approval-decided',
        data: { changeId: 'c-1', stage: 2, decision: 'approved', approverId: 'u-2' },
      }),
    );
    expect(progress).toBe('[Patchgate] Approval progress, stage 2: curl on web-01');
  });
});

describe('links recipients can follow', () => {
  it.each([
    ['/api/v1/changes/c-1', 'https://pg.example.org', 'https://pg.example.org/api/v1/changes/c-1'],
    ['/api/v1/changes/c-1', 'https://example.org/pg/', 'https://example.org/pg/api/v1/changes/c-1'],
    ['api/v1/changes/c-1', 'http://example.org:8080', 'http://example.org:8080/api/v1/changes/c-1'],
    ['https://ui.example.org/c/1', 'https://pg.example.org', 'https://ui.example.org/c/1'],
    ['/api/v1/changes/c-1', undefined, '/api/v1/changes/c-1'],
    ['', 'https://pg.example.org', undefined],
    [undefined, 'https://pg.example.org', undefined],
  ])('%j with the public URL %j is %j', (link, publicUrl, expected) => {
    expect(recipientLink(link, publicUrl)).toBe(expected);
  });

  it('knows an absolute link (an iCalendar URL must be one)', () => {
    expect([
      isAbsoluteLink('https://pg.example.org/x'),
      isAbsoluteLink('/api/v1/changes/c-1'),
      isAbsoluteLink(undefined),
    ]).toEqual([true, false, false]);
  });
});
