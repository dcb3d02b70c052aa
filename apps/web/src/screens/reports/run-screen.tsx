/**
 * One generated report (/reports/runs/:runId): asked again every second while it is queued or
 * running (its progress: done of total, the step), then its file to download (size, SHA-256),
 * the inputs it recorded, or the error; regenerate makes a new run from the same inputs.
 */
import { Link, useParams } from 'react-router';
import { $api } from '../../api/query.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { QueryState } from '../../ui/states.tsx';
import {
  DownloadLink,
  formatBytes,
  isActive,
  RegenerateButton,
  RunProgress,
} from './run-parts.tsx';

export function RunScreen() {
  const { runId = '' } = useParams();
  const query = $api.useQuery(
    'get',
    '/api/v1/reports/{id}',
    { params: { path: { id: runId } } },
    {
      refetchInterval: (q) => (q.state.data === undefined || isActive(q.state.data) ? 1000 : false),
    },
  );
  return (
    <QueryState query={query} loadingLabel="Loading the report…">
      {(run) => (
        <>
          <PageHeader
            title={run.title}
            description={
              <>
                {run.type} · {run.format.toUpperCase()} · <StatusBadge status={run.status} />
              </>
            }
            actions={
              <>
                <DownloadLink run={run} />
                {!isActive(run) && <RegenerateButton run={run} />}
                <Link className="button button-small" to="/reports/runs">
                  All reports
                </Link>
              </>
            }
          />
          <Section title="Run">
            <RunProgress run={run} />
            {run.status === 'failed' && (
              <div className="state state-error" role="alert">
                <p className="state-title">The report could not be generated</p>
                <p>{run.error ?? 'No reason was recorded.'}</p>
              </div>
            )}
            <Facts
              items={[
                ['Requested by', run.requestedBy],
                ['Requested', formatDateTime(run.createdAt)],
                ['Finished', formatDateTime(run.finishedAt)],
                ['File', run.filename ?? '—'],
                ['Size', formatBytes(run.sizeBytes)],
                [
                  'SHA-256',
                  run.sha256 === null ? '—' : <code className="reports-hash">{run.sha256}</code>,
                ],
              ]}
            />
          </Section>
          <Section title="Recorded inputs">
            <p className="muted small">
              What the report was made from: regenerating uses exactly these, so the figures are the
              same.
            </p>
            <pre aria-label="Recorded inputs">{JSON.stringify(run.inputs ?? {}, null, 2)}</pre>
          </Section>
        </>
      )}
    </QueryState>
  );
}
