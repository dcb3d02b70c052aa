/**
 * Approvals (changes:manage to change; changes:approve to delegate one's own approvals): the
 * approval policy — its ordered rules, each matching change types, risks, environments and asset
 * groups and naming its stages of approval (add, edit, reorder, delete; the whole policy is
 * stored as a new version and the server's 422s are shown beside the fields) — the approver
 * groups with their members (create, edit, delete, add and remove members), and delegations
 * (list with the "ended too" and user filters in the URL, create, revoke).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Badge } from '../../ui/badges.tsx';
import { ConfirmActionDialog, useConfirmAction } from '../../ui/confirm-action.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { CheckboxRow, Field, FormDialog, MutationError } from '../../ui/forms.tsx';
import { PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, QueryState } from '../../ui/states.tsx';
import { useUrlState } from '../../ui/url-state.ts';
import type { ChangeType, RiskLevel } from '../changes/change-model.ts';
import { changeTypes, riskLevels } from '../changes/change-model.ts';
import type {
  ApprovalEnvironment,
  ApprovalPolicy,
  ApprovalQuorum,
  ApprovalRule,
  ApprovalRuleInput,
  ApprovalStage,
  ApproverGroup,
  Delegation,
  UserRef,
} from './approvals-types.ts';
import './approvals.css';
import { CheckboxGroup } from './common.tsx';
import { errorsAt } from '../../ui/field-errors.ts';
import { RowButton } from '../../ui/row-button.tsx';

const environments: readonly ApprovalEnvironment[] = [
  'production',
  'staging',
  'test',
  'development',
];
const manageReason = 'Changing this needs the permission changes:manage.';

export function ApprovalsScreen() {
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Who approves which changes: the approval policy, the approver groups it names, and delegations while someone is away."
      />
      <PolicySection />
      <GroupsSection />
      <DelegationsSection />
    </>
  );
}

// --- the policy ------------------------------------------------------------------------------

const quorumText = (quorum: ApprovalQuorum): string =>
  quorum.kind === 'any'
    ? 'any one'
    : quorum.kind === 'all'
      ? 'all members'
      : `${quorum.count} approvers`;

function matchText(rule: ApprovalRule): string {
  const { types, risks, environments: envs, assetGroups } = rule.match;
  const parts = [
    types !== undefined && `type ${types.join(' or ')}`,
    risks !== undefined && `risk ${risks.join(' or ')}`,
    envs !== undefined && `in ${envs.join(' or ')}`,
    assetGroups !== undefined && `asset group ${assetGroups.join(' or ')}`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length === 0 ? 'every change' : parts.join(', ');
}

function PolicySection() {
  const { can } = useSession();
  const manage = can('changes:manage');
  const queryClient = useQueryClient();
  const policy = $api.useQuery('get', '/api/v1/approval-policy');
  const groups = $api.useQuery('get', '/api/v1/approver-groups');
  const [editing, setEditing] = useState<{ index: number; isNew: boolean } | undefined>();
  const [deleting, setDeleting] = useState<number | undefined>();
  const put = $api.useMutation('put', '/api/v1/approval-policy', {
    onSuccess: async () => {
      setDeleting(undefined);
      await invalidatePaths(queryClient, ['/api/v1/approval-policy']);
    },
  });
  const rules = policy.data?.rules ?? [];
  const store = (next: readonly ApprovalRuleInput[]) => put.mutate({ body: { rules: [...next] } });
  const move = (index: number, by: number) => {
    const next = [...rules];
    const [moved] = next.splice(index, 1);
    if (moved === undefined) return;
    next.splice(index + by, 0, moved);
    store(next);
  };
  return (
    <Section
      title="Approval policy"
      actions={
        <button
          type="button"
          className="button button-primary"
          disabled={!manage || policy.data === undefined}
          title={manage ? undefined : manageReason}
          onClick={() => setEditing({ index: Math.max(rules.length - 1, 0), isNew: true })}
        >
          Add rule
        </button>
      }
    >
      <QueryState query={policy} loadingLabel="Loading the approval policy…">
        {(data) => (
          <>
            <p className="muted">
              Version {data.version}, stored {formatDateTime(data.createdAt)} by{' '}
              {data.createdBy === null ? 'the seeded default' : personName(data.createdBy)}. The
              first rule matching a change decides its stages; the last rule must match every
              change.
              {!manage && ` ${manageReason}`}
            </p>
            <MutationError error={put.error} />
            <div className="table-scroll-x">
              <table className="simple-table" aria-label="Approval rules">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Rule</th>
                    <th scope="col">Applies to</th>
                    <th scope="col">Stages</th>
                    <th scope="col">Also</th>
                    {manage && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {data.rules.map((rule, index) => (
                    <tr key={rule.id}>
                      <td>{index + 1}</td>
                      <th scope="row">
                        <span className="mono">{rule.id}</span>
                        {rule.description !== '' && (
                          <span className="field-hint approvals-block">{rule.description}</span>
                        )}
                      </th>
                      <td>{matchText(rule)}</td>
                      <td>
                        <ol className="approvals-stages">
                          {rule.stages.map((stage, s) => (
                            <li key={s}>
                              {stage.name}: {stage.groups.join(', ')} ({quorumText(stage.quorum)})
                            </li>
                          ))}
                        </ol>
                      </td>
                      <td className="small">
                        {rule.autoApprove && <Badge tone="ok">auto-approves standard</Badge>}{' '}
                        {rule.retrospectiveReview === true && (
                          <Badge tone="warn">retrospective review</Badge>
                        )}{' '}
                        {rule.freezeOverride !== undefined && (
                          <Badge tone="info">
                            freeze override: {rule.freezeOverride.groups.join(', ')} (
                            {quorumText(rule.freezeOverride.quorum)})
                          </Badge>
                        )}
                      </td>
                      {manage && (
                        <td>
                          <span className="row-tight">
                            <RowButton
                              name={`Edit rule ${rule.id}`}
                              onClick={() => setEditing({ index, isNew: false })}
                            >
                              Edit
                            </RowButton>
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Move rule ${rule.id} up`}
                              disabled={index === 0 || put.isPending}
                              onClick={() => move(index, -1)}
                            >
                              Up
                            </button>
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Move rule ${rule.id} down`}
                              disabled={index === data.rules.length - 1 || put.isPending}
                              onClick={() => move(index, 1)}
                            >
                              Down
                            </button>
                            <button
                              type="button"
                              className="button button-small button-danger"
                              aria-label={`Delete rule ${rule.id}`}
                              disabled={data.rules.length === 1}
                              title={data.rules.length === 1 ? 'A policy needs a rule.' : undefined}
                              onClick={() => {
                                put.reset();
                                setDeleting(index);
                              }}
                            >
                              Delete
                            </button>
                          </span>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </QueryState>
      {editing !== undefined && policy.data !== undefined && (
        <RuleDialog
          key={`${editing.index}-${String(editing.isNew)}`}
          policy={policy.data}
          index={editing.index}
          isNew={editing.isNew}
          groupNames={(groups.data?.groups ?? []).map((g) => g.name)}
          onClose={() => setEditing(undefined)}
        />
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete rule ${deleting === undefined ? '' : (rules[deleting]?.id ?? '')}?`}
        message={
          <p>
            Changes it matched will be decided by the next rule that matches them. The policy is
            stored as a new version; approvals already requested keep their stages.
          </p>
        }
        confirmLabel="Delete rule"
        danger
        busy={put.isPending}
        error={put.error !== null ? errorMessage(put.error) : undefined}
        onConfirm={() => {
          if (deleting !== undefined) store(rules.filter((_, i) => i !== deleting));
        }}
        onClose={() => setDeleting(undefined)}
      />
    </Section>
  );
}

interface StageDraft {
  readonly name: string;
  readonly groups: readonly string[];
  readonly quorum: ApprovalQuorum['kind'];
  readonly count: string;
}

const emptyStage: StageDraft = { name: '', groups: [], quorum: 'any', count: '2' };

const stageDraft = (stage: ApprovalStage): StageDraft => ({
  name: stage.name,
  groups: stage.groups,
  quorum: stage.quorum.kind,
  count: stage.quorum.kind === 'count' ? String(stage.quorum.count) : '2',
});

const stageBody = (s: StageDraft): ApprovalStage => ({
  name: s.name.trim(),
  groups: [...s.groups],
  quorum: s.quorum === 'count' ? { kind: 'count', count: Number(s.count) } : { kind: s.quorum },
});

function RuleDialog({
  policy,
  index,
  isNew,
  groupNames,
  onClose,
}: {
  readonly policy: ApprovalPolicy;
  /** The rule edited, or where a new one goes (before the catch-all). */
  readonly index: number;
  readonly isNew: boolean;
  readonly groupNames: readonly string[];
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const original = isNew ? undefined : policy.rules[index];
  const [id, setId] = useState(original?.id ?? '');
  const [description, setDescription] = useState(original?.description ?? '');
  const [types, setTypes] = useState<ChangeType[]>([...(original?.match.types ?? [])]);
  const [risks, setRisks] = useState<RiskLevel[]>([...(original?.match.risks ?? [])]);
  const [envs, setEnvs] = useState<ApprovalEnvironment[]>([
    ...(original?.match.environments ?? []),
  ]);
  const [assetGroups, setAssetGroups] = useState((original?.match.assetGroups ?? []).join(', '));
  const [autoApprove, setAutoApprove] = useState(original?.autoApprove ?? false);
  const [retrospective, setRetrospective] = useState<'default' | 'yes' | 'no'>(
    original?.retrospectiveReview === undefined
      ? 'default'
      : original.retrospectiveReview
        ? 'yes'
        : 'no',
  );
  const [stages, setStages] = useState<StageDraft[]>(
    original === undefined ? [emptyStage] : original.stages.map(stageDraft),
  );
  const [freeze, setFreeze] = useState<StageDraft | undefined>(
    original?.freezeOverride === undefined ? undefined : stageDraft(original.freezeOverride),
  );
  const put = $api.useMutation('put', '/api/v1/approval-policy', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/approval-policy']);
      onClose();
    },
  });
  // The stored groups first, then any the rule names that no longer exist (the server says so).
  const groupOptions = [
    ...new Set([...groupNames, ...stages.flatMap((s) => s.groups), ...(freeze?.groups ?? [])]),
  ].sort();
  const path = `body.rules[${index}]`;
  const err = (key: string) => errorsAt(put.error, `${path}.${key}`);
  const updateStage = (at: number, patch: Partial<StageDraft>) =>
    setStages((all) => all.map((s, i) => (i === at ? { ...s, ...patch } : s)));

  const submit = () => {
    const groupsList = assetGroups
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    const rule: ApprovalRuleInput = {
      id: id.trim(),
      description: description.trim(),
      match: {
        ...(types.length > 0 && { types }),
        ...(risks.length > 0 && { risks }),
        ...(envs.length > 0 && { environments: envs }),
        ...(groupsList.length > 0 && { assetGroups: groupsList }),
      },
      autoApprove,
      ...(retrospective !== 'default' && { retrospectiveReview: retrospective === 'yes' }),
      stages: stages.map(stageBody),
      // Absent: one member of the CAB decides a schedule overriding a freeze.
      ...(freeze !== undefined && { freezeOverride: stageBody(freeze) }),
    };
    const rules: ApprovalRuleInput[] = [...policy.rules];
    if (isNew) rules.splice(index, 0, rule);
    else rules[index] = rule;
    put.mutate({ body: { rules } });
  };

  return (
    <FormDialog
      title={isNew ? 'Add an approval rule' : `Edit rule ${original?.id ?? ''}`}
      onClose={onClose}
      wide
      onSubmit={submit}
      error={put.error}
      submitLabel={isNew ? 'Add rule' : 'Save rule'}
      busyLabel="Saving…"
      busy={put.isPending}
    >
      <p className="muted">
        {isNew
          ? `It goes in place ${index + 1}, before the last rule (which matches every change).`
          : `Rule ${index + 1} of ${policy.rules.length}.`}{' '}
        Saving stores the whole policy as version {policy.version + 1}.
      </p>
      <div className="form-columns">
        <Field
          id="rule-id"
          label="Rule id"
          hint="Lower-case letters, digits, “.”, “_” and “-”; shown in each change's approval status."
          error={err('id')}
        >
          {(control) => (
            <input
              {...control}
              className="mono"
              required
              value={id}
              onChange={(event) => setId(event.target.value)}
            />
          )}
        </Field>
        <Field id="rule-description" label="Why this rule exists" error={err('description')}>
          {(control) => (
            <input
              {...control}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          )}
        </Field>
      </div>
      <fieldset className="approvals-fieldset">
        <legend>Applies to (nothing ticked: any)</legend>
        <div className="form-columns">
          <CheckboxGroup
            legend="Change types"
            options={changeTypes}
            value={types}
            onChange={setTypes}
          />
          <CheckboxGroup
            legend="Risk levels"
            options={riskLevels}
            value={risks}
            onChange={setRisks}
          />
          <CheckboxGroup
            legend="Environments (any asset in scope)"
            options={environments}
            value={envs}
            onChange={setEnvs}
          />
        </div>
        <Field
          id="rule-asset-groups"
          label="Asset groups (any asset in scope; comma-separated)"
          error={err('match')}
        >
          {(control) => (
            <input
              {...control}
              value={assetGroups}
              onChange={(event) => setAssetGroups(event.target.value)}
            />
          )}
        </Field>
      </fieldset>
      <div className="form-columns">
        <div className="field">
          <CheckboxRow
            label="Auto-approve standard changes whose template criteria hold"
            checked={autoApprove}
            onChange={setAutoApprove}
          />
          {err('autoApprove') !== undefined && (
            <span className="field-error" role="alert">
              {err('autoApprove')}
            </span>
          )}
        </div>
        <Field
          id="rule-retrospective"
          label="Retrospective review"
          error={err('retrospectiveReview')}
        >
          {(control) => (
            <select
              {...control}
              value={retrospective}
              onChange={(event) => setRetrospective(event.target.value as 'default' | 'yes' | 'no')}
            >
              <option value="default">Default (emergency changes only)</option>
              <option value="yes">Required</option>
              <option value="no">Not required</option>
            </select>
          )}
        </Field>
      </div>
      {stages.map((stage, s) => (
        <StageFields
          key={s}
          idPrefix={`stage-${s}`}
          label={`Stage ${s + 1}`}
          stage={stage}
          groupOptions={groupOptions}
          error={(key) => err(`stages[${s}].${key}`)}
          onChange={(patch) => updateStage(s, patch)}
          onRemove={
            stages.length > 1 ? () => setStages((all) => all.filter((_, i) => i !== s)) : undefined
          }
        />
      ))}
      {stages.length < 5 && (
        <div>
          <button
            type="button"
            className="button button-small"
            onClick={() => setStages((all) => [...all, emptyStage])}
          >
            Add a stage
          </button>
        </div>
      )}
      <CheckboxRow
        label="Its own freeze-override stage (otherwise: one member of cab) when a schedule overrides a freeze"
        checked={freeze !== undefined}
        onChange={(checked) =>
          setFreeze(checked ? { ...emptyStage, name: 'freeze override' } : undefined)
        }
      />
      {freeze !== undefined && (
        <StageFields
          idPrefix="freeze"
          label="Freeze-override stage"
          stage={freeze}
          groupOptions={groupOptions}
          error={(key) => err(`freezeOverride.${key}`)}
          onChange={(patch) => setFreeze((current) => ({ ...(current ?? emptyStage), ...patch }))}
        />
      )}
    </FormDialog>
  );
}

/** One stage's fields: its name, quorum (and count), and approver groups. */
function StageFields({
  idPrefix,
  label,
  stage,
  groupOptions,
  error,
  onChange,
  onRemove,
}: {
  readonly idPrefix: string;
  readonly label: string;
  readonly stage: StageDraft;
  readonly groupOptions: readonly string[];
  readonly error: (key: 'name' | 'quorum' | 'groups') => string | undefined;
  readonly onChange: (patch: Partial<StageDraft>) => void;
  readonly onRemove?: (() => void) | undefined;
}) {
  return (
    <fieldset className="approvals-fieldset">
      <legend>{label}</legend>
      <div className="form-columns">
        <Field id={`${idPrefix}-name`} label={`${label} name`} error={error('name')}>
          {(control) => (
            <input
              {...control}
              required
              value={stage.name}
              onChange={(event) => onChange({ name: event.target.value })}
            />
          )}
        </Field>
        <Field id={`${idPrefix}-quorum`} label={`${label} quorum`} error={error('quorum')}>
          {(control) => (
            <select
              {...control}
              value={stage.quorum}
              onChange={(event) =>
                onChange({ quorum: event.target.value as ApprovalQuorum['kind'] })
              }
            >
              <option value="any">Any one eligible approver</option>
              <option value="count">A number of distinct approvers</option>
              <option value="all">Every member of the groups</option>
            </select>
          )}
        </Field>
        {stage.quorum === 'count' && (
          <Field id={`${idPrefix}-count`} label={`${label} approvers needed`}>
            {(control) => (
              <input
                {...control}
                type="number"
                min={1}
                max={50}
                required
                value={stage.count}
                onChange={(event) => onChange({ count: event.target.value })}
              />
            )}
          </Field>
        )}
      </div>
      <CheckboxGroup
        legend={`${label} approver groups`}
        options={groupOptions}
        value={stage.groups}
        onChange={(value) => onChange({ groups: value })}
        columns={3}
      />
      {error('groups') !== undefined && (
        <span className="field-error" role="alert">
          {error('groups')}
        </span>
      )}
      {onRemove !== undefined && (
        <button type="button" className="button button-small" onClick={onRemove}>
          Remove {label.toLowerCase()}
        </button>
      )}
    </fieldset>
  );
}

// --- approver groups -------------------------------------------------------------------------

const personName = (user: UserRef): string =>
  user.displayName ?? user.username ?? `removed user ${user.id}`;

function GroupsSection() {
  const { can } = useSession();
  const manage = can('changes:manage');
  const groups = $api.useQuery('get', '/api/v1/approver-groups');
  const [editing, setEditing] = useState<ApproverGroup | 'new' | undefined>();
  const [adding, setAdding] = useState<ApproverGroup | undefined>();
  const invalidate = ['/api/v1/approver-groups', '/api/v1/approval-policy'];
  const remove = useConfirmAction('delete', '/api/v1/approver-groups/{group}', {
    init: (group: ApproverGroup) => ({ params: { path: { group: group.name } } }),
    invalidate,
  });
  const removeMember = useConfirmAction('post', '/api/v1/approver-groups/{group}/members', {
    init: ({ group, member }: { group: ApproverGroup; member: UserRef }) => ({
      params: { path: { group: group.name } },
      body: { add: [], remove: [member.id] },
    }),
    invalidate,
  });
  return (
    <Section
      title="Approver groups"
      actions={
        <button
          type="button"
          className="button"
          disabled={!manage}
          title={manage ? undefined : manageReason}
          onClick={() => setEditing('new')}
        >
          Add group
        </button>
      }
    >
      <QueryState
        query={groups}
        loadingLabel="Loading approver groups…"
        isEmpty={(data) => data.groups.length === 0}
        empty={<EmptyState title="No approver groups: the policy's stages name groups." />}
      >
        {(data) => (
          <div className="table-scroll-x">
            <table className="simple-table" aria-label="Approver groups">
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Description</th>
                  <th scope="col">Members</th>
                  {manage && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {data.groups.map((group) => (
                  <tr key={group.id}>
                    <th scope="row">
                      <span className="mono">{group.name}</span>
                      {group.emergency && (
                        <>
                          {' '}
                          <Badge tone="high">emergency</Badge>
                        </>
                      )}
                    </th>
                    <td className="small">{group.description}</td>
                    <td>
                      {group.members.length === 0 ? (
                        <span className="muted">No members: nobody can approve its stages.</span>
                      ) : (
                        <ul className="approvals-members" aria-label={`Members of ${group.name}`}>
                          {group.members.map((member) => (
                            <li key={member.id}>
                              {personName(member)}
                              {member.username !== null && (
                                <span className="muted small"> ({member.username})</span>
                              )}
                              {manage && (
                                <button
                                  type="button"
                                  className="button button-small button-ghost"
                                  aria-label={`Remove ${member.username ?? member.id} from ${group.name}`}
                                  onClick={() => removeMember.ask({ group, member })}
                                >
                                  Remove
                                </button>
                              )}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    {manage && (
                      <td>
                        <span className="row-tight">
                          <RowButton
                            name={`Add member to ${group.name}`}
                            onClick={() => setAdding(group)}
                          >
                            Add member
                          </RowButton>
                          <RowButton
                            name={`Edit group ${group.name}`}
                            onClick={() => setEditing(group)}
                          >
                            Edit
                          </RowButton>
                          <RowButton
                            name={`Delete group ${group.name}`}
                            onClick={() => remove.ask(group)}
                            danger
                          >
                            Delete
                          </RowButton>
                        </span>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {!manage && <p className="muted small">{manageReason}</p>}
      {editing !== undefined && (
        <GroupDialog
          key={editing === 'new' ? 'new' : editing.id}
          group={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(undefined)}
        />
      )}
      {adding !== undefined && (
        <AddMemberDialog key={adding.id} group={adding} onClose={() => setAdding(undefined)} />
      )}
      <ConfirmActionDialog
        action={remove}
        title={(group) => `Delete group ${group.name}?`}
        message={() => (
          <p>
            Its members lose what the group let them approve. A group the approval policy names
            cannot be deleted: change the policy first.
          </p>
        )}
        confirmLabel="Delete group"
      />
      <ConfirmActionDialog
        action={removeMember}
        title={({ group, member }) => `Remove ${personName(member)} from ${group.name}?`}
        message={() => <p>They can no longer approve the stages that name this group.</p>}
        confirmLabel="Remove member"
      />
    </Section>
  );
}

function GroupDialog({
  group,
  onClose,
}: {
  readonly group: ApproverGroup | undefined;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const [emergency, setEmergency] = useState(group?.emergency ?? false);
  const done = async () => {
    await invalidatePaths(queryClient, ['/api/v1/approver-groups']);
    onClose();
  };
  const create = $api.useMutation('post', '/api/v1/approver-groups', { onSuccess: done });
  const update = $api.useMutation('patch', '/api/v1/approver-groups/{group}', {
    onSuccess: done,
  });
  const error = create.error ?? update.error;
  const submit = () => {
    if (group === undefined) create.mutate({ body: { name: name.trim(), description, emergency } });
    else
      update.mutate({ params: { path: { group: group.name } }, body: { description, emergency } });
  };
  return (
    <FormDialog
      title={group === undefined ? 'Add an approver group' : `Edit group ${group.name}`}
      onClose={onClose}
      onSubmit={submit}
      error={error}
      submitLabel={group === undefined ? 'Add group' : 'Save'}
      busyLabel="Saving…"
      busy={create.isPending || update.isPending}
    >
      <Field
        id="group-name"
        label="Name"
        hint={
          group === undefined
            ? 'How policy stages name it: lower-case letters, digits, “.”, “_” and “-”.'
            : 'Policies name the group by it, so it does not change.'
        }
        error={errorsAt(error, 'body.name')}
      >
        {(control) => (
          <input
            {...control}
            className="mono"
            required
            disabled={group !== undefined}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        )}
      </Field>
      <Field id="group-description" label="Description" error={errorsAt(error, 'body.description')}>
        {(control) => (
          <input
            {...control}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <CheckboxRow
        label="Emergency group (one member approves an emergency change)"
        checked={emergency}
        onChange={setEmergency}
      />
    </FormDialog>
  );
}

/** Known user names for a datalist: the user list when the caller may read it. */
function useKnownUsernames(): readonly string[] {
  const { can } = useSession();
  const users = $api.useQuery('get', '/api/v1/users', {}, { enabled: can('users:manage') });
  return useMemo(
    () => (users.data?.users ?? []).filter((u) => !u.disabled).map((u) => u.username),
    [users.data],
  );
}

function AddMemberDialog({
  group,
  onClose,
}: {
  readonly group: ApproverGroup;
  readonly onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const known = useKnownUsernames();
  const [username, setUsername] = useState('');
  const add = $api.useMutation('post', '/api/v1/approver-groups/{group}/members', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/approver-groups']);
      onClose();
    },
  });
  return (
    <FormDialog
      title={`Add a member to ${group.name}`}
      onClose={onClose}
      onSubmit={() =>
        add.mutate({
          params: { path: { group: group.name } },
          body: { add: [username.trim()], remove: [] },
        })
      }
      error={add.error}
      submitLabel="Add member"
      busyLabel="Adding…"
      busy={add.isPending}
    >
      <Field
        id="member-username"
        label="Username"
        hint="A local user, by username; they may then approve the stages naming this group."
        error={errorsAt(add.error, 'body.add')}
      >
        {(control) => (
          <input
            {...control}
            required
            autoComplete="off"
            list="member-usernames"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        )}
      </Field>
      <datalist id="member-usernames">
        {known.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
    </FormDialog>
  );
}

// --- delegations -----------------------------------------------------------------------------

function delegationState(
  d: Delegation,
  now: number,
): { label: string; tone: 'ok' | 'info' | 'neutral' } {
  if (d.revokedAt !== null) return { label: 'revoked', tone: 'neutral' };
  if (d.active) return { label: 'active', tone: 'ok' };
  if (Date.parse(d.startsAt) > now) return { label: 'upcoming', tone: 'info' };
  return { label: 'ended', tone: 'neutral' };
}

function DelegationsSection() {
  const { can, user } = useSession();
  const manage = can('changes:manage');
  const mayDelegate = manage || can('changes:approve');
  const url = useUrlState(['ended', 'user'] as const);
  const ended = url.values.ended === 'true';
  const who = url.values.user;
  const [userText, setUserText] = useState(who ?? '');
  const delegations = $api.useQuery('get', '/api/v1/delegations', {
    params: { query: { ...(ended && { ended: 'true' }), ...(who !== undefined && { user: who }) } },
  });
  const [creating, setCreating] = useState(false);
  const revoke = useConfirmAction('post', '/api/v1/delegations/{id}/revoke', {
    init: (delegation: Delegation) => ({ params: { path: { id: delegation.id } } }),
    invalidate: ['/api/v1/delegations'],
  });
  // The moment the list was read: a delegation's state is as of then (refetched on focus).
  const now = delegations.dataUpdatedAt;
  const mayRevoke = (d: Delegation) =>
    mayDelegate && (manage || d.from.id === user?.id || d.to.id === user?.id);
  return (
    <Section
      title="Delegations"
      actions={
        <button
          type="button"
          className="button"
          disabled={!mayDelegate}
          title={mayDelegate ? undefined : 'Delegating needs changes:approve or changes:manage.'}
          onClick={() => setCreating(true)}
        >
          Delegate approvals
        </button>
      }
    >
      <form
        className="filters"
        aria-label="Delegation filters"
        onSubmit={(event) => {
          event.preventDefault();
          url.set({ user: userText.trim() });
        }}
      >
        <Field id="delegation-user" label="From or to user">
          {(control) => (
            <input
              {...control}
              type="search"
              placeholder="username"
              value={userText}
              onChange={(event) => setUserText(event.target.value)}
              onBlur={() => url.set({ user: userText.trim() }, { replace: true })}
            />
          )}
        </Field>
        <CheckboxRow
          label="Also ended and revoked"
          checked={ended}
          onChange={(checked) => url.set({ ended: checked ? 'true' : undefined })}
        />
      </form>
      <QueryState
        query={delegations}
        loadingLabel="Loading delegations…"
        isEmpty={(data) => data.delegations.length === 0}
        empty={
          <EmptyState
            title={
              ended || who !== undefined
                ? 'No delegation matches these filters.'
                : 'No current or upcoming delegation.'
            }
          />
        }
      >
        {(data) => (
          <div className="table-scroll-x">
            <table className="simple-table" aria-label="Delegations">
              <thead>
                <tr>
                  <th scope="col">From (away)</th>
                  <th scope="col">To (decides)</th>
                  <th scope="col">Window</th>
                  <th scope="col">Reason</th>
                  <th scope="col">State</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {data.delegations.map((d) => {
                  const state = delegationState(d, now);
                  return (
                    <tr key={d.id}>
                      <th scope="row">{personName(d.from)}</th>
                      <td>{personName(d.to)}</td>
                      <td className="small">
                        {formatDateTime(d.startsAt)} – {formatDateTime(d.endsAt)}
                      </td>
                      <td className="small">{d.reason}</td>
                      <td>
                        <Badge tone={state.tone}>{state.label}</Badge>
                        {d.revokedBy !== null && (
                          <span className="small muted"> by {personName(d.revokedBy)}</span>
                        )}
                      </td>
                      <td>
                        {(state.label === 'active' || state.label === 'upcoming') && (
                          <button
                            type="button"
                            className="button button-small button-danger"
                            aria-label={`Revoke the delegation from ${personName(d.from)} to ${personName(d.to)}`}
                            disabled={!mayRevoke(d)}
                            title={
                              mayRevoke(d)
                                ? undefined
                                : 'Only its giver, its delegate or changes:manage revokes it.'
                            }
                            onClick={() => revoke.ask(d)}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
      {creating && <DelegationDialog onClose={() => setCreating(false)} />}
      <ConfirmActionDialog
        action={revoke}
        title={() => 'Revoke this delegation?'}
        message={(delegation) => (
          <p>
            {personName(delegation.to)} will no longer decide for {personName(delegation.from)}.
            Decisions already given stay.
          </p>
        )}
        confirmLabel="Revoke delegation"
      />
    </Section>
  );
}

/** `2026-12-06T17:30` in the browser's time zone, for a datetime-local input. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function DelegationDialog({ onClose }: { readonly onClose: () => void }) {
  const { can, user } = useSession();
  const manage = can('changes:manage');
  const queryClient = useQueryClient();
  const known = useKnownUsernames();
  const [from, setFrom] = useState(user?.username ?? '');
  const [to, setTo] = useState('');
  const [startsAt, setStartsAt] = useState(() => localInput(new Date()));
  const [endsAt, setEndsAt] = useState(() => localInput(new Date(Date.now() + 7 * 86_400_000)));
  const [reason, setReason] = useState('');
  const create = $api.useMutation('post', '/api/v1/delegations', {
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/delegations']);
      onClose();
    },
  });
  const iso = (local: string) => {
    const date = new Date(local);
    return Number.isNaN(date.getTime()) ? local : date.toISOString();
  };
  const submit = () =>
    create.mutate({
      body: {
        ...(manage && from.trim() !== '' && { from: from.trim() }),
        to: to.trim(),
        startsAt: iso(startsAt),
        endsAt: iso(endsAt),
        reason: reason.trim(),
      },
    });
  return (
    <FormDialog
      title="Delegate approvals"
      onClose={onClose}
      wide
      onSubmit={submit}
      error={create.error}
      submitLabel="Delegate"
      busyLabel="Saving…"
      busy={create.isPending}
    >
      <div className="form-columns">
        <Field
          id="delegation-from"
          label="Whose approvals (away)"
          hint={
            manage
              ? 'Anyone (you have changes:manage).'
              : 'Your own: delegating for someone else needs changes:manage.'
          }
          error={errorsAt(create.error, 'body.from')}
        >
          {(control) => (
            <input
              {...control}
              required
              disabled={!manage}
              autoComplete="off"
              list="delegation-usernames"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
            />
          )}
        </Field>
        <Field
          id="delegation-to"
          label="Delegate (decides for them)"
          error={errorsAt(create.error, 'body.to')}
        >
          {(control) => (
            <input
              {...control}
              required
              autoComplete="off"
              list="delegation-usernames"
              value={to}
              onChange={(event) => setTo(event.target.value)}
            />
          )}
        </Field>
      </div>
      <datalist id="delegation-usernames">
        {known.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <div className="form-columns">
        <Field id="delegation-starts" label="From" error={errorsAt(create.error, 'body.startsAt')}>
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              required
              value={startsAt}
              onChange={(event) => setStartsAt(event.target.value)}
            />
          )}
        </Field>
        <Field
          id="delegation-ends"
          label="Until (exclusive)"
          hint="At most a year after the start; your browser's time zone."
          error={errorsAt(create.error, 'body.endsAt')}
        >
          {(control) => (
            <input
              {...control}
              type="datetime-local"
              required
              value={endsAt}
              onChange={(event) => setEndsAt(event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field id="delegation-reason" label="Reason" error={errorsAt(create.error, 'body.reason')}>
        {(control) => (
          <input
            {...control}
            placeholder="holiday, leave…"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
    </FormDialog>
  );
}
