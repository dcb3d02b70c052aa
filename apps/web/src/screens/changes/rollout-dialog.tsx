/**
 * Start a scheduled change's rollout (POST /api/v1/changes/{id}/rollout), or a dry run that
 * simulates every task, then follow it on its page (`/rollouts/<id>`). The server refuses what
 * the state machine does not allow (409: the window has not opened, approvals incomplete).
 */
import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { Dialog } from '../../ui/dialog.tsx';
import type { ChangeDetail } from './change-model.ts';

export function RolloutDialog({
  change,
  onClose,
}: {
  readonly change: Pick<ChangeDetail, 'id' | 'number'>;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [dryRun, setDryRun] = useState(false);
  const [offlineHosts, setOfflineHosts] = useState<'wait' | 'skip'>('wait');
  const [reboot, setReboot] = useState<'never' | 'if-required'>('never');
  const [reason, setReason] = useState('');
  const ids = { dryRun: useId(), offline: useId(), reboot: useId(), reason: useId() };
  const mutation = $api.useMutation('post', '/api/v1/changes/{id}/rollout', {
    onSuccess: async (rollout) => {
      await invalidatePaths(queryClient, ['/api/v1/changes', '/api/v1/rollouts']);
      onClose();
      void navigate(`/rollouts/${rollout.id}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({
      params: { path: { id: change.id } },
      body: {
        dryRun,
        offlineHosts,
        reboot,
        ...(reason.trim() !== '' && { reason: reason.trim() }),
      },
    });
  };
  return (
    <Dialog open title={`Roll out ${change.number}`} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p>
          The agents patch the hosts wave by wave, as the plan says; a real rollout moves the change
          to implementing.
        </p>
        <div className="row">
          <input
            id={ids.dryRun}
            type="checkbox"
            checked={dryRun}
            onChange={(e) => setDryRun(e.target.checked)}
          />
          <label htmlFor={ids.dryRun}>Dry run: simulate every task, change nothing</label>
        </div>
        <div className="field">
          <label htmlFor={ids.offline}>Hosts offline or without an agent</label>
          <select
            id={ids.offline}
            value={offlineHosts}
            onChange={(e) => setOfflineHosts(e.target.value as 'wait' | 'skip')}
          >
            <option value="wait">Wait for them</option>
            <option value="skip">Skip them</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.reboot}>Reboot</label>
          <select
            id={ids.reboot}
            value={reboot}
            onChange={(e) => setReboot(e.target.value as 'never' | 'if-required')}
          >
            <option value="never">Never</option>
            <option value="if-required">When the install requires it</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.reason}>Reason (optional, audited)</label>
          <textarea
            id={ids.reason}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        {mutation.isError && (
          <div className="form-error" role="alert">
            {errorMessage(mutation.error)}
          </div>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={mutation.isPending}>
            {mutation.isPending ? 'Starting…' : dryRun ? 'Start the dry run' : 'Start the rollout'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
