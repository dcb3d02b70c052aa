export type { ParseOutcome, ParseLimits } from './limits.ts';
export { DEFAULT_MAX_DEPTH, depthError } from './limits.ts';
export { jsonDepthExceeds, parseJson } from './json.ts';
export { describeValue, formatPath, valueAt } from './report.ts';
export { xmlDepthExceeds } from './xml.ts';
export { parseYaml, yamlDepthExceeds, yamlErrorMessage } from './yaml.ts';
