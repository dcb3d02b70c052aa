/**
 * Short coloured labels. Colour is never the only signal: the text says it (WCAG 1.4.1), and
 * each tone meets 4.5:1 contrast in both themes (styles.css).
 */
import type { ReactNode } from 'react';

export type Tone = 'critical' | 'high' | 'medium' | 'low' | 'info' | 'ok' | 'neutral' | 'warn';

export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  readonly tone?: Tone;
  readonly children: ReactNode;
  readonly title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const priorityTones: Record<string, Tone> = {
  P1: 'critical',
  P2: 'high',
  P3: 'medium',
  P4: 'low',
  P5: 'info',
};

export function PriorityBadge({ priority }: { readonly priority: string | null | undefined }) {
  if (priority === null || priority === undefined) return <Badge>none</Badge>;
  return <Badge tone={priorityTones[priority] ?? 'neutral'}>{priority}</Badge>;
}

/** A state word (open, approved, failed, …) with a tone from its meaning. */
export function StatusBadge({ status }: { readonly status: string }) {
  return <Badge tone={statusTone(status)}>{status.replaceAll('_', ' ')}</Badge>;
}

export function statusTone(status: string): Tone {
  if (
    /^(fixed|succeeded|completed|approved|closed|pass|passed|online|active|resolved|verified|ok|implemented|delivered)$/.test(
      status,
    )
  )
    return 'ok';
  if (
    /^(failed|fail|rejected|halted|aborted|overdue|offline|exploitable|revoked|broken|error|dead)$/.test(
      status,
    )
  )
    return 'critical';
  if (
    /^(paused|pending|inconclusive|waiting|in_triage|requested|submitted|scheduled|reopened|draft|stale|expired|rolled_back|rolling_back)$/.test(
      status,
    )
  )
    return 'warn';
  if (
    /^(open|running|in_progress|implementing|assessing|authorise|authorised|authorized)$/.test(
      status,
    )
  )
    return 'info';
  return 'neutral';
}
