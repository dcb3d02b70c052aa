/**
 * A change's export (docs/adr/0028-change-export.md): download its whole history as one JSON
 * document (request, plan versions, approvals, transitions, evidence, review, audit, with a
 * digest), and "Verify an export": read such a file back, send it to the server, and show its
 * verdict — every check, which failed and why. Both need `changes:read` only.
 */
import { useId, useState } from 'react';
import { Link } from 'react-router';
import type { paths } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { Badge } from '../../ui/badges.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Field, MutationError } from '../../ui/forms.tsx';
import { Section } from '../../ui/page.tsx';
import { formatBytes } from '../reports/run-parts.tsx';
import type { ChangeDetail } from './change-model.ts';

type ExportDocument =
  paths['/api/v1/changes/verify-export']['post']['requestBody']['content']['application/json'];
export type ExportVerification =
  paths['/api/v1/changes/verify-export']['post']['responses']['200']['content']['application/json'];

export const exportUrl = (changeId: string) =>
  `/api/v1/changes/${encodeURIComponent(changeId)}/export`;

export function ExportSection({ change }: { readonly change: ChangeDetail }) {
  const [verifying, setVerifying] = useState(false);
  return (
    <Section
      title="Export"
      actions={
        <>
          <a
            className="button"
            href={exportUrl(change.id)}
            download={`${change.number}-export.json`}
          >
            Download export
          </a>
          <button type="button" className="button" onClick={() => setVerifying(true)}>
            Verify an export
          </button>
        </>
      }
    >
      <p className="small">
        The change&rsquo;s whole history as one JSON document: the request, every plan version with
        its hash, the approval decisions, the transitions, the test evidence with its files&rsquo;
        hashes, the review and the audit events, sealed by a SHA-256 digest. Verifying a document
        checks that digest and compares it with the record this server holds.
      </p>
      {verifying && (
        <VerifyExportDialog currentChangeId={change.id} onClose={() => setVerifying(false)} />
      )}
    </Section>
  );
}

/** Choose an export file, send it for verification, show the verdict. */
export function VerifyExportDialog({
  currentChangeId,
  onClose,
}: {
  readonly currentChangeId?: string;
  readonly onClose: () => void;
}) {
  const [file, setFile] = useState<File | undefined>();
  const [readError, setReadError] = useState<string | undefined>();
  const mutation = $api.useMutation('post', '/api/v1/changes/verify-export');
  const verdictId = useId();

  const verify = async (chosen: File) => {
    setReadError(undefined);
    mutation.reset();
    let document: unknown;
    try {
      document = JSON.parse(await chosen.text()) as unknown;
    } catch {
      setReadError(
        `${chosen.name} is not a JSON document: choose the file a change export downloaded.`,
      );
      return;
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      setReadError(`${chosen.name} holds no change export (a JSON object).`);
      return;
    }
    // The server validates the document against the export's schema (a 422 names what is wrong).
    mutation.mutate({ body: document as ExportDocument });
  };

  return (
    <Dialog open title="Verify an export" onClose={onClose} wide>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (file !== undefined) void verify(file);
        }}
      >
        <Field
          label="Export file"
          hint="a change export (JSON) downloaded from this or another Patchgate server"
          error={readError}
        >
          {(control) => (
            <input
              {...control}
              type="file"
              accept="application/json,.json"
              required
              onChange={(event) => {
                setReadError(undefined);
                mutation.reset();
                setFile(event.target.files?.[0]);
              }}
            />
          )}
        </Field>
        {file !== undefined && (
          <p className="small">
            {file.name}: {formatBytes(file.size)}
          </p>
        )}
        <MutationError error={mutation.error} />
        {mutation.data !== undefined && (
          <VerificationResult
            id={verdictId}
            result={mutation.data}
            {...(currentChangeId !== undefined && { currentChangeId })}
          />
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={file === undefined || mutation.isPending}
          >
            {mutation.isPending ? 'Verifying…' : 'Verify'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function VerificationResult({
  id,
  result,
  currentChangeId,
}: {
  readonly id?: string;
  readonly result: ExportVerification;
  readonly currentChangeId?: string;
}) {
  const failed = result.checks.filter((c) => !c.ok);
  return (
    <div id={id} role="status" aria-live="polite" className="stack">
      <p className={result.ok ? 'export-verdict-ok' : 'export-verdict-failed'}>
        <strong>{result.ok ? 'Verified' : 'Not verified'}</strong>
        {': '}
        {result.ok
          ? `all ${result.checks.length} checks passed.`
          : `${failed.length} of ${result.checks.length} checks failed: ${failed.map((c) => c.name).join(', ')}.`}{' '}
        {result.changeId !== currentChangeId && (
          <Link to={`/changes/${encodeURIComponent(result.changeId)}`}>Open that change</Link>
        )}
      </p>
      <table className="simple-table export-checks" aria-label="Checks">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {result.checks.map((check) => (
            <tr key={check.name}>
              <td>
                <code>{check.name}</code>
              </td>
              <td>
                <Badge tone={check.ok ? 'ok' : 'critical'}>{check.ok ? 'passed' : 'failed'}</Badge>
              </td>
              <td>{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
