/**
 * One sync run (/admin/sources/runs/<id>): state, counts, download, errors, live progress, and
 * its job: cancel or retry it (jobs:manage).
 */
import { Link, useParams } from 'react-router';
import { $api } from '../../api/query.ts';
import { StatusBadge } from '../../ui/badges.tsx';
import { formatDateTime, formatDuration, formatNumber } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { QueryState } from '../../ui/states.tsx';
import { JobControls, SyncProgress } from './sync-progress.tsx';

export function SyncRunScreen() {
  const { runId = '' } = useParams();
  const run = $api.useQuery(
    'get',
    '/api/v1/sync-runs/{id}',
    { params: { path: { id: runId } } },
    { refetchInterval: (q) => (q.state.data?.state === 'running' ? 3000 : false) },
  );
  const sources = $api.useQuery('get', '/api/v1/advisory-sources');
  return (
    <>
      <PageHeader
        title="Sync run"
        description={<Link to="/admin/sources">Back to advisory sources</Link>}
      />
      <QueryState query={run}>
        {(data) => {
          const source = sources.data?.sources.find((s) => s.id === data.sourceId);
          return (
            <>
              <Section title="Run">
                <Facts
                  items={[
                    ['Source', source?.name ?? data.sourceId],
                    ['State', <StatusBadge key="state" status={data.state} />],
                    ['Attempt', String(data.attempt)],
                    ['Started', formatDateTime(data.startedAt)],
                    ['Finished', formatDateTime(data.finishedAt)],
                    [
                      'Duration',
                      data.finishedAt === null
                        ? '—'
                        : formatDuration(
                            new Date(data.finishedAt).getTime() -
                              new Date(data.startedAt).getTime(),
                          ),
                    ],
                    [
                      'Progress',
                      data.state === 'running' ? <SyncProgress key="p" jobId={data.jobId} /> : '—',
                    ],
                  ]}
                />
                {data.error !== null && (
                  <p className="form-error" role="alert">
                    {data.error}
                  </p>
                )}
              </Section>
              <Section title="Job">
                <JobControls
                  jobId={data.jobId}
                  what={`this sync of ${source?.name ?? 'the source'}`}
                />
              </Section>
              <Section title="Counts">
                <Facts
                  items={[
                    ['Read', formatNumber(data.counts.read)],
                    ['New', formatNumber(data.counts.new)],
                    ['Updated', formatNumber(data.counts.updated)],
                    ['Unchanged', formatNumber(data.counts.unchanged)],
                    ['Withdrawn', formatNumber(data.counts.withdrawn)],
                    ['Errors', formatNumber(data.counts.errors)],
                  ]}
                />
              </Section>
              {data.download !== null && (
                <Section title="Download">
                  <Facts
                    items={[
                      [
                        'URL',
                        <span key="u" className="mono small">
                          {data.download.finalUrl}
                        </span>,
                      ],
                      ['Outcome', data.download.status],
                      [
                        'Size',
                        data.download.bytes === null
                          ? '—'
                          : `${formatNumber(data.download.bytes)} bytes`,
                      ],
                      [
                        'SHA-256',
                        <span key="s" className="mono small">
                          {data.download.sha256 ?? '—'}
                        </span>,
                      ],
                      ['Verified by', data.download.verified.join(', ') || 'nothing'],
                      ['Attempts', String(data.download.attempts)],
                    ]}
                  />
                </Section>
              )}
              <Section
                title={`Errors (${formatNumber(data.counts.errors)}; first ${data.errors.length} shown)`}
              >
                {data.errors.length === 0 ? (
                  <p className="muted">No record failed.</p>
                ) : (
                  <table className="simple-table">
                    <thead>
                      <tr>
                        <th scope="col">Where</th>
                        <th scope="col">What</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.errors.map((error, index) => (
                        <tr key={`${error.origin}-${index}`}>
                          <td className="mono small break">{error.origin}</td>
                          <td>{error.message}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Section>
            </>
          );
        }}
      </QueryState>
    </>
  );
}
