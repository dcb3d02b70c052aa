/**
 * One agent (/admin/agents/:agentId, agents:read): its status and the facts its host reported,
 * its tasks (newest first, filtered by state in the URL: `?state=`), and one task (`?task=`): the
 * task as signed, its result step by step, and its events (the log lines and steps the agent
 * streamed), read page after page with `afterSeq` and followed while the task is still open.
 * Revoking the agent (agents:manage) asks first, with a reason for the audit log.
 */
import type { InfiniteData } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { Link, useParams } from 'react-router';
import type { paths } from '../../api/client.ts';
import { api, unwrap } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { ConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDateTime, formatDuration, formatRelative } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import './agent-detail.css';
import { ChoiceFilter } from '../../ui/choice-filter.tsx';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Agent = Json<paths['/api/v1/agents/{id}']['get']['responses']['200']>;
export type AgentTask = Json<
  paths['/api/v1/agents/{id}/tasks']['get']['responses']['200']
>['tasks'][number];
type TaskState = NonNullable<
  NonNullable<paths['/api/v1/agents/{id}/tasks']['get']['parameters']['query']>['state']
>;
type TaskEventPage = Json<paths['/api/v1/agent-tasks/{taskId}/events']['get']['responses']['200']>;
type TaskEvent = TaskEventPage['events'][number];

export const taskStates = [
  'queued',
  'delivered',
  'succeeded',
  'failed',
  'rejected',
  'expired',
] as const satisfies readonly TaskState[];
const openStates: readonly string[] = ['queued', 'delivered'];

const asState = (value: string | undefined): TaskState | undefined =>
  taskStates.find((state) => state === value);

export function AgentDetailScreen() {
  const { agentId = '' } = useParams();
  const url = useUrlState(['state', 'task'] as const);
  const agent = $api.useQuery('get', '/api/v1/agents/{id}', {
    params: { path: { id: agentId } },
  });
  if (agent.isPending)
    return (
      <>
        <PageHeader title="Agent" />
        <Loading label="Loading the agent…" />
      </>
    );
  if (agent.isError)
    return (
      <>
        <PageHeader title="Agent" />
        <ErrorState
          error={agent.error}
          title="This agent could not be loaded"
          onRetry={() => void agent.refetch()}
        />
        <p>
          <Link to="/admin/agents">All agents</Link>
        </p>
      </>
    );
  const data = agent.data;
  const status =
    data.revokedAt !== null ? 'revoked' : data.online ? 'online' : ('offline' as const);
  return (
    <>
      <PageHeader
        title={`Agent on ${data.name}`}
        description={
          <span className="row-inline">
            <StatusBadge status={status} />
            <span>version {data.version}</span>
            {data.rebootRequired && <Badge tone="warn">reboot pending</Badge>}
          </span>
        }
        actions={<RevokeAgent agent={data} />}
      >
        <p className="small">
          <Link to="/admin/agents">All agents</Link> ·{' '}
          <Link to={`/assets/${encodeURIComponent(data.assetId)}?tab=agent`}>
            Asset {data.name}
          </Link>
        </p>
      </PageHeader>
      <AgentFacts agent={data} onShowTask={(task) => url.set({ task })} />
      <TasksSection
        agent={data}
        state={asState(url.values.state)}
        selected={url.values.task}
        onState={(state) => url.set({ state }, { replace: true })}
        onSelect={(task) => url.set({ task })}
      />
      {url.values.task !== undefined && (
        <TaskDetail
          key={url.values.task}
          taskId={url.values.task}
          onClose={() => url.set({ task: undefined })}
        />
      )}
    </>
  );
}

function AgentFacts({
  agent,
  onShowTask,
}: {
  readonly agent: Agent;
  readonly onShowTask: (taskId: string) => void;
}) {
  return (
    <Section title="Status and facts">
      <Facts
        items={[
          ['Host name', agent.hostname],
          [
            'OS',
            agent.os === null
              ? null
              : (agent.os.prettyName ?? `${agent.os.id} ${agent.os.versionId ?? ''}`),
          ],
          ['Architecture', agent.architecture],
          [
            'Package managers',
            agent.packageManagers.length === 0 ? null : agent.packageManagers.join(', '),
          ],
          ['Agent version', agent.version],
          ['Enrolled', formatDateTime(agent.enrolledAt)],
          [
            'Last seen',
            agent.lastSeenAt === null
              ? 'never'
              : `${formatRelative(agent.lastSeenAt)} (${formatDateTime(agent.lastSeenAt)})`,
          ],
          ['Last heartbeat', formatDateTime(agent.lastHeartbeatAt)],
          [
            'Clock skew',
            agent.clockSkewMs === null
              ? null
              : `${agent.clockSkewMs > 0 ? '+' : agent.clockSkewMs < 0 ? '−' : ''}${formatDuration(Math.abs(agent.clockSkewMs))}`,
          ],
          ['Boot id', agent.bootId === null ? null : <code key="b">{agent.bootId}</code>],
          [
            'Reboot required',
            agent.rebootRequired
              ? `yes${agent.rebootPackages.length > 0 ? ` (by ${agent.rebootPackages.join(', ')})` : ''}`
              : 'no',
          ],
          [
            'Services needing a restart',
            agent.servicesNeedingRestart.length === 0
              ? 'none'
              : agent.servicesNeedingRestart.join(', '),
          ],
          ['Results queued on the host', String(agent.queuedResults)],
          [
            'Running task',
            agent.runningTaskId === null ? (
              'none'
            ) : (
              <button
                key="r"
                type="button"
                className="button button-small"
                onClick={() => onShowTask(agent.runningTaskId ?? '')}
              >
                Show the running task
              </button>
            ),
          ],
          ['Last inventory', formatDateTime(agent.lastInventoryAt)],
          ['Last updates report', formatDateTime(agent.lastUpdatesAt)],
          ['Revoked', agent.revokedAt === null ? 'no' : formatDateTime(agent.revokedAt)],
          ['Agent id', <code key="id">{agent.id}</code>],
        ]}
      />
    </Section>
  );
}

function RevokeAgent({ agent }: { readonly agent: Agent }) {
  const { can } = useSession();
  if (agent.revokedAt !== null) return null;
  if (!can('agents:manage'))
    return (
      <button
        type="button"
        className="button button-danger"
        disabled
        title="Revoking an agent needs the agents:manage permission"
      >
        Revoke agent
      </button>
    );
  return (
    <ConfirmAction
      method="post"
      path="/api/v1/agents/{id}/revoke"
      init={(reason) => ({
        params: { path: { id: agent.id } },
        body: reason === '' ? {} : { reason },
      })}
      invalidate={['/api/v1/agents', '/api/v1/agent-tasks']}
      label="Revoke agent"
      buttonClassName="button button-danger"
      title={`Revoke the agent of ${agent.name}?`}
      message={
        <p>
          Its credential stops working now and its open tasks are rejected. The host must enrol
          again with a new enrolment token to report.
        </p>
      }
      confirmLabel="Revoke agent"
      reason={{ label: 'Reason (recorded in the audit log)', required: false }}
    />
  );
}

function TasksSection({
  agent,
  state,
  selected,
  onState,
  onSelect,
}: {
  readonly agent: Agent;
  readonly state: TaskState | undefined;
  readonly selected: string | undefined;
  readonly onState: (state: string | undefined) => void;
  readonly onSelect: (taskId: string) => void;
}) {
  const tasks = $api.useQuery(
    'get',
    '/api/v1/agents/{id}/tasks',
    {
      params: {
        path: { id: agent.id },
        query: { limit: 100, ...(state !== undefined && { state }) },
      },
    },
    {
      refetchInterval: (query) =>
        query.state.data?.tasks.some((task) => openStates.includes(task.state)) === true
          ? 5000
          : false,
    },
  );
  return (
    <Section title="Tasks (newest 100)">
      <form
        className="filters"
        role="search"
        aria-label="Filter the tasks"
        onSubmit={(event) => event.preventDefault()}
      >
        <ChoiceFilter
          id="agent-task-state"
          label="Task state"
          any="Any"
          value={state}
          options={taskStates}
          onChange={(value) => onState(value || undefined)}
        />
      </form>
      <QueryState
        query={tasks}
        loadingLabel="Loading the tasks…"
        isEmpty={(data) => data.tasks.length === 0}
        empty={
          <EmptyState
            title={
              state === undefined
                ? 'No task was given to this agent yet'
                : `No ${state} task for this agent`
            }
          >
            Rollouts give agents their preflight, install, health-check and rollback tasks.
          </EmptyState>
        }
      >
        {(data) => (
          <div className="table-scroll">
            <table className="simple-table">
              <caption className="visually-hidden">Tasks of the agent, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Kind</th>
                  <th scope="col">State</th>
                  <th scope="col">Change</th>
                  <th scope="col">Rollout</th>
                  <th scope="col">Deliveries</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Task</th>
                </tr>
              </thead>
              <tbody>
                {data.tasks.map((task) => (
                  <tr key={task.id} aria-current={task.id === selected ? 'true' : undefined}>
                    <td>{formatDateTime(task.createdAt)}</td>
                    <td>
                      {task.kind}
                      {task.payload.dryRun && <Badge>dry run</Badge>}
                    </td>
                    <td>
                      <StatusBadge status={task.state} />
                      {task.error !== null && (
                        <span className="muted small" title={task.error}>
                          {' '}
                          {task.error.length > 60 ? `${task.error.slice(0, 60)}…` : task.error}
                        </span>
                      )}
                    </td>
                    <td>
                      {task.changeId === null ? (
                        '—'
                      ) : (
                        <Link
                          to={`/changes/${task.changeId}`}
                          aria-label={`The change of the ${task.kind} task of ${formatDateTime(task.createdAt)}`}
                        >
                          change
                        </Link>
                      )}
                    </td>
                    <td>
                      {task.rolloutId === null ? (
                        '—'
                      ) : (
                        <Link
                          to={`/rollouts/${task.rolloutId}`}
                          aria-label={`The rollout of the ${task.kind} task of ${formatDateTime(task.createdAt)}`}
                        >
                          rollout
                        </Link>
                      )}
                    </td>
                    <td>{task.deliveries}</td>
                    <td>{formatDateTime(task.finishedAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="button button-small"
                        aria-pressed={task.id === selected}
                        aria-label={`Show the ${task.kind} task of ${formatDateTime(task.createdAt)}`}
                        onClick={() => onSelect(task.id)}
                      >
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </Section>
  );
}

/** A task's events, every page after `afterSeq`; asked again every few seconds while `follow`. */
function useTaskEvents(taskId: string, follow: boolean) {
  const events = useInfiniteQuery<
    TaskEventPage,
    Error,
    InfiniteData<TaskEventPage, number | undefined>,
    readonly unknown[],
    number | undefined
  >({
    queryKey: ['get', '/api/v1/agent-tasks/{taskId}/events', { params: { path: { taskId } } }],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET('/api/v1/agent-tasks/{taskId}/events', {
          params: {
            path: { taskId },
            query: pageParam === undefined ? {} : { afterSeq: pageParam },
          },
          signal,
        }),
      ),
    initialPageParam: undefined,
    getNextPageParam: (last) => last.nextAfterSeq ?? undefined,
  });
  const { data, isFetchingNextPage, isError, fetchNextPage } = events;
  const lastPage = data?.pages.at(-1);
  // Read on while pages come back with events; then, while the task is open, look again.
  useEffect(() => {
    if (lastPage === undefined || isFetchingNextPage || isError) return;
    if (lastPage.events.length > 0) {
      void fetchNextPage();
      return;
    }
    if (!follow) return;
    const timer = setTimeout(() => void fetchNextPage(), 3000);
    return () => clearTimeout(timer);
  }, [lastPage, isFetchingNextPage, isError, fetchNextPage, follow]);
  const all = useMemo(() => data?.pages.flatMap((page) => page.events) ?? [], [data]);
  return { query: events, all };
}

function TaskDetail({
  taskId,
  onClose,
}: {
  readonly taskId: string;
  readonly onClose: () => void;
}) {
  const task = $api.useQuery(
    'get',
    '/api/v1/agent-tasks/{taskId}',
    { params: { path: { taskId } } },
    {
      refetchInterval: (query) =>
        query.state.data !== undefined && openStates.includes(query.state.data.state)
          ? 3000
          : false,
    },
  );
  const open = task.data !== undefined && openStates.includes(task.data.state);
  const events = useTaskEvents(taskId, open);
  return (
    <Section
      title={task.data === undefined ? 'Task' : `Task: ${task.data.kind} (${task.data.state})`}
      actions={
        <button type="button" className="button button-small" onClick={onClose}>
          Close the task
        </button>
      }
    >
      <QueryState query={task} loadingLabel="Loading the task…">
        {(data) => (
          <>
            <Facts
              items={[
                ['State', <StatusBadge key="s" status={data.state} />],
                ['Kind', data.kind],
                ['Created', formatDateTime(data.createdAt)],
                ['Delivered', formatDateTime(data.deliveredAt)],
                ['Finished', formatDateTime(data.finishedAt)],
                ['Not after', formatDateTime(data.notAfter)],
                ['Deliveries', String(data.deliveries)],
                ['Dry run', data.payload.dryRun ? 'yes' : 'no'],
                ['What it does', <PayloadSummary key="p" task={data} />],
                ['Signed with key', <code key="k">{data.keyId}</code>],
                ['Idempotency key', <code key="i">{data.idempotencyKey}</code>],
                ['Task id', <code key="t">{data.id}</code>],
              ]}
            />
            {data.error !== null && (
              <p className="form-error" role="alert">
                {data.error}
              </p>
            )}
            <TaskResult task={data} />
          </>
        )}
      </QueryState>
      <h3>Events and log</h3>
      {events.query.isPending ? (
        <Loading label="Loading the events…" />
      ) : events.query.isError ? (
        <ErrorState
          error={events.query.error}
          title="The events could not be loaded"
          onRetry={() => void events.query.refetch()}
        />
      ) : events.all.length === 0 ? (
        <EmptyState title={open ? 'No event yet (the log follows)' : 'The agent sent no event'} />
      ) : (
        <EventLog events={events.all} following={open} />
      )}
    </Section>
  );
}

function PayloadSummary({ task }: { readonly task: AgentTask }) {
  const payload = task.payload;
  switch (payload.kind) {
    case 'preflight':
    case 'install':
      return (
        <span>
          {payload.kind === 'install' ? 'install' : 'simulate'}{' '}
          {payload.packages
            .slice(0, 10)
            .map((pkg) => `${pkg.name} ${pkg.version}`)
            .join(', ')}
          {payload.packages.length > 10 && ` and ${payload.packages.length - 10} more`}
        </span>
      );
    case 'health-check':
      return (
        <span>
          {payload.checks.length} check{payload.checks.length === 1 ? '' : 's'}
          {payload.observationSeconds > 0 &&
            `, then observe ${formatDuration(payload.observationSeconds * 1000)}`}
        </span>
      );
    default:
      return <span>{payload.kind}</span>;
  }
}

function TaskResult({ task }: { readonly task: AgentTask }) {
  const result = task.result;
  if (result === null)
    return (
      <p className="muted">{openStates.includes(task.state) ? 'No result yet.' : 'No result.'}</p>
    );
  return (
    <>
      <h3>
        Result: <StatusBadge status={result.outcome} />
        {result.dryRun && <Badge>dry run</Badge>}
      </h3>
      {result.error !== undefined && <p className="form-error">{result.error}</p>}
      {result.steps.length > 0 && (
        <div className="table-scroll">
          <table className="simple-table">
            <caption className="visually-hidden">Steps of the task</caption>
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Outcome</th>
                <th scope="col">Took</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {result.steps.map((step, index) => (
                <tr key={`${step.name}-${index}`}>
                  <td>{step.name}</td>
                  <td>
                    <StatusBadge status={step.outcome} />
                  </td>
                  <td>
                    {formatDuration(
                      new Date(step.finishedAt).getTime() - new Date(step.startedAt).getTime(),
                    )}
                  </td>
                  <td>{step.detail ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const timeOfDay = (iso: string) => iso.slice(11, 19);

function EventLog({
  events,
  following,
}: {
  readonly events: readonly TaskEvent[];
  readonly following: boolean;
}) {
  return (
    <>
      <ol className="task-log mono small" aria-label="Task events" tabIndex={0}>
        {events.map((event) => (
          <li
            key={event.seq}
            className={`task-log-${event.type} task-log-${event.stream ?? 'agent'}`}
          >
            <time dateTime={event.at}>{timeOfDay(event.at)}</time>{' '}
            {event.type === 'log' ? (
              <>
                {event.stream === 'stderr' && <span className="task-log-stream">stderr </span>}
                {event.step !== undefined && <span className="muted">[{event.step}] </span>}
                <span>{event.line ?? ''}</span>
              </>
            ) : (
              <strong>
                {event.type === 'step-started' ? '▶ started' : '■ finished'} {event.step ?? ''}
                {event.line !== undefined && ` — ${event.line}`}
              </strong>
            )}
          </li>
        ))}
      </ol>
      <p className="muted small" role="status">
        {events.length} event{events.length === 1 ? '' : 's'}
        {following && ' · following the task'}
      </p>
    </>
  );
}
