/**
 * A new change request (`/changes/new?findings=<id>,<id>`): from findings selected in the
 * findings list, `POST /api/v1/changes` with `findings.ids` (the server turns them into the
 * patches that close them). The title and description start as a suggestion drawn from the
 * findings (assets, priorities, advisories); the type, template and patch target are chosen
 * here; then the new change's page opens.
 */
import { useQueries, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useId, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { paths } from '../../api/client.ts';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, PriorityBadge } from '../../ui/badges.tsx';
import { formatDate } from '../../ui/format.ts';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';
import { splitList, useUrlState } from '../../ui/url-state.ts';
import type { FindingDetail } from '../findings/finding-types.ts';
import '../findings/findings.css';
import { Field } from '../../ui/forms.tsx';

type CreateBody = NonNullable<
  paths['/api/v1/changes']['post']['requestBody']
>['content']['application/json'];
type ChangeType = NonNullable<CreateBody['type']>;
type PatchTarget = NonNullable<CreateBody['patchTarget']>;

/** The server takes at most this many finding ids in one change. */
export const maxFindings = 1000;
/** Findings read for the preview and the suggested text (the rest go to the server as ids). */
export const previewLimit = 50;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const priorityOrder = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;

/** A title and description drawn from the findings (what the person may edit). */
export function suggestChange(
  findings: readonly FindingDetail[],
  total: number,
): { title: string; description: string } {
  const assets = [...new Set(findings.map((f) => f.asset.name))];
  const priorities = priorityOrder.filter((p) => findings.some((f) => f.priority === p));
  const range =
    priorities.length === 0
      ? ''
      : priorities.length === 1
        ? ` (${priorities[0]})`
        : ` (${priorities[0]}–${priorities.at(-1)})`;
  const where =
    assets.length === 0
      ? ''
      : assets.length <= 3
        ? ` on ${assets.join(', ')}`
        : ` on ${assets.length}${total > findings.length ? '+' : ''} assets`;
  const title = `Fix ${total} finding${total === 1 ? '' : 's'}${range}${where}`.slice(0, 200);
  const lines = findings.map(
    (f) =>
      `- ${f.advisory.id} in ${f.package.name} ${f.package.version} on ${f.asset.name} (${f.priority}${f.dueDate === null ? '' : `, due ${f.dueDate}`}${f.kev ? ', KEV' : ''})`,
  );
  const more = total > findings.length ? [`- … and ${total - findings.length} more`] : [];
  const description = [`Closes ${total} finding${total === 1 ? '' : 's'}:`, ...lines, ...more]
    .join('\n')
    .slice(0, 10_000);
  return { title, description };
}

export function ChangeNewScreen() {
  const { values } = useUrlState(['findings'] as const);
  const { can } = useSession();
  const ids = useMemo(
    () => [...new Set(splitList(values.findings).filter((id) => uuid.test(id)))],
    [values.findings],
  );
  if (!can('changes:request'))
    return (
      <>
        <PageHeader title="New change request" />
        <EmptyState title="You may not request changes">
          <p>Requesting a change needs the changes:request permission.</p>
        </EmptyState>
      </>
    );
  if (ids.length === 0)
    return (
      <>
        <PageHeader title="New change request" />
        <EmptyState title="No findings chosen">
          <p>
            Select findings in the <Link to="/findings">findings list</Link> and choose “Create
            change request”.
          </p>
        </EmptyState>
      </>
    );
  return <ChangeFromFindings ids={ids} />;
}

function ChangeFromFindings({ ids }: { readonly ids: readonly string[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const previewIds = ids.slice(0, previewLimit);
  // All in parallel (and the templates beside them): no waterfall.
  const findings = useQueries({
    queries: previewIds.map((id) =>
      $api.queryOptions('get', '/api/v1/findings/{id}', { params: { path: { id } } }),
    ),
  });
  const templates = $api.useQuery('get', '/api/v1/change-templates');
  const loaded = findings.flatMap((query) => (query.data === undefined ? [] : [query.data]));
  const failed = findings.filter((query) => query.isError);
  const pending = findings.some((query) => query.isPending);
  const suggestion = suggestChange(loaded, ids.length);

  const [title, setTitle] = useState<string | undefined>();
  const [description, setDescription] = useState<string | undefined>();
  const [type, setType] = useState<ChangeType>('normal');
  const [template, setTemplate] = useState('');
  const [patchTarget, setPatchTarget] = useState<PatchTarget>('lowest-fix');
  const [implementer, setImplementer] = useState('');
  const fieldIds = { template: useId() };
  const create = $api.useMutation('post', '/api/v1/changes', {
    onSuccess: async (change) => {
      await invalidatePaths(queryClient, ['/api/v1/changes']);
      await navigate(`/changes/${change.id}`);
    },
  });
  const tooMany = ids.length > maxFindings;
  const effectiveTitle = (title ?? suggestion.title).trim();
  const effectiveDescription = (description ?? suggestion.description).trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: CreateBody = {
      title: effectiveTitle,
      ...(effectiveDescription !== '' && { description: effectiveDescription }),
      type,
      ...(type === 'standard' && template !== '' && { template }),
      findings: { ids: [...ids] },
      patchTarget,
      ...(implementer.trim() !== '' && { implementer: implementer.trim() }),
    };
    create.mutate({ body });
  };

  return (
    <>
      <PageHeader
        title="New change request"
        description={`From ${ids.length} selected finding${ids.length === 1 ? '' : 's'}: the change patches the packages that close them. It starts as a draft you can plan and submit.`}
      />
      <div className="split">
        <Section title="Request">
          <form className="form" onSubmit={submit}>
            <Field label="Title">
              {(control) => (
                <input
                  {...control}
                  required
                  maxLength={200}
                  value={title ?? suggestion.title}
                  onChange={(event) => setTitle(event.target.value)}
                />
              )}
            </Field>
            <Field label="Description">
              {(control) => (
                <textarea
                  {...control}
                  rows={8}
                  maxLength={10_000}
                  value={description ?? suggestion.description}
                  onChange={(event) => setDescription(event.target.value)}
                />
              )}
            </Field>
            <Field
              label="Type"
              hint={
                <>
                  {loaded.some((f) => f.kev && f.priority === 'P1')
                    ? 'Some findings are known exploited P1s: an emergency change may be warranted.'
                    : 'Most patch changes are normal changes.'}
                </>
              }
            >
              {(control) => (
                <select
                  {...control}
                  value={type}
                  onChange={(event) => setType(event.target.value as ChangeType)}
                >
                  <option value="normal">Normal (assessed and authorised by the CAB)</option>
                  <option value="standard">Standard (pre-approved template)</option>
                  <option value="emergency">Emergency (expedited, reviewed after)</option>
                </select>
              )}
            </Field>
            {type === 'standard' && (
              <div className="field">
                <label htmlFor={fieldIds.template}>Template</label>
                <select
                  id={fieldIds.template}
                  value={template}
                  required
                  onChange={(event) => setTemplate(event.target.value)}
                >
                  <option value="">
                    {templates.isPending ? 'Loading templates…' : 'Choose a template…'}
                  </option>
                  {templates.data?.templates.map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.name} (v{t.version}) — {t.description}
                    </option>
                  ))}
                </select>
                {templates.isError && (
                  <span className="form-error">{errorMessage(templates.error)}</span>
                )}
              </div>
            )}
            <Field label="Patch to">
              {(control) => (
                <select
                  {...control}
                  value={patchTarget}
                  onChange={(event) => setPatchTarget(event.target.value as PatchTarget)}
                >
                  <option value="lowest-fix">The lowest version that closes every finding</option>
                  <option value="available-update">Every pending update the assets report</option>
                </select>
              )}
            </Field>
            <Field
              label="Implementer (optional)"
              hint="A username. The implementer may not approve the change."
            >
              {(control) => (
                <input
                  {...control}
                  value={implementer}
                  onChange={(event) => setImplementer(event.target.value)}
                />
              )}
            </Field>
            {tooMany && (
              <p className="form-error" role="alert">
                A change can close at most {maxFindings} findings; {ids.length} are selected.
              </p>
            )}
            {create.error !== null && (
              <p className="form-error" role="alert">
                {errorMessage(create.error)}
              </p>
            )}
            <div className="form-actions">
              <Link className="button" to="/findings">
                Cancel
              </Link>
              <button
                type="submit"
                className="button button-primary"
                disabled={create.isPending || tooMany || effectiveTitle === ''}
              >
                {create.isPending ? 'Creating…' : 'Create change request'}
              </button>
            </div>
          </form>
        </Section>
        <Section title={`Findings (${ids.length})`}>
          {pending && <p role="status">Reading the findings…</p>}
          {failed.length > 0 && (
            <p className="form-error">
              {failed.length} finding{failed.length === 1 ? '' : 's'} could not be read:{' '}
              {errorMessage(failed[0]?.error)}
            </p>
          )}
          <div className="change-new-findings">
            <table className="simple-table">
              <caption className="visually-hidden">The findings the change closes</caption>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Advisory</th>
                  <th scope="col">Asset</th>
                  <th scope="col">Package</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {loaded.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <PriorityBadge priority={f.priority} />
                    </td>
                    <td>
                      <Link to={`/findings/${f.id}`} className="mono">
                        {f.advisory.id}
                      </Link>{' '}
                      {f.kev && <Badge tone="critical">KEV</Badge>}
                    </td>
                    <td>{f.asset.name}</td>
                    <td className="mono small">
                      {f.package.name} {f.package.version}
                    </td>
                    <td>{formatDate(f.dueDate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {ids.length > previewIds.length && (
            <p className="muted">
              … and {ids.length - previewIds.length} more (all {ids.length} go into the change).
            </p>
          )}
        </Section>
      </div>
    </>
  );
}
