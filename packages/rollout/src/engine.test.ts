import type { DeploymentPlan } from '@patchgate/changes';
import { DeploymentPlan as DeploymentPlanSchema, RollbackPlan } from '@patchgate/changes';
import type { AssetFacts } from '@patchgate/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RolloutCommand, RolloutEvent, RolloutState } from './engine.ts';
import {
  disruptedHosts,
  hostOf,
  hostStates as hostStateNames,
  hostsOf,
  startRollout,
  step,
} from './engine.ts';
import * as reference from './reference-engine.test-support.ts';

const asset = (name: string): AssetFacts => ({
  id: `id-${name}`,
  name,
  environment: 'production',
  criticality: 'medium',
  exposure: 'internal',
  team: null,
  tags: [],
  groups: [],
});
const assets = (...names: string[]) => names.map(asset);
const id = (name: string) => `id-${name}`;

const check = { kind: 'command', command: 'true' } as const;
const plan = (...waves: Record<string, unknown>[]): DeploymentPlan =>
  DeploymentPlanSchema.parse({ waves });

const T0 = '2026-12-06T01:00:00.000Z';
const minutes = (m: number) => new Date(Date.parse(T0) + m * 60_000).toISOString();
const tick = (m = 0, insideWindow = true, acceptsNewWork = true): RolloutEvent => ({
  type: 'tick',
  now: minutes(m),
  insideWindow,
  acceptsNewWork,
});
const result = (name: string, outcome: 'succeeded' | 'failed', m = 0): RolloutEvent => ({
  type: 'host-result',
  host: id(name),
  outcome,
  at: minutes(m),
});
const health = (name: string, verdict: 'pass' | 'fail' | 'inconclusive', m = 0): RolloutEvent => ({
  type: 'health',
  host: id(name),
  verdict,
  at: minutes(m),
});

/** Feed events in order, collecting every command. */
function feed(state: RolloutState, events: RolloutEvent[]) {
  const commands: RolloutCommand[] = [];
  for (const event of events) {
    const next = step(state, event);
    state = next.state;
    commands.push(...next.commands);
  }
  return { state, commands };
}

const installs = (commands: RolloutCommand[]) =>
  commands.flatMap((c) => (c.type === 'install' ? [c.host.slice(3)] : []));
const notices = (commands: RolloutCommand[]) =>
  commands.flatMap((c) => (c.type === 'notify' ? [c.kind] : []));

type Behaviour = Record<string, { install?: 'succeeded' | 'failed'; health?: 'pass' | 'fail' }>;

/** An obliging agent: answers every command at once, as `behaviour` says (default: healthy). */
function drive(state: RolloutState, behaviour: Behaviour = {}, maxTicks = 20) {
  const all: RolloutCommand[] = [];
  let m = 0;
  let queue: RolloutCommand[] = [];
  const apply = (event: RolloutEvent) => {
    const next = step(state, event);
    state = next.state;
    all.push(...next.commands);
    queue.push(...next.commands);
  };
  apply(tick(m));
  for (let t = 0; t < maxTicks; t++) {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      for (const c of batch) {
        const name = 'host' in c && c.host !== undefined ? c.host.slice(3) : '';
        if (c.type === 'install') apply(result(name, behaviour[name]?.install ?? 'succeeded', m));
        if (c.type === 'run-health-checks' && c.host !== undefined)
          apply(health(name, behaviour[name]?.health ?? 'pass', m));
        if (c.type === 'run-health-checks' && c.host === undefined)
          apply({ type: 'health', wave: c.wave, verdict: 'pass', at: minutes(m) });
        if (c.type === 'roll-back')
          for (const h of c.hosts)
            apply({ type: 'rollback-result', host: h, outcome: 'succeeded', at: minutes(m) });
      }
    }
    m += 30;
    apply(tick(m));
  }
  return { state, commands: all };
}

const hostStates = (state: RolloutState) =>
  Object.fromEntries(hostsOf(state).map((h) => [h.name, h.state]));

describe('startRollout', () => {
  it('resolves the waves and starts nothing before a tick inside a window', () => {
    const state = startRollout(
      plan({ name: 'one', assets: ['a'] }, { name: 'two' }),
      assets('a', 'b', 'c'),
    );
    expect(state.state).toBe('pending');
    expect(state.waves.map((w) => [w.name, w.hosts])).toEqual([
      ['one', [id('a')]],
      ['two', [id('b'), id('c')]],
    ]);
    expect(step(state, tick(0, false, false)).commands).toEqual([]);
  });
});

describe('a healthy plan', () => {
  it('reaches every host wave by wave', () => {
    const state = startRollout(
      plan(
        { name: 'canary', assets: ['a'], healthChecks: [check] },
        { name: 'rest', concurrency: 2, healthChecks: [check] },
      ),
      assets('a', 'b', 'c', 'd'),
    );
    const run = drive(state);
    expect(run.state.state).toBe('completed');
    expect(installs(run.commands)).toEqual(['a', 'b', 'c', 'd']);
    expect(Object.values(hostStates(run.state))).toEqual(Array(4).fill('succeeded'));
    expect(run.state.waves.map((w) => w.state)).toEqual(['completed', 'completed']);
    expect(notices(run.commands)).toEqual([
      'started',
      'wave-started',
      'wave-completed',
      'wave-started',
      'wave-completed',
      'completed',
    ]);
    // Wave 2 starts only after wave 1's host passed its checks.
    const firstB = run.commands.findIndex((c) => c.type === 'install' && c.host === id('b'));
    const passA = run.commands.findIndex(
      (c) => c.type === 'notify' && c.kind === 'wave-completed' && c.wave === 'canary',
    );
    expect(passA).toBeLessThan(firstB);
  });
});

describe('disruption budget', () => {
  const rollbackPlan = RollbackPlan.parse({
    triggers: ['health-check-failure', 'failure-threshold'],
    steps: [{ kind: 'downgrade' }, { kind: 'restore-paths' }],
  });

  it.each([
    ['install fails', { a: { install: 'failed' as const } }],
    ['health check fails', { a: { health: 'fail' as const } }],
  ])(
    'a failure beyond the budget (%s) halts wave 1, rolls back its hosts, never starts wave 2',
    (_, behaviour) => {
      const state = startRollout(
        plan(
          {
            name: 'one',
            assets: ['a', 'b'],
            concurrency: 2,
            healthChecks: [check],
            onFailure: 'rollback',
          },
          { name: 'two' },
        ),
        assets('a', 'b', 'c', 'd'),
        { rollbackPlan },
      );
      const run = drive(state, behaviour);
      expect(run.state.state).toBe('rolled_back');
      expect(run.state.waves.map((w) => w.state)).toEqual(['rolled_back', 'pending']);
      expect(installs(run.commands)).toEqual(['a', 'b']);
      const rollbacks = run.commands.filter((c) => c.type === 'roll-back');
      expect(rollbacks.flatMap((c) => c.hosts).sort()).toEqual([id('a'), id('b')]);
      expect(rollbacks[0]?.steps).toEqual(rollbackPlan.steps);
      expect(hostStates(run.state)).toEqual({
        a: 'rolled_back',
        b: 'rolled_back',
        c: 'skipped',
        d: 'skipped',
      });
      expect(notices(run.commands)).toEqual(
        expect.arrayContaining(['halted', 'rolling-back', 'rolled-back']),
      );
    },
  );

  it.each([
    // [threshold, wave size, failures, halts]
    [1, 4, 1, false],
    [1, 4, 2, true],
    ['25%', 4, 1, false],
    ['25%', 4, 2, true],
    ['50%', 5, 2, false], // 50% of 5 rounds down to 2
    ['50%', 5, 3, true],
    ['10%', 5, 1, true], // 10% of 5 is 0: none tolerated
  ] as const)(
    'threshold %s of %i tolerates failures: %i failed → halted %s',
    (threshold, size, failures, halts) => {
      const names = Array.from({ length: size }, (_, i) => `h${i}`);
      const behaviour: Behaviour = Object.fromEntries(
        names.slice(0, failures).map((n) => [n, { install: 'failed' as const }]),
      );
      const state = startRollout(
        plan({ name: 'one', failureThreshold: threshold, onFailure: 'rollback' }),
        assets(...names),
      );
      const run = drive(state, behaviour);
      expect(run.state.state).toBe(halts ? 'rolled_back' : 'completed');
    },
  );

  it('counts a host as disrupted from its start until it passes its checks', () => {
    let state = startRollout(
      plan({ name: 'one', concurrency: 2, failureThreshold: 1, healthChecks: [check] }),
      assets('a', 'b', 'c'),
    );
    state = feed(state, [tick()]).state;
    expect(disruptedHosts(state, 0)).toEqual([id('a'), id('b')]);
    state = feed(state, [result('a', 'succeeded')]).state;
    expect(disruptedHosts(state, 0)).toEqual([id('a'), id('b')]);
    state = feed(state, [health('a', 'pass')]).state;
    expect(disruptedHosts(state, 0)).toEqual([id('b'), id('c')]);
    state = feed(state, [result('b', 'failed')]).state;
    expect(disruptedHosts(state, 0)).toEqual([id('b'), id('c')]);
    expect(state.state).toBe('running');
  });

  it('onFailure pause pauses for a human; resume accepts the failures and goes on', () => {
    let state = startRollout(
      plan({ name: 'one', assets: ['a', 'b'] }, { name: 'two' }),
      assets('a', 'b', 'c'),
    );
    const run = feed(state, [tick(), result('a', 'failed')]);
    state = run.state;
    expect(state.state).toBe('paused');
    expect(state.waves[0]?.state).toBe('paused');
    expect(notices(run.commands)).toContain('paused');
    const resumed = feed(state, [{ type: 'resume', by: 'alice', at: minutes(1) }]);
    expect(installs(resumed.commands)).toEqual(['b']);
    const done = feed(resumed.state, [result('b', 'succeeded', 2), result('c', 'succeeded', 3)]);
    expect(done.state.state).toBe('completed');
    expect(hostStates(done.state)).toEqual({ a: 'failed', b: 'succeeded', c: 'succeeded' });
  });

  it('onFailure continue notifies and goes on', () => {
    const run = drive(
      startRollout(plan({ name: 'one', onFailure: 'continue' }, { name: 'two' }), assets('a', 'b')),
      { a: { install: 'failed' } },
    );
    expect(run.state.state).toBe('completed');
    expect(notices(run.commands)).toContain('budget-exceeded');
  });

  it('halts without rolling back when the rollback plan has no such trigger', () => {
    const run = drive(
      startRollout(
        plan({ name: 'one', onFailure: 'rollback' }, { name: 'two' }),
        assets('a', 'b'),
        {
          rollbackPlan: RollbackPlan.parse({
            triggers: ['manual'],
            steps: [{ kind: 'downgrade' }],
          }),
        },
      ),
      { a: { install: 'failed' } },
    );
    expect(run.state.state).toBe('halted');
    expect(run.commands.filter((c) => c.type === 'roll-back')).toEqual([]);
    expect(installs(run.commands)).toEqual(['a']);
  });

  it('a host whose install is in flight at the halt is rolled back when it reports', () => {
    let state = startRollout(
      plan({ name: 'one', concurrency: 2, onFailure: 'rollback' }, { name: 'two' }),
      assets('a', 'b', 'c'),
    );
    let run = feed(state, [tick(), result('a', 'failed')]);
    state = run.state;
    expect(state.state).toBe('rolling_back');
    expect(run.commands.filter((c) => c.type === 'roll-back').flatMap((c) => c.hosts)).toEqual([
      id('a'),
    ]);
    run = feed(state, [
      { type: 'rollback-result', host: id('a'), outcome: 'succeeded', at: minutes(1) },
      result('b', 'succeeded', 2),
    ]);
    expect(run.commands.filter((c) => c.type === 'roll-back').flatMap((c) => c.hosts)).toEqual([
      id('b'),
    ]);
    run = feed(run.state, [
      { type: 'rollback-result', host: id('b'), outcome: 'failed', at: minutes(3) },
    ]);
    expect(run.state.state).toBe('halted');
    expect(notices(run.commands)).toEqual(['rollback-failed']);
  });
});

describe('concurrency', () => {
  it.each([
    [2, 5, [2, 2, 1]],
    ['40%', 5, [2, 2, 1]],
    ['50%', 5, [3, 2]],
    [1, 3, [1, 1, 1]],
    [10, 3, [3]],
  ] as const)('concurrency %s of %i installs in batches %j', (concurrency, size, batches) => {
    const names = Array.from({ length: size }, (_, i) => `h${i}`);
    let state = startRollout(plan({ name: 'one', concurrency }), assets(...names));
    let next = step(state, tick());
    const seen: number[] = [];
    for (;;) {
      const started = installs(next.commands);
      if (started.length === 0) break;
      seen.push(started.length);
      state = next.state;
      const batch = feed(
        state,
        started.map((n) => result(n, 'succeeded')),
      );
      next = { state: batch.state, commands: batch.commands };
    }
    expect(seen).toEqual(batches);
  });
});

describe('bake time', () => {
  it('waits bakeMinutes after the wave before the next one starts (time from events)', () => {
    let state = startRollout(
      plan({ name: 'one', assets: ['a'], bakeMinutes: 60 }, { name: 'two' }),
      assets('a', 'b'),
    );
    state = feed(state, [tick(0), result('a', 'succeeded', 10)]).state;
    expect(state.state).toBe('baking');
    expect(state.waves[0]?.bakeUntil).toBe(minutes(70));
    expect(installs(feed(state, [tick(69)]).commands)).toEqual([]);
    const after = feed(state, [tick(70)]);
    expect(installs(after.commands)).toEqual(['b']);
    expect(after.state.waves[0]?.state).toBe('completed');
  });

  it("runs the wave's own checks after the bake; fail with rollback rolls the wave back", () => {
    let state = startRollout(
      plan(
        {
          name: 'one',
          assets: ['a'],
          bakeMinutes: 5,
          healthChecks: [check],
          onFailure: 'rollback',
        },
        { name: 'two' },
      ),
      assets('a', 'b'),
    );
    state = feed(state, [tick(0), result('a', 'succeeded', 1), health('a', 'pass', 2)]).state;
    const baked = feed(state, [tick(7)]);
    expect(baked.commands).toEqual([
      { type: 'run-health-checks', wave: 'one', checks: state.waves[0]?.healthChecks },
    ]);
    const failed = feed(baked.state, [
      { type: 'health', wave: 'one', verdict: 'fail', at: minutes(8) },
    ]);
    expect(failed.state.state).toBe('rolling_back');
    expect(failed.commands.filter((c) => c.type === 'roll-back').flatMap((c) => c.hosts)).toEqual([
      id('a'),
    ]);
  });
});

describe('rings and empty waves', () => {
  it("a later ring's waves wait for its day offset after the start", () => {
    let state = startRollout(
      DeploymentPlanSchema.parse({
        waves: [
          { name: 'one', assets: ['a'] },
          { name: 'two', bakeMinutes: 60, healthChecks: [check] },
        ],
        rings: [
          { name: 'first', offsetDays: 0, waves: ['one'] },
          { name: 'later', offsetDays: 3, waves: ['two'] },
        ],
      }),
      assets('a', 'b'),
    );
    state = feed(state, [tick(0), result('a', 'succeeded', 5)]).state;
    expect(state.waves.map((w) => w.state)).toEqual(['completed', 'pending']);
    expect(installs(feed(state, [tick(3 * 1440 - 1)]).commands)).toEqual([]);
    expect(installs(feed(state, [tick(3 * 1440)]).commands)).toEqual(['b']);
  });

  it('an empty wave neither bakes nor runs checks', () => {
    const state = startRollout(
      plan(
        { name: 'one', assets: ['a'] },
        { name: 'empty', assets: ['nobody'], bakeMinutes: 600, healthChecks: [check] },
        { name: 'three', assets: ['b'] },
      ),
      assets('a', 'b'),
    );
    const run = feed(state, [tick(0), result('a', 'succeeded', 1)]);
    expect(run.state.waves.map((w) => w.state)).toEqual(['completed', 'completed', 'running']);
    expect(installs(run.commands)).toEqual(['a', 'b']);
  });
});

describe('health verdicts', () => {
  it('inconclusive pauses; resume asks the checks again; pass continues', () => {
    let state = startRollout(plan({ name: 'one', healthChecks: [check] }), assets('a'));
    const paused = feed(state, [tick(), result('a', 'succeeded'), health('a', 'inconclusive')]);
    expect(paused.state.state).toBe('paused');
    expect(paused.state.reason).toContain('inconclusive');
    const resumed = feed(paused.state, [{ type: 'resume', by: 'bob', at: minutes(1) }]);
    expect(resumed.commands.filter((c) => c.type === 'run-health-checks')).toHaveLength(1);
    const passed = feed(resumed.state, [health('a', 'pass', 2)]);
    expect(passed.state.state).toBe('baking');
    expect(passed.commands).toContainEqual(expect.objectContaining({ wave: 'one' }));
    state = feed(passed.state, [
      { type: 'health', wave: 'one', verdict: 'pass', at: minutes(3) },
    ]).state;
    expect(state.state).toBe('completed');
  });
});

describe('manual gate', () => {
  it('waits for a person before a manual wave, then starts it', () => {
    let state = startRollout(
      plan({ name: 'one', assets: ['a'] }, { name: 'two', gate: 'manual' }),
      assets('a', 'b'),
    );
    const waiting = feed(state, [tick(), result('a', 'succeeded')]);
    state = waiting.state;
    expect(state.state).toBe('awaiting_gate');
    expect(notices(waiting.commands)).toContain('awaiting-gate');
    expect(installs(feed(state, [tick(60)]).commands)).toEqual([]);
    // Releasing another wave does nothing.
    expect(step(state, { type: 'gate-released', wave: 'one', by: 'x', at: T0 }).state).toBe(state);
    const released = feed(state, [
      { type: 'gate-released', wave: 'two', by: 'carol', at: minutes(61) },
    ]);
    expect(installs(released.commands)).toEqual(['b']);
    expect(released.state.waves[1]?.releasedBy).toBe('carol');
  });
});

describe('commands by a person', () => {
  it('pause stops new hosts; resume continues', () => {
    let state = startRollout(plan({ name: 'one' }), assets('a', 'b'));
    state = feed(state, [tick(), { type: 'pause', by: 'dan', at: T0 }]).state;
    const finished = feed(state, [result('a', 'succeeded'), tick(5)]);
    expect(installs(finished.commands)).toEqual([]);
    expect(hostOf(finished.state, id('a'))?.state).toBe('succeeded');
    const resumed = feed(finished.state, [{ type: 'resume', by: 'dan', at: minutes(6) }]);
    expect(installs(resumed.commands)).toEqual(['b']);
  });

  it('abort stops for good: pending hosts are skipped, in-flight results still recorded', () => {
    let state = startRollout(plan({ name: 'one' }, { name: 'two' }), assets('a', 'b'));
    const aborted = feed(state, [tick(), { type: 'abort', by: 'eve', at: T0 }]);
    state = aborted.state;
    expect(state.state).toBe('aborted');
    expect(notices(aborted.commands)).toContain('aborted');
    const later = feed(state, [
      result('a', 'succeeded'),
      tick(5),
      { type: 'resume', by: 'e', at: T0 },
    ]);
    expect(installs(later.commands)).toEqual([]);
    expect(hostStates(later.state)).toEqual({ a: 'succeeded', b: 'skipped' });
  });

  it('rollback by command rolls back every started host of every wave', () => {
    const done = drive(
      startRollout(plan({ name: 'one', assets: ['a'] }, { name: 'two' }), assets('a', 'b')),
    );
    expect(done.state.state).toBe('completed');
    const back = feed(done.state, [{ type: 'rollback', by: 'frank', at: minutes(999) }]);
    expect(back.state.state).toBe('rolling_back');
    expect(back.commands.find((c) => c.type === 'roll-back')).toMatchObject({
      hosts: [id('a'), id('b')],
      steps: [{ kind: 'downgrade' }],
    });
    const end = feed(back.state, [
      { type: 'rollback-result', host: id('a'), outcome: 'succeeded', at: minutes(1000) },
      { type: 'rollback-result', host: id('b'), outcome: 'succeeded', at: minutes(1000) },
    ]);
    expect(end.state.state).toBe('rolled_back');
    expect(end.state.waves.map((w) => w.state)).toEqual(['rolled_back', 'rolled_back']);
  });
});

describe('window enforcement', () => {
  it('no new host after the cutoff; the next window continues', () => {
    let state = startRollout(plan({ name: 'one' }), assets('a', 'b', 'c'));
    state = feed(state, [tick(0)]).state;
    const cutoff = feed(state, [tick(50, true, false), result('a', 'succeeded', 51)]);
    expect(installs(cutoff.commands)).toEqual([]);
    const closed = feed(cutoff.state, [tick(70, false, false)]);
    expect(installs(closed.commands)).toEqual([]);
    const nextWindow = feed(closed.state, [tick(24 * 60, true, true)]);
    expect(installs(nextWindow.commands)).toEqual(['b']);
  });

  it('does not start outside a window', () => {
    const state = startRollout(plan({ name: 'one' }), assets('a'));
    const outside = step(state, tick(0, false, true));
    expect(outside.state.state).toBe('pending');
    expect(outside.commands).toEqual([]);
  });
});

describe('offline hosts', () => {
  it.each([
    ['skip', ['a', 'c'], { a: 'succeeded', b: 'skipped', c: 'succeeded' }],
    ['wait', ['a', 'b', 'c'], { a: 'succeeded', b: 'succeeded', c: 'succeeded' }],
  ] as const)('offlineHosts %s', (offlineHosts, installed, states) => {
    const state = startRollout(plan({ name: 'one' }), assets('a', 'b', 'c'), { offlineHosts });
    const offline = feed(state, [{ type: 'host-offline', host: id('b'), at: T0 }]).state;
    const run = drive(offline);
    expect(installs(run.commands)).toEqual(installed);
    expect(hostStates(run.state)).toEqual(states);
    expect(run.state.state).toBe('completed');
  });

  it('a started host is never skipped', () => {
    const state = feed(startRollout(plan({ name: 'one' }), assets('a'), { offlineHosts: 'skip' }), [
      tick(),
    ]).state;
    expect(step(state, { type: 'host-offline', host: id('a'), at: T0 }).state).toBe(state);
  });
});

describe('idempotence', () => {
  const base = () => startRollout(plan({ name: 'one', healthChecks: [check] }), assets('a', 'b'));

  it.each<[string, RolloutEvent[], RolloutEvent]>([
    ['a repeated host result', [tick(), result('a', 'succeeded')], result('a', 'succeeded')],
    ['a result contradicting the first', [tick(), result('a', 'succeeded')], result('a', 'failed')],
    ['a result for a host never started', [tick()], result('b', 'succeeded')],
    ['a result for an unknown host', [tick()], result('zz', 'succeeded')],
    [
      'a repeated health verdict',
      [tick(), result('a', 'succeeded'), health('a', 'pass')],
      health('a', 'pass'),
    ],
    ['a repeated tick', [tick(3)], tick(3)],
    ['resume when not paused', [tick()], { type: 'resume', by: 'x', at: T0 }],
    [
      'a rollback result never asked for',
      [tick()],
      { type: 'rollback-result', host: id('a'), outcome: 'succeeded', at: T0 },
    ],
  ])('%s is a no-op', (_, before, replayed) => {
    const { state } = feed(base(), before);
    const again = step(state, replayed);
    expect(again.state).toBe(state);
    expect(again.commands).toEqual([]);
  });

  it('replaying the whole event log after a restart installs nothing again', () => {
    const events = [
      tick(),
      result('a', 'succeeded'),
      health('a', 'pass'),
      result('b', 'succeeded'),
    ];
    const first = feed(base(), events);
    const replay = feed(first.state, events);
    expect(installs(replay.commands)).toEqual([]);
    expect(replay.state).toEqual(first.state);
  });

  it('property: whatever the events, order and repeats, a host is installed at most once', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const hostArb = fc.constantFrom(...names);
    const at = fc.integer({ min: 0, max: 600 }).map(minutes);
    const event: fc.Arbitrary<RolloutEvent> = fc.oneof(
      fc.record({
        type: fc.constant('tick' as const),
        now: at,
        insideWindow: fc.boolean(),
        acceptsNewWork: fc.boolean(),
      }),
      fc.record({
        type: fc.constant('host-result' as const),
        host: hostArb.map(id),
        outcome: fc.constantFrom('succeeded' as const, 'failed' as const),
        at,
      }),
      fc.record({
        type: fc.constant('health' as const),
        host: hostArb.map(id),
        verdict: fc.constantFrom('pass' as const, 'fail' as const, 'inconclusive' as const),
        at,
      }),
      fc.record({
        type: fc.constant('health' as const),
        wave: fc.constantFrom('one', 'two'),
        verdict: fc.constantFrom('pass' as const, 'fail' as const, 'inconclusive' as const),
        at,
      }),
      fc.record({
        type: fc.constant('rollback-result' as const),
        host: hostArb.map(id),
        outcome: fc.constantFrom('succeeded' as const, 'failed' as const),
        at,
      }),
      fc.record({ type: fc.constant('host-offline' as const), host: hostArb.map(id), at }),
      fc.record({
        type: fc.constant('gate-released' as const),
        wave: fc.constantFrom('one', 'two'),
        by: fc.constant('p'),
        at,
      }),
      fc.record({
        type: fc.constantFrom(
          'pause' as const,
          'resume' as const,
          'abort' as const,
          'rollback' as const,
        ),
        by: fc.constant('p'),
        at,
      }),
    );
    const planArb = fc.record({
      concurrency: fc.constantFrom(1, 2, '50%'),
      failureThreshold: fc.constantFrom(0, 1, '40%'),
      onFailure: fc.constantFrom('pause', 'rollback', 'continue'),
      gate: fc.constantFrom('auto', 'manual'),
      bakeMinutes: fc.constantFrom(0, 30),
      checks: fc.boolean(),
      offlineHosts: fc.constantFrom('skip' as const, 'wait' as const),
    });
    fc.assert(
      fc.property(planArb, fc.array(event, { maxLength: 80 }), (p, events) => {
        const initial = startRollout(
          plan(
            {
              name: 'one',
              assets: ['a', 'b'],
              concurrency: p.concurrency,
              failureThreshold: p.failureThreshold,
              onFailure: p.onFailure,
              healthChecks: p.checks ? [check] : [],
            },
            {
              name: 'two',
              gate: p.gate,
              bakeMinutes: p.bakeMinutes,
              onFailure: p.onFailure,
              healthChecks: p.checks ? [check] : [],
            },
          ),
          assets(...names),
          { offlineHosts: p.offlineHosts },
        );
        // Each event delivered twice: a repeated result, verdict or release changes nothing.
        let state = initial;
        const installed: string[] = [];
        for (const e of events) {
          const first = step(state, e);
          state = first.state;
          for (const c of first.commands) {
            if (c.type !== 'install') continue;
            installed.push(c.host);
            // No host starts outside a window or after its cutoff.
            expect(state.window).toEqual({ insideWindow: true, acceptsNewWork: true });
            // Wave two's hosts start only after wave one completed (never after a halt).
            if (c.wave === 'two') expect(state.waves[0]?.state).toBe('completed');
          }
          const again = step(state, e);
          if (
            [
              'host-result',
              'health',
              'rollback-result',
              'gate-released',
              'host-offline',
              'tick',
            ].includes(e.type)
          ) {
            expect(again.state).toBe(state);
            expect(again.commands).toEqual([]);
          }
          state = again.state;
          installed.push(...installs(again.commands).map(id));
        }
        expect(new Set(installed).size).toBe(installed.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('copy-on-write', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const at = fc.integer({ min: 0, max: 600 }).map(minutes);
  const hostArb = fc.constantFrom(...names, 'zz').map(id);
  const event: fc.Arbitrary<RolloutEvent> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('tick' as const),
        now: at,
        insideWindow: fc.boolean(),
        acceptsNewWork: fc.boolean(),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('host-result' as const),
        host: hostArb,
        outcome: fc.constantFrom('succeeded' as const, 'failed' as const),
        at,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('health' as const),
        host: hostArb,
        verdict: fc.constantFrom('pass' as const, 'fail' as const, 'inconclusive' as const),
        at,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('health' as const),
        wave: fc.constantFrom('one', 'two'),
        verdict: fc.constantFrom('pass' as const, 'fail' as const, 'inconclusive' as const),
        at,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constant('rollback-result' as const),
        host: hostArb,
        outcome: fc.constantFrom('succeeded' as const, 'failed' as const),
        at,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('host-offline' as const), host: hostArb, at }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('gate-released' as const),
        wave: fc.constantFrom('one', 'two'),
        by: fc.constant('p'),
        at,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        type: fc.constantFrom(
          'pause' as const,
          'resume' as const,
          'abort' as const,
          'rollback' as const,
        ),
        by: fc.constant('p'),
        at,
      }),
    },
  );
  const planArb = fc.record({
    concurrency: fc.constantFrom(1, 2, '50%'),
    failureThreshold: fc.constantFrom(0, 1, '40%'),
    onFailure: fc.constantFrom('pause', 'rollback', 'continue'),
    gate: fc.constantFrom('auto', 'manual'),
    bakeMinutes: fc.constantFrom(0, 30),
    checks: fc.boolean(),
    offlineHosts: fc.constantFrom('skip' as const, 'wait' as const),
    triggers: fc.constantFrom(['health-check-failure', 'failure-threshold', 'manual'], ['manual']),
  });

  it('property: same commands and host and wave states as the whole-copy engine; earlier states never change', () => {
    fc.assert(
      fc.property(planArb, fc.array(event, { maxLength: 120 }), (p, events) => {
        const deployment = plan(
          {
            name: 'one',
            assets: ['a', 'b', 'c'],
            concurrency: p.concurrency,
            failureThreshold: p.failureThreshold,
            onFailure: p.onFailure,
            healthChecks: p.checks ? [check] : [],
          },
          {
            name: 'two',
            gate: p.gate,
            bakeMinutes: p.bakeMinutes,
            onFailure: p.onFailure,
            healthChecks: p.checks ? [check] : [],
          },
        );
        const options = {
          offlineHosts: p.offlineHosts,
          rollbackPlan: RollbackPlan.parse({
            triggers: p.triggers,
            steps: [{ kind: 'downgrade' }],
          }),
        };
        let state = startRollout(deployment, assets(...names), options);
        let oracle = reference.startRollout(deployment, assets(...names), options);
        for (const e of events) {
          const frozen = structuredClone(state);
          const next = step(state, e);
          const expected = reference.step(oracle, e);
          expect(state).toEqual(frozen);
          expect(next.commands).toEqual(expected.commands);
          expect(next.state === state).toBe(expected.state === oracle);
          state = next.state;
          oracle = expected.state;
          const {
            waves,
            hostChunks,
            chunkSize,
            hostIndex,
            outstandingRollbacks,
            failedRollbacks,
            inconclusiveHosts,
            ...rest
          } = state;
          const { waves: oracleWaves, hosts: oracleHosts, ...oracleRest } = oracle;
          expect(rest).toEqual(oracleRest);
          expect(Object.fromEntries(hostsOf(state).map((h) => [h.host, h]))).toEqual(oracleHosts);
          expect(waves.map(({ counts: _counts, cursor: _cursor, ...w }) => w)).toEqual(oracleWaves);
          // The counters agree with the records.
          waves.forEach((w) => {
            const counts = Object.fromEntries(hostStateNames.map((s) => [s, 0])) as Record<
              string,
              number
            >;
            for (const h of w.hosts) {
              const key = hostOf(state, h)?.state ?? 'pending';
              counts[key] = (counts[key] ?? 0) + 1;
            }
            expect(w.counts).toEqual(counts);
          });
          const all = hostsOf(state);
          expect(outstandingRollbacks).toBe(
            all.filter((h) => h.rollback === 'requested' || h.rollback === 'awaiting-install')
              .length,
          );
          expect(failedRollbacks).toBe(all.filter((h) => h.rollback === 'failed').length);
          expect([...inconclusiveHosts].sort()).toEqual(
            all
              .filter((h) => h.checks === 'inconclusive')
              .map((h) => h.host)
              .sort(),
          );
          expect(hostChunks.flat().map((h) => hostIndex[h.host])).toEqual(
            hostChunks.flat().map((_, i) => i),
          );
          expect(hostChunks.slice(0, -1).every((c) => c.length === chunkSize)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a host touched copies its chunk only: other chunks are shared with the previous state', () => {
    const many = Array.from({ length: 400 }, (_, i) => `h${i}`);
    const started = feed(startRollout(plan({ name: 'one', concurrency: 1 }), assets(...many)), [
      tick(),
    ]).state;
    const next = step(started, result('h0', 'succeeded')).state;
    expect(next.chunkSize).toBe(20);
    expect(next.hostChunks[0]).not.toBe(started.hostChunks[0]);
    expect(next.hostChunks.slice(1).every((chunk, i) => chunk === started.hostChunks[i + 1])).toBe(
      true,
    );
    expect(hostOf(next, id('h0'))?.state).toBe('succeeded');
    expect(hostOf(next, id('h1'))?.state).toBe('running');
    expect(hostOf(started, id('h0'))?.state).toBe('running');
  });
});
