export type {
  AgeBuckets,
  ChangeMetrics,
  ChangeOutcome,
  ChangeTypeName,
  CoverageMetrics,
  DurationStats,
  KeyedSla,
  MetricPeriod,
  MetricRef,
  MetricScope,
  MetricSet,
  PriorityRecord,
  RemediationMetrics,
  SlaFigure,
} from './model.ts';
export type {
  AgentFact,
  AssetFact,
  ChangeFact,
  ChangeFindingFact,
  ChangeTransitionFact,
  ExceptionFact,
  FindingFact,
  MetricInputs,
  MetricSettings,
  RolloutFact,
} from './inputs.ts';
export type { AgeBucketName, Classified, MetricWhen, SlaBreakdown } from './compute.ts';
export {
  addDays,
  ageBucket,
  ageBucketNames,
  changeOutcomes,
  changeTypeNames,
  classify,
  computeMetricSet,
  dayOf,
  daysBetween,
  defaultReportingWindowDays,
  durationStats,
  endOfDay,
  inScope,
  isValidPeriod,
  noneKey,
  p90,
  ratio,
  scopeOf,
  slaFigure,
} from './compute.ts';
export type { MetricRow, MetricRowKind, MetricRowSet } from './rows.ts';
export { metricNames, metricRefProblem, metricRowsOf } from './rows.ts';
export { metricValue } from './values.ts';
