/**
 * A report's charts as inline SVG (bar, line, stacked bar, each with an optional horizontal
 * target line): drawn here from the numbers, with no script and no external resource, so the
 * HTML stays self-contained and chromium prints them as vectors. Deterministic: the same chart
 * gives the same markup (coordinates rounded to a tenth of a unit).
 */
import { formatTick, formatValue } from './format.ts';
import type { ReportBlock } from './model.ts';
import { escapeHtml } from './escape.ts';

export type ChartBlock = Extract<ReportBlock, { kind: 'chart' }>;

/** Okabe–Ito: told apart with the common colour-vision deficiencies, and in greyscale print. */
export const chartColors = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#d55e00',
  '#cc79a7',
  '#56b4e9',
  '#f0e442',
  '#000000',
] as const;

export function seriesColor(index: number): string {
  return chartColors[index % chartColors.length] ?? '#000000';
}

const width = 640;
const height = 260;
const plot = { left: 60, right: width - 16, top: 14, bottom: height - 40 } as const;

const r = (n: number): string => String(Math.round(n * 10) / 10);

/** The x categories: every series' x values, in the order they first appear. */
export function chartCategories(chart: ChartBlock): string[] {
  const seen = new Set<string>();
  for (const series of chart.series) for (const point of series.points) seen.add(point.x);
  return [...seen];
}

/** 1, 2, 2.5, 5 × 10^k: a step people read, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice =
    fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** The y axis: from 0 (or the lowest value, when negative) to a nice maximum, 4–6 ticks. */
export function chartScale(
  chart: ChartBlock,
  categories: readonly string[],
): { min: number; max: number; ticks: number[] } {
  const values: number[] = [];
  if (chart.chart === 'stacked-bar') {
    for (const x of categories) {
      let positive = 0;
      let negative = 0;
      for (const series of chart.series)
        for (const point of series.points)
          if (point.x === x && point.y !== null)
            if (point.y >= 0) positive += point.y;
            else negative += point.y;
      values.push(positive, negative);
    }
  } else {
    for (const series of chart.series)
      for (const point of series.points) if (point.y !== null) values.push(point.y);
  }
  if (chart.target !== undefined) values.push(chart.target);
  const low = Math.min(0, ...values);
  let high = Math.max(0, ...values);
  if (high === low) high = low + 1;
  const step = niceStep((high - low) / 5);
  const min = Math.floor(low / step) * step;
  const max = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let tick = min; tick <= max + step / 1000; tick += step)
    ticks.push(Number(tick.toFixed(10)));
  return { min, max, ticks };
}

function hasData(chart: ChartBlock): boolean {
  return chart.series.some((s) => s.points.some((p) => p.y !== null));
}

/** The chart as an `<svg>` element (width 100 %, scaled by its viewBox). */
export function renderChartSvg(chart: ChartBlock, id: string): string {
  const categories = chartCategories(chart);
  const parts: string[] = [];
  const titleId = `${id}-title`;
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${titleId}">`,
    `<title id="${titleId}">${escapeHtml(chart.title)}</title>`,
  );
  if (!hasData(chart) || categories.length === 0) {
    parts.push(
      `<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" class="chart-frame"/>`,
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="chart-empty">No data for this chart</text>`,
      '</svg>',
    );
    return parts.join('');
  }
  const { min, max, ticks } = chartScale(chart, categories);
  const y = (value: number) =>
    plot.bottom - ((value - min) / (max - min)) * (plot.bottom - plot.top);
  const band = (plot.right - plot.left) / categories.length;
  const bandStart = (i: number) => plot.left + i * band;

  // Grid and y axis labels.
  for (const tick of ticks) {
    parts.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${r(y(tick))}" y2="${r(y(tick))}" class="${tick === 0 ? 'chart-axis' : 'chart-grid'}"/>`,
      `<text x="${plot.left - 6}" y="${r(y(tick) + 3.5)}" text-anchor="end" class="chart-tick">${escapeHtml(formatTick(tick, chart.unit))}</text>`,
    );
  }

  // X labels: as many as fit (about 6.2 units per character), evenly thinned, the last kept.
  const longest = Math.max(...categories.map((c) => c.length));
  const fit = Math.max(1, Math.floor((plot.right - plot.left) / (longest * 6.2 + 10)));
  const every = Math.ceil(categories.length / fit);
  // Where each chosen label would sit; a label that would touch the one before it is dropped
  // (the last category wins over its neighbour: the period's end is always named).
  const placed: { category: string; x: number; anchor: string; left: number; right: number }[] = [];
  categories.forEach((category, i) => {
    const isLast = i === categories.length - 1;
    if (i % every !== 0 && !isLast) return;
    // A label wider than the room beside it is kept inside the picture, flush with its edge.
    const centre = bandStart(i) + band / 2;
    const widthOf = category.length * 6.2;
    const [x, anchor, left] =
      centre + widthOf / 2 > width - 2
        ? [width - 2, 'end', width - 2 - widthOf]
        : centre - widthOf / 2 < 2
          ? [2, 'start', 2]
          : [centre, 'middle', centre - widthOf / 2];
    const label = { category, x, anchor, left, right: left + widthOf };
    const before = placed.at(-1);
    if (before !== undefined && label.left < before.right + 6) {
      if (!isLast) return;
      placed.pop();
    }
    placed.push(label);
  });
  for (const { category, x, anchor } of placed)
    parts.push(
      `<text x="${r(x)}" y="${plot.bottom + 16}" text-anchor="${anchor}" class="chart-tick">${escapeHtml(category)}</text>`,
    );

  const valueAt = (seriesIndex: number, x: string): number | null =>
    chart.series[seriesIndex]?.points.find((p) => p.x === x)?.y ?? null;
  const label = (seriesIndex: number, x: string, value: number) =>
    `<title>${escapeHtml(`${chart.series[seriesIndex]?.name ?? ''} ${x}: ${formatValue(value, chart.unit)}`)}</title>`;

  if (chart.chart === 'bar') {
    const inner = band * 0.8;
    const barWidth = inner / Math.max(1, chart.series.length);
    categories.forEach((x, i) => {
      chart.series.forEach((_, s) => {
        const value = valueAt(s, x);
        if (value === null) return;
        const top = Math.min(y(value), y(0));
        const bar = Math.abs(y(value) - y(0));
        parts.push(
          `<rect x="${r(bandStart(i) + band * 0.1 + s * barWidth)}" y="${r(top)}" width="${r(Math.max(0.5, barWidth - 1))}" height="${r(bar)}" fill="${seriesColor(s)}" data-series="${s}">${label(s, x, value)}</rect>`,
        );
      });
    });
  } else if (chart.chart === 'stacked-bar') {
    const barWidth = band * 0.6;
    categories.forEach((x, i) => {
      let positive = 0;
      let negative = 0;
      chart.series.forEach((_, s) => {
        const value = valueAt(s, x);
        if (value === null || value === 0) return;
        const from = value >= 0 ? positive : negative;
        const to = from + value;
        if (value >= 0) positive = to;
        else negative = to;
        parts.push(
          `<rect x="${r(bandStart(i) + band * 0.2)}" y="${r(Math.min(y(from), y(to)))}" width="${r(Math.max(0.5, barWidth))}" height="${r(Math.abs(y(to) - y(from)))}" fill="${seriesColor(s)}" data-series="${s}">${label(s, x, value)}</rect>`,
        );
      });
    });
  } else {
    const dots = categories.length <= 60;
    chart.series.forEach((_, s) => {
      // A null breaks the line: no value is not zero, and no line is drawn across it.
      const segments: string[][] = [[]];
      categories.forEach((x, i) => {
        const value = valueAt(s, x);
        if (value === null) {
          if ((segments.at(-1) ?? []).length > 0) segments.push([]);
          return;
        }
        segments.at(-1)?.push(`${r(bandStart(i) + band / 2)},${r(y(value))}`);
      });
      const d = segments
        .filter((points) => points.length > 0)
        .map((points) => `M${points.join('L')}`)
        .join('');
      parts.push(
        `<path d="${d}" fill="none" stroke="${seriesColor(s)}" stroke-width="2" data-series="${s}"/>`,
      );
      if (dots)
        categories.forEach((x, i) => {
          const value = valueAt(s, x);
          if (value === null) return;
          parts.push(
            `<circle cx="${r(bandStart(i) + band / 2)}" cy="${r(y(value))}" r="2.5" fill="${seriesColor(s)}">${label(s, x, value)}</circle>`,
          );
        });
    });
  }

  if (chart.target !== undefined) {
    const at = r(y(chart.target));
    parts.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${at}" y2="${at}" class="chart-target"/>`,
      `<text x="${plot.right - 2}" y="${r(y(chart.target) - 4)}" text-anchor="end" class="chart-target-label">target ${escapeHtml(formatValue(chart.target, chart.unit))}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
