/**
 * `/changes/:changeId/plan`: the deployment plan's waves (which hosts, how many at a time, how
 * many failures tolerated, bake time, manual gate, health checks) and the rollback plan, saved
 * with `PUT /api/v1/changes/{id}/plans`. The other plans (test, backup, communication, roles,
 * rings) are sent back as they are. A save that changes something material makes a new plan
 * version (and withdraws approvals already given: the server says so in the history); the
 * server's 422 messages are shown beside the fields they name.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { PageHeader, Section } from '../../ui/page.tsx';
import type { FieldControlProps } from '../../ui/forms.tsx';
import { Field as SharedField } from '../../ui/forms.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import type { ChangeDetail, PlansBody } from './change-model.ts';
import { fieldErrorsOf } from '../../ui/field-errors.ts';
import { countOrPercent, plannableStates } from './change-model.ts';
import './changes.css';

type DeploymentPlan = NonNullable<PlansBody['deploymentPlan']>;
type WaveBody = DeploymentPlan['waves'][number];
export type HealthCheck = NonNullable<WaveBody['healthChecks']>[number];
type RollbackPlan = NonNullable<PlansBody['rollbackPlan']>;
type RollbackStep = RollbackPlan['steps'][number];
type Trigger = RollbackPlan['triggers'][number];
type Selector = NonNullable<WaveBody['selector']>;

type Target = 'remaining' | 'assets' | 'groups' | 'share';

interface WaveDraft {
  readonly key: number;
  name: string;
  target: Target;
  assets: string[];
  groups: string[];
  /** Selector fields other than groups, kept as loaded. */
  otherSelector: Omit<Selector, 'groups'>;
  share: string;
  concurrency: string;
  failureThreshold: string;
  bakeMinutes: string;
  gate: 'auto' | 'manual';
  onFailure: 'pause' | 'rollback' | 'continue';
  healthChecks: HealthCheck[];
}

interface RollbackDraft {
  triggers: Trigger[];
  steps: RollbackStep[];
  estimatedMinutes: string;
}

const triggers: readonly [Trigger, string][] = [
  ['health-check-failure', 'A health check fails'],
  ['failure-threshold', 'A wave exceeds its failure threshold'],
  ['manual', 'Someone decides to'],
];

let nextKey = 1;

function waveDraft(wave: WaveBody | undefined, index: number): WaveDraft {
  const { groups = [], ...otherSelector } = wave?.selector ?? {};
  return {
    key: nextKey++,
    name: wave?.name ?? `wave-${index + 1}`,
    target:
      wave?.assets !== undefined
        ? 'assets'
        : wave?.selector !== undefined
          ? 'groups'
          : wave?.share !== undefined
            ? 'share'
            : 'remaining',
    assets: wave?.assets ?? [],
    groups,
    otherSelector,
    share: wave?.share === undefined ? '' : String(wave.share),
    concurrency: String(wave?.concurrency ?? 1),
    failureThreshold: String(wave?.failureThreshold ?? 0),
    bakeMinutes: String(wave?.bakeMinutes ?? 0),
    gate: wave?.gate ?? 'auto',
    onFailure: wave?.onFailure ?? 'pause',
    healthChecks: wave?.healthChecks ?? [],
  };
}

function waveBody(w: WaveDraft): WaveBody {
  const concurrency = countOrPercent(w.concurrency);
  const failureThreshold = countOrPercent(w.failureThreshold);
  const share = countOrPercent(w.share);
  return {
    name: w.name.trim(),
    ...(w.target === 'assets' && { assets: w.assets }),
    ...(w.target === 'groups' && { selector: { ...w.otherSelector, groups: w.groups } }),
    ...(w.target === 'share' && share !== undefined && { share }),
    ...(concurrency !== undefined && { concurrency }),
    ...(failureThreshold !== undefined && { failureThreshold }),
    bakeMinutes: Number(w.bakeMinutes || 0),
    gate: w.gate,
    onFailure: w.onFailure,
    healthChecks: w.healthChecks,
  };
}

/** The body of `PUT /plans`: the edited waves and rollback plan, everything else as it was. */
export function plansBody(
  current: ChangeDetail['plans'],
  waves: readonly WaveDraft[],
  rollback: RollbackDraft,
): PlansBody {
  const { deploymentPlan } = current;
  const rest = { ...current };
  delete rest.deploymentPlan;
  delete rest.rollbackPlan;
  const estimated = rollback.estimatedMinutes.trim();
  return {
    ...rest,
    ...(waves.length > 0 && {
      deploymentPlan: {
        ...(deploymentPlan?.rings !== undefined &&
          deploymentPlan.rings.length > 0 && { rings: deploymentPlan.rings }),
        ...(deploymentPlan?.estimatedMinutes !== undefined && {
          estimatedMinutes: deploymentPlan.estimatedMinutes,
        }),
        waves: waves.map(waveBody),
      },
    }),
    ...((rollback.steps.length > 0 || rollback.triggers.length > 0) && {
      rollbackPlan: {
        triggers: rollback.triggers,
        steps: rollback.steps,
        ...(estimated !== '' && { estimatedMinutes: Number(estimated) }),
      },
    }),
  };
}

/** `value` with its optional `key` set to `next`, or without it when `next` is empty. */
function withOptional<T extends object>(
  value: T,
  key: string,
  next: string | number | undefined,
): T {
  const copy = { ...value } as Record<string, unknown>;
  if (next === undefined || next === '') delete copy[key];
  else copy[key] = next;
  return copy as T;
}

function defaultCheck(kind: HealthCheck['kind']): HealthCheck {
  switch (kind) {
    case 'command':
      return { kind, command: '' };
    case 'http':
      return { kind, url: 'http://localhost/' };
    case 'systemd':
      return { kind, unit: '' };
    case 'tcp':
      return { kind, port: 443 };
  }
}

function defaultStep(kind: RollbackStep['kind']): RollbackStep {
  switch (kind) {
    case 'downgrade':
      return { kind };
    case 'restore-paths':
      return { kind, paths: [] };
    case 'command':
      return { kind, command: '' };
  }
}

export function PlanEditorScreen() {
  const { changeId = '' } = useParams();
  const change = $api.useQuery('get', '/api/v1/changes/{id}', {
    params: { path: { id: changeId } },
  });
  if (change.isPending) return <Loading label={`Loading the plans of ${changeId}…`} />;
  if (change.isError)
    return (
      <>
        <PageHeader title={`Plan of ${changeId}`} />
        <ErrorState error={change.error} onRetry={() => void change.refetch()} />
      </>
    );
  // The form keeps what was typed across a save (the saved version comes back as new props).
  return <PlanEditor key={change.data.id} change={change.data} />;
}

function PlanEditor({ change }: { readonly change: ChangeDetail }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [waves, setWaves] = useState<WaveDraft[]>(() =>
    (change.plans.deploymentPlan?.waves ?? []).map(waveDraft),
  );
  const [rollback, setRollback] = useState<RollbackDraft>(() => ({
    triggers: change.plans.rollbackPlan?.triggers ?? [],
    steps: change.plans.rollbackPlan?.steps ?? [],
    estimatedMinutes:
      change.plans.rollbackPlan?.estimatedMinutes === undefined
        ? ''
        : String(change.plans.rollbackPlan.estimatedMinutes),
  }));
  const [reason, setReason] = useState('');
  const [saved, setSaved] = useState<{ from: number; to: number } | undefined>();
  const mutation = $api.useMutation('put', '/api/v1/changes/{id}/plans', {
    onSuccess: async (data) => {
      setSaved({ from: change.planVersion, to: data.planVersion });
      await invalidatePaths(queryClient, ['/api/v1/changes']);
    },
  });
  const errors = mutation.isError ? fieldErrorsOf(mutation.error) : new Map<string, string[]>();
  const editable = plannableStates.includes(change.state) && can('changes:request');
  const groups = [...new Set(change.assets.flatMap((a) => a.groups))].sort();

  const updateWave = (index: number, patch: Partial<WaveDraft>) =>
    setWaves((all) => all.map((w, i) => (i === index ? { ...w, ...patch } : w)));
  const moveWave = (index: number, by: number) =>
    setWaves((all) => {
      const next = [...all];
      const [moved] = next.splice(index, 1);
      if (moved !== undefined) next.splice(index + by, 0, moved);
      return next;
    });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(undefined);
    mutation.mutate({
      params: { path: { id: change.id } },
      body: {
        plans: plansBody(change.plans, waves, rollback),
        ...(reason.trim() !== '' && { reason: reason.trim() }),
      },
    });
  };

  return (
    <>
      <PageHeader
        title={`Plan of ${change.number}`}
        description={
          <span className="row">
            <Link to={`/changes/${change.number}`}>{change.title}</Link>
            <StatusBadge status={change.state} />
            <span>plan version {change.planVersion}</span>
          </span>
        }
        actions={
          <Link className="button" to={`/changes/${change.number}?tab=plans`}>
            Back to the change
          </Link>
        }
      />
      {!editable && (
        <p className="change-duty" role="note">
          {can('changes:request')
            ? `The plans of a change in state ${change.state.replaceAll('_', ' ')} cannot be edited.`
            : 'You may read the plans; editing them needs the changes:request permission.'}
        </p>
      )}
      {(change.state === 'authorise' || change.state === 'scheduled') &&
        change.approvals.stages.some((s) => s.approvals.length > 0) && (
          <p className="change-duty" role="note">
            Approvals were given for plan version {change.planVersion}: a material edit withdraws
            them and the change goes back to authorisation.
          </p>
        )}
      <form className="form" onSubmit={submit} aria-label="Plan editor">
        {errors.size > 0 && (
          <div className="form-error" role="alert">
            <p>The server did not accept the plans:</p>
            <ul>
              {[...errors].map(([field, messages]) => (
                <li key={field}>
                  <span className="mono">{field.replace(/^body\.plans\./, '')}</span>:{' '}
                  {messages.join('; ')}
                </li>
              ))}
            </ul>
          </div>
        )}
        {mutation.isError && errors.size === 0 && (
          <div className="form-error" role="alert">
            {errorMessage(mutation.error)}
          </div>
        )}
        <fieldset disabled={!editable} className="plan-fieldset">
          <legend className="visually-hidden">Plans</legend>
          <Section
            title="Waves"
            actions={
              <button
                type="button"
                className="button button-small"
                onClick={() => setWaves((all) => [...all, waveDraft(undefined, all.length)])}
              >
                Add a wave
              </button>
            }
          >
            {waves.length === 0 && (
              <p className="muted">
                No wave: the rollout patches every host in one wave, one at a time.
              </p>
            )}
            <ol className="plan-waves">
              {waves.map((wave, index) => (
                <li key={wave.key}>
                  <WaveEditor
                    wave={wave}
                    index={index}
                    count={waves.length}
                    assets={change.assets.map((a) => a.name)}
                    groups={groups}
                    errors={errors}
                    onChange={(patch) => updateWave(index, patch)}
                    onMove={(by) => moveWave(index, by)}
                    onRemove={() => setWaves((all) => all.filter((_, i) => i !== index))}
                  />
                </li>
              ))}
            </ol>
          </Section>
          <RollbackEditor rollback={rollback} errors={errors} onChange={setRollback} />
          <Section title="Save">
            <SharedField label="Why the plan changed (kept with the version)">
              {(control) => (
                <textarea
                  {...control}
                  rows={2}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
              )}
            </SharedField>
            {saved !== undefined && (
              <p className="form-success" role="status">
                {saved.to > saved.from
                  ? `Saved as plan version ${saved.to}.`
                  : `Nothing material changed: still plan version ${saved.to}.`}
              </p>
            )}
            {mutation.isSuccess && !mutation.data.planCheck.ok && (
              <div className="form-error" role="note">
                <p>Saved, but not yet valid for a {mutation.data.type} change:</p>
                <ul>
                  {mutation.data.planCheck.errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              </div>
            )}
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={mutation.isPending}>
                {mutation.isPending ? 'Saving…' : 'Save a new plan version'}
              </button>
            </div>
          </Section>
        </fieldset>
      </form>
    </>
  );
}

/** A labelled input with the server's messages for `path` under it. */
function Field({
  label,
  path,
  errors,
  hint,
  children,
}: {
  readonly label: string;
  readonly path: string;
  readonly errors: ReadonlyMap<string, string[]>;
  readonly hint?: string;
  readonly children: (props: FieldControlProps) => ReactNode;
}) {
  return (
    <SharedField label={label} hint={hint} error={errors.get(path)?.join('; ')}>
      {children}
    </SharedField>
  );
}

function CheckboxList({
  legend,
  options,
  selected,
  onChange,
  error,
}: {
  readonly legend: string;
  readonly options: readonly string[];
  readonly selected: readonly string[];
  readonly onChange: (next: string[]) => void;
  readonly error?: string[] | undefined;
}) {
  return (
    <fieldset className="field plan-checkboxes">
      <legend>{legend}</legend>
      {options.length === 0 && <span className="muted small">None in scope.</span>}
      {options.map((option) => (
        <label key={option} className="plan-check">
          <input
            type="checkbox"
            checked={selected.includes(option)}
            onChange={(e) =>
              onChange(
                e.target.checked ? [...selected, option] : selected.filter((s) => s !== option),
              )
            }
          />{' '}
          {option}
        </label>
      ))}
      {error !== undefined && <span className="field-error">{error.join('; ')}</span>}
    </fieldset>
  );
}

function WaveEditor({
  wave,
  index,
  count,
  assets,
  groups,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  readonly wave: WaveDraft;
  readonly index: number;
  readonly count: number;
  readonly assets: readonly string[];
  readonly groups: readonly string[];
  readonly errors: ReadonlyMap<string, string[]>;
  readonly onChange: (patch: Partial<WaveDraft>) => void;
  readonly onMove: (by: number) => void;
  readonly onRemove: () => void;
}) {
  const at = `body.plans.deploymentPlan.waves[${index}]`;
  const title = `Wave ${index + 1}${wave.name ? `: ${wave.name}` : ''}`;
  const others = Object.entries(wave.otherSelector).filter(
    ([, v]) => Array.isArray(v) && v.length > 0,
  );
  return (
    <div className="plan-wave" role="group" aria-label={title}>
      <div className="card-header">
        <h3>{title}</h3>
        <div className="row">
          <button
            type="button"
            className="button button-small"
            disabled={index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move ${title} earlier`}
          >
            ↑
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move ${title} later`}
          >
            ↓
          </button>
          <button
            type="button"
            className="button button-small button-danger"
            onClick={onRemove}
            aria-label={`Remove ${title}`}
          >
            Remove
          </button>
        </div>
      </div>
      <div className="plan-grid">
        <Field label="Name" path={`${at}.name`} errors={errors}>
          {(p) => (
            <input
              {...p}
              required
              value={wave.name}
              onChange={(e) => onChange({ name: e.target.value })}
            />
          )}
        </Field>
        <Field label="Hosts" path={`${at}`} errors={errors}>
          {(p) => (
            <select
              {...p}
              value={wave.target}
              onChange={(e) => onChange({ target: e.target.value as Target })}
            >
              <option value="remaining">Every host not in an earlier wave</option>
              <option value="assets">Chosen hosts</option>
              <option value="groups">Hosts in groups</option>
              <option value="share">A share of the remaining hosts</option>
            </select>
          )}
        </Field>
        <Field
          label="Concurrency"
          path={`${at}.concurrency`}
          errors={errors}
          hint="Hosts at a time: a count or a percentage (25%)."
        >
          {(p) => (
            <input
              {...p}
              value={wave.concurrency}
              onChange={(e) => onChange({ concurrency: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Failures tolerated"
          path={`${at}.failureThreshold`}
          errors={errors}
          hint="A count or a percentage; one more triggers the failure action."
        >
          {(p) => (
            <input
              {...p}
              value={wave.failureThreshold}
              onChange={(e) => onChange({ failureThreshold: e.target.value })}
            />
          )}
        </Field>
        <Field label="Bake time (minutes)" path={`${at}.bakeMinutes`} errors={errors}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              value={wave.bakeMinutes}
              onChange={(e) => onChange({ bakeMinutes: e.target.value })}
            />
          )}
        </Field>
        <Field label="Gate" path={`${at}.gate`} errors={errors}>
          {(p) => (
            <select
              {...p}
              value={wave.gate}
              onChange={(e) => onChange({ gate: e.target.value as WaveDraft['gate'] })}
            >
              <option value="auto">Starts by itself</option>
              <option value="manual">Manual: a person releases it</option>
            </select>
          )}
        </Field>
        <Field label="On failure" path={`${at}.onFailure`} errors={errors}>
          {(p) => (
            <select
              {...p}
              value={wave.onFailure}
              onChange={(e) => onChange({ onFailure: e.target.value as WaveDraft['onFailure'] })}
            >
              <option value="pause">Pause the rollout</option>
              <option value="rollback">Roll back</option>
              <option value="continue">Continue</option>
            </select>
          )}
        </Field>
      </div>
      {wave.target === 'assets' && (
        <CheckboxList
          legend={`Hosts of ${title}`}
          options={[...new Set([...assets, ...wave.assets])]}
          selected={wave.assets}
          onChange={(next) => onChange({ assets: next })}
          error={errors.get(`${at}.assets`)}
        />
      )}
      {wave.target === 'groups' && (
        <>
          <CheckboxList
            legend={`Groups of ${title}`}
            options={[...new Set([...groups, ...wave.groups])]}
            selected={wave.groups}
            onChange={(next) => onChange({ groups: next })}
            error={errors.get(`${at}.selector.groups`) ?? errors.get(`${at}.selector`)}
          />
          {others.length > 0 && (
            <p className="muted small">
              Also kept from the loaded plan:{' '}
              {others.map(([k, v]) => `${k} ${(v as string[]).join(', ')}`).join('; ')}
            </p>
          )}
        </>
      )}
      {wave.target === 'share' && (
        <Field
          label="Share"
          path={`${at}.share`}
          errors={errors}
          hint="A count or a percentage of the hosts not yet in a wave, least critical first."
        >
          {(p) => (
            <input
              {...p}
              value={wave.share}
              onChange={(e) => onChange({ share: e.target.value })}
            />
          )}
        </Field>
      )}
      <HealthChecksEditor
        title={title}
        at={`${at}.healthChecks`}
        checks={wave.healthChecks}
        errors={errors}
        onChange={(healthChecks) => onChange({ healthChecks })}
      />
    </div>
  );
}

function HealthChecksEditor({
  title,
  at,
  checks,
  errors,
  onChange,
}: {
  readonly title: string;
  readonly at: string;
  readonly checks: readonly HealthCheck[];
  readonly errors: ReadonlyMap<string, string[]>;
  readonly onChange: (checks: HealthCheck[]) => void;
}) {
  const update = (index: number, check: HealthCheck) =>
    onChange(checks.map((c, i) => (i === index ? check : c)));
  const num = (value: string): number | undefined => (value === '' ? undefined : Number(value));
  return (
    <div className="plan-checks">
      <h4>Health checks</h4>
      {checks.length === 0 && (
        <p className="muted small">None: a host is healthy when it installs.</p>
      )}
      {checks.map((check, index) => {
        const path = `${at}[${index}]`;
        const label = `Health check ${index + 1} of ${title}`;
        return (
          <div key={index} className="plan-check-row" role="group" aria-label={label}>
            <Field label="Kind" path={`${path}.kind`} errors={errors}>
              {(p) => (
                <select
                  {...p}
                  value={check.kind}
                  onChange={(e) =>
                    update(index, {
                      ...defaultCheck(e.target.value as HealthCheck['kind']),
                      ...(check.name !== undefined && { name: check.name }),
                    })
                  }
                >
                  <option value="command">Command</option>
                  <option value="http">HTTP</option>
                  <option value="systemd">systemd unit</option>
                  <option value="tcp">TCP port</option>
                </select>
              )}
            </Field>
            <Field label="Label" path={`${path}.name`} errors={errors}>
              {(p) => (
                <input
                  {...p}
                  value={check.name ?? ''}
                  onChange={(e) => {
                    update(index, withOptional(check, 'name', e.target.value));
                  }}
                />
              )}
            </Field>
            {check.kind === 'command' && (
              <>
                <Field label="Command" path={`${path}.command`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      required
                      className="mono"
                      value={check.command}
                      onChange={(e) => update(index, { ...check, command: e.target.value })}
                    />
                  )}
                </Field>
                <Field label="Healthy exit code" path={`${path}.expectExitCode`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      value={check.expectExitCode ?? 0}
                      onChange={(e) =>
                        update(index, { ...check, expectExitCode: Number(e.target.value) })
                      }
                    />
                  )}
                </Field>
              </>
            )}
            {check.kind === 'http' && (
              <>
                <Field label="URL" path={`${path}.url`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      required
                      value={check.url}
                      onChange={(e) => update(index, { ...check, url: e.target.value })}
                    />
                  )}
                </Field>
                <Field label="Healthy status" path={`${path}.expectStatus`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      value={check.expectStatus ?? 200}
                      onChange={(e) =>
                        update(index, { ...check, expectStatus: Number(e.target.value) })
                      }
                    />
                  )}
                </Field>
                <Field label="Body contains" path={`${path}.bodyContains`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      value={check.bodyContains ?? ''}
                      onChange={(e) => {
                        update(index, withOptional(check, 'bodyContains', e.target.value));
                      }}
                    />
                  )}
                </Field>
              </>
            )}
            {check.kind === 'systemd' && (
              <Field label="Unit" path={`${path}.unit`} errors={errors}>
                {(p) => (
                  <input
                    {...p}
                    required
                    placeholder="nginx.service"
                    value={check.unit}
                    onChange={(e) => update(index, { ...check, unit: e.target.value })}
                  />
                )}
              </Field>
            )}
            {check.kind === 'tcp' && (
              <>
                <Field label="Host" path={`${path}.host`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      placeholder="localhost"
                      value={check.host ?? ''}
                      onChange={(e) => {
                        update(index, withOptional(check, 'host', e.target.value));
                      }}
                    />
                  )}
                </Field>
                <Field label="Port" path={`${path}.port`} errors={errors}>
                  {(p) => (
                    <input
                      {...p}
                      type="number"
                      required
                      value={check.port}
                      onChange={(e) => update(index, { ...check, port: Number(e.target.value) })}
                    />
                  )}
                </Field>
              </>
            )}
            {(['retries', 'intervalSeconds', 'timeoutSeconds'] as const).map((key) => (
              <Field
                key={key}
                label={
                  key === 'retries'
                    ? 'Retries'
                    : key === 'intervalSeconds'
                      ? 'Interval (s)'
                      : 'Timeout (s)'
                }
                path={`${path}.${key}`}
                errors={errors}
              >
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    min={0}
                    placeholder={key === 'retries' ? '3' : key === 'intervalSeconds' ? '10' : '5'}
                    value={check[key] ?? ''}
                    onChange={(e) => {
                      update(index, withOptional(check, key, num(e.target.value)));
                    }}
                  />
                )}
              </Field>
            ))}
            <button
              type="button"
              className="button button-small button-danger plan-remove"
              aria-label={`Remove ${label}`}
              onClick={() => onChange(checks.filter((_, i) => i !== index))}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...checks, defaultCheck('systemd')])}
      >
        Add a health check to {title}
      </button>
    </div>
  );
}

function RollbackEditor({
  rollback,
  errors,
  onChange,
}: {
  readonly rollback: RollbackDraft;
  readonly errors: ReadonlyMap<string, string[]>;
  readonly onChange: (next: RollbackDraft) => void;
}) {
  const at = 'body.plans.rollbackPlan';
  const updateStep = (index: number, step: RollbackStep) =>
    onChange({ ...rollback, steps: rollback.steps.map((s, i) => (i === index ? step : s)) });
  return (
    <Section
      title="Rollback plan"
      actions={
        rollback.steps.length === 0 ? (
          <Badge tone="warn">none</Badge>
        ) : (
          <Badge tone="ok">{rollback.steps.length} steps</Badge>
        )
      }
    >
      <p className="muted small">
        Required for normal and emergency changes: when to roll back and the steps on each host.
      </p>
      <fieldset className="field plan-checkboxes">
        <legend>Triggers</legend>
        {triggers.map(([trigger, label]) => (
          <label key={trigger} className="plan-check">
            <input
              type="checkbox"
              checked={rollback.triggers.includes(trigger)}
              onChange={(e) =>
                onChange({
                  ...rollback,
                  triggers: e.target.checked
                    ? [...rollback.triggers, trigger]
                    : rollback.triggers.filter((t) => t !== trigger),
                })
              }
            />{' '}
            {label}
          </label>
        ))}
        {errors.get(`${at}.triggers`) !== undefined && (
          <span className="field-error">{errors.get(`${at}.triggers`)?.join('; ')}</span>
        )}
      </fieldset>
      <h3>Steps</h3>
      {errors.get(`${at}.steps`) !== undefined && (
        <p className="field-error">{errors.get(`${at}.steps`)?.join('; ')}</p>
      )}
      <ol className="plan-steps">
        {rollback.steps.map((step, index) => {
          const path = `${at}.steps[${index}]`;
          const label = `Rollback step ${index + 1}`;
          return (
            <li key={index}>
              <div className="plan-check-row" role="group" aria-label={label}>
                <Field label="Kind" path={`${path}.kind`} errors={errors}>
                  {(p) => (
                    <select
                      {...p}
                      value={step.kind}
                      onChange={(e) =>
                        updateStep(index, defaultStep(e.target.value as RollbackStep['kind']))
                      }
                    >
                      <option value="downgrade">Downgrade to the prior versions</option>
                      <option value="restore-paths">Restore backed-up paths</option>
                      <option value="command">Run a command</option>
                    </select>
                  )}
                </Field>
                {step.kind === 'restore-paths' && (
                  <Field
                    label="Paths"
                    path={`${path}.paths`}
                    errors={errors}
                    hint="Comma-separated; empty: every path the backup plan copies."
                  >
                    {(p) => (
                      <input
                        {...p}
                        value={(step.paths ?? []).join(', ')}
                        onChange={(e) =>
                          updateStep(index, {
                            ...step,
                            paths: e.target.value
                              .split(',')
                              .map((s) => s.trim())
                              .filter((s) => s !== ''),
                          })
                        }
                      />
                    )}
                  </Field>
                )}
                {step.kind === 'command' && (
                  <Field label="Command" path={`${path}.command`} errors={errors}>
                    {(p) => (
                      <input
                        {...p}
                        required
                        className="mono"
                        value={step.command}
                        onChange={(e) => updateStep(index, { ...step, command: e.target.value })}
                      />
                    )}
                  </Field>
                )}
                <Field
                  label="Note for the implementer"
                  path={`${path}.description`}
                  errors={errors}
                >
                  {(p) => (
                    <input
                      {...p}
                      value={step.description ?? ''}
                      onChange={(e) => {
                        updateStep(index, withOptional(step, 'description', e.target.value));
                      }}
                    />
                  )}
                </Field>
                <button
                  type="button"
                  className="button button-small button-danger plan-remove"
                  aria-label={`Remove ${label}`}
                  onClick={() =>
                    onChange({ ...rollback, steps: rollback.steps.filter((_, i) => i !== index) })
                  }
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button
          type="button"
          className="button button-small"
          onClick={() =>
            onChange({ ...rollback, steps: [...rollback.steps, defaultStep('downgrade')] })
          }
        >
          Add a rollback step
        </button>
      </div>
      <Field
        label="Rollback time per wave (minutes)"
        path={`${at}.estimatedMinutes`}
        errors={errors}
      >
        {(p) => (
          <input
            {...p}
            type="number"
            min={0}
            value={rollback.estimatedMinutes}
            onChange={(e) => onChange({ ...rollback, estimatedMinutes: e.target.value })}
          />
        )}
      </Field>
    </Section>
  );
}
