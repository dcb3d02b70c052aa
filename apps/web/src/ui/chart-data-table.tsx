/**
 * A chart's numbers as a table that only assistive technology reads: the figure's marks are
 * links with names, and this gives the whole series in one place, row by row.
 */
import type { ReactNode } from 'react';

export interface ChartDataRow {
  readonly key: string;
  /** The row's header (a day, a team, a priority). */
  readonly label: ReactNode;
  /** One cell per column after the first. */
  readonly cells: readonly ReactNode[];
}

export function ChartDataTable({
  title,
  columns,
  rows,
}: {
  readonly title: ReactNode;
  /** The headers: the rows' header column first, then one per cell. */
  readonly columns: readonly string[];
  readonly rows: readonly ChartDataRow[];
}) {
  return (
    <table className="visually-hidden">
      <caption>{title}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row">{row.label}</th>
            {row.cells.map((cell, i) => (
              <td key={columns[i + 1] ?? i}>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
