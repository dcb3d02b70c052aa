import { describe, expect, it } from 'vitest';

import { parseSimulation, simulationBlockers } from './simulation.ts';

// Outputs of apt 2.6.1 (Debian bookworm) on sandbox roots with the test repository.
const removal = `Reading package lists...
Building dependency tree...
Reading state information...
The following additional packages will be installed:
  pg-demo-lib
The following packages will be REMOVED:
  pg-demo-legacy
The following NEW packages will be installed:
  pg-demo-lib pg-demo-modern
0 upgraded, 2 newly installed, 1 to remove and 1 not upgraded.
Remv pg-demo-legacy [1.0]
Inst pg-demo-lib (1.0 localhost [all])
Inst pg-demo-modern (2.0 localhost [all])
Conf pg-demo-lib (1.0 localhost [all])
Conf pg-demo-modern (2.0 localhost [all])
`;

const downgrade = `Reading package lists...
The following packages will be DOWNGRADED:
  pg-demo-service
0 upgraded, 0 newly installed, 1 downgraded, 0 to remove and 0 not upgraded.
Inst pg-demo-service [1.1] (1.0 localhost [all])
Conf pg-demo-service (1.0 localhost [all])
`;

const held = `Reading package lists...
The following held packages will be changed:
  pg-demo-service
The following packages will be upgraded:
  pg-demo-service
1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.
Inst pg-demo-service [1.0] (1.1 localhost [all])
Conf pg-demo-service (1.1 localhost [all])
`;

const unmet = `Reading package lists...
Some packages could not be installed. This may mean that you have
requested an impossible situation or if you are using the unstable
distribution that some required packages have not yet been created
or been moved out of Incoming.
The following information may help to resolve the situation:

The following packages have unmet dependencies:
 pg-demo-modern : Depends: pg-demo-lib (>= 1.0) but it is not installable
E: Unable to correct problems, you have held broken packages.
`;

const empty = {
  install: [],
  upgrade: [],
  downgrade: [],
  remove: [],
  held: [],
  newDependencies: [],
  servicesNeedingRestart: [],
  problems: [],
};

describe('parseSimulation', () => {
  it.each([
    {
      name: 'a removal and a new dependency',
      output: removal,
      exitCode: 0,
      targets: [{ name: 'pg-demo-modern', version: '2.0' }],
      heldPackages: [],
      expected: {
        ...empty,
        install: [
          { name: 'pg-demo-lib', version: '1.0' },
          { name: 'pg-demo-modern', version: '2.0' },
        ],
        remove: [{ name: 'pg-demo-legacy', version: '1.0' }],
        newDependencies: ['pg-demo-lib'],
      },
    },
    {
      name: 'a downgrade',
      output: downgrade,
      exitCode: 0,
      targets: [{ name: 'pg-demo-service', version: '1.0' }],
      heldPackages: [],
      expected: { ...empty, downgrade: [{ name: 'pg-demo-service', from: '1.1', to: '1.0' }] },
    },
    {
      name: 'a held target',
      output: held,
      exitCode: 0,
      targets: [{ name: 'pg-demo-service', version: '1.1' }],
      heldPackages: ['pg-demo-service', 'other'],
      expected: {
        ...empty,
        upgrade: [{ name: 'pg-demo-service', from: '1.0', to: '1.1' }],
        held: ['pg-demo-service'],
        problems: ['pg-demo-service is held (apt-mark hold): the install will not change it'],
      },
    },
    {
      name: 'unmet dependencies',
      output: unmet,
      exitCode: 100,
      targets: [{ name: 'pg-demo-modern', version: '2.0' }],
      heldPackages: [],
      expected: {
        ...empty,
        problems: [
          'unmet dependencies: pg-demo-modern : Depends: pg-demo-lib (>= 1.0) but it is not installable',
          'Unable to correct problems, you have held broken packages.',
        ],
      },
    },
    {
      name: 'a failure without an E: line',
      output: '',
      exitCode: 1,
      targets: [],
      heldPackages: [],
      expected: { ...empty, problems: ['apt-get -s exited with code 1'] },
    },
  ])('reads $name', ({ expected, ...input }) => {
    expect(parseSimulation(input)).toEqual(expected);
  });
});

describe('simulationBlockers', () => {
  const simulation = parseSimulation({
    output: removal,
    exitCode: 0,
    targets: [{ name: 'pg-demo-modern', version: '2.0' }],
    heldPackages: [],
  });
  it('blocks a removal unless removals are allowed; problems always', () => {
    expect(simulationBlockers(simulation, false)).toEqual([
      'the install would remove pg-demo-legacy 1.0',
    ]);
    expect(simulationBlockers(simulation, true)).toEqual([]);
    expect(simulationBlockers({ ...simulation, problems: ['x'] }, true)).toEqual(['x']);
  });
});
