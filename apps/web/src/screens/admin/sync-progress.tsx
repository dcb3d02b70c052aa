/** A running sync's progress, from its job (`GET /api/v1/jobs/{id}`, jobs:read), refreshed. */
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { formatNumber } from '../../ui/format.ts';

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
