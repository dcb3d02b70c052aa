/**
 * A running sync's progress, from its job (`GET /api/v1/jobs/{id}`, jobs:read), refreshed; and
 * the job's controls: cancel, retry (jobs:manage).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { StatusBadge } from '../../ui/badges.tsx';
import { ConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { Facts } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';

export function SyncProgress({ jobId }: { readonly jobId: string }) {
  const { can } = useSession();
  const job = $api.useQuery(
    'get',
    '/api/v1/jobs/{id}',
    { params: { path: { id: jobId } } },
    { enabled: can('jobs:read'), refetchInterval: 2000 },
  );
  const progress = job.data?.progress;
  if (progress === null || progress === undefined) return <span className="muted">running…</span>;
  const ratio = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  return (
    <span className="progress-cell">
      <progress
        value={progress.done}
        max={Math.max(progress.total, 1)}
        aria-label={`Sync progress: ${formatNumber(progress.done)} of ${formatNumber(progress.total)}`}
      />
      <span className="small">
        {Math.round(ratio * 100)} % {progress.message !== undefined && `· ${progress.message}`}
      </span>
    </span>
  );
}

/**
 * The job behind a run (jobs:read): its state, attempts and last error, and what may be done to
 * it (jobs:manage): cancel a queued or running one (a running one stops at its next heartbeat),
 * retry a failed or cancelled one (a new attempt, from scratch). Both ask first; the server's
 * 409 (the job moved on meanwhile) is shown in the dialog.
 */
export function JobControls({
  jobId,
  what,
  onChanged,
}: {
  readonly jobId: string;
  /** What the job does, in words ("this sync"). */
  readonly what: string;
  /** After a cancel or retry succeeded (the run it belongs to changes too). */
  readonly onChanged?: () => void;
}) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const job = $api.useQuery(
    'get',
    '/api/v1/jobs/{id}',
    { params: { path: { id: jobId } } },
    {
      enabled: can('jobs:read'),
      refetchInterval: (query) =>
        query.state.data?.state === 'running' || query.state.data?.state === 'queued'
          ? 3000
          : false,
    },
  );
  // The run follows its job (a retried job runs the same sync again): asked again on each move.
  const state = job.data?.state;
  useEffect(() => {
    if (state !== undefined) void invalidatePaths(queryClient, ['/api/v1/sync-runs']);
  }, [state, queryClient]);
  if (!can('jobs:read')) return <p className="muted">Seeing the job needs jobs:read.</p>;
  if (job.isPending) return <Loading label="Loading the job…" />;
  if (job.isError)
    return (
      <ErrorState
        error={job.error}
        title="The job could not be loaded"
        onRetry={() => void job.refetch()}
      />
    );
  const data = job.data;
  const cancellable =
    (data.state === 'queued' || data.state === 'running') && !data.cancelRequested;
  const retriable = data.state === 'failed' || data.state === 'cancelled';
  const manage = can('jobs:manage');
  const why = manage ? undefined : 'Needs the jobs:manage permission';
  return (
    <>
      <Facts
        items={[
          [
            'Job state',
            <span key="s">
              <StatusBadge status={data.state} />
              {data.cancelRequested && data.state === 'running' && ' cancellation asked'}
            </span>,
          ],
          ['Attempts', `${data.attempts} of ${data.maxAttempts}`],
          ['Not before', formatDateTime(data.runAfter)],
          ['Last error', data.error],
          ['Job', <code key="j">{data.id}</code>],
        ]}
      />
      <div className="row-inline">
        {cancellable && (
          <ConfirmAction
            method="post"
            path="/api/v1/jobs/{id}/cancel"
            init={() => ({ params: { path: { id: jobId } } })}
            invalidate={['/api/v1/jobs', '/api/v1/sync-runs']}
            {...(onChanged !== undefined && { onSuccess: onChanged })}
            label="Cancel the job"
            buttonClassName="button button-danger"
            {...(why !== undefined && { disabledReason: why })}
            title={`Cancel ${what}?`}
            message={
              <p>
                {data.state === 'queued'
                  ? 'It will not run.'
                  : 'It stops at its next checkpoint; what it already saved stays.'}{' '}
                The cancellation is recorded in the audit log.
              </p>
            }
            confirmLabel="Cancel the job"
          />
        )}
        {retriable && (
          <ConfirmAction
            method="post"
            path="/api/v1/jobs/{id}/retry"
            init={() => ({ params: { path: { id: jobId } } })}
            invalidate={['/api/v1/jobs', '/api/v1/sync-runs']}
            {...(onChanged !== undefined && { onSuccess: onChanged })}
            label="Retry the job"
            buttonClassName="button"
            {...(why !== undefined && { disabledReason: why })}
            title={`Retry ${what}?`}
            message={
              <p>
                It runs again from the start, with its attempts reset, as soon as a worker is free;
                this page follows it. The retry is recorded in the audit log.
              </p>
            }
            confirmLabel="Retry the job"
            danger={false}
          />
        )}
        {!manage && (cancellable || retriable) && <span className="muted small">{why}.</span>}
      </div>
    </>
  );
}
