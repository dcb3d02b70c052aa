/**
 * The shapes the autopilot screens read and send, from the generated OpenAPI schema (the
 * server's `AutopilotRuleDefinition`, rules and runs): no hand-written API type.
 */
import type { operations } from '../../api/client.ts';

type Json<
  O extends keyof operations,
  C extends keyof operations[O]['responses'],
> = operations[O]['responses'][C] extends { content: { 'application/json': infer T } } ? T : never;

export type AutopilotRule = Json<'getAutopilotRule', 200>;
export type AutopilotRun = Json<'getAutopilotRun', 200>;
export type RunChange = AutopilotRun['createdChanges'][number];
export type RunItem = RunChange['items'][number];
/** What a create or a replace sends: the whole definition. */
export type RuleDefinitionInput =
  operations['createAutopilotRule']['requestBody']['content']['application/json'];
export type RuleDefinition = AutopilotRule['definition'];
export type RuleScope = RuleDefinitionInput['scope'];

export type Priority = Extract<
  RuleDefinitionInput['selection'],
  { kind: 'findings' }
>['priorities'][number];
export type Environment = NonNullable<RuleScope['environments']>[number];
export type Criticality = NonNullable<RuleScope['criticalities']>[number];
export type Exposure = NonNullable<RuleScope['exposures']>[number];
export type ChangeType = RuleDefinitionInput['type'];
export type Schedule = NonNullable<RuleDefinitionInput['schedule']>;
export type Stage = NonNullable<RuleDefinitionInput['stage']>;
export type UpdateOrigin = Extract<RuleDefinitionInput['selection'], { kind: 'updates' }>['origin'];

/**
 * A list of every value of `T`: a value the schema does not have, or one it has and the list
 * lacks, fails to compile (the forms offer exactly what the server accepts).
 */
const allOf =
  <T extends string>() =>
  <const L extends readonly T[]>(
    list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never),
  ) =>
    list;

export const priorities = allOf<Priority>()(['P1', 'P2', 'P3', 'P4', 'P5']);
export const environments = allOf<Environment>()(['production', 'staging', 'test', 'development']);
export const criticalities = allOf<Criticality>()(['critical', 'high', 'medium', 'low']);
export const exposures = allOf<Exposure>()(['internet', 'internal', 'unknown']);
export const changeTypes = allOf<ChangeType>()(['standard', 'normal', 'emergency']);
export const schedules = allOf<Schedule>()(['hourly', 'nightly', 'weekly', 'monthly']);
export const stages = allOf<Stage>()(['draft', 'submit', 'schedule']);
export const updateOrigins = allOf<UpdateOrigin>()(['security', 'all']);
