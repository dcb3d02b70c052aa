/**
 * One host of a wave: its state, the targets' versions before and after (and after a
 * rollback), the backup the agent took, its health checks, and each step (agent task) with its
 * log — the live lines from the event stream, and on opening a finished step its stored events
 * (`GET /api/v1/agent-tasks/{taskId}/events`, agents:read).
 */
import { useState } from 'react';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { errorMessage } from '../../api/client.ts';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import type { HostTask, RolloutHost, TaskLogLine } from './rollout-model.ts';
import { versionsText } from './rollout-model.ts';

export function HostCard({
  host,
  logs,
}: {
  readonly host: RolloutHost;
  readonly logs: Readonly<Record<string, readonly TaskLogLine[]>>;
}) {
  const backup = host.backup;
  return (
    <article className="rollout-host" aria-labelledby={`host-${host.assetId}`}>
      <div className="rollout-host-header">
        <h3 id={`host-${host.assetId}`}>{host.name}</h3>
        <StatusBadge status={host.state} />
      </div>
      <dl className="rollout-host-facts">
        <div>
          <dt>Before</dt>
          <dd>{versionsText(host.before)}</dd>
        </div>
        <div>
          <dt>After</dt>
          <dd>{versionsText(host.after)}</dd>
        </div>
        {host.restored.length > 0 && (
          <div>
            <dt>After rollback</dt>
            <dd>{versionsText(host.restored)}</dd>
          </div>
        )}
        <div>
          <dt>Health checks</dt>
          <dd>{healthText(host)}</dd>
        </div>
        {host.rollback !== 'none' && (
          <div>
            <dt>Rollback</dt>
            <dd>{host.rollback.replaceAll('-', ' ')}</dd>
          </div>
        )}
        <div>
          <dt>Backup</dt>
          <dd>
            {backup === null
              ? 'none yet'
              : `${formatNumber(backup.packages)} package version${backup.packages === 1 ? '' : 's'} recorded${
                  backup.archive === null
                    ? ''
                    : `; archive of ${formatNumber(backup.archive.files)} files (${formatNumber(backup.archive.bytes)} bytes) at ${backup.archive.path}`
                }${
                  backup.hooks.length === 0
                    ? ''
                    : `; hooks ${backup.hooks.map((h) => `${h.name} (exit ${h.exitCode ?? '—'})`).join(', ')}`
                }; kept until ${formatDateTime(backup.expiresAt)}`}
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            {formatDateTime(host.startedAt)} – {formatDateTime(host.finishedAt)}
          </dd>
        </div>
      </dl>
      <h4 className="rollout-steps-title">Steps</h4>
      {host.tasks.length === 0 ? (
        <p className="muted small">No step yet.</p>
      ) : (
        <ol className="rollout-steps">
          {host.tasks.map((task) => (
            <li key={task.key}>
              <TaskStep task={task} host={host.name} live={logs[task.key] ?? []} />
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}

/** Health checks in words: the host's own result and its health-check tasks' outcomes. */
function healthText(host: RolloutHost): string {
  const checks = host.tasks.filter((t) => t.kind === 'health-check');
  const outcomes = checks.map(
    (t) => `${t.scope === 'wave' ? 'wave' : 'host'}: ${t.outcome ?? t.state.replaceAll('-', ' ')}`,
  );
  if (outcomes.length === 0) return host.checks === 'none' ? 'none run yet' : host.checks;
  return outcomes.join(', ');
}

const outcomeTone = (outcome: string | null) =>
  outcome === null
    ? 'info'
    : /^(succeeded|pass)$/.test(outcome)
      ? 'ok'
      : /^(failed|fail|rejected|expired)$/.test(outcome)
        ? 'critical'
        : 'warn';

function TaskStep({
  task,
  host,
  live,
}: {
  readonly task: HostTask;
  readonly host: string;
  readonly live: readonly TaskLogLine[];
}) {
  const { can } = useSession();
  const running = task.state === 'queued';
  const [open, setOpen] = useState(running);
  const canRead = can('agents:read') && task.agentTaskId !== null;
  const stored = $api.useQuery(
    'get',
    '/api/v1/agent-tasks/{taskId}/events',
    { params: { path: { taskId: task.agentTaskId ?? '' }, query: {} } },
    { enabled: open && canRead && !running },
  );
  const lines = mergeLines(live, stored.data?.events ?? []);
  const name = `${task.kind}${task.scope === 'wave' ? ' (wave check)' : ''} #${task.attempt}`;
  return (
    <details
      className="rollout-step"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
    >
      <summary>
        <span className="rollout-step-name">{name}</span>{' '}
        <Badge tone={outcomeTone(task.outcome)}>
          {task.outcome ?? task.state.replaceAll('-', ' ')}
        </Badge>
        <span className="muted small">
          {' '}
          {task.finishedAt !== null
            ? `finished ${formatDateTime(task.finishedAt)}`
            : `since ${formatDateTime(task.createdAt)}`}
        </span>
        <span className="visually-hidden"> on {host}: log</span>
      </summary>
      {task.error !== null && (
        <p className="form-error small">
          <strong>Error:</strong> {task.error}
        </p>
      )}
      {task.agentTaskId === null ? (
        <p className="muted small">The host has no agent yet: nothing ran.</p>
      ) : stored.isError ? (
        <p className="form-error small">{errorMessage(stored.error)}</p>
      ) : lines.length === 0 ? (
        <p className="muted small">
          {stored.isFetching
            ? 'Loading the log…'
            : running
              ? 'Waiting for the agent…'
              : 'No log lines.'}
        </p>
      ) : (
        <pre className="rollout-log" tabIndex={0} aria-label={`Log of ${name} on ${host}`}>
          {lines.map(formatLine).join('\n')}
        </pre>
      )}
    </details>
  );
}

interface LogEvent {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly step?: string;
  readonly stream?: string;
  readonly line?: string;
}

function mergeLines(live: readonly LogEvent[], stored: readonly LogEvent[]): LogEvent[] {
  const bySeq = new Map<number, LogEvent>();
  for (const line of [...stored, ...live]) bySeq.set(line.seq, line);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function formatLine(event: LogEvent): string {
  const time = event.at.slice(11, 19);
  if (event.type === 'step-started') return `${time} ▶ ${event.step ?? 'step'} started`;
  if (event.type === 'step-finished')
    return `${time} ■ ${event.step ?? 'step'} finished${event.line === undefined ? '' : `: ${event.line}`}`;
  const stream =
    event.stream === undefined || event.stream === 'stdout' ? '' : ` [${event.stream}]`;
  return `${time}${stream} ${event.line ?? ''}`;
}
