/**
 * A recommendation's evidence as the rule recorded it: the period it looked at, the figures it
 * compared, every change it counted (each a link, with what about it counts) and other facts;
 * and what accepting it does, in words.
 */
import { Link } from 'react-router';
import { formatDate } from '../../ui/format.ts';
import { columnLabel, formatCell } from '../reports/format-cell.ts';
import type { Recommendation, RecommendationAction } from './types.ts';

export function Evidence({ recommendation }: { readonly recommendation: Recommendation }) {
  const { period, counts, changes, facts } = recommendation.evidence;
  const figures = [...Object.entries(counts), ...Object.entries(facts)];
  return (
    <div className="improvements-evidence-body">
      <p className="small muted">
        Reviews from {formatDate(period.from)} to {formatDate(period.to)}.
      </p>
      {figures.length > 0 && (
        <dl className="facts" aria-label={`Figures behind: ${recommendation.title}`}>
          {figures.map(([key, value]) => (
            <div key={key} className="fact">
              <dt>{columnLabel(key)}</dt>
              <dd>{formatCell(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {changes.length > 0 && (
        <table className="simple-table" aria-label={`Changes behind: ${recommendation.title}`}>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">What counts</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => (
              <tr key={change.id}>
                <th scope="row">
                  <Link to={`/changes/${change.id}`}>{change.number}</Link>{' '}
                  <span className="muted small">{change.title}</span>
                </th>
                <td>{change.note}</td>
                <td>{formatCell(change.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** What accepting does, as a sentence fragment ("lengthen the window db-weekly by 30 minutes"). */
export function describeAction(action: RecommendationAction): string {
  switch (action.kind) {
    case 'lengthen-window':
      return `lengthen the window ${action.windowName} by ${action.byMinutes} minutes`;
    case 'add-test-wave':
      return `add a test wave "${action.wave.name}" (${action.wave.environments.join(', ') || 'no environment'}, bake ${action.wave.bakeMinutes} minutes) to the template ${action.template}`;
    case 'follow-up':
      return `create the follow-up action "${action.title}"${action.owner === null ? '' : ` for ${action.owner}`}, due in ${action.dueInDays} days`;
  }
}
