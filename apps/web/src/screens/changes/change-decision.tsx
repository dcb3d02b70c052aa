/**
 * Approve or reject a change (POST /approve, /reject) with a comment, on the change's page and
 * on the CAB agenda. Separation of duties is shown before anyone clicks (the requester and the
 * implementer are not offered the decision), and whatever the server refuses (409, 403) is said
 * in the dialog in the server's words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import type { ChangeDetail } from './change-model.ts';
import { decisionStanding } from './change-model.ts';

type Decision = 'approve' | 'reject';

export function DecisionButtons({
  change,
  compact = false,
}: {
  readonly change: Pick<
    ChangeDetail,
    'id' | 'number' | 'title' | 'state' | 'approvals' | 'requester' | 'implementer' | 'planVersion'
  >;
  readonly compact?: boolean;
}) {
  const { can, user } = useSession();
  const [open, setOpen] = useState<Decision | undefined>();
  if (user === null || user === undefined || !can('changes:approve')) return null;
  const standing = decisionStanding(change, user);
  if (standing.kind === 'not-open') return compact ? null : <p className="muted">{standing.why}</p>;
  if (standing.kind !== 'eligible')
    return (
      <p className="change-duty" role="note">
        <span aria-hidden="true">⚖ </span>
        {standing.why}
      </p>
    );
  return (
    <div className="row">
      <button
        type="button"
        className="button button-primary"
        aria-label={`Approve ${change.number}`}
        onClick={() => setOpen('approve')}
      >
        Approve
      </button>
      <button
        type="button"
        className="button button-danger"
        aria-label={`Reject ${change.number}`}
        onClick={() => setOpen('reject')}
      >
        Reject
      </button>
      {!compact && <span className="muted small">You decide stage {standing.stage}.</span>}
      {open !== undefined && (
        <DecisionDialog change={change} decision={open} onClose={() => setOpen(undefined)} />
      )}
    </div>
  );
}

function DecisionDialog({
  change,
  decision,
  onClose,
}: {
  readonly change: Pick<ChangeDetail, 'id' | 'number' | 'title' | 'planVersion'>;
  readonly decision: Decision;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const mutation = $api.useMutation(
    'post',
    decision === 'approve' ? '/api/v1/changes/{id}/approve' : '/api/v1/changes/{id}/reject',
    {
      onSuccess: async () => {
        await invalidatePaths(queryClient, ['/api/v1/changes', '/api/v1/rollouts']);
        onClose();
      },
    },
  );
  const approve = decision === 'approve';
  return (
    <ConfirmDialog
      open
      title={`${approve ? 'Approve' : 'Reject'} ${change.number}`}
      message={
        <p>
          {approve ? 'Approve' : 'Reject'} plan version {change.planVersion} of “{change.title}”.
          {approve
            ? ' Your approval counts for this plan version only: a material edit withdraws it.'
            : ' The change ends as rejected; its requester may reopen it as a draft.'}
        </p>
      }
      confirmLabel={approve ? 'Approve' : 'Reject'}
      danger={!approve}
      reason={{ label: approve ? 'Comment' : 'Why (required)', required: !approve }}
      busy={mutation.isPending}
      error={mutation.isError ? errorMessage(mutation.error) : undefined}
      onConfirm={(comment) =>
        mutation.mutate({
          params: { path: { id: change.id } },
          body: comment === '' ? {} : { comment },
        })
      }
      onClose={onClose}
    />
  );
}
