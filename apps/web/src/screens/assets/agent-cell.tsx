/** An agent's state in a few words: online or offline, a pending reboot, its version. */
import { Badge } from '../../ui/badges.tsx';
import type { Agent } from './asset-types.ts';

export function AgentCell({ agent }: { readonly agent: Agent | undefined }) {
  if (agent === undefined) return <span className="muted">no agent</span>;
  return (
    <span className="row-inline">
      <Badge tone={agent.online ? 'ok' : 'critical'}>{agent.online ? 'online' : 'offline'}</Badge>
      {agent.rebootRequired && <Badge tone="warn">reboot pending</Badge>}
      <span className="muted small">v{agent.version}</span>
    </span>
  );
}
