/**
 * `/changes/templates`: the standard-change templates (the latest version of each), one of them
 * shown (`?template=<name>`: its criteria and default plans), and — with `changes:manage` —
 * editing it or creating one: saving makes a new version (PUT; changes made from an older
 * version keep theirs), the server's 422s beside the fields they name.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { paths } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import type { ColumnDef } from '../../ui/data-table.tsx';
import { DataTable } from '../../ui/data-table.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { CheckboxRow, Field, FormDialog } from '../../ui/forms.tsx';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import { CheckboxGroup } from '../admin/common.tsx';
import { environments } from '../assets/asset-types.ts';
import type { RiskLevel } from './change-model.ts';
import { fieldErrorsOf } from '../../ui/field-errors.ts';
import { riskLevels, riskTone } from './change-model.ts';
import './changes.css';

export type ChangeTemplate =
  paths['/api/v1/change-templates/{name}']['get']['responses']['200']['content']['application/json'];
type TemplateBody =
  paths['/api/v1/change-templates/{name}']['put']['requestBody']['content']['application/json'];
type Criteria = TemplateBody['criteria'];
type Environment = NonNullable<Criteria['environments']>[number];

/** What `criteria` (untyped in the read: a record) holds, with the schema's defaults. */
export interface CriteriaView {
  readonly onlySecurityOrigin: boolean;
  readonly securityOrigins: string[];
  readonly maxAssets?: number;
  readonly environments?: Environment[];
  readonly nonProductionFirst: boolean;
  readonly maxRisk: RiskLevel;
  readonly packages: { readonly allow?: string[]; readonly deny: string[] };
}

export function readCriteria(raw: Record<string, unknown>): CriteriaView {
  const strings = (value: unknown): string[] | undefined =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
  const packages = (raw['packages'] ?? {}) as Record<string, unknown>;
  const allow = strings(packages['allow']);
  const envs = strings(raw['environments'])?.filter((e): e is Environment =>
    (environments as readonly string[]).includes(e),
  );
  const maxRisk = raw['maxRisk'];
  return {
    onlySecurityOrigin: raw['onlySecurityOrigin'] !== false,
    securityOrigins: strings(raw['securityOrigins']) ?? ['*security*'],
    ...(typeof raw['maxAssets'] === 'number' && { maxAssets: raw['maxAssets'] }),
    ...(envs !== undefined && { environments: envs }),
    nonProductionFirst: raw['nonProductionFirst'] === true,
    maxRisk: riskLevels.includes(maxRisk as RiskLevel) ? (maxRisk as RiskLevel) : 'low',
    packages: { ...(allow !== undefined && { allow }), deny: strings(packages['deny']) ?? [] },
  };
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

export function TemplatesScreen() {
  const { can } = useSession();
  const url = useUrlState(['template'] as const);
  const selected = url.values.template;
  const [editing, setEditing] = useState<ChangeTemplate | 'new' | undefined>();
  const templates = $api.useQuery('get', '/api/v1/change-templates');
  const mayManage = can('changes:manage');

  const columns: ColumnDef<ChangeTemplate, unknown>[] = [
    {
      id: 'name',
      header: 'Name',
      accessorKey: 'name',
      cell: ({ row }) => (
        <Link to={`?template=${encodeURIComponent(row.original.name)}`}>{row.original.name}</Link>
      ),
    },
    { id: 'version', header: 'Version', accessorKey: 'version', size: 90 },
    { id: 'description', header: 'Description', accessorKey: 'description', size: 360 },
    {
      id: 'maxRisk',
      header: 'Highest risk',
      accessorFn: (t) => readCriteria(t.criteria).maxRisk,
      cell: ({ row }) => {
        const risk = readCriteria(row.original.criteria).maxRisk;
        return <Badge tone={riskTone[risk]}>{risk}</Badge>;
      },
    },
    {
      id: 'saved',
      header: 'Saved',
      accessorKey: 'createdAt',
      cell: ({ row }) => `${formatDateTime(row.original.createdAt)} by ${row.original.createdBy}`,
    },
  ];

  return (
    <>
      <PageHeader
        title="Change templates"
        description="Standard changes: pre-approved templates whose criteria let a change skip the CAB. Saving makes a new version; a change keeps the version it was made from."
        actions={
          <>
            <Link className="button" to="/changes">
              All changes
            </Link>
            <button
              type="button"
              className="button button-primary"
              disabled={!mayManage}
              title={mayManage ? undefined : 'Needs the permission to manage change settings'}
              onClick={() => setEditing('new')}
            >
              New template
            </button>
          </>
        }
      />
      {!mayManage && (
        <p className="muted small">
          You can read the templates; editing them needs the permission to manage change settings
          (changes:manage).
        </p>
      )}
      <QueryState
        query={templates}
        loadingLabel="Loading the templates…"
        isEmpty={(data) => data.templates.length === 0}
        empty={
          <EmptyState title="No change templates">
            {mayManage ? 'Create one with “New template”.' : 'A change manager can create one.'}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable
            label="Change templates"
            rows={data.templates}
            columns={columns}
            rowId={(t) => t.name}
            height="40vh"
            {...(selected !== undefined && { currentId: selected })}
          />
        )}
      </QueryState>
      {selected !== undefined && (
        <TemplateView
          name={selected}
          mayManage={mayManage}
          onEdit={(template) => setEditing(template)}
          onClose={() => url.set({ template: undefined })}
        />
      )}
      {editing !== undefined && (
        <TemplateDialog
          template={editing === 'new' ? undefined : editing}
          onSaved={(name) => {
            setEditing(undefined);
            url.set({ template: name });
          }}
          onClose={() => setEditing(undefined)}
        />
      )}
    </>
  );
}

function TemplateView({
  name,
  mayManage,
  onEdit,
  onClose,
}: {
  readonly name: string;
  readonly mayManage: boolean;
  readonly onEdit: (template: ChangeTemplate) => void;
  readonly onClose: () => void;
}) {
  const template = $api.useQuery('get', '/api/v1/change-templates/{name}', {
    params: { path: { name } },
  });
  return (
    <Section
      title={`Template ${name}`}
      actions={
        <>
          <button
            type="button"
            className="button"
            disabled={!mayManage || template.data === undefined}
            title={mayManage ? undefined : 'Needs the permission to manage change settings'}
            onClick={() => template.data !== undefined && onEdit(template.data)}
          >
            Edit
          </button>
          <button type="button" className="button button-ghost" onClick={onClose}>
            Close
          </button>
        </>
      }
    >
      <QueryState query={template} loadingLabel={`Loading ${name}…`}>
        {(data) => {
          const criteria = readCriteria(data.criteria);
          return (
            <>
              <p>{data.description}</p>
              <Facts
                items={[
                  [
                    'Version',
                    `${data.version}, saved ${formatDateTime(data.createdAt)} by ${data.createdBy}`,
                  ],
                  ['Highest risk', criteria.maxRisk],
                  [
                    'Patches',
                    criteria.onlySecurityOrigin
                      ? `only from security origins (${criteria.securityOrigins.join(', ')})`
                      : 'from any origin',
                  ],
                  [
                    'Assets',
                    criteria.maxAssets === undefined
                      ? 'any number'
                      : `at most ${criteria.maxAssets}`,
                  ],
                  ['Environments', criteria.environments?.join(', ') ?? 'any'],
                  ['Non-production first', criteria.nonProductionFirst ? 'yes' : 'no'],
                  ['Packages allowed', criteria.packages.allow?.join(', ') ?? 'any'],
                  ['Packages denied', criteria.packages.deny.join(', ') || 'none'],
                  [
                    'Default plans',
                    data.defaultPlans === undefined || data.defaultPlans === null
                      ? 'none'
                      : Object.keys(data.defaultPlans).join(', ') || 'none',
                  ],
                ]}
              />
            </>
          );
        }}
      </QueryState>
    </Section>
  );
}

function TemplateDialog({
  template,
  onSaved,
  onClose,
}: {
  readonly template: ChangeTemplate | undefined;
  readonly onSaved: (name: string) => void;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const initial = readCriteria(template?.criteria ?? {});
  const [name, setName] = useState(template?.name ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [onlySecurityOrigin, setOnlySecurityOrigin] = useState(initial.onlySecurityOrigin);
  const [origins, setOrigins] = useState(initial.securityOrigins.join('\n'));
  const [maxAssets, setMaxAssets] = useState(
    initial.maxAssets === undefined ? '' : String(initial.maxAssets),
  );
  const [envs, setEnvs] = useState<Environment[]>(initial.environments ?? []);
  const [nonProductionFirst, setNonProductionFirst] = useState(initial.nonProductionFirst);
  const [maxRisk, setMaxRisk] = useState<RiskLevel>(initial.maxRisk);
  const [allow, setAllow] = useState((initial.packages.allow ?? []).join('\n'));
  const [deny, setDeny] = useState(initial.packages.deny.join('\n'));
  const mutation = $api.useMutation('put', '/api/v1/change-templates/{name}', {
    onSuccess: async (saved) => {
      await invalidatePaths(queryClient, ['/api/v1/change-templates']);
      onSaved(saved.name);
    },
  });
  const errors = mutation.isError ? fieldErrorsOf(mutation.error) : new Map<string, string[]>();
  /** Every message of a field or of its members (`body.criteria.securityOrigins[0]`). */
  const errorOf = (field: string) => {
    const messages = [...errors.entries()]
      .filter(
        ([key]) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`),
      )
      .flatMap(([key, list]) =>
        list.map((m) => (key === field ? m : `${key.slice(field.length)}: ${m}`)),
      );
    return messages.length === 0 ? undefined : messages.join('; ');
  };

  const submit = () => {
    const allowed = lines(allow);
    const body: TemplateBody = {
      description,
      criteria: {
        onlySecurityOrigin,
        securityOrigins: lines(origins),
        ...(maxAssets.trim() !== '' && { maxAssets: Number(maxAssets) }),
        ...(envs.length > 0 && { environments: envs }),
        nonProductionFirst,
        maxRisk,
        packages: { ...(allowed.length > 0 && { allow: allowed }), deny: lines(deny) },
      },
      // The default plans are kept as they are (the plan editor's forms edit plans).
      ...(template?.defaultPlans !== undefined &&
        template.defaultPlans !== null && {
          defaultPlans: template.defaultPlans,
        }),
    };
    mutation.mutate({ params: { path: { name: name.trim() } }, body });
  };

  return (
    <FormDialog
      title={
        template === undefined ? 'New change template' : `Edit ${template.name} (a new version)`
      }
      wide
      submitLabel={
        template === undefined ? 'Create template' : `Save version ${template.version + 1}`
      }
      busyLabel="Saving…"
      busy={mutation.isPending}
      disabled={name.trim() === ''}
      error={mutation.error}
      onSubmit={submit}
      onClose={onClose}
    >
      {template === undefined && (
        <Field
          label="Name"
          hint='lower-case letters, digits and "-"; saving an existing name makes its next version'
          error={errorOf('params.name')}
        >
          {(control) => (
            <input
              {...control}
              value={name}
              required
              maxLength={64}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
      )}
      <Field label="Description" error={errorOf('body.description')}>
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={description}
            required
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <Field label="Highest risk allowed" error={errorOf('body.criteria.maxRisk')}>
        {(control) => (
          <select
            {...control}
            value={maxRisk}
            onChange={(event) => setMaxRisk(event.target.value as RiskLevel)}
          >
            {riskLevels.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        )}
      </Field>
      <CheckboxRow
        label="Only patches from security origins"
        checked={onlySecurityOrigin}
        onChange={setOnlySecurityOrigin}
      />
      <Field
        label="Security origins"
        hint="one pattern a line (* any characters, ? one), e.g. *security*"
        error={
          errorOf('body.criteria.securityOrigins') ?? errorOf('body.criteria.onlySecurityOrigin')
        }
      >
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={origins}
            onChange={(event) => setOrigins(event.target.value)}
          />
        )}
      </Field>
      <Field
        label="At most this many assets"
        hint="empty: any number"
        error={errorOf('body.criteria.maxAssets')}
      >
        {(control) => (
          <input
            {...control}
            type="number"
            min={1}
            inputMode="numeric"
            value={maxAssets}
            onChange={(event) => setMaxAssets(event.target.value)}
          />
        )}
      </Field>
      <CheckboxGroup
        legend="Environments (none checked: any)"
        options={environments}
        value={envs}
        onChange={setEnvs}
        columns={2}
      />
      {errorOf('body.criteria.environments') !== undefined && (
        <p className="field-error">{errorOf('body.criteria.environments')}</p>
      )}
      <CheckboxRow
        label="The first wave must hold no production asset"
        checked={nonProductionFirst}
        onChange={setNonProductionFirst}
      />
      <Field
        label="Packages allowed"
        hint="one pattern a line; empty: any package"
        error={errorOf('body.criteria.packages.allow')}
      >
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={allow}
            onChange={(event) => setAllow(event.target.value)}
          />
        )}
      </Field>
      <Field
        label="Packages denied"
        hint="one pattern a line"
        error={errorOf('body.criteria.packages.deny')}
      >
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={deny}
            onChange={(event) => setDeny(event.target.value)}
          />
        )}
      </Field>
      {template?.defaultPlans !== undefined && template.defaultPlans !== null && (
        <p className="muted small">The default plans are kept as they are.</p>
      )}
    </FormDialog>
  );
}
