/**
 * What a person does to a finding: triage it (a CycloneDX VEX analysis), request a
 * risk-acceptance exception, and decide exceptions (approve, reject, revoke) with separation of
 * duties: the requester never approves their own — the button says why it is off, and when the
 * server refuses anyway (403, 409) its own words are shown.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession, useUser } from '../../api/session.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import type {
  ExceptionRequestBody,
  FindingException,
  TriageJustification,
  TriageState,
} from './finding-types.ts';
import { Field, Form } from '../../ui/forms.tsx';

/** Everything a triage or exception decision changes (lists, summary, detail, exceptions). */
export const findingPaths = ['/api/v1/findings', '/api/v1/finding-exceptions'];

export const triageStates: readonly { value: TriageState; label: string; hint: string }[] = [
  { value: 'in_triage', label: 'In triage', hint: 'being analysed' },
  { value: 'exploitable', label: 'Exploitable', hint: 'affected: it must be fixed' },
  {
    value: 'not_affected',
    label: 'Not affected',
    hint: 'the vulnerable code cannot be exploited here (a justification is required)',
  },
  { value: 'false_positive', label: 'False positive', hint: 'the match was wrong' },
  { value: 'resolved', label: 'Resolved', hint: 'remediated another way' },
];

export const justifications: readonly { value: TriageJustification; label: string }[] = [
  { value: 'code_not_present', label: 'Code not present' },
  { value: 'code_not_reachable', label: 'Code not reachable' },
  { value: 'requires_configuration', label: 'Requires a configuration not in use' },
  { value: 'requires_dependency', label: 'Requires a dependency not present' },
  { value: 'requires_environment', label: 'Requires an environment not present' },
  { value: 'protected_by_compiler', label: 'Protected by the compiler' },
  { value: 'protected_at_runtime', label: 'Protected at runtime' },
  { value: 'protected_at_perimeter', label: 'Protected at the perimeter' },
  { value: 'protected_by_mitigating_control', label: 'Protected by a mitigating control' },
];

export const triageLabel = (state: string): string =>
  triageStates.find((s) => s.value === state)?.label ?? state.replaceAll('_', ' ');
export const justificationLabel = (value: string): string =>
  justifications.find((j) => j.value === value)?.label ?? value.replaceAll('_', ' ');

export interface TriageCurrent {
  readonly state: TriageState;
  readonly justification: TriageJustification | null;
  readonly detail: string | null;
}

/** The triage form: state, justification (not affected only), detail. */
export function TriageForm({
  current,
  busy,
  error,
  submitLabel = 'Save triage',
  onSubmit,
  onCancel,
}: {
  readonly current: TriageCurrent | null;
  readonly busy: boolean;
  readonly error: unknown;
  readonly submitLabel?: string;
  readonly onSubmit: (body: {
    state: TriageState;
    justification?: TriageJustification;
    detail?: string;
  }) => void;
  readonly onCancel: () => void;
}) {
  const [state, setState] = useState<TriageState>(current?.state ?? 'in_triage');
  const [justification, setJustification] = useState<TriageJustification | ''>(
    current?.justification ?? '',
  );
  const [detail, setDetail] = useState(current?.detail ?? '');
  const needsJustification = state === 'not_affected';
  const submit = () => {
    onSubmit({
      state,
      ...(needsJustification && justification !== '' && { justification }),
      ...(detail.trim() !== '' && { detail: detail.trim() }),
    });
  };
  return (
    <Form
      onSubmit={submit}
      error={error}
      onCancel={onCancel}
      submitLabel={submitLabel}
      busyLabel="Saving…"
      busy={busy}
      disabled={needsJustification && justification === ''}
    >
      <Field label="Analysis state" hint={<>{triageStates.find((s) => s.value === state)?.hint}</>}>
        {(control) => (
          <select
            {...control}
            value={state}
            onChange={(event) => setState(event.target.value as TriageState)}
          >
            {triageStates.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {needsJustification && (
        <Field label="Justification">
          {(control) => (
            <select
              {...control}
              value={justification}
              required
              onChange={(event) => setJustification(event.target.value as TriageJustification)}
            >
              <option value="">Choose one…</option>
              {justifications.map((j) => (
                <option key={j.value} value={j.value}>
                  {j.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label="Detail">
        {(control) => (
          <textarea
            {...control}
            rows={3}
            maxLength={10_000}
            value={detail}
            onChange={(event) => setDetail(event.target.value)}
          />
        )}
      </Field>
    </Form>
  );
}

/** Triage one finding (`PUT /api/v1/findings/{id}/triage`). */
export function TriageDialog({
  findingId,
  current,
  open,
  onClose,
}: {
  readonly findingId: string;
  readonly current: TriageCurrent | null;
  readonly open: boolean;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const triage = $api.useMutation('put', '/api/v1/findings/{id}/triage', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, findingPaths);
      onClose();
    },
  });
  return (
    <Dialog open={open} title="Triage finding" onClose={onClose}>
      <TriageForm
        current={current}
        busy={triage.isPending}
        error={triage.error}
        onCancel={onClose}
        onSubmit={(body) => triage.mutate({ params: { path: { id: findingId } }, body })}
      />
    </Dialog>
  );
}

const day = 86_400_000;
const isoDay = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** Request an exception (`POST /api/v1/findings/{id}/exceptions`): owner, reason, expiry. */
export function ExceptionRequestDialog({
  findingId,
  open,
  onClose,
}: {
  readonly findingId: string;
  readonly open: boolean;
  readonly onClose: () => void;
}) {
  return (
    <Dialog open={open} title="Request an exception" onClose={onClose}>
      <ExceptionRequestForm findingId={findingId} onClose={onClose} />
    </Dialog>
  );
}

function ExceptionRequestForm({
  findingId,
  onClose,
}: {
  readonly findingId: string;
  readonly onClose: () => void;
}) {
  const user = useUser();
  const queryClient = useQueryClient();
  // The dialog mounts this form on opening: "today" is read once per request.
  const [today] = useState(() => Date.now());
  const [owner, setOwner] = useState(user.displayName);
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(() => isoDay(today + 90 * day));
  const request = $api.useMutation('post', '/api/v1/findings/{id}/exceptions', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, findingPaths);
      onClose();
    },
  });
  const submit = () => {
    const body: ExceptionRequestBody = {
      owner: owner.trim(),
      reason: reason.trim(),
      // The end of the chosen day (UTC), as the date reads.
      expiresAt: `${expires}T23:59:59.000Z`,
    };
    request.mutate({ params: { path: { id: findingId } }, body });
  };
  return (
    <Form
      onSubmit={submit}
      error={request.error}
      onCancel={onClose}
      submitLabel="Request exception"
      busyLabel="Requesting…"
      busy={request.isPending}
      disabled={owner.trim() === '' || reason.trim() === ''}
    >
      <p className="muted">
        An approved exception accepts the risk until it expires: the finding leaves the work queue.
        Someone else with the permission to approve exceptions must approve it.
      </p>
      <Field label="Risk owner">
        {(control) => (
          <input
            {...control}
            value={owner}
            required
            onChange={(event) => setOwner(event.target.value)}
          />
        )}
      </Field>
      <Field label="Reason">
        {(control) => (
          <textarea
            {...control}
            rows={3}
            required
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
      <Field label="Expires on" hint="At most one year ahead.">
        {(control) => (
          <input
            {...control}
            type="date"
            required
            min={isoDay(today + day)}
            max={isoDay(today + 365 * day)}
            value={expires}
            onChange={(event) => setExpires(event.target.value)}
          />
        )}
      </Field>
    </Form>
  );
}

type Decision = 'approve' | 'reject' | 'revoke';

const decisionText: Record<
  Decision,
  { label: string; title: string; reason: { label: string; required: boolean }; danger: boolean }
> = {
  approve: {
    label: 'Approve',
    title: 'Approve the exception',
    reason: { label: 'Comment (optional)', required: false },
    danger: false,
  },
  reject: {
    label: 'Reject',
    title: 'Reject the exception',
    reason: { label: 'Why it is rejected', required: true },
    danger: true,
  },
  revoke: {
    label: 'Revoke',
    title: 'Revoke the exception',
    reason: { label: 'Why it is revoked', required: true },
    danger: true,
  },
};

/**
 * Approve / reject / revoke buttons for one exception, as far as the user may: approving and
 * rejecting need `exceptions:approve` and a requested exception; the requester's own approve
 * button is off with the reason beside it; revoking is the requester's or an approver's.
 */
export function ExceptionActions({ exception }: { readonly exception: FindingException }) {
  const { user, can } = useSession();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Decision | undefined>();
  const reasonId = useId();
  const onSuccess = async () => {
    await invalidatePaths(queryClient, findingPaths);
    setOpen(undefined);
  };
  const approve = $api.useMutation('post', '/api/v1/finding-exceptions/{id}/approve', {
    onSuccess,
  });
  const reject = $api.useMutation('post', '/api/v1/finding-exceptions/{id}/reject', { onSuccess });
  const revoke = $api.useMutation('post', '/api/v1/finding-exceptions/{id}/revoke', { onSuccess });
  const mutations = { approve, reject, revoke };

  // Behind the login the user is known; while the session loads, show no action.
  if (user === undefined || user === null) return null;
  const own = exception.requestedBy.id === user.id;
  const approver = can('exceptions:approve');
  const requested = exception.state === 'requested';
  const live = requested || exception.state === 'approved';
  const showApprove = approver && requested;
  const showReject = approver && requested;
  const showRevoke = live && (own || approver);
  if (!showApprove && !showReject && !showRevoke) return null;

  const current = open === undefined ? undefined : mutations[open];
  const text = open === undefined ? undefined : decisionText[open];
  return (
    <div className="exception-actions">
      {showApprove && (
        <button
          type="button"
          className="button button-small button-primary"
          disabled={own}
          aria-describedby={own ? reasonId : undefined}
          onClick={() => setOpen('approve')}
        >
          Approve
        </button>
      )}
      {showReject && (
        <button type="button" className="button button-small" onClick={() => setOpen('reject')}>
          Reject
        </button>
      )}
      {showRevoke && (
        <button type="button" className="button button-small" onClick={() => setOpen('revoke')}>
          Revoke
        </button>
      )}
      {showApprove && own && (
        <span id={reasonId} className="field-hint">
          You requested it: someone else must approve it.
        </span>
      )}
      {text !== undefined && current !== undefined && open !== undefined && (
        <ConfirmDialog
          open
          title={text.title}
          message={
            <p>
              {text.label} the exception for <span className="mono">{exception.advisoryId}</span>{' '}
              requested by {exception.requestedBy.name} ({exception.reason}).
            </p>
          }
          confirmLabel={text.label}
          danger={text.danger}
          reason={text.reason}
          busy={current.isPending}
          error={current.error === null ? undefined : errorMessage(current.error)}
          onConfirm={(note) =>
            current.mutate({
              params: { path: { id: exception.id } },
              body: note === '' ? {} : { note },
            })
          }
          onClose={() => {
            current.reset();
            setOpen(undefined);
          }}
        />
      )}
    </div>
  );
}
