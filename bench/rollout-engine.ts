/**
 * The rollout engine's cost for a whole rollout (every host installed and checked, 4 waves of
 * 10% concurrency, wave checks after each wave), at 1,000 and 10,000 hosts. The baseline is the
 * first engine (a whole-state copy per event, kept as the test oracle), measured in the same
 * run at 1,000 hosts only: at 10,000 it takes minutes.
 */
import type { DeploymentPlan } from '@patchgate/changes';
import { DeploymentPlan as DeploymentPlanSchema } from '@patchgate/changes';
import type { AssetFacts } from '@patchgate/model';
import type { RolloutCommand, RolloutEvent, RolloutState } from '@patchgate/rollout';
import { startRollout, step } from '@patchgate/rollout';
import * as reference from '../packages/rollout/src/reference-engine.test-support.ts';

interface Engine {
  start(plan: DeploymentPlan, assets: AssetFacts[]): RolloutState;
  step(
    state: RolloutState,
    event: RolloutEvent,
  ): { state: RolloutState; commands: RolloutCommand[] };
}
const engines: Record<string, Engine> = {
  'copy-on-write': { start: (p, a) => startRollout(p, a), step },
  'whole copy (old)': {
    start: (p, a) => reference.startRollout(p, a) as unknown as RolloutState,
    step: (s, e) =>
      reference.step(s as unknown as reference.RolloutState, e) as unknown as {
        state: RolloutState;
        commands: RolloutCommand[];
      },
  },
};

const check = { kind: 'command', command: 'true' } as const;

function fleet(hosts: number): { plan: DeploymentPlan; assets: AssetFacts[] } {
  const assets = Array.from({ length: hosts }, (_, i): AssetFacts => ({
    id: `asset-${i}`,
    name: `host-${i}`,
    environment: 'production',
    criticality: 'medium',
    exposure: 'internal',
    team: null,
    tags: [`ring-${i % 4}`],
    groups: [],
  }));
  const plan = DeploymentPlanSchema.parse({
    waves: [0, 1, 2, 3].map((ring) => ({
      name: `ring-${ring}`,
      selector: { tags: [`ring-${ring}`] },
      concurrency: '10%',
      healthChecks: [check],
    })),
  });
  return { plan, assets };
}

/** Drive a whole rollout: every command answered at once, healthy. Returns ms and events. */
function run(engine: Engine, hosts: number): { ms: number; events: number } {
  const { plan, assets } = fleet(hosts);
  const started = performance.now();
  let state = engine.start(plan, assets);
  let events = 0;
  let minute = 0;
  const at = () => new Date(Date.UTC(2026, 11, 6, 1, minute)).toISOString();
  const queue: RolloutEvent[] = [
    { type: 'tick', now: at(), insideWindow: true, acceptsNewWork: true },
  ];
  while (queue.length > 0 && state.state !== 'completed') {
    const event = queue.shift() as RolloutEvent;
    const next = engine.step(state, event);
    state = next.state;
    events += 1;
    for (const c of next.commands) {
      if (c.type === 'install')
        queue.push({ type: 'host-result', host: c.host, outcome: 'succeeded', at: at() });
      else if (c.type === 'run-health-checks')
        queue.push(
          c.host === undefined
            ? { type: 'health', wave: c.wave, verdict: 'pass', at: at() }
            : { type: 'health', host: c.host, verdict: 'pass', at: at() },
        );
    }
    if (queue.length === 0) {
      minute += 1;
      queue.push({ type: 'tick', now: at(), insideWindow: true, acceptsNewWork: true });
    }
  }
  if (state.state !== 'completed') throw new Error(`rollout ended ${state.state}`);
  return { ms: performance.now() - started, events };
}

export function benchRolloutEngine(): Promise<void> {
  const sizes = [1_000, 10_000];
  const baseline = run(engines['whole copy (old)'] as Engine, 1_000);
  process.stdout.write(
    `rollout-engine whole copy (old)  1,000 hosts: ${baseline.ms.toFixed(0)} ms, ${baseline.events} events (${((baseline.ms * 1000) / baseline.events).toFixed(1)} µs/event)\n`,
  );
  for (const hosts of sizes) {
    run(engines['copy-on-write'] as Engine, Math.min(hosts, 200)); // warm-up
    const { ms, events } = run(engines['copy-on-write'] as Engine, hosts);
    const ratio = hosts === 1_000 ? ` (${(ms / baseline.ms).toFixed(3)}x old)` : '';
    process.stdout.write(
      `rollout-engine copy-on-write ${hosts.toLocaleString('en').padStart(6)} hosts: ${ms.toFixed(0)} ms, ${events} events (${((ms * 1000) / events).toFixed(1)} µs/event)${ratio}\n`,
    );
  }
  return Promise.resolve();
}
