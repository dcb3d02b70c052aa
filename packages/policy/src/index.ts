export type {
  AssetContext,
  Criticality,
  Decision,
  Environment,
  Explanation,
  ExplanationInput,
  Exposure,
  Policy,
  PolicyFinding,
  PolicyInput,
  Priority,
  SeverityName,
  SsvcOutcome,
} from './types.ts';
export {
  criticalities,
  environments,
  exposures,
  priorities,
  severityNames,
  ssvcOutcomes,
} from './types.ts';
export { builtinPolicies, defaultPolicyId, findPolicy } from './registry.ts';
export type { ParsePolicyResult } from './custom.ts';
export { customPolicy, parsePolicy } from './custom.ts';
export type { PolicyAction, PolicyConditions, PolicyDefinition, PolicyRule } from './schema.ts';
export { policyApiVersion } from './schema.ts';
export type { AssetInputs, ChosenCvss, CveInputs, Severity, Sourced } from './inputs.ts';
export { chooseCvss, deriveAssetInputs, deriveCveInputs } from './inputs.ts';
export { addDays, addMonths, daysBetween, isCalendarDate, toCalendarDate } from './dates.ts';
export { bod2604Policy, bod2604Table } from './builtin/bod-26-04.ts';
export { deployerTable, smallExposureTag, ssvcDeployerPolicy } from './builtin/ssvc-deployer.ts';
export { pciDss4Policy } from './builtin/pci-dss-4.ts';
export { fedrampRev5Policy } from './builtin/fedramp-rev5.ts';
export { defaultPolicy } from './builtin/default.ts';
