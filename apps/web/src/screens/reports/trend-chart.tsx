/**
 * A metric's trend from the daily snapshots, drawn with visx like the dashboard's charts: a line
 * (broken where a day has no snapshot), a dashed target when there is one, and a visually hidden
 * table of the numbers for screen readers.
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleLinear, scalePoint } from '@visx/scale';
import { Line, LinePath } from '@visx/shape';
import { ChartDataTable } from '../../ui/chart-data-table.tsx';
import { formatDate, formatNumber, formatPercent } from '../../ui/format.ts';

export type TrendUnit = 'ratio' | 'count' | 'days';

export const formatValue = (value: number | null | undefined, unit: TrendUnit): string =>
  value === null || value === undefined
    ? '—'
    : unit === 'ratio'
      ? formatPercent(value)
      : unit === 'days'
        ? `${value.toFixed(1)} days`
        : formatNumber(value);

interface Point {
  readonly day: string;
  readonly value: number | null;
}

export function TrendChart({
  title,
  points,
  unit,
  target,
  width = 520,
  height = 200,
}: {
  readonly title: string;
  readonly points: readonly Point[];
  readonly unit: TrendUnit;
  readonly target?: number;
  readonly width?: number;
  readonly height?: number;
}) {
  const margin = { top: 12, right: 16, bottom: 28, left: 52 };
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const max = unit === 'ratio' ? 1 : Math.max(1, ...values);
  const x = scalePoint<string>({
    domain: points.map((p) => p.day),
    range: [0, innerWidth],
    padding: 0.2,
  });
  const y = scaleLinear<number>({ domain: [0, max], range: [innerHeight, 0], nice: true });
  const step = Math.max(1, Math.ceil(points.length / 6));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <Group left={margin.left} top={margin.top}>
          {target !== undefined && (
            <Line
              from={{ x: 0, y: y(target) }}
              to={{ x: innerWidth, y: y(target) }}
              stroke="var(--chart-ok)"
              strokeWidth={2}
              strokeDasharray="6 4"
            />
          )}
          <LinePath<Point>
            data={[...points]}
            x={(p) => x(p.day) ?? 0}
            y={(p) => y(p.value ?? 0)}
            defined={(p) => p.value !== null}
            stroke="var(--chart-4)"
            strokeWidth={2}
          />
          {/* A dot per day with a snapshot: a single day (or one between gaps) shows too. */}
          {points.map((p) =>
            p.value === null ? null : (
              <circle
                key={p.day}
                cx={x(p.day) ?? 0}
                cy={y(p.value)}
                r={points.length > 60 ? 1.5 : 3}
                fill="var(--chart-4)"
              />
            ),
          )}
          <AxisLeft
            scale={y}
            numTicks={4}
            tickFormat={(v) => formatValue(Number(v), unit === 'days' ? 'count' : unit)}
            stroke="var(--border)"
            tickStroke="var(--border)"
            tickLabelProps={{ className: 'chart-tick', textAnchor: 'end', dx: -4, dy: 3 }}
          />
          <AxisBottom
            top={innerHeight}
            scale={x}
            tickValues={points.filter((_, i) => i % step === 0).map((p) => p.day)}
            tickFormat={(v) => formatDate(String(v)).slice(0, 6)}
            stroke="var(--border)"
            tickStroke="var(--border)"
            tickLabelProps={{ className: 'chart-tick', textAnchor: 'middle' }}
          />
        </Group>
      </svg>
      <ChartDataTable
        title={title}
        columns={['Day', 'Value']}
        rows={points.map((p) => ({
          key: p.day,
          label: formatDate(p.day),
          cells: [formatValue(p.value, unit)],
        }))}
      />
    </figure>
  );
}
