/**
 * One rollout, live (`/rollouts/:rolloutId`, the rollout's id or its change's id or number):
 * its progress per wave, each wave's hosts with their state, versions before and after, backup
 * and health checks, each step (agent task) with its log; the server's event stream keeps it
 * current. Pause, resume, abort, roll back and release a manual gate, each confirmed with a
 * reason (changes:implement; a refusal is the server's 409, shown as it says it).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { HostCard } from './rollout-host.tsx';
import type { RolloutAction, RolloutDetail, RolloutWave } from './rollout-model.ts';
import { actionsFor, isLive, rolloutProgress, waveProgress } from './rollout-model.ts';
import type { RolloutStream } from './rollout-stream.ts';
import { useRolloutStream } from './rollout-stream.ts';
import './rollouts.css';

export function RolloutDetailScreen() {
  const { rolloutId = '' } = useParams();
  const rollout = $api.useQuery('get', '/api/v1/rollouts/{id}', {
    params: { path: { id: rolloutId } },
  });
  const detail = rollout.data;
  const stream = useRolloutStream(
    detail?.id ?? rolloutId,
    detail !== undefined && isLive(detail.phase),
  );

  if (rollout.isPending)
    return (
      <>
        <PageHeader title="Rollout" />
        <Loading label="Loading the rollout…" />
      </>
    );
  if (rollout.isError)
    return (
      <>
        <PageHeader title="Rollout" />
        <ErrorState error={rollout.error} onRetry={() => void rollout.refetch()} />
      </>
    );
  return <RolloutView detail={rollout.data} stream={stream} />;
}

const liveText: Record<RolloutStream['status'], string> = {
  connecting: 'Connecting to live updates…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Not live: the rollout has stopped moving',
  off: 'Not live',
};

function RolloutView({
  detail,
  stream,
}: {
  readonly detail: RolloutDetail;
  readonly stream: RolloutStream;
}) {
  const { can } = useSession();
  const progress = rolloutProgress(detail);
  const live = isLive(detail.phase);
  return (
    <>
      <PageHeader
        title={`Rollout of ${detail.change.number}`}
        description={
          <>
            <Link to={`/changes/${detail.change.id}`}>{detail.change.number}</Link>{' '}
            {detail.change.title}
          </>
        }
        actions={can('changes:implement') ? <RolloutActions detail={detail} /> : undefined}
      >
        <div className="row rollout-status">
          <StatusBadge status={detail.phase} />
          {detail.dryRun && <Badge tone="info">dry run</Badge>}
          <span
            className={`rollout-live rollout-live-${live ? stream.status : 'ended'}`}
            role="status"
          >
            <span aria-hidden="true">{live && stream.status === 'live' ? '● ' : '○ '}</span>
            {live ? liveText[stream.status] : `Not live: ${detail.phase.replaceAll('_', ' ')}`}
            {live && stream.lastEventAt !== undefined && (
              <span className="muted"> (last event {formatRelative(stream.lastEventAt)})</span>
            )}
          </span>
        </div>
        {detail.reason !== null && (
          <p className="rollout-reason">
            <strong>Reason:</strong> {detail.reason}
          </p>
        )}
      </PageHeader>

      <Section title="Progress">
        <ProgressBar
          label="Hosts done"
          done={progress.done}
          total={progress.total}
          text={`${progress.done} of ${progress.total} hosts done (${progress.succeeded} succeeded, ${progress.failed} failed or rolled back)`}
        />
        <table className="simple-table rollout-waves-table">
          <caption className="visually-hidden">Waves</caption>
          <thead>
            <tr>
              <th scope="col">Wave</th>
              <th scope="col">State</th>
              <th scope="col">Gate</th>
              <th scope="col">Hosts done</th>
              <th scope="col">Health checks</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {detail.waves.map((wave) => {
              const p = waveProgress(wave);
              return (
                <tr
                  key={wave.name}
                  aria-current={wave.name === detail.currentWave ? 'step' : undefined}
                >
                  <th scope="row">
                    <a href={`#wave-${slug(wave.name)}`}>{wave.name}</a>
                    {wave.name === detail.currentWave && <span className="muted"> (current)</span>}
                  </th>
                  <td>
                    <StatusBadge status={wave.state} />
                  </td>
                  <td>
                    {wave.gate}
                    {wave.releasedBy !== null && ` (released by ${wave.releasedBy})`}
                  </td>
                  <td>
                    <ProgressBar
                      label={`Hosts done in ${wave.name}`}
                      done={p.done}
                      total={p.total}
                      text={`${p.done} / ${p.total}`}
                      compact
                    />
                  </td>
                  <td>{wave.checks}</td>
                  <td>{formatDateTime(wave.startedAt)}</td>
                  <td>{formatDateTime(wave.finishedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>

      <Section title="Details">
        <Facts
          items={[
            [
              'Change',
              <Link key="c" to={`/changes/${detail.change.id}`}>
                {detail.change.number}
              </Link>,
            ],
            ['Change state', detail.change.state.replaceAll('_', ' ')],
            ['Current wave', detail.currentWave ?? '—'],
            [
              'Planned',
              `${formatDateTime(detail.planned.start)} – ${formatDateTime(detail.planned.end)}`,
            ],
            ['Started', formatDateTime(detail.startedAt)],
            ['Finished', formatDateTime(detail.finishedAt)],
            ['Hosts offline', detail.options.offlineHosts === 'skip' ? 'skipped' : 'waited for'],
            ['Reboot', detail.options.reboot === 'never' ? 'never' : 'if required'],
            ['Started by', detail.createdBy],
            ['Events', String(detail.lastEventSeq)],
          ]}
        />
      </Section>

      {detail.waves.map((wave) => (
        <WaveSection key={wave.name} wave={wave} stream={stream} />
      ))}
    </>
  );
}

const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function WaveSection({
  wave,
  stream,
}: {
  readonly wave: RolloutWave;
  readonly stream: RolloutStream;
}) {
  const p = waveProgress(wave);
  return (
    <section
      className="card"
      id={`wave-${slug(wave.name)}`}
      aria-labelledby={`wave-title-${slug(wave.name)}`}
    >
      <div className="card-header">
        <h2 id={`wave-title-${slug(wave.name)}`}>Wave {wave.name}</h2>
        <StatusBadge status={wave.state} />
        <span className="muted small">
          {p.done} of {p.total} hosts done · concurrency {wave.concurrency} · at most{' '}
          {wave.failureThreshold} failure{wave.failureThreshold === 1 ? '' : 's'} · on failure{' '}
          {wave.onFailure} · wave checks {wave.checks}
          {wave.bakeUntil !== null && ` · baking until ${formatDateTime(wave.bakeUntil)}`}
        </span>
      </div>
      {wave.hosts.length === 0 ? (
        <p className="muted">No hosts in this wave.</p>
      ) : (
        <div className="rollout-hosts">
          {wave.hosts.map((host) => (
            <HostCard key={host.assetId} host={host} logs={stream.logs} />
          ))}
        </div>
      )}
    </section>
  );
}

export function ProgressBar({
  label,
  done,
  total,
  text,
  compact = false,
}: {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly text: string;
  readonly compact?: boolean;
}) {
  return (
    <div className={compact ? 'rollout-progress compact' : 'rollout-progress'}>
      <progress max={Math.max(total, 1)} value={done} aria-label={label} aria-valuetext={text} />
      <span className="rollout-progress-text">{text}</span>
    </div>
  );
}

const actionText: Record<
  RolloutAction,
  { label: string; title: string; message: string; danger: boolean; reasonRequired: boolean }
> = {
  pause: {
    label: 'Pause',
    title: 'Pause the rollout',
    message: 'No new host starts until it is resumed; tasks already running finish.',
    danger: false,
    reasonRequired: false,
  },
  resume: {
    label: 'Resume',
    title: 'Resume the rollout',
    message: 'The rollout continues where it stopped.',
    danger: false,
    reasonRequired: false,
  },
  release: {
    label: 'Release gate',
    title: 'Release the manual gate',
    message: 'The next wave starts.',
    danger: false,
    reasonRequired: false,
  },
  abort: {
    label: 'Abort',
    title: 'Abort the rollout',
    message: 'No more hosts are patched; hosts already patched stay as they are.',
    danger: true,
    reasonRequired: true,
  },
  rollback: {
    label: 'Roll back',
    title: 'Roll back the rollout',
    message: 'Every patched host is rolled back by its rollback plan.',
    danger: true,
    reasonRequired: true,
  },
};

function RolloutActions({ detail }: { readonly detail: RolloutDetail }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<RolloutAction | undefined>(undefined);
  const mutations = {
    pause: $api.useMutation('post', '/api/v1/rollouts/{id}/pause'),
    resume: $api.useMutation('post', '/api/v1/rollouts/{id}/resume'),
    abort: $api.useMutation('post', '/api/v1/rollouts/{id}/abort'),
    rollback: $api.useMutation('post', '/api/v1/rollouts/{id}/rollback'),
    release: $api.useMutation('post', '/api/v1/rollouts/{id}/waves/{wave}/release'),
  };
  const gateWave =
    detail.waves.find((w) => w.state === 'awaiting_gate')?.name ?? detail.currentWave ?? undefined;
  const actions = actionsFor(detail.phase).filter((a) => a !== 'release' || gateWave !== undefined);
  const current = open === undefined ? undefined : mutations[open];
  const done = () => {
    setOpen(undefined);
    void invalidatePaths(queryClient, ['/api/v1/rollouts', '/api/v1/changes']);
  };
  const confirm = (action: RolloutAction, reason: string) => {
    const body = reason === '' ? {} : { reason };
    const path = { id: detail.id };
    if (action === 'release') {
      if (gateWave === undefined) return;
      mutations.release.mutate(
        { params: { path: { ...path, wave: gateWave } }, body },
        { onSuccess: done },
      );
    } else mutations[action].mutate({ params: { path }, body }, { onSuccess: done });
  };
  if (actions.length === 0) return null;
  const text = open === undefined ? undefined : actionText[open];
  return (
    <>
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          className={actionText[action].danger ? 'button button-danger' : 'button'}
          onClick={() => {
            mutations[action].reset();
            setOpen(action);
          }}
        >
          {actionText[action].label}…
        </button>
      ))}
      <ConfirmDialog
        open={open !== undefined}
        title={text?.title ?? ''}
        message={
          <p>
            {text?.message}
            {open === 'release' && gateWave !== undefined && ` (wave ${gateWave})`}
          </p>
        }
        confirmLabel={text?.label ?? 'Confirm'}
        danger={text?.danger ?? false}
        reason={{
          label: text?.reasonRequired === true ? 'Reason (required, audited)' : 'Reason (audited)',
          required: text?.reasonRequired ?? false,
        }}
        busy={current?.isPending ?? false}
        error={
          current?.isError === true
            ? `The server refused: ${errorMessage(current.error)}`
            : undefined
        }
        onClose={() => setOpen(undefined)}
        onConfirm={(reason) => {
          if (open !== undefined) confirm(open, reason);
        }}
      />
    </>
  );
}
