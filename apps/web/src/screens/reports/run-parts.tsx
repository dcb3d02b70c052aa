/** Pieces the runs list and the run screen share: size, download link, regenerate, progress. */
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { formatNumber } from '../../ui/format.ts';
import type { ReportRun } from './types.ts';

export const contentUrl = (id: string) => `/api/v1/reports/${encodeURIComponent(id)}/content`;

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1000) return `${formatNumber(bytes)} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export const isActive = (run: Pick<ReportRun, 'status'>) =>
  run.status === 'queued' || run.status === 'running';

export function DownloadLink({ run }: { readonly run: ReportRun }) {
  if (run.status !== 'succeeded') return null;
  return (
    <a
      className="button button-small"
      href={contentUrl(run.id)}
      download={run.filename ?? undefined}
      aria-label={`Download ${run.title} (${run.format.toUpperCase()}, ${formatBytes(run.sizeBytes)})`}
    >
      Download
    </a>
  );
}

/** POST /reports/{id}/regenerate: a new run from the recorded inputs, then follow it. */
export function RegenerateButton({ run }: { readonly run: ReportRun }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mutation = $api.useMutation('post', '/api/v1/reports/{id}/regenerate', {
    onSuccess: async (next) => {
      await invalidatePaths(queryClient, ['/api/v1/reports']);
      await navigate(`/reports/runs/${next.id}`);
    },
  });
  return (
    <>
      <button
        type="button"
        className="button button-small"
        disabled={mutation.isPending}
        aria-label={`Regenerate ${run.title} from its recorded inputs`}
        onClick={() => mutation.mutate({ params: { path: { id: run.id } } })}
      >
        {mutation.isPending ? 'Starting…' : 'Regenerate'}
      </button>
      {mutation.isError && (
        <span className="form-error small" role="alert">
          {errorMessage(mutation.error)}
        </span>
      )}
    </>
  );
}

export function RunProgress({ run }: { readonly run: ReportRun }) {
  const progress = run.progress;
  const percent =
    run.status === 'succeeded'
      ? 100
      : progress === null || progress.total === 0
        ? 0
        : Math.round((progress.done / progress.total) * 100);
  const step =
    run.status === 'queued'
      ? 'Waiting for a worker'
      : run.status === 'running'
        ? (progress?.step ?? 'Starting')
        : run.status === 'succeeded'
          ? 'Done'
          : 'Failed';
  return (
    <div className="reports-progress-wrap">
      <div
        className="reports-progress"
        role="progressbar"
        aria-label={`Generating ${run.title}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent} %: ${step}`}
      >
        <div className="reports-progress-bar" style={{ width: `${percent}%` }} />
      </div>
      <p className="small" aria-live="polite">
        {step}
        {progress !== null && isActive(run) && ` (${progress.done} of ${progress.total})`}
      </p>
    </div>
  );
}
