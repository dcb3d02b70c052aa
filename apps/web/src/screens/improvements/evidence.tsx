/**
 * A recommendation's evidence, whatever its rule recorded: a list of strings, a list of records
 * (a table: changes, windows, waves… with a link where a row names a change or finding), or a
 * record of facts. Nothing is hidden: every field the server sent is shown.
 */
import { Link } from 'react-router';
import { columnLabel, formatCell } from '../reports/format-cell.ts';

type Row = Readonly<Record<string, unknown>>;
const isRecord = (value: unknown): value is Row =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const heading = columnLabel;

function CellValue({ name, value, row }: { name: string; value: unknown; row: Row }) {
  const text = formatCell(value);
  if (typeof value === 'string') {
    if ((name === 'changeNumber' || name === 'number') && typeof row['changeId'] === 'string')
      return <Link to={`/changes/${row['changeId']}`}>{text}</Link>;
    if (name === 'changeId') return <Link to={`/changes/${value}`}>{text}</Link>;
    if (name === 'findingId') return <Link to={`/findings/${value}`}>{text}</Link>;
    if (name === 'rolloutId') return <Link to={`/rollouts/${value}`}>{text}</Link>;
  }
  return <>{text}</>;
}

export function Evidence({
  evidence,
  label,
}: {
  readonly evidence: unknown;
  readonly label: string;
}) {
  if (evidence === null || evidence === undefined)
    return <p className="muted">No evidence recorded.</p>;
  if (Array.isArray(evidence)) {
    if (evidence.length === 0) return <p className="muted">No evidence recorded.</p>;
    if (evidence.every((item) => !isRecord(item)))
      return (
        <ul aria-label={label}>
          {evidence.map((item, i) => (
            <li key={i}>{formatCell(item)}</li>
          ))}
        </ul>
      );
    const rows = evidence.filter(isRecord);
    const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter(
      (key) => key !== 'changeId' || !rows.some((row) => 'changeNumber' in row),
    );
    return (
      <table className="simple-table" aria-label={label}>
        <thead>
          <tr>
            {keys.map((key) => (
              <th key={key} scope="col">
                {heading(key)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {keys.map((key) => (
                <td key={key}>
                  <CellValue name={key} value={row[key]} row={row} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (isRecord(evidence))
    return (
      <dl className="facts" aria-label={label}>
        {Object.entries(evidence).map(([key, value]) => (
          <div key={key} className="fact">
            <dt>{heading(key)}</dt>
            <dd>
              {Array.isArray(value) || isRecord(value) ? (
                <Evidence evidence={value} label={`${label}: ${heading(key)}`} />
              ) : (
                <CellValue name={key} value={value} row={evidence} />
              )}
            </dd>
          </div>
        ))}
      </dl>
    );
  return <p>{formatCell(evidence)}</p>;
}

/** `lengthen window: window db-weekly, minutes 30`: what accepting does, from `action`. */
export function describeAction(action: {
  readonly kind: string;
  readonly [key: string]: unknown;
}): string {
  const details = Object.entries(action)
    .filter(([key, value]) => key !== 'kind' && value !== null && value !== undefined)
    .map(([key, value]) => `${heading(key).toLowerCase()} ${formatCell(value)}`);
  const kind = action.kind.replace(/[-_]/g, ' ');
  return details.length === 0 ? kind : `${kind}: ${details.join(', ')}`;
}
