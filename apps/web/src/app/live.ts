/**
 * Live updates: the server's activity stream (`GET /api/v1/live`, server-sent events) says what
 * changed (`{ seq, action, subjectType, subjectId, at }`, never the details), and the queries
 * showing that kind of subject refetch. EventSource reconnects by itself and resumes after the
 * last event it saw (`Last-Event-ID`).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { invalidatePaths } from '../api/query.ts';

export interface ActivityEvent {
  readonly seq: number;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly at: string;
}

/**
 * Which API paths show a subject type (what to refetch when one changes): the subject types the
 * server's audit events really use (`subjectType:` in apps/server/src). Findings are audited on
 * their asset by a reconcile (`findings.reconciled`), an advisory sync on its source.
 */
export const pathsBySubject: Readonly<Record<string, readonly string[]>> = {
  asset: ['/api/v1/assets', '/api/v1/findings', '/api/v1/dashboard'],
  finding: ['/api/v1/findings', '/api/v1/dashboard', '/api/v1/assets'],
  finding_exception: ['/api/v1/finding-exceptions', '/api/v1/findings', '/api/v1/dashboard'],
  'advisory-source': [
    '/api/v1/advisory-sources',
    '/api/v1/sync-runs',
    '/api/v1/advisories',
    '/api/v1/advisory-catalogue',
    '/api/v1/findings',
    '/api/v1/dashboard',
  ],
  job: ['/api/v1/jobs', '/api/v1/sync-runs', '/api/v1/advisory-sources'],
  change: [
    '/api/v1/changes',
    '/api/v1/calendar',
    '/api/v1/rollouts',
    '/api/v1/findings',
    '/api/v1/dashboard',
  ],
  change_template: ['/api/v1/change-templates'],
  autopilot_rule: ['/api/v1/autopilot', '/api/v1/changes'],
  approver_group: ['/api/v1/approver-groups', '/api/v1/changes'],
  approval_policy: ['/api/v1/approval-policy', '/api/v1/changes'],
  delegation: ['/api/v1/delegations', '/api/v1/changes'],
  rollout: ['/api/v1/rollouts', '/api/v1/changes', '/api/v1/agent-tasks', '/api/v1/dashboard'],
  agent: ['/api/v1/agents', '/api/v1/assets', '/api/v1/dashboard'],
  agent_task: ['/api/v1/agent-tasks', '/api/v1/rollouts', '/api/v1/agents'],
  enrolment_token: ['/api/v1/enrolment-tokens'],
  user: ['/api/v1/users'],
  api_token: ['/api/v1/tokens'],
  'maintenance-window': ['/api/v1/calendar'],
  'change-freeze': ['/api/v1/calendar'],
  'calendar-feed-token': ['/api/v1/calendar'],
  'notification-channel': ['/api/v1/notification-channels'],
  'notification-subscription': ['/api/v1/notification-subscriptions'],
  'notification-contact': ['/api/v1/notification-contacts'],
  'notification-template': ['/api/v1/notification-templates'],
  'notification-delivery': ['/api/v1/notification-deliveries'],
};

/** The API paths to refetch after an event: its subject's, and the audit log (every event). */
export function pathsToRefresh(subjectType: string): readonly string[] {
  return [...(pathsBySubject[subjectType] ?? []), '/api/v1/audit'];
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

/** Subscribe while mounted (the app shell, once logged in); returns the stream's status. */
export function useLiveUpdates(): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/live');
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.onopen = () => setStatus('live');
    source.onerror = () =>
      setStatus(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.addEventListener('activity', (message: MessageEvent<string>) => {
      let event: ActivityEvent;
      try {
        event = JSON.parse(message.data) as ActivityEvent;
      } catch {
        return;
      }
      for (const path of pathsToRefresh(event.subjectType)) pending.add(path);
      // A sync can audit hundreds of events in a second: refetch once per burst.
      timer ??= setTimeout(() => {
        timer = undefined;
        const paths = [...pending];
        pending.clear();
        void invalidatePaths(queryClient, paths);
      }, 500);
    });
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [queryClient]);
  return status;
}
