/**
 * The dashboard's charts, drawn with visx as SVG: every bar, segment and point is a real link
 * (`<a href>` through react-router's Link) with an accessible name saying what it counts, so a
 * keyboard or a screen reader reaches the same filtered lists a click does. Each chart also has a
 * visually hidden table with its numbers. Colours come from the theme's CSS variables (both themes).
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear, scalePoint } from '@visx/scale';
import { AreaClosed, Bar, Line, LinePath } from '@visx/shape';
import { Link } from 'react-router';
import { ChartDataTable } from '../../ui/chart-data-table.tsx';
import { formatDate, formatNumber, formatPercent } from '../../ui/format.ts';

/** One coloured part of a stacked bar. */
export interface Segment {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly to: string;
}

export interface StackedRow {
  readonly label: string;
  /** Where the row's label leads (the whole row's list). */
  readonly to: string;
  readonly segments: readonly Segment[];
}

export interface SeriesStyle {
  readonly key: string;
  readonly label: string;
  /** A CSS colour (a theme variable). */
  readonly color: string;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatNumber(n)} ${n === 1 ? one : many}`;

/** `P1 overdue: 12 findings`: what a mark's link says. */
export const markLabel = (row: string, part: string, count: number) =>
  `${row} ${part}: ${plural(count, 'finding')}`;

export function Legend({ series }: { readonly series: readonly SeriesStyle[] }) {
  return (
    <ul className="legend" aria-label="Legend">
      {series.map((s) => (
        <li key={s.key}>
          <span className="legend-swatch" style={{ background: s.color }} aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

/** Horizontal stacked bars: one row per label, one segment per series (zero parts left out). */
export function StackedBars({
  title,
  rows,
  series,
  width = 560,
}: {
  readonly title: string;
  readonly rows: readonly StackedRow[];
  readonly series: readonly SeriesStyle[];
  readonly width?: number;
}) {
  const rowHeight = 34;
  const margin = { top: 4, right: 44, bottom: 26, left: 44 };
  const height = margin.top + margin.bottom + rows.length * rowHeight;
  const totals = rows.map((r) => r.segments.reduce((sum, s) => sum + s.count, 0));
  const max = Math.max(1, ...totals);
  const x = scaleLinear<number>({
    domain: [0, max],
    range: [0, width - margin.left - margin.right],
    nice: true,
  });
  const y = scaleBand<string>({
    domain: rows.map((r) => r.label),
    range: [0, rows.length * rowHeight],
    padding: 0.25,
  });
  const colorOf = new Map(series.map((s) => [s.key, s.color]));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="group" aria-label={title}>
        <Group left={margin.left} top={margin.top}>
          {rows.map((row, i) => {
            const top = y(row.label) ?? 0;
            let offset = 0;
            return (
              <g key={row.label}>
                <Link to={row.to} aria-label={`${row.label}: ${plural(totals[i] ?? 0, 'finding')}`}>
                  <text
                    x={-8}
                    y={top + y.bandwidth() / 2}
                    textAnchor="end"
                    dominantBaseline="middle"
                    className="chart-row-label"
                  >
                    {row.label}
                  </text>
                </Link>
                {row.segments.map((segment) => {
                  if (segment.count === 0) return null;
                  const left = offset;
                  const barWidth = Math.max(2, x(segment.count));
                  offset += x(segment.count);
                  const label = markLabel(row.label, segment.label, segment.count);
                  return (
                    <Link
                      key={segment.key}
                      to={segment.to}
                      aria-label={label}
                      className="chart-mark"
                    >
                      <Bar
                        x={left}
                        y={top}
                        width={barWidth}
                        height={y.bandwidth()}
                        fill={colorOf.get(segment.key) ?? 'currentColor'}
                      >
                        <title>{label}</title>
                      </Bar>
                    </Link>
                  );
                })}
                <text
                  x={offset + 6}
                  y={top + y.bandwidth() / 2}
                  dominantBaseline="middle"
                  className="chart-value"
                >
                  {formatNumber(totals[i] ?? 0)}
                </text>
              </g>
            );
          })}
          <AxisBottom
            top={rows.length * rowHeight}
            scale={x}
            numTicks={5}
            tickFormat={(v) => formatNumber(Number(v))}
            stroke="var(--border)"
            tickStroke="var(--border)"
            tickLabelProps={{ className: 'chart-tick', textAnchor: 'middle' }}
          />
        </Group>
      </svg>
      <Legend series={series} />
      <ChartDataTable
        title={title}
        columns={['Row', ...series.map((s) => s.label), 'Total']}
        rows={rows.map((row, i) => ({
          key: row.label,
          label: row.label,
          cells: [
            ...series.map((s) =>
              formatNumber(row.segments.find((seg) => seg.key === s.key)?.count ?? 0),
            ),
            formatNumber(totals[i] ?? 0),
          ],
        }))}
      />
    </figure>
  );
}

export interface SimpleBar {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly to: string;
  /** The link's accessible name. */
  readonly ariaLabel: string;
}

/** Horizontal bars, one per item, each a link. */
export function Bars({
  title,
  bars,
  color,
  width = 460,
  labelWidth = 120,
}: {
  readonly title: string;
  readonly bars: readonly SimpleBar[];
  readonly color: string;
  readonly width?: number;
  readonly labelWidth?: number;
}) {
  const rowHeight = 30;
  const margin = { top: 4, right: 44, bottom: 4, left: labelWidth };
  const height = margin.top + margin.bottom + bars.length * rowHeight;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const x = scaleLinear<number>({
    domain: [0, max],
    range: [0, width - margin.left - margin.right],
  });
  const y = scaleBand<string>({
    domain: bars.map((b) => b.key),
    range: [0, bars.length * rowHeight],
    padding: 0.25,
  });
  const shorten = (text: string) =>
    text.length * 7 > labelWidth - 10
      ? `${text.slice(0, Math.floor((labelWidth - 10) / 7) - 1)}…`
      : text;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="group" aria-label={title}>
        <Group left={margin.left} top={margin.top}>
          {bars.map((bar) => {
            const top = y(bar.key) ?? 0;
            return (
              <g key={bar.key}>
                <text
                  x={-8}
                  y={top + y.bandwidth() / 2}
                  textAnchor="end"
                  dominantBaseline="middle"
                  className="chart-row-label"
                  aria-hidden="true"
                >
                  {shorten(bar.label)}
                </text>
                <Link to={bar.to} aria-label={bar.ariaLabel} className="chart-mark">
                  <Bar
                    x={0}
                    y={top}
                    width={Math.max(2, x(bar.count))}
                    height={y.bandwidth()}
                    fill={color}
                  >
                    <title>{bar.ariaLabel}</title>
                  </Bar>
                </Link>
                <text
                  x={Math.max(2, x(bar.count)) + 6}
                  y={top + y.bandwidth() / 2}
                  dominantBaseline="middle"
                  className="chart-value"
                  aria-hidden="true"
                >
                  {formatNumber(bar.count)}
                </text>
              </g>
            );
          })}
        </Group>
      </svg>
      <ChartDataTable
        title={title}
        columns={['Name', 'Count']}
        rows={bars.map((bar) => ({
          key: bar.key,
          label: bar.label,
          cells: [formatNumber(bar.count)],
        }))}
      />
    </figure>
  );
}

export interface SlaPoint {
  readonly weekStart: string;
  readonly counted: number;
  readonly met: number;
  readonly compliance: number | null;
  readonly to: string;
}

export const slaPointLabel = (p: SlaPoint) =>
  p.compliance === null
    ? `Week of ${formatDate(p.weekStart)}: no findings fell due or were fixed`
    : `Week of ${formatDate(p.weekStart)}: ${formatPercent(p.compliance)} on time (${formatNumber(p.met)} of ${plural(p.counted, 'finding')})`;

/** SLA compliance per week: an area under the line, a dashed target line, each week a link. */
export function SlaChart({
  title,
  points,
  target,
  width = 560,
  height = 220,
}: {
  readonly title: string;
  readonly points: readonly SlaPoint[];
  readonly target: number;
  readonly width?: number;
  readonly height?: number;
}) {
  const margin = { top: 12, right: 16, bottom: 28, left: 44 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const x = scalePoint<string>({
    domain: points.map((p) => p.weekStart),
    range: [0, innerWidth],
    padding: 0.3,
  });
  const y = scaleLinear<number>({ domain: [0, 1], range: [innerHeight, 0] });
  const defined = points.filter((p) => p.compliance !== null);
  const px = (p: SlaPoint) => x(p.weekStart) ?? 0;
  const py = (p: SlaPoint) => y(p.compliance ?? 0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="group" aria-label={title}>
        <Group left={margin.left} top={margin.top}>
          <AreaClosed<SlaPoint>
            data={defined}
            x={px}
            y={py}
            yScale={y}
            fill="var(--chart-4)"
            fillOpacity={0.15}
          />
          <LinePath<SlaPoint>
            data={defined}
            x={px}
            y={py}
            stroke="var(--chart-4)"
            strokeWidth={2}
          />
          <Line
            from={{ x: 0, y: y(target) }}
            to={{ x: innerWidth, y: y(target) }}
            stroke="var(--chart-ok)"
            strokeWidth={2}
            strokeDasharray="6 4"
          />
          <text x={innerWidth} y={y(target) - 6} textAnchor="end" className="chart-target">
            target {formatPercent(target)}
          </text>
          {points.map((p) =>
            p.compliance === null ? null : (
              <Link
                key={p.weekStart}
                to={p.to}
                aria-label={slaPointLabel(p)}
                className="chart-mark"
              >
                <circle
                  cx={px(p)}
                  cy={py(p)}
                  r={6}
                  fill="var(--surface)"
                  stroke="var(--chart-4)"
                  strokeWidth={2}
                >
                  <title>{slaPointLabel(p)}</title>
                </circle>
              </Link>
            ),
          )}
          <AxisLeft
            scale={y}
            numTicks={5}
            tickFormat={(v) => formatPercent(Number(v))}
            stroke="var(--border)"
            tickStroke="var(--border)"
            tickLabelProps={{ className: 'chart-tick', textAnchor: 'end', dx: -4, dy: 3 }}
          />
          <AxisBottom
            top={innerHeight}
            scale={x}
            tickValues={points
              .filter((_, i) => i % 2 === points.length % 2)
              .map((p) => p.weekStart)}
            tickFormat={(v) => formatDate(String(v)).slice(0, 6)}
            stroke="var(--border)"
            tickStroke="var(--border)"
            tickLabelProps={{ className: 'chart-tick', textAnchor: 'middle' }}
          />
        </Group>
      </svg>
      <ChartDataTable
        title={title}
        columns={['Week of', 'Counted', 'Fixed on time', 'Compliance']}
        rows={points.map((p) => ({
          key: p.weekStart,
          label: formatDate(p.weekStart),
          cells: [
            formatNumber(p.counted),
            formatNumber(p.met),
            p.compliance === null ? '—' : formatPercent(p.compliance),
          ],
        }))}
      />
    </figure>
  );
}
