/**
 * The HTML form of a report document: one self-contained page (inline CSS, charts as inline
 * SVG, no script, no font, image or style sheet from anywhere), for reading in a browser and
 * for the server to print to PDF with chromium (A4, print CSS: table headers repeat on every
 * page, rows and figures are not split across pages).
 *
 * A Content-Security-Policy meta tag (`default-src 'none'`) makes the page unable to fetch
 * anything even if a builder put a URL into a cell: the text is escaped, and the browser would
 * refuse the request anyway.
 */
import { chartCategories, renderChartSvg, seriesColor } from './charts.ts';
import type { ChartBlock } from './charts.ts';
import { escapeHtml } from './escape.ts';
import { formatCell, formatValue } from './format.ts';
import type {
  Cell,
  ReportBlock,
  ReportDocument,
  ReportFigure,
  ReportInputs,
  ReportType,
  TableColumn,
} from './model.ts';

/** What kind of document each report type is, shown above its title. */
const typeLabels: Readonly<Record<ReportType, string>> = {
  'patch-compliance': 'Patch compliance report',
  change: 'Change report',
  'pci-dss': 'PCI DSS 4.0.1 evidence',
  'fedramp-poam': 'FedRAMP plan of action and milestones',
  'bod-26-04': 'CISA BOD 26-04 remediation status',
  executive: 'Executive summary',
};

/** The page's policy: nothing from anywhere, only its own inline styles and data: images. */
export const documentContentSecurityPolicy =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const css = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5a6272; --line: #d6dae1; --soft: #f3f5f8;
  --good: #067647; --warning: #b54708; --bad: #b42318; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; color: var(--ink); background: #fff;
  font: 10.5pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; }
h1 { font-size: 19pt; line-height: 1.2; margin: 0 0 .25rem; }
h2 { font-size: 13.5pt; margin: 1.6rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--ink); }
p { margin: .4rem 0; }
.doc-kind { margin: 0; color: var(--muted); font-size: 9pt; text-transform: uppercase; letter-spacing: .06em; }
.subtitle { margin: 0 0 .6rem; color: var(--muted); font-size: 11.5pt; }
.inputs { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .8rem 0 0;
  padding: .6rem .8rem; background: var(--soft); border-radius: 4px; font-size: 9.5pt; }
.inputs dt { color: var(--muted); }
.inputs dd { margin: 0; }
.warnings { margin: 1rem 0; padding: .7rem 1rem; border: 2px solid var(--bad); border-left-width: 8px;
  background: #fef3f2; border-radius: 4px; }
.warnings h2 { margin: 0 0 .3rem; border: 0; padding: 0; font-size: 12pt; color: var(--bad); }
.warnings ul { margin: 0; padding-left: 1.2rem; }
.warnings li { margin: .15rem 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: .5rem; margin: .6rem 0; }
.figure { margin: 0; padding: .5rem .7rem; border: 1px solid var(--line); border-top: 4px solid var(--line); border-radius: 4px; }
.figure dt { color: var(--muted); font-size: 8.5pt; }
.figure dd { margin: 0; }
.figure .value { font-size: 15pt; font-weight: 700; }
.figure .note { color: var(--muted); font-size: 8pt; }
.figure.good { border-top-color: var(--good); } .figure.good .value { color: var(--good); }
.figure.warning { border-top-color: var(--warning); } .figure.warning .value { color: var(--warning); }
.figure.bad { border-top-color: var(--bad); } .figure.bad .value { color: var(--bad); }
table { width: 100%; border-collapse: collapse; margin: .6rem 0 .2rem; font-size: 9pt; }
table.wide { font-size: 7.5pt; }
.landscape { page: landscape; }
table.very-wide { font-size: 6.5pt; table-layout: fixed; }
table.very-wide td, table.very-wide th { overflow-wrap: anywhere; padding: .15rem .2rem; }
caption { text-align: left; font-weight: 700; padding: .2rem 0; caption-side: top; }
th, td { padding: .22rem .4rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
td.break { overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
th { background: var(--soft); border-bottom: 2px solid var(--ink); font-weight: 700; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: var(--muted); font-style: italic; text-align: left; }
.note { color: var(--muted); font-size: 8.5pt; }
figure.chart-block { margin: .8rem 0; }
svg.chart { display: block; width: 100%; height: auto; max-height: 19rem; font-family: inherit; }
.chart-grid { stroke: #e6e9ee; stroke-width: 1; }
.chart-axis { stroke: var(--ink); stroke-width: 1; }
.chart-frame { fill: none; stroke: var(--line); }
.chart-tick { fill: var(--muted); font-size: 10px; }
.chart-empty { fill: var(--muted); font-size: 13px; }
.chart-target { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 6 4; }
.chart-target-label { fill: var(--bad); font-size: 10px; font-weight: 700; stroke: #fff; stroke-width: 3px; paint-order: stroke; }
figcaption { font-size: 9pt; }
.chart-title { font-weight: 700; }
.legend { display: flex; flex-wrap: wrap; gap: .2rem 1rem; margin: .2rem 0 0; padding: 0; list-style: none; color: var(--muted); }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -.1rem; border-radius: 2px; }
.swatch.target { height: 0; border-top: 2px dashed var(--bad); vertical-align: .2rem; border-radius: 0; }
.doc-footer { margin-top: 2rem; color: var(--muted); font-size: 8pt; border-top: 1px solid var(--line); padding-top: .4rem; }
@page { size: A4; margin: 18mm 12mm 16mm 12mm; }
@page landscape { size: A4 landscape; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr, .figure, figure.chart-block, .warnings li { break-inside: avoid; }
  h2, caption { break-after: avoid; }
  .figures { grid-template-columns: repeat(4, 1fr); }
}
`
  .trim()
  .replace(/\n\s*/g, '\n');

function scopeText(scope: ReportInputs['scope']): string {
  const parts = [
    scope.team === undefined ? undefined : `team ${scope.team}`,
    scope.environment === undefined ? undefined : `environment ${scope.environment}`,
    scope.assetGroup === undefined ? undefined : `asset group ${scope.assetGroup}`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? 'all assets' : parts.join(', ');
}

function inputsHtml(document: ReportDocument): string {
  const { inputs } = document;
  const rows: [string, string][] = [];
  if (inputs.period !== null) rows.push(['Period', `${inputs.period.from} to ${inputs.period.to}`]);
  if (inputs.change !== undefined) rows.push(['Change', inputs.change.number]);
  rows.push(['Scope', scopeText(inputs.scope)]);
  rows.push(['Policy', inputs.policy.name]);
  rows.push(['Data as of', inputs.dataAsOf]);
  rows.push(['Generated', document.generatedAt]);
  return `<dl class="inputs">${rows
    .map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('')}</dl>`;
}

function textHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function figureHtml(figure: ReportFigure): string {
  const status = figure.status === undefined ? '' : ` ${figure.status}`;
  const note = figure.note === undefined ? '' : `<dd class="note">${escapeHtml(figure.note)}</dd>`;
  return `<div class="figure${status}" data-figure="${escapeHtml(figure.name)}"><dt>${escapeHtml(
    figure.label,
  )}</dt><dd class="value">${escapeHtml(formatValue(figure.value, figure.unit))}</dd>${note}</div>`;
}

/** A column is right-aligned when it says so, or when every value in it is a number. */
function alignsRight(
  column: TableColumn,
  rows: readonly Readonly<Record<string, Cell>>[],
): boolean {
  if (column.align !== undefined) return column.align === 'right';
  const values = rows.map((row) => row[column.key] ?? null).filter((v) => v !== null);
  return values.length > 0 && values.every((v) => typeof v === 'number');
}

/**
 * A cell. Words are not broken (a column is as wide as its longest word), except in a cell
 * holding a token longer than 24 characters (a hash, a UUID, a URL), which may break anywhere
 * rather than push the table off the page; a short token (a date, `web-1`, `CVE-2026-1234`) is
 * not broken at its hyphens either, unless the table is too wide for that (`fixed`).
 */
function cellHtml(text: string, right: boolean, fixed: boolean): string {
  const classes = [
    right ? 'num' : '',
    /\S{25,}/.test(text) ? 'break' : '',
    // A short token (a date, a host, an advisory id) stays on one line.
    !fixed && /^\S{1,16}$/.test(text) ? 'nowrap' : '',
  ].filter((c) => c !== '');
  const cls = classes.length === 0 ? '' : ` class="${classes.join(' ')}"`;
  return `<td${cls}>${escapeHtml(text)}</td>`;
}

function tableHtml(block: Extract<ReportBlock, { kind: 'table' }>): string {
  // More than 8 columns do not fit a portrait A4 page without breaking words: smaller type, and
  // in print a landscape page of their own (a CSS named page). More than 16 (the POA&M's
  // template) would still run off the page: equal columns that break anywhere, every cell
  // shown (the CSV form is the one to work with).
  const wide = block.columns.length > 8;
  const veryWide = block.columns.length > 16;
  const right = block.columns.map((c) => alignsRight(c, block.rows));
  const cls = (i: number) => (right[i] === true ? ' class="num"' : '');
  const caption = block.title === undefined ? '' : `<caption>${escapeHtml(block.title)}</caption>`;
  const head = `<thead><tr>${block.columns
    .map((c, i) => `<th scope="col"${cls(i)}>${escapeHtml(c.label)}</th>`)
    .join('')}</tr></thead>`;
  const body =
    block.rows.length === 0
      ? `<tr><td class="empty" colspan="${block.columns.length}">${escapeHtml(
          block.empty ?? 'No rows.',
        )}</td></tr>`
      : block.rows
          .map(
            (row) =>
              `<tr>${block.columns
                .map((c, i) =>
                  cellHtml(formatCell(row[c.key] ?? null), right[i] === true, veryWide),
                )
                .join('')}</tr>`,
          )
          .join('\n');
  const note = block.note === undefined ? '' : `<p class="note">${escapeHtml(block.note)}</p>`;
  const table = `<table${veryWide ? ' class="wide very-wide"' : wide ? ' class="wide"' : ''} data-table="${escapeHtml(block.name)}">${caption}${head}<tbody>\n${body}\n</tbody></table>${note}`;
  return wide ? `<div class="landscape">${table}</div>` : table;
}

function chartHtml(chart: ChartBlock, id: string): string {
  const legend = chart.series
    .map(
      (series, i) =>
        `<li><span class="swatch" style="background:${seriesColor(i)}"></span>${escapeHtml(series.name)}</li>`,
    )
    .concat(
      chart.target === undefined
        ? []
        : [
            `<li><span class="swatch target"></span>target ${escapeHtml(formatValue(chart.target, chart.unit))}</li>`,
          ],
    )
    .join('');
  const categories = chartCategories(chart);
  const range =
    categories.length === 0
      ? ''
      : ` <span class="note">(${escapeHtml(categories[0] ?? '')}${
          categories.length > 1 ? ` to ${escapeHtml(categories.at(-1) ?? '')}` : ''
        })</span>`;
  return `<figure class="chart-block" data-chart="${chart.chart}">${renderChartSvg(chart, id)}<figcaption><span class="chart-title">${escapeHtml(
    chart.title,
  )}</span>${range}<ul class="legend">${legend}</ul></figcaption></figure>`;
}

function blockHtml(block: ReportBlock, id: string): string {
  switch (block.kind) {
    case 'text':
      return textHtml(block.text);
    case 'figures':
      return `<dl class="figures">${block.figures.map(figureHtml).join('')}</dl>`;
    case 'table':
      return tableHtml(block);
    case 'chart':
      return chartHtml(block, id);
  }
}

function warningsHtml(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  const heading = warnings.length === 1 ? 'Warning' : `Warnings (${warnings.length})`;
  return `<section class="warnings" role="alert" aria-labelledby="warnings-heading"><h2 id="warnings-heading">${heading}</h2><ul>${warnings
    .map((w) => `<li>${escapeHtml(w)}</li>`)
    .join('')}</ul></section>`;
}

/** The whole document as one HTML page, warnings first, then its sections in order. */
export function renderDocumentHtml(document: ReportDocument): string {
  const sections = document.sections
    .map((section, s) => {
      const blocks = section.blocks.map((block, b) => blockHtml(block, `chart-${s}-${b}`));
      return `<section><h2>${escapeHtml(section.title)}</h2>\n${blocks.join('\n')}\n</section>`;
    })
    .join('\n');
  const subtitle =
    document.subtitle === undefined
      ? ''
      : `<p class="subtitle">${escapeHtml(document.subtitle)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${documentContentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Patchgate">
<title>${escapeHtml(document.title)}</title>
<style>
${css}
</style>
</head>
<body>
<header>
<p class="doc-kind">${escapeHtml(typeLabels[document.type])}</p>
<h1>${escapeHtml(document.title)}</h1>
${subtitle}${inputsHtml(document)}
</header>
${warningsHtml(document.warnings)}
<main>
${sections}
</main>
<footer class="doc-footer">Generated by Patchgate at ${escapeHtml(document.generatedAt)} from data as of ${escapeHtml(
    document.inputs.dataAsOf,
  )}. The JSON form of this report carries every figure under its stable name.</footer>
</body>
</html>
`;
}
