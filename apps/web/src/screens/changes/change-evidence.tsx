/**
 * The change's Evidence tab (docs/adr/0034-change-evidence.md): its test evidence, oldest
 * first — automated results and manual sign-offs, each with its attached files (size, SHA-256,
 * a download) — recording new evidence, and attaching a file to evidence you recorded (the file
 * is the request's raw body, as the API takes it, under the server's per-file limit). Recording
 * needs `changes:request` or `changes:implement`; only who recorded evidence may attach files to
 * it; a closed, cancelled or rejected change takes none. The server decides again on every call.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useId, useState } from 'react';
import type { paths } from '../../api/client.ts';
import { api, unwrap } from '../../api/client.ts';
import { rawBody } from '../../api/raw-body.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge, StatusBadge } from '../../ui/badges.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import { Field, FormActions, FormDialog, MutationError } from '../../ui/forms.tsx';
import { Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { formatBytes } from '../reports/run-parts.tsx';
import { ExportSection } from './change-export.tsx';
import type { ChangeDetail, ChangeState } from './change-model.ts';
import { fieldErrorsOf } from '../../ui/field-errors.ts';
import { plural } from './change-model.ts';

export type EvidenceList =
  paths['/api/v1/changes/{id}/evidence']['get']['responses']['200']['content']['application/json'];
export type EvidenceRecord = EvidenceList['evidence'][number];
type EvidenceBody =
  paths['/api/v1/changes/{id}/evidence']['post']['requestBody']['content']['application/json'];

/** The states that take no more evidence (the server refuses with a 409). */
export const evidenceClosedStates: readonly ChangeState[] = ['closed', 'cancelled', 'rejected'];

export const attachmentUrl = (changeId: string, evidenceId: string, attachmentId: string) =>
  `/api/v1/changes/${encodeURIComponent(changeId)}/evidence/${encodeURIComponent(evidenceId)}/attachments/${encodeURIComponent(attachmentId)}`;

export function EvidencePanel({ change }: { readonly change: ChangeDetail }) {
  const { can, user } = useSession();
  const [adding, setAdding] = useState(false);
  const [attachTo, setAttachTo] = useState<EvidenceRecord | undefined>();
  const evidence = $api.useQuery('get', '/api/v1/changes/{id}/evidence', {
    params: { path: { id: change.id } },
  });
  const mayRecord = can('changes:request') || can('changes:implement');
  const closed = evidenceClosedStates.includes(change.state);
  const refusal = !mayRecord
    ? 'Recording evidence needs the permission to request or implement changes.'
    : closed
      ? `A ${change.state} change takes no more evidence.`
      : undefined;

  return (
    <>
      <Section
        title="Test evidence"
        actions={
          <button
            type="button"
            className="button button-primary"
            disabled={refusal !== undefined}
            aria-describedby={refusal === undefined ? undefined : 'evidence-refusal'}
            onClick={() => setAdding(true)}
          >
            Record evidence
          </button>
        }
      >
        {refusal !== undefined && (
          <p id="evidence-refusal" className="muted small">
            {refusal}
          </p>
        )}
        <QueryState
          query={evidence}
          loadingLabel="Loading the evidence…"
          isEmpty={(data) => data.evidence.length === 0}
          empty={
            <EmptyState title="No test evidence recorded">
              {refusal === undefined
                ? 'Record the results of an automated suite or your manual sign-off.'
                : 'Those who request or implement the change record its test results here.'}
            </EmptyState>
          }
        >
          {(data) => (
            <>
              <p className="muted small">
                {plural(data.evidence.length, 'record')} of at most{' '}
                {formatNumber(data.limits.maxRecordsPerChange)};{' '}
                {plural(
                  data.evidence.reduce((n, e) => n + e.attachments.length, 0),
                  'attached file',
                )}{' '}
                of at most {formatNumber(data.limits.maxAttachmentsPerChange)}, each up to{' '}
                {formatBytes(data.limits.maxAttachmentBytes)}.
              </p>
              <ol className="stack evidence-list" aria-label="Test evidence">
                {data.evidence.map((record) => (
                  <EvidenceItem
                    key={record.id}
                    change={change}
                    record={record}
                    sharedRefusal={refusal !== undefined}
                    attachRefusal={
                      refusal ??
                      (record.recordedBy.id !== user?.id
                        ? `Only ${record.recordedBy.name}, who recorded it, may attach files.`
                        : undefined)
                    }
                    onAttach={() => setAttachTo(record)}
                  />
                ))}
              </ol>
              {attachTo !== undefined && (
                <AttachDialog
                  change={change}
                  record={attachTo}
                  limitBytes={data.limits.maxAttachmentBytes}
                  onClose={() => setAttachTo(undefined)}
                />
              )}
            </>
          )}
        </QueryState>
      </Section>
      <ExportSection change={change} />
      {adding && <AddEvidenceDialog change={change} onClose={() => setAdding(false)} />}
    </>
  );
}

function EvidenceItem({
  change,
  record,
  attachRefusal,
  sharedRefusal,
  onAttach,
}: {
  readonly change: ChangeDetail;
  readonly record: EvidenceRecord;
  /** Why this user may not attach files here (undefined: they may). */
  readonly attachRefusal: string | undefined;
  /** The refusal is the tab's own (said once above the list, #evidence-refusal). */
  readonly sharedRefusal: boolean;
  readonly onAttach: () => void;
}) {
  const headingId = useId();
  const refusalId = useId();
  const title =
    record.kind === 'automated'
      ? `#${record.seq} ${record.suite ?? 'suite'}`
      : `#${record.seq} sign-off by ${record.recordedBy.name}`;
  return (
    <li className="card evidence-item" aria-labelledby={headingId}>
      <div className="card-header">
        <h3 id={headingId}>{title}</h3>
        <span className="row">
          <Badge tone="info">{record.kind}</Badge>
          <StatusBadge status={record.outcome} />
        </span>
      </div>
      <p className="small">
        {record.kind === 'automated' ? (
          <>
            {formatNumber(record.passed ?? 0)} passed, {formatNumber(record.failed ?? 0)} failed,{' '}
            {formatNumber(record.skipped ?? 0)} skipped; ran {formatDateTime(record.at)}
          </>
        ) : (
          <>Signed off {formatDateTime(record.at)}</>
        )}
        {' · '}recorded by {record.recordedBy.name} on plan version {record.planVersion}
        {record.link !== null && (
          <>
            {' · '}
            <a href={record.link} target="_blank" rel="noreferrer noopener">
              the run
            </a>
          </>
        )}
      </p>
      {record.notes !== '' && <p className="evidence-notes">{record.notes}</p>}
      {record.attachments.length > 0 && (
        <table className="simple-table evidence-files" aria-label={`Files of ${title}`}>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Type</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {record.attachments.map((file) => (
              <tr key={file.id}>
                <td>
                  <a
                    href={attachmentUrl(change.id, record.id, file.id)}
                    download={file.name}
                    aria-label={`Download ${file.name} (${formatBytes(file.size)})`}
                  >
                    {file.name}
                  </a>
                </td>
                <td>{file.mediaType}</td>
                <td>{formatBytes(file.size)}</td>
                <td>
                  <code title={file.sha256}>{file.sha256.slice(0, 12)}…</code>
                </td>
                <td>
                  {file.addedBy.name}, {formatDateTime(file.addedAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        <button
          type="button"
          className="button button-small"
          disabled={attachRefusal !== undefined}
          aria-describedby={
            attachRefusal === undefined ? undefined : sharedRefusal ? 'evidence-refusal' : refusalId
          }
          onClick={onAttach}
        >
          Attach a file
        </button>
        {attachRefusal !== undefined && !sharedRefusal && (
          <span id={refusalId} className="muted small">
            {attachRefusal}
          </span>
        )}
      </div>
    </li>
  );
}

/** A `datetime-local` value (local time) → ISO 8601 UTC; '' → undefined. */
function isoFromLocal(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const numberOr = (text: string, fallback: number) =>
  text.trim() === '' ? fallback : Number(text.trim());

function AddEvidenceDialog({
  change,
  onClose,
}: {
  readonly change: ChangeDetail;
  readonly onClose: () => void;
}) {
  const { user } = useSession();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<'automated' | 'manual'>('automated');
  const [suite, setSuite] = useState('');
  const [passed, setPassed] = useState('');
  const [failed, setFailed] = useState('0');
  const [skipped, setSkipped] = useState('0');
  const [outcome, setOutcome] = useState<'' | 'passed' | 'failed'>('');
  const [link, setLink] = useState('');
  const [ranAt, setRanAt] = useState('');
  const [notes, setNotes] = useState('');
  const mutation = $api.useMutation('post', '/api/v1/changes/{id}/evidence', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/changes']);
      onClose();
    },
  });
  const errors = mutation.isError ? fieldErrorsOf(mutation.error) : new Map<string, string[]>();
  const errorOf = (name: string) => errors.get(`body.${name}`)?.join('; ');

  const submit = () => {
    const ran = isoFromLocal(ranAt);
    const body: EvidenceBody =
      kind === 'automated'
        ? {
            kind,
            suite,
            passed: numberOr(passed, 0),
            failed: numberOr(failed, 0),
            skipped: numberOr(skipped, 0),
            ...(outcome !== '' && { outcome }),
            ...(link.trim() !== '' && { link: link.trim() }),
            ...(ran !== undefined && { ranAt: ran }),
            notes,
          }
        : { kind, outcome: outcome === '' ? 'passed' : outcome, notes };
    mutation.mutate({ params: { path: { id: change.id } }, body });
  };

  return (
    <FormDialog
      title={`Record evidence on ${change.number}`}
      submitLabel="Record evidence"
      busyLabel="Recording…"
      busy={mutation.isPending}
      error={mutation.error}
      onSubmit={submit}
      onClose={onClose}
    >
      <Field label="Kind" error={errorOf('kind')}>
        {(control) => (
          <select
            {...control}
            value={kind}
            onChange={(event) => {
              setKind(event.target.value === 'manual' ? 'manual' : 'automated');
              setOutcome('');
            }}
          >
            <option value="automated">Automated results (a suite or pipeline)</option>
            <option value="manual">Manual sign-off (you tested it)</option>
          </select>
        )}
      </Field>
      {kind === 'automated' ? (
        <>
          <Field label="Suite" error={errorOf('suite')} hint="the suite or pipeline name">
            {(control) => (
              <input
                {...control}
                value={suite}
                required
                maxLength={200}
                onChange={(event) => setSuite(event.target.value)}
              />
            )}
          </Field>
          <div className="row">
            <Field label="Passed" error={errorOf('passed')}>
              {(control) => (
                <input
                  {...control}
                  type="number"
                  min={0}
                  inputMode="numeric"
                  value={passed}
                  required
                  onChange={(event) => setPassed(event.target.value)}
                />
              )}
            </Field>
            <Field label="Failed" error={errorOf('failed')}>
              {(control) => (
                <input
                  {...control}
                  type="number"
                  min={0}
                  inputMode="numeric"
                  value={failed}
                  required
                  onChange={(event) => setFailed(event.target.value)}
                />
              )}
            </Field>
            <Field label="Skipped" error={errorOf('skipped')}>
              {(control) => (
                <input
                  {...control}
                  type="number"
                  min={0}
                  inputMode="numeric"
                  value={skipped}
                  onChange={(event) => setSkipped(event.target.value)}
                />
              )}
            </Field>
          </div>
          <Field
            label="Verdict"
            error={errorOf('outcome')}
            hint="from the counts unless given: failed when a test failed or none passed"
          >
            {(control) => (
              <select
                {...control}
                value={outcome}
                onChange={(event) => setOutcome(event.target.value as '' | 'passed' | 'failed')}
              >
                <option value="">From the counts</option>
                <option value="passed">Passed</option>
                <option value="failed">Failed</option>
              </select>
            )}
          </Field>
          <Field label="Link to the run" error={errorOf('link')} hint="http or https (optional)">
            {(control) => (
              <input
                {...control}
                type="url"
                value={link}
                onChange={(event) => setLink(event.target.value)}
              />
            )}
          </Field>
          <Field label="Ran at" error={errorOf('ranAt')} hint="your local time; default now">
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={ranAt}
                onChange={(event) => setRanAt(event.target.value)}
              />
            )}
          </Field>
          <Field label="Notes" error={errorOf('notes')} hint="optional remarks">
            {(control) => (
              <textarea
                {...control}
                rows={3}
                value={notes}
                onChange={(event) => setNotes(event.target.value)}
              />
            )}
          </Field>
        </>
      ) : (
        <>
          <p className="small">
            Signed off by you ({user?.displayName ?? 'the signed-in user'}), now.
          </p>
          <Field label="Verdict" error={errorOf('outcome')}>
            {(control) => (
              <select
                {...control}
                value={outcome === '' ? 'passed' : outcome}
                onChange={(event) => setOutcome(event.target.value as 'passed' | 'failed')}
              >
                <option value="passed">Passed</option>
                <option value="failed">Failed</option>
              </select>
            )}
          </Field>
          <Field label="What was tested and observed" error={errorOf('notes')}>
            {(control) => (
              <textarea
                {...control}
                rows={4}
                value={notes}
                required
                onChange={(event) => setNotes(event.target.value)}
              />
            )}
          </Field>
        </>
      )}
    </FormDialog>
  );
}

/** Attach a file: its bytes are the request body, its media type the content type. */
function AttachDialog({
  change,
  record,
  limitBytes,
  onClose,
}: {
  readonly change: ChangeDetail;
  readonly record: EvidenceRecord;
  readonly limitBytes: number;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | undefined>();
  const mutation = useMutation({
    mutationFn: (chosen: File) =>
      unwrap(
        api.POST('/api/v1/changes/{id}/evidence/{evidenceId}/attachments', {
          params: {
            path: { id: change.id, evidenceId: record.id },
            query: { name: chosen.name },
          },
          // The route takes the file itself as the body: sent as is, with its own media type.
          ...rawBody(chosen),
        }),
      ),
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/changes']);
      onClose();
    },
  });
  const tooLarge = file !== undefined && file.size > limitBytes;
  const empty = file !== undefined && file.size === 0;
  let problem: ReactNode;
  if (tooLarge)
    problem = `${formatBytes(file.size)} is larger than the server's limit of ${formatBytes(limitBytes)} per file.`;
  else if (empty) problem = 'The file is empty.';
  const title =
    record.kind === 'automated'
      ? `#${record.seq} ${record.suite ?? 'suite'}`
      : `#${record.seq} sign-off`;
  return (
    <Dialog open title={`Attach a file to ${title}`} onClose={onClose}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (file !== undefined && !tooLarge && !empty) mutation.mutate(file);
        }}
      >
        <Field
          label="File"
          hint={`any type, up to ${formatBytes(limitBytes)}; kept with its name, size and SHA-256`}
          error={problem}
        >
          {(control) => (
            <input
              {...control}
              type="file"
              required
              onChange={(event) => {
                mutation.reset();
                setFile(event.target.files?.[0]);
              }}
            />
          )}
        </Field>
        {file !== undefined && (
          <p className="small" aria-live="polite">
            {file.name}: {formatBytes(file.size)}
            {file.type === '' ? '' : `, ${file.type}`}
          </p>
        )}
        <MutationError error={mutation.error} />
        <FormActions
          onCancel={onClose}
          submitLabel="Attach"
          busyLabel="Uploading…"
          busy={mutation.isPending}
          disabled={file === undefined || tooLarge || empty}
        />
      </form>
    </Dialog>
  );
}
