/**
 * Create or edit an autopilot rule (`changes:manage`): a form over the whole rule definition —
 * what it selects (findings by priority, KEV and policy, or available updates by origin), on
 * which assets (names, environments, criticalities, exposures, teams, tags, groups), the
 * cool-down, the change type and standard template, the rings, how often it runs and how far a
 * run carries each change. The server validates it; its 422 field problems show beside the
 * fields they name, a 409 (the name is taken) above the actions.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useId, useState } from 'react';
import { $api, invalidatePaths } from '../../api/query.ts';
import { fieldErrorsOf as fieldErrorsBy } from '../../ui/field-errors.ts';
import { CheckboxRow, Field, FormDialog } from '../../ui/forms.tsx';
import { scheduleLabels, stageLabels } from './rule-format.ts';
import type {
  AutopilotRule,
  ChangeType,
  Criticality,
  Environment,
  Exposure,
  Priority,
  RuleDefinition,
  RuleDefinitionInput,
  Schedule,
  Stage,
  UpdateOrigin,
} from './types.ts';
import {
  changeTypes,
  criticalities,
  environments,
  exposures,
  priorities,
  schedules,
  stages,
  updateOrigins,
} from './types.ts';

export const RULES = '/api/v1/autopilot/rules' as const;
export const RUNS = '/api/v1/autopilot/runs' as const;

/** What the form holds: lists of names as typed (comma-separated), enums as chosen. */
interface Draft {
  readonly name: string;
  readonly kind: 'findings' | 'updates';
  readonly priorities: readonly Priority[];
  readonly kevOnly: boolean;
  readonly policies: string;
  readonly origin: UpdateOrigin;
  readonly names: string;
  readonly environments: readonly Environment[];
  readonly criticalities: readonly Criticality[];
  readonly exposures: readonly Exposure[];
  readonly teams: string;
  readonly tags: string;
  readonly groups: string;
  readonly coolDownDays: string;
  readonly type: ChangeType;
  readonly template: string;
  readonly rings: string;
  readonly schedule: Schedule;
  readonly stage: Stage;
}

const emptyDraft: Draft = {
  name: '',
  kind: 'findings',
  priorities: ['P1', 'P2'],
  kevOnly: false,
  policies: '',
  origin: 'security',
  names: '',
  environments: [],
  criticalities: [],
  exposures: [],
  teams: '',
  tags: '',
  groups: '',
  coolDownDays: '0',
  type: 'normal',
  template: '',
  rings: '0',
  schedule: 'nightly',
  stage: 'schedule',
};

const joined = (values: readonly string[] | undefined) => (values ?? []).join(', ');

export function draftOf(definition: RuleDefinition | undefined): Draft {
  if (definition === undefined) return emptyDraft;
  const selection = definition.selection;
  const scope = definition.scope;
  return {
    name: definition.name,
    kind: selection.kind,
    priorities: selection.kind === 'findings' ? selection.priorities : emptyDraft.priorities,
    kevOnly: selection.kind === 'findings' ? selection.kevOnly : false,
    policies: selection.kind === 'findings' ? joined(selection.policies) : '',
    origin: selection.kind === 'updates' ? selection.origin : emptyDraft.origin,
    names: joined(scope.names),
    environments: scope.environments ?? [],
    criticalities: scope.criticalities ?? [],
    exposures: scope.exposures ?? [],
    teams: joined(scope.teams),
    tags: joined(scope.tags),
    groups: joined(scope.groups),
    coolDownDays: String(definition.coolDownDays),
    type: definition.type,
    template: definition.template ?? '',
    rings: definition.rings.join(', '),
    schedule: definition.schedule,
    stage: definition.stage,
  };
}

const splitNames = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');

/** `0, 3, 7` → [0, 3, 7]; what is not a number goes as typed for the server to refuse. */
const ringsOf = (text: string): number[] =>
  splitNames(text).map((part) => (/^\d+$/.test(part) ? Number(part) : (part as unknown as number)));

/** The definition the form sends: every field, lists only when they hold something. */
export function definitionOf(draft: Draft): RuleDefinitionInput {
  const list = <T,>(values: readonly T[]) => (values.length === 0 ? undefined : [...values]);
  const scope = {
    names: list(splitNames(draft.names)),
    environments: list(draft.environments),
    criticalities: list(draft.criticalities),
    exposures: list(draft.exposures),
    teams: list(splitNames(draft.teams)),
    tags: list(splitNames(draft.tags)),
    groups: list(splitNames(draft.groups)),
  };
  const cool = draft.coolDownDays.trim();
  return {
    name: draft.name.trim(),
    selection:
      draft.kind === 'findings'
        ? {
            kind: 'findings',
            priorities: [...draft.priorities],
            kevOnly: draft.kevOnly,
            policies: splitNames(draft.policies),
          }
        : { kind: 'updates', origin: draft.origin },
    scope: Object.fromEntries(Object.entries(scope).filter(([, values]) => values !== undefined)),
    coolDownDays: /^\d+$/.test(cool) ? Number(cool) : (cool as unknown as number),
    type: draft.type,
    ...(draft.type === 'standard' && draft.template !== '' && { template: draft.template }),
    rings: ringsOf(draft.rings),
    schedule: draft.schedule,
    stage: draft.stage,
  };
}

/**
 * A 422's field problems by the form's field: `body.selection.priorities` → `selection.priorities`,
 * `body.rings[1]` → `rings`.
 */
export const fieldErrorsOf = (error: unknown): Map<string, string[]> =>
  fieldErrorsBy(error, (field) => field.replace(/^body\.?/, '').replace(/\[\d+\]/g, ''));

/**
 * Above the actions: a 422's field problems once each, by field (the server's detail repeats
 * them); any other failure (403, 409…) as the server words it.
 */
function summaryOf(error: unknown, fields: Map<string, string[]>): unknown {
  if (error === null || fields.size === 0) return error;
  const problems = [...fields.entries()].map(
    ([field, messages]) => `${field === '' ? 'the rule' : field}: ${messages.join('; ')}`,
  );
  return new Error(`The rule was not saved — ${problems.join(' · ')}`);
}

/** Checkboxes for the values of an enum, in a fieldset whose legend names them. */
function CheckboxGroup<T extends string>({
  legend,
  options,
  selected,
  onChange,
  hint,
  error,
}: {
  readonly legend: string;
  readonly options: readonly T[];
  readonly selected: readonly T[];
  readonly onChange: (values: T[]) => void;
  readonly hint?: ReactNode;
  readonly error?: ReactNode;
}) {
  const id = useId();
  const hasError = error !== undefined && error !== null && error !== '';
  const described = [hint !== undefined ? `${id}-hint` : '', hasError ? `${id}-error` : '']
    .filter((part) => part !== '')
    .join(' ');
  return (
    <fieldset
      className="field autopilot-choices"
      {...(described !== '' && { 'aria-describedby': described })}
    >
      <legend>{legend}</legend>
      <div className="row">
        {options.map((option) => (
          <CheckboxRow
            key={option}
            label={option}
            checked={selected.includes(option)}
            onChange={(checked) =>
              onChange(
                checked
                  ? options.filter((o) => o === option || selected.includes(o))
                  : selected.filter((o) => o !== option),
              )
            }
          />
        ))}
      </div>
      {hint !== undefined && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {hasError && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </fieldset>
  );
}

export function RuleDialog({
  rule,
  onClose,
}: {
  /** The rule edited; a new one when absent. */
  readonly rule?: AutopilotRule;
  readonly onClose: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule?.definition));
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const queryClient = useQueryClient();
  const templates = $api.useQuery('get', '/api/v1/change-templates');
  const done = {
    onSuccess: async () => {
      await invalidatePaths(queryClient, [RULES]);
      onClose();
    },
  };
  const create = $api.useMutation('post', RULES, done);
  const replace = $api.useMutation('put', `${RULES}/{id}`, done);
  const mutation = rule === undefined ? create : replace;
  const errors = mutation.isError ? fieldErrorsOf(mutation.error) : new Map<string, string[]>();
  const errorOf = (...keys: string[]) => {
    const messages = keys.flatMap((key) => errors.get(key) ?? []);
    return messages.length === 0 ? undefined : messages.join('; ');
  };
  const submit = () => {
    const body = definitionOf(draft);
    if (rule === undefined) create.mutate({ body });
    else replace.mutate({ params: { path: { id: rule.id } }, body });
  };
  return (
    <FormDialog
      title={rule === undefined ? 'New autopilot rule' : `Edit ${rule.definition.name}`}
      onClose={onClose}
      onSubmit={submit}
      error={summaryOf(mutation.error, errors)}
      submitLabel={rule === undefined ? 'Create rule' : 'Save rule'}
      busyLabel="Saving…"
      busy={mutation.isPending}
      disabled={draft.name.trim() === ''}
      wide
    >
      <Field label="Name" hint="Unique; people recognise the rule by it." error={errorOf('name')}>
        {(control) => (
          <input
            {...control}
            required
            maxLength={100}
            value={draft.name}
            onChange={(e) => set({ name: e.target.value })}
          />
        )}
      </Field>

      <h3 className="autopilot-form-heading">What it selects</h3>
      <Field label="Selects" error={errorOf('selection', 'selection.kind')}>
        {(control) => (
          <select
            {...control}
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as Draft['kind'] })}
          >
            <option value="findings">Open findings with a fixed version</option>
            <option value="updates">Available updates (from the assets&apos; latest report)</option>
          </select>
        )}
      </Field>
      {draft.kind === 'findings' ? (
        <>
          <CheckboxGroup
            legend="Priorities"
            options={priorities}
            selected={draft.priorities}
            onChange={(values) => set({ priorities: values })}
            error={errorOf('selection.priorities')}
          />
          <CheckboxRow
            label="Only findings in CISA KEV (known exploited)"
            checked={draft.kevOnly}
            onChange={(checked) => set({ kevOnly: checked })}
          />
          <Field
            label="Policies (comma-separated, optional)"
            hint="Only findings decided by these policy ids or policy rule ids; empty: any."
            error={errorOf('selection.policies', 'selection.kevOnly')}
          >
            {(control) => (
              <input
                {...control}
                value={draft.policies}
                onChange={(e) => set({ policies: e.target.value })}
              />
            )}
          </Field>
        </>
      ) : (
        <Field label="Update origin" error={errorOf('selection.origin')}>
          {(control) => (
            <select
              {...control}
              value={draft.origin}
              onChange={(e) => set({ origin: e.target.value as UpdateOrigin })}
            >
              {updateOrigins.map((origin) => (
                <option key={origin} value={origin}>
                  {origin === 'security' ? 'Security archive only' : 'Every available update'}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}

      <h3 className="autopilot-form-heading">On which assets</h3>
      <p className="muted small">
        Every field given must hold; within a field any value matches. Nothing given: every asset.
      </p>
      <Field label="Asset names or ids (comma-separated)" error={errorOf('scope', 'scope.names')}>
        {(control) => (
          <input
            {...control}
            value={draft.names}
            onChange={(e) => set({ names: e.target.value })}
          />
        )}
      </Field>
      <CheckboxGroup
        legend="Environments"
        options={environments}
        selected={draft.environments}
        onChange={(values) => set({ environments: values })}
        error={errorOf('scope.environments')}
      />
      <CheckboxGroup
        legend="Criticalities"
        options={criticalities}
        selected={draft.criticalities}
        onChange={(values) => set({ criticalities: values })}
        error={errorOf('scope.criticalities')}
      />
      <CheckboxGroup
        legend="Exposures"
        options={exposures}
        selected={draft.exposures}
        onChange={(values) => set({ exposures: values })}
        error={errorOf('scope.exposures')}
      />
      <div className="autopilot-form-row">
        <Field label="Owner teams (comma-separated)" error={errorOf('scope.teams')}>
          {(control) => (
            <input
              {...control}
              value={draft.teams}
              onChange={(e) => set({ teams: e.target.value })}
            />
          )}
        </Field>
        <Field label="Tags (comma-separated)" error={errorOf('scope.tags')}>
          {(control) => (
            <input
              {...control}
              value={draft.tags}
              onChange={(e) => set({ tags: e.target.value })}
            />
          )}
        </Field>
        <Field label="Asset groups (comma-separated)" error={errorOf('scope.groups')}>
          {(control) => (
            <input
              {...control}
              value={draft.groups}
              onChange={(e) => set({ groups: e.target.value })}
            />
          )}
        </Field>
      </div>

      <h3 className="autopilot-form-heading">The changes it creates</h3>
      <div className="autopilot-form-row">
        <Field label="Change type" error={errorOf('type')}>
          {(control) => (
            <select
              {...control}
              value={draft.type}
              onChange={(e) => set({ type: e.target.value as ChangeType })}
            >
              {changeTypes.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          )}
        </Field>
        {draft.type === 'standard' && (
          <Field
            label="Standard template"
            hint="A standard change whose template criteria hold is approved by itself."
            error={errorOf('template')}
          >
            {(control) => (
              <select
                {...control}
                value={draft.template}
                onChange={(e) => set({ template: e.target.value })}
              >
                <option value="">
                  {templates.isPending ? 'Loading the templates…' : 'Choose a template'}
                </option>
                {/* A rule's template the list no longer has stays choosable. */}
                {draft.template !== '' &&
                  templates.data?.templates.some((t) => t.name === draft.template) !== true && (
                    <option value={draft.template}>{draft.template}</option>
                  )}
                {templates.data?.templates.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      {draft.type !== 'standard' && errorOf('template') !== undefined && (
        <p className="field-error">{errorOf('template')}</p>
      )}
      <div className="autopilot-form-row">
        <Field
          label="Cool-down (days)"
          hint="Minimum age of the fixed version before it is used; KEV bypasses it."
          error={errorOf('coolDownDays')}
        >
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              value={draft.coolDownDays}
              onChange={(e) => set({ coolDownDays: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Rings (day offsets)"
          hint="Ascending, from the first window, e.g. 0, 3, 7."
          error={errorOf('rings')}
        >
          {(control) => (
            <input
              {...control}
              value={draft.rings}
              onChange={(e) => set({ rings: e.target.value })}
            />
          )}
        </Field>
      </div>
      <div className="autopilot-form-row">
        <Field label="Runs" error={errorOf('schedule')}>
          {(control) => (
            <select
              {...control}
              value={draft.schedule}
              onChange={(e) => set({ schedule: e.target.value as Schedule })}
            >
              {schedules.map((schedule) => (
                <option key={schedule} value={schedule}>
                  {scheduleLabels[schedule]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Carries each change to" error={errorOf('stage')}>
          {(control) => (
            <select
              {...control}
              value={draft.stage}
              onChange={(e) => set({ stage: e.target.value as Stage })}
            >
              {stages.map((stage) => (
                <option key={stage} value={stage}>
                  {stageLabels[stage]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </FormDialog>
  );
}
