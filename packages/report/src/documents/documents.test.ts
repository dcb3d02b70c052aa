/**
 * The document renderers on a hand-made patch compliance document: JSON carries every figure
 * and table under its stable name, CSV is RFC 4180 and formula-safe, HTML is self-contained
 * (escaped, no external reference) with its warnings first and charts drawn to scale.
 */
import { describe, expect, it } from 'vitest';
import { chartScale, renderChartSvg } from './charts.ts';
import type { ChartBlock } from './charts.ts';
import { csvCellText, renderDocumentCsv } from './csv.ts';
import { formatCell, formatValue } from './format.ts';
import { documentContentSecurityPolicy, renderDocumentHtml } from './html.ts';
import { renderDocumentJson } from './json.ts';
import type { ReportDocument } from './model.ts';

const slaChart: ChartBlock = {
  kind: 'chart',
  chart: 'line',
  title: 'SLA compliance by week',
  unit: 'ratio',
  target: 0.9,
  series: [
    {
      name: 'P1',
      points: [
        { x: '2026-W36', y: 0.95 },
        { x: '2026-W37', y: null },
        { x: '2026-W38', y: 0.8 },
        { x: '2026-W39', y: 0.85 },
      ],
    },
  ],
};

function document(overrides: Partial<ReportDocument> = {}): ReportDocument {
  return {
    type: 'patch-compliance',
    title: 'Patch compliance — team web',
    subtitle: 'September to November 2026',
    inputs: {
      type: 'patch-compliance',
      period: { from: '2026-09-01', to: '2026-11-30' },
      scope: { team: 'web' },
      policy: { id: 'default', name: 'Default policy' },
      dataAsOf: '2026-12-01T00:00:00.000Z',
    },
    generatedAt: '2026-12-01T06:00:00.000Z',
    figures: {
      openFindings: 42,
      slaCompliance: 0.8125,
      mttrDays: { P1: 3.5, P2: null },
    },
    sections: [
      {
        title: 'Summary',
        blocks: [
          { kind: 'text', text: 'Findings fixed within their due date.\n\nSecond <paragraph>.' },
          {
            kind: 'figures',
            figures: [
              { name: 'openFindings', label: 'Open findings', value: 42, unit: 'count' },
              {
                name: 'slaCompliance',
                label: 'SLA compliance',
                value: 0.8125,
                unit: 'ratio',
                status: 'bad',
                note: 'target 90 %',
              },
              {
                name: 'mttrP2',
                label: 'MTTR P2',
                value: null,
                unit: 'days',
                note: 'nothing fixed',
              },
            ],
          },
          slaChart,
        ],
      },
      {
        title: 'Overdue findings',
        blocks: [
          {
            kind: 'table',
            name: 'overdue',
            title: 'Overdue findings',
            columns: [
              { key: 'asset', label: 'Asset' },
              { key: 'package', label: 'Package' },
              { key: 'days', label: 'Days overdue' },
              { key: 'kev', label: 'KEV' },
            ],
            rows: [
              { asset: 'web-01', package: 'openssl', days: 12, kev: true },
              { asset: 'web-02', package: '<script>alert(1)</script>', days: 3, kev: false },
            ],
          },
          {
            kind: 'table',
            name: 'exceptions',
            columns: [{ key: 'id', label: 'Exception' }],
            rows: [],
            empty: 'No exceptions in scope: none was granted for team web.',
          },
        ],
      },
    ],
    csv: {
      columns: [
        { key: 'asset', label: 'Asset' },
        { key: 'summary', label: 'Summary, "quoted"' },
        { key: 'days', label: 'Days' },
        { key: 'kev', label: 'KEV' },
      ],
      rows: [
        { asset: 'web-01', summary: 'a, b', days: 12, kev: true },
        { asset: '=HYPERLINK("http://x")', summary: 'line\nbreak', days: -1, kev: null },
        { asset: '+1', summary: '-2', days: 0, kev: false },
        { asset: '@SUM(A1)', summary: '\tTAB', days: 1.5, kev: false },
      ],
    },
    warnings: ['No inventory reported for asset group db in the period: enrol its agents.'],
    ...overrides,
  };
}

describe('JSON form', () => {
  it('carries the inputs, every figure and every table under its stable name', () => {
    const parsed: unknown = JSON.parse(renderDocumentJson(document()));
    expect(parsed).toEqual({
      type: 'patch-compliance',
      title: 'Patch compliance — team web',
      inputs: document().inputs,
      generatedAt: '2026-12-01T06:00:00.000Z',
      figures: { openFindings: 42, slaCompliance: 0.8125, mttrDays: { P1: 3.5, P2: null } },
      tables: {
        overdue: [
          { asset: 'web-01', package: 'openssl', days: 12, kev: true },
          { asset: 'web-02', package: '<script>alert(1)</script>', days: 3, kev: false },
        ],
        exceptions: [],
      },
      warnings: ['No inventory reported for asset group db in the period: enrol its agents.'],
    });
  });

  it('refuses a document with two tables of one name', () => {
    const doc = document();
    const twice: ReportDocument = {
      ...doc,
      sections: [...doc.sections, { title: 'Again', blocks: doc.sections[1]?.blocks ?? [] }],
    };
    expect(() => renderDocumentJson(twice)).toThrow(/two tables named "overdue"/);
  });
});

describe('CSV form', () => {
  it('is RFC 4180 with CRLF lines, quoted fields and formula-looking text defused', () => {
    expect(renderDocumentCsv(document())).toBe(
      [
        'Asset,"Summary, ""quoted""",Days,KEV',
        'web-01,"a, b",12,true',
        `"'=HYPERLINK(""http://x"")","line\nbreak",-1,`,
        "'+1,'-2,0,false",
        "'@SUM(A1),'\tTAB,1.5,false",
        '',
      ].join('\r\n'),
    );
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-cmd', "'-cmd"],
    ['@cmd', "'@cmd"],
    ['\rcmd', "'\rcmd"],
    ['a=b', 'a=b'],
    ['', ''],
  ])('text %j becomes %j', (cell, text) => {
    expect(csvCellText(cell)).toBe(text);
  });

  it('keeps numbers and booleans as they are', () => {
    expect([csvCellText(-3), csvCellText(0.25), csvCellText(true), csvCellText(null)]).toEqual([
      '-3',
      '0.25',
      'true',
      '',
    ]);
  });

  it('writes only the header line when there are no rows', () => {
    expect(
      renderDocumentCsv(document({ csv: { columns: [{ key: 'a', label: 'A' }], rows: [] } })),
    ).toBe('A\r\n');
  });
});

describe('values for people', () => {
  it.each([
    [0.8125, 'ratio', '81.3 %'],
    [1, 'ratio', '100 %'],
    [3.25, 'days', '3.3 days'],
    [1, 'days', '1 day'],
    [45, 'minutes', '45 min'],
    [12345, 'count', '12,345'],
    [-1234.5, undefined, '-1,234.5'],
    [null, 'ratio', '—'],
    ['n/a', 'text', 'n/a'],
  ] as const)('%j as %s is %j', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });

  it('shows cells without grouping digits (a year stays 2026)', () => {
    expect([formatCell(2026), formatCell(0.125), formatCell(true), formatCell(null)]).toEqual([
      '2026',
      '0.13',
      'yes',
      '',
    ]);
  });
});

describe('HTML form', () => {
  const html = renderDocumentHtml(document());

  it('is self-contained: no script, no external reference, a CSP that refuses fetching', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|<img|<iframe|<object|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    // The only URL is the SVG namespace, which is an identifier, never fetched.
    expect(html.match(/https?:\/\/[^\s"<]+/g)).toEqual(
      expect.arrayContaining(['http://www.w3.org/2000/svg']),
    );
    expect(new Set(html.match(/https?:\/\/[^\s"<]+/g))).toEqual(
      new Set(['http://www.w3.org/2000/svg']),
    );
    expect(html).toContain(`content="${documentContentSecurityPolicy}"`);
    expect(documentContentSecurityPolicy).toContain("default-src 'none'");
  });

  it('escapes text from the data', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<p>Second &lt;paragraph&gt;.</p>');
  });

  it('shows the warnings before the first section, as an alert', () => {
    const warnings = html.indexOf('<section class="warnings" role="alert"');
    expect(warnings).toBeGreaterThan(html.indexOf('<h1>'));
    expect(warnings).toBeLessThan(html.indexOf('<h2>Summary</h2>'));
    expect(html).toContain(
      '<li>No inventory reported for asset group db in the period: enrol its agents.</li>',
    );
    expect(renderDocumentHtml(document({ warnings: [] }))).not.toContain('class="warnings"');
  });

  it('shows the inputs, the figures with units and status, the tables with their headers', () => {
    expect(html).toContain('<dt>Period</dt><dd>2026-09-01 to 2026-11-30</dd>');
    expect(html).toContain('<dt>Scope</dt><dd>team web</dd>');
    expect(html).toContain(
      '<div class="figure bad" data-figure="slaCompliance"><dt>SLA compliance</dt><dd class="value">81.3 %</dd><dd class="note">target 90 %</dd></div>',
    );
    expect(html).toContain('<dd class="value">—</dd><dd class="note">nothing fixed</dd>');
    expect(html).toContain(
      '<thead><tr><th scope="col">Asset</th><th scope="col">Package</th><th scope="col" class="num">Days overdue</th><th scope="col">KEV</th></tr></thead>',
    );
    expect(html).toContain(
      '<tr><td class="nowrap">web-01</td><td class="nowrap">openssl</td><td class="num nowrap">12</td><td class="nowrap">yes</td></tr>',
    );
    expect(html).toContain(
      '<td class="empty" colspan="1">No exceptions in scope: none was granted for team web.</td>',
    );
  });

  it('puts a table of many columns on a landscape page, breaking only long tokens', () => {
    const columns = Array.from({ length: 17 }, (_, i) => ({ key: `c${i}`, label: `C${i}` }));
    const row = Object.fromEntries(columns.map((c) => [c.key, 'x']));
    const table = (n: number, cell: string) =>
      renderDocumentHtml(
        document({
          sections: [
            {
              title: 'T',
              blocks: [
                {
                  kind: 'table',
                  name: 't',
                  columns: columns.slice(0, n),
                  rows: [{ ...row, c0: cell }],
                },
              ],
            },
          ],
        }),
      );
    expect(table(8, 'x')).toContain('<table data-table="t">');
    expect(table(9, 'x')).toContain('<div class="landscape"><table class="wide" data-table="t">');
    expect(table(17, 'x')).toContain(
      '<div class="landscape"><table class="wide very-wide" data-table="t">',
    );
    expect(table(9, 'sha256:' + 'a'.repeat(64))).toContain(
      `<td class="break">sha256:${'a'.repeat(64)}</td>`,
    );
    expect(table(9, 'two words')).toContain('<td>two words</td>');
    expect(table(17, 'x')).toContain('<td>x</td>');
    expect(html).toContain('@page landscape { size: A4 landscape; }');
  });

  it('has print CSS for A4 that repeats table headers and keeps rows whole', () => {
    expect(html).toContain('@page { size: A4;');
    expect(html).toContain('thead { display: table-header-group; }');
    expect(html).toMatch(/tr, [^{]*\{ break-inside: avoid; \}/);
  });
});

describe('charts', () => {
  /** The numbers of an SVG attribute on every element of a tag: `<rect … height="12">`. */
  const attrs = (svg: string, tag: string, attr: string): number[] =>
    [...svg.matchAll(new RegExp(`<${tag} [^>]*?\\b${attr}="([-\\d.]+)"`, 'g'))].map((m) =>
      Number(m[1]),
    );

  it('scales the y axis to nice ticks covering the values and the target', () => {
    expect(chartScale(slaChart, ['a'])).toEqual({
      min: 0,
      max: 1,
      ticks: [0, 0.2, 0.4, 0.6, 0.8, 1],
    });
    const counts: ChartBlock = {
      kind: 'chart',
      chart: 'stacked-bar',
      title: 'Changes',
      series: [
        {
          name: 'ok',
          points: [
            { x: 'W1', y: 30 },
            { x: 'W2', y: 10 },
          ],
        },
        { name: 'failed', points: [{ x: 'W1', y: 17 }] },
      ],
    };
    // The stack of W1 is 47: the axis goes to 50 in steps of 10.
    expect(chartScale(counts, ['W1', 'W2'])).toEqual({
      min: 0,
      max: 50,
      ticks: [0, 10, 20, 30, 40, 50],
    });
  });

  it('draws bars to scale, one per series and category, the target as a dashed line', () => {
    const svg = renderChartSvg(
      {
        kind: 'chart',
        chart: 'bar',
        title: 'Open findings',
        target: 20,
        series: [
          {
            name: 'P1',
            points: [
              { x: 'web', y: 10 },
              { x: 'db', y: 40 },
            ],
          },
          {
            name: 'P2',
            points: [
              { x: 'web', y: 20 },
              { x: 'db', y: null },
            ],
          },
        ],
      },
      'c',
    );
    // Plot height 206 units for 0…40: 10 → 51.5, 40 → 206, 20 → 103; the null draws no bar.
    expect(attrs(svg, 'rect', 'height')).toEqual([51.5, 103, 206]);
    // The target line at 20: y = 220 − 103 = 117.
    expect(svg).toMatch(/<line x1="60" x2="624" y1="117" y2="117" class="chart-target"\/>/);
    expect(svg).toContain('>target 20</text>');
    expect(svg).toContain('<title id="c-title">Open findings</title>');
  });

  it('stacks a stacked bar: each segment starts where the one below ends', () => {
    const svg = renderChartSvg(
      {
        kind: 'chart',
        chart: 'stacked-bar',
        title: 'Outcomes',
        series: [
          { name: 'succeeded', points: [{ x: 'W1', y: 30 }] },
          { name: 'failed', points: [{ x: 'W1', y: 10 }] },
        ],
      },
      'c',
    );
    // 0…40 over 206 units: 30 → 154.5 high from the axis (y 220), 10 → 51.5 on top of it.
    expect(attrs(svg, 'rect', 'y')).toEqual([65.5, 14]);
    expect(attrs(svg, 'rect', 'height')).toEqual([154.5, 51.5]);
  });

  it('breaks a line at a missing value instead of drawing it as zero', () => {
    const svg = renderChartSvg(slaChart, 'c');
    const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(attrs(svg, 'circle', 'cx')).toHaveLength(3);
  });

  it('thins the x labels to what fits and keeps the last one inside the picture', () => {
    const days = Array.from({ length: 90 }, (_, i) =>
      new Date(Date.UTC(2026, 8, 1 + i)).toISOString().slice(0, 10),
    );
    const svg = renderChartSvg(
      { ...slaChart, series: [{ name: 'P1', points: days.map((x) => ({ x, y: 0.5 })) }] },
      'c',
    );
    const labels = [
      ...svg.matchAll(/<text x="([\d.]+)" y="236" text-anchor="(\w+)"[^>]*>([^<]+)</g),
    ];
    // 564 units of plot hold 7 labels of 10 characters: every 13th day, and the last, flush
    // right; 2026-11-18 (centred near 552, 62 units wide) would touch it (its left edge at 576)
    // and is dropped.
    expect(labels.map((m) => m[3])).toEqual([
      '2026-09-01',
      '2026-09-14',
      '2026-09-27',
      '2026-10-10',
      '2026-10-23',
      '2026-11-05',
      '2026-11-29',
    ]);
    expect(labels.at(-1)?.slice(1, 3)).toEqual(['638', 'end']);
    expect(labels[0]?.slice(1, 3)).toEqual(['63.1', 'middle']);
  });

  it('says so when a chart has no data', () => {
    const svg = renderChartSvg({ ...slaChart, series: [{ name: 'P1', points: [] }] }, 'c');
    expect(svg).toContain('No data for this chart');
    expect(svg).not.toContain('<path');
  });
});
