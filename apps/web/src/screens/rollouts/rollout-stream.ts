/**
 * A rollout's live progress: the server-sent events of `GET /api/v1/rollouts/{id}/events`.
 * `progress` (an engine event; its `id:` is the seq, so EventSource resumes after the last one
 * with Last-Event-ID when it reconnects) refetches the rollout; `task-log` lines are kept per
 * host task (deduplicated by seq: a reconnection sends a task's lines again); `end` says the
 * rollout stopped moving, and the stream is closed (else EventSource would reconnect forever).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { invalidatePaths } from '../../api/query.ts';
import type { TaskLogLine } from './rollout-model.ts';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'off';

export interface RolloutStream {
  readonly status: StreamStatus;
  /** Log lines by host task key, in seq order. */
  readonly logs: Readonly<Record<string, readonly TaskLogLine[]>>;
  /** How many progress events arrived (the screen says when the last one came). */
  readonly events: number;
  readonly lastEventAt: string | undefined;
}

export function useRolloutStream(rolloutId: string, enabled: boolean): RolloutStream {
  const queryClient = useQueryClient();
  const key = `${rolloutId}:${String(enabled)}`;
  // Set from the stream's callbacks only; a new stream (another key) starts as connecting.
  const [state, setState] = useState<{ key: string; status: StreamStatus }>({
    key: '',
    status: 'connecting',
  });
  const [logs, setLogs] = useState<Record<string, TaskLogLine[]>>({});
  const [events, setEvents] = useState(0);
  const [lastEventAt, setLastEventAt] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const setStatus = (status: StreamStatus) => setState({ key, status });
    const source = new EventSource(`/api/v1/rollouts/${encodeURIComponent(rolloutId)}/events`);
    let refetch: ReturnType<typeof setTimeout> | undefined;
    let flush: ReturnType<typeof setTimeout> | undefined;
    const pendingLines: TaskLogLine[] = [];
    const refresh = () => {
      // Several events in a burst: one refetch.
      refetch ??= setTimeout(() => {
        refetch = undefined;
        void invalidatePaths(queryClient, ['/api/v1/rollouts', '/api/v1/changes']);
      }, 250);
    };
    const flushLines = () => {
      flush = undefined;
      const lines = pendingLines.splice(0);
      setLogs((previous) => {
        const next = { ...previous };
        for (const line of lines) {
          const list = next[line.taskKey] ?? [];
          if (list.some((l) => l.seq === line.seq)) continue;
          next[line.taskKey] = [...list, line].sort((a, b) => a.seq - b.seq);
        }
        return next;
      });
    };
    source.onopen = () => setStatus('live');
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setStatus('ended');
      else setStatus('reconnecting');
    };
    source.addEventListener('progress', (message: MessageEvent<string>) => {
      setStatus('live');
      setEvents((n) => n + 1);
      try {
        const record = JSON.parse(message.data) as { at?: string };
        if (typeof record.at === 'string') setLastEventAt(record.at);
      } catch {
        // A progress event we cannot read still says something changed.
      }
      refresh();
    });
    source.addEventListener('task-log', (message: MessageEvent<string>) => {
      try {
        const line = JSON.parse(message.data) as TaskLogLine;
        if (typeof line.taskKey !== 'string' || typeof line.seq !== 'number') return;
        pendingLines.push(line);
        flush ??= setTimeout(flushLines, 200);
      } catch {
        // Skip a line we cannot read.
      }
    });
    source.addEventListener('end', () => {
      source.close();
      setStatus('ended');
      void invalidatePaths(queryClient, ['/api/v1/rollouts', '/api/v1/changes']);
    });
    return () => {
      source.close();
      if (refetch !== undefined) clearTimeout(refetch);
      if (flush !== undefined) clearTimeout(flush);
    };
  }, [key, rolloutId, enabled, queryClient]);

  const status: StreamStatus = !enabled
    ? 'ended'
    : typeof EventSource === 'undefined'
      ? 'off'
      : state.key === key
        ? state.status
        : 'connecting';
  return { status, logs, events, lastEventAt };
}
