/**
 * Reading `apt-get -s install pkg=ver…` output (run with LC_ALL=C) into a `Simulation`.
 * The action lines come from apt-pkg/algorithms.cc (pkgSimulate):
 *   `Inst name [installed] (candidate origins [arch])` — `[installed]` absent for a new package,
 *   `Remv name [installed]`, `Conf name (candidate origins [arch])`;
 * the package blocks ("The following packages will be DOWNGRADED:", "… held packages will be
 * changed:", "… have unmet dependencies:") from apt-private/private-install.cc; errors start
 * with `E: `.
 */
import type { PackageTarget, Simulation } from '@patchgate/agent-protocol';

const instLine = /^Inst (?<name>\S+)(?: \[(?<installed>[^\]]+)\])? \((?<candidate>\S+)[ )]/;
const remvLine = /^(?:Remv|Purg) (?<name>\S+)(?: \[(?<installed>[^\]]+)\])?/;
const blockHeader = /^The following (?<what>.+):$/;

export interface SimulationInput {
  /** apt-get -s output (stdout and stderr, in order or not). */
  readonly output: string;
  /** apt-get's exit code (non-zero: apt refused; the E: lines say why). */
  readonly exitCode: number | null;
  /** The packages asked for. */
  readonly targets: readonly PackageTarget[];
  /** `apt-mark showhold` of the root. */
  readonly heldPackages: readonly string[];
}

/** Parses a simulation; servicesNeedingRestart is filled in by the caller (it needs dpkg). */
export function parseSimulation(input: SimulationInput): Simulation {
  const simulation: Simulation = {
    install: [],
    upgrade: [],
    downgrade: [],
    remove: [],
    held: [],
    newDependencies: [],
    servicesNeedingRestart: [],
    problems: [],
  };
  const blocks = new Map<string, string[]>();
  let block: string[] | undefined;
  const unmet: string[] = [];
  let inUnmet = false;
  const targetNames = new Set(input.targets.map((t) => t.name));

  for (const raw of input.output.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    const header = blockHeader.exec(line);
    if (header?.groups) {
      const what = header.groups['what'] ?? '';
      inUnmet = /unmet dependencies/.test(what);
      block = [];
      blocks.set(what, block);
      continue;
    }
    if (line.startsWith(' ') && (block !== undefined || inUnmet)) {
      if (inUnmet) unmet.push(line.trim());
      else block?.push(...line.trim().split(/\s+/));
      continue;
    }
    block = undefined;
    inUnmet = false;
    const inst = instLine.exec(line);
    if (inst?.groups) {
      const { name = '', installed, candidate = '' } = inst.groups;
      if (installed === undefined) {
        simulation.install.push({ name, version: candidate });
        if (!targetNames.has(name)) simulation.newDependencies.push(name);
      } else {
        (isDowngrade(blocks, name) ? simulation.downgrade : simulation.upgrade).push({
          name,
          from: installed,
          to: candidate,
        });
      }
      continue;
    }
    const remv = remvLine.exec(line);
    if (remv?.groups) {
      simulation.remove.push({
        name: remv.groups['name'] ?? '',
        version: remv.groups['installed'] ?? null,
      });
      continue;
    }
    if (line.startsWith('E: ')) simulation.problems.push(line.slice(3));
  }

  if (unmet.length > 0) {
    simulation.problems.unshift(`unmet dependencies: ${unmet.join('; ')}`);
  }
  const held = new Set(input.heldPackages);
  const heldChanged = blocks.get('held packages will be changed') ?? [];
  const touched = [
    ...targetNames,
    ...simulation.install.map((p) => p.name),
    ...simulation.upgrade.map((p) => p.name),
    ...simulation.downgrade.map((p) => p.name),
    ...simulation.remove.map((p) => p.name),
    ...heldChanged,
  ];
  simulation.held = [
    ...new Set(touched.filter((name) => held.has(name) || heldChanged.includes(name))),
  ];
  for (const name of simulation.held) {
    const problem = `${name} is held (apt-mark hold): the install will not change it`;
    if (!simulation.problems.includes(problem)) simulation.problems.push(problem);
  }
  if (input.exitCode !== 0 && simulation.problems.length === 0) {
    simulation.problems.push(`apt-get -s exited with code ${String(input.exitCode)}`);
  }
  // The protocol's limits: at most 100 problems of 2000 characters.
  simulation.problems = simulation.problems.slice(0, 100).map((p) => p.slice(0, 2000));
  return simulation;
}

function isDowngrade(blocks: ReadonlyMap<string, string[]>, name: string): boolean {
  return blocks.get('packages will be DOWNGRADED')?.includes(name) ?? false;
}

/** A simulation that must stop an install (unless removals are allowed, for removals). */
export function simulationBlockers(simulation: Simulation, allowRemovals: boolean): string[] {
  const blockers = [...simulation.problems];
  if (!allowRemovals && simulation.remove.length > 0) {
    blockers.push(
      `the install would remove ${simulation.remove.map((p) => `${p.name} ${p.version ?? ''}`.trim()).join(', ')}`,
    );
  }
  return blockers;
}
