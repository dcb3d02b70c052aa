/** The built-in policies, one file each under ./builtin/ (docs: packages/policy/readme.md). */
import { bod2604Policy } from './builtin/bod-26-04.ts';
import { defaultPolicy } from './builtin/default.ts';
import { fedrampRev5Policy } from './builtin/fedramp-rev5.ts';
import { pciDss4Policy } from './builtin/pci-dss-4.ts';
import { ssvcDeployerPolicy } from './builtin/ssvc-deployer.ts';
import type { Policy } from './types.ts';

export const builtinPolicies: readonly Policy[] = [
  defaultPolicy,
  bod2604Policy,
  ssvcDeployerPolicy,
  pciDss4Policy,
  fedrampRev5Policy,
];

/** The id used when none is chosen. */
export const defaultPolicyId = 'default';

export function findPolicy(id: string): Policy | undefined {
  return builtinPolicies.find((policy) => policy.id === id);
}
