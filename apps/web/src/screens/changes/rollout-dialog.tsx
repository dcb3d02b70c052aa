/**
 * Start a scheduled change's rollout (POST /api/v1/changes/{id}/rollout), or a dry run that
 * simulates every task, then follow it on its page (`/rollouts/<id>`). The server refuses what
 * the state machine does not allow (409: the window has not opened, approvals incomplete).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { $api, invalidatePaths } from '../../api/query.ts';
import { CheckboxRow, Field, FormDialog } from '../../ui/forms.tsx';
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
  const mutation = $api.useMutation('post', '/api/v1/changes/{id}/rollout', {
    onSuccess: async (rollout) => {
      await invalidatePaths(queryClient, ['/api/v1/changes', '/api/v1/rollouts']);
      onClose();
      void navigate(`/rollouts/${rollout.id}`);
    },
  });
  const submit = () => {
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
    <FormDialog
      title={`Roll out ${change.number}`}
      onClose={onClose}
      onSubmit={submit}
      error={mutation.error}
      submitLabel={dryRun ? 'Start the dry run' : 'Start the rollout'}
      busyLabel="Starting…"
      busy={mutation.isPending}
    >
      <p>
        The agents patch the hosts wave by wave, as the plan says; a real rollout moves the change
        to implementing.
      </p>
      <CheckboxRow
        label="Dry run: simulate every task, change nothing"
        checked={dryRun}
        onChange={setDryRun}
      />
      <Field label="Hosts offline or without an agent">
        {(control) => (
          <select
            {...control}
            value={offlineHosts}
            onChange={(e) => setOfflineHosts(e.target.value as 'wait' | 'skip')}
          >
            <option value="wait">Wait for them</option>
            <option value="skip">Skip them</option>
          </select>
        )}
      </Field>
      <Field label="Reboot">
        {(control) => (
          <select
            {...control}
            value={reboot}
            onChange={(e) => setReboot(e.target.value as 'never' | 'if-required')}
          >
            <option value="never">Never</option>
            <option value="if-required">When the install requires it</option>
          </select>
        )}
      </Field>
      <Field label="Reason (optional, audited)">
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}
