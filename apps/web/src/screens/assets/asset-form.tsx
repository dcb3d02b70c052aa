/**
 * The asset form, for creating one (POST /api/v1/assets) or editing one (PATCH
 * /api/v1/assets/{id}): the attributes findings are prioritised by, labelled and validated by
 * the server (its 422 field messages are shown as they come).
 */
import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import type { Asset, AssetCreateBody } from './asset-types.ts';
import { assetKinds, criticalities, environments, exposures, parseLabels } from './asset-types.ts';

export interface AssetFormValues {
  readonly name: string;
  readonly kind: Asset['kind'];
  readonly osRelease: string;
  readonly environment: Asset['environment'];
  readonly criticality: Asset['criticality'];
  readonly exposure: Asset['exposure'];
  readonly owner: string;
  readonly tags: string;
  readonly groups: string;
}

export const emptyAsset: AssetFormValues = {
  name: '',
  kind: 'host',
  osRelease: '',
  environment: null,
  criticality: 'medium',
  exposure: 'unknown',
  owner: '',
  tags: '',
  groups: '',
};

export const valuesOf = (asset: Asset): AssetFormValues => ({
  name: asset.name,
  kind: asset.kind,
  osRelease: asset.osRelease ?? '',
  environment: asset.environment,
  criticality: asset.criticality,
  exposure: asset.exposure,
  owner: asset.owner ?? '',
  tags: asset.tags.join(', '),
  groups: asset.groups.join(', '),
});

/** The body the form's values become (create and update take the same fields). */
export function bodyOf(values: AssetFormValues): AssetCreateBody {
  const trimmed = (text: string) => (text.trim() === '' ? null : text.trim());
  return {
    name: values.name.trim(),
    kind: values.kind,
    osRelease: trimmed(values.osRelease),
    environment: values.environment,
    criticality: values.criticality,
    exposure: values.exposure,
    owner: trimmed(values.owner),
    tags: parseLabels(values.tags),
    groups: parseLabels(values.groups),
  };
}

export function AssetForm({
  initial,
  submitLabel,
  busy,
  error,
  onSubmit,
  onCancel,
}: {
  readonly initial: AssetFormValues;
  readonly submitLabel: string;
  readonly busy: boolean;
  readonly error?: string | undefined;
  readonly onSubmit: (values: AssetFormValues) => void;
  readonly onCancel: () => void;
}) {
  const [values, setValues] = useState(initial);
  const id = useId();
  const set = <K extends keyof AssetFormValues>(key: K, value: AssetFormValues[K]) =>
    setValues((previous) => ({ ...previous, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };
  return (
    <form className="form asset-form" onSubmit={submit}>
      <div className="asset-form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={255}
            value={values.name}
            onChange={(event) => set('name', event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select
            id={`${id}-kind`}
            value={values.kind}
            onChange={(event) => set('kind', event.target.value as Asset['kind'])}
          >
            {assetKinds.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-env`}>Environment</label>
          <select
            id={`${id}-env`}
            value={values.environment ?? ''}
            onChange={(event) =>
              set(
                'environment',
                event.target.value === '' ? null : (event.target.value as Asset['environment']),
              )
            }
          >
            <option value="">unknown</option>
            {environments.map((environment) => (
              <option key={environment} value={environment}>
                {environment}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-criticality`}>Criticality</label>
          <select
            id={`${id}-criticality`}
            value={values.criticality}
            onChange={(event) => set('criticality', event.target.value as Asset['criticality'])}
          >
            {criticalities.map((criticality) => (
              <option key={criticality} value={criticality}>
                {criticality}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-exposure`}>Exposure</label>
          <select
            id={`${id}-exposure`}
            value={values.exposure}
            onChange={(event) => set('exposure', event.target.value as Asset['exposure'])}
          >
            {exposures.map((exposure) => (
              <option key={exposure} value={exposure}>
                {exposure}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-os`}>OS release</label>
          <input
            id={`${id}-os`}
            placeholder="Debian:12"
            aria-describedby={`${id}-os-hint`}
            value={values.osRelease}
            onChange={(event) => set('osRelease', event.target.value)}
          />
          <span id={`${id}-os-hint`} className="field-hint">
            The OSV release, e.g. Debian:12, AlmaLinux:9
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-owner`}>Owner</label>
          <input
            id={`${id}-owner`}
            placeholder="team-web"
            value={values.owner}
            onChange={(event) => set('owner', event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tags`}>Tags</label>
          <input
            id={`${id}-tags`}
            aria-describedby={`${id}-labels-hint`}
            value={values.tags}
            onChange={(event) => set('tags', event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-groups`}>Groups</label>
          <input
            id={`${id}-groups`}
            aria-describedby={`${id}-labels-hint`}
            value={values.groups}
            onChange={(event) => set('groups', event.target.value)}
          />
        </div>
      </div>
      <p id={`${id}-labels-hint`} className="field-hint">
        Tags and groups: comma-separated.
      </p>
      {error !== undefined && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
