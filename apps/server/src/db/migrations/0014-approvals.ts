/**
 * The changes context's approval tables: approver groups and members, the versioned approval
 * policy, delegations, and the decisions given on changes (tied to a plan version). Seeds the
 * default policy and its three (empty) groups: service-owners, cab, emergency
 * (packages/changes/src/approval/readme.md).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * The seeded groups and policy, written out (a migration never changes once landed; the same
 * values are `defaultApproverGroups` and `defaultApprovalRules` in @patchgate/changes, and a
 * test keeps them equal).
 */
export const seededApproverGroups = [
  {
    name: 'service-owners',
    description: 'Owners of the services the assets run',
    emergency: false,
  },
  { name: 'cab', description: 'Change advisory board', emergency: false },
  {
    name: 'emergency',
    description: 'Emergency change approvers (one suffices; a retrospective review follows)',
    emergency: true,
  },
];

export const seededApprovalRules: unknown = [
  {
    id: 'emergency',
    description: 'Emergency changes: one member of the emergency group; reviewed afterwards.',
    match: {
      types: ['emergency'],
    },
    autoApprove: false,
    retrospectiveReview: true,
    stages: [
      {
        name: 'emergency approver',
        groups: ['emergency'],
        quorum: {
          kind: 'any',
        },
      },
    ],
  },
  {
    id: 'standard',
    description:
      "Standard changes: approved by the system when the template's criteria hold; otherwise one service owner or CAB member.",
    match: {
      types: ['standard'],
    },
    autoApprove: true,
    stages: [
      {
        name: 'service owner or CAB',
        groups: ['service-owners', 'cab'],
        quorum: {
          kind: 'any',
        },
      },
    ],
  },
  {
    id: 'normal-production',
    description: 'Normal changes touching production: a service owner, then two of the CAB.',
    match: {
      types: ['normal'],
      environments: ['production'],
    },
    autoApprove: false,
    stages: [
      {
        name: 'service owner',
        groups: ['service-owners'],
        quorum: {
          kind: 'any',
        },
      },
      {
        name: 'CAB',
        groups: ['cab'],
        quorum: {
          kind: 'count',
          count: 2,
        },
      },
    ],
  },
  {
    id: 'normal-elevated-risk',
    description: 'Normal changes of moderate or high risk: a service owner, then two of the CAB.',
    match: {
      types: ['normal'],
      risks: ['moderate', 'high'],
    },
    autoApprove: false,
    stages: [
      {
        name: 'service owner',
        groups: ['service-owners'],
        quorum: {
          kind: 'any',
        },
      },
      {
        name: 'CAB',
        groups: ['cab'],
        quorum: {
          kind: 'count',
          count: 2,
        },
      },
    ],
  },
  {
    id: 'default',
    description:
      'Everything else (low-risk normal changes off production): one service owner or CAB member.',
    match: {},
    autoApprove: false,
    stages: [
      {
        name: 'service owner or CAB',
        groups: ['service-owners', 'cab'],
        quorum: {
          kind: 'any',
        },
      },
    ],
  },
];

// The seed's timestamp: migrations take no clock; the date this policy was written.
const seededAt = '2026-12-06T00:00:00.000Z';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('approver_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('emergency', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('approver_group_members')
    .addColumn('group_id', 'text', (c) =>
      c.notNull().references('approver_groups.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approver_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('approver_group_members_user')
    .on('approver_group_members')
    .column('user_id')
    .execute();
  await db.schema
    .createTable('approval_policies')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('rules_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema
    .createTable('delegations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('from_user_id', 'text', (c) => c.notNull())
    .addColumn('to_user_id', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema
    .createIndex('delegations_to_user')
    .on('delegations')
    .columns(['to_user_id', 'ends_at'])
    .execute();
  await db.schema
    .createTable('approval_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('change_id', 'text', (c) => c.notNull())
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('stage', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull())
    .addColumn('approver_name', 'text', (c) => c.notNull())
    .addColumn('on_behalf_of', 'text')
    .addColumn('delegation_id', 'text')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_reason', 'text')
    .execute();
  await db.schema
    .createIndex('approval_decisions_change')
    .on('approval_decisions')
    .columns(['change_id', 'plan_version'])
    .execute();

  // The default policy and the groups it names (members are added by an administrator).
  const typed = db as Kysely<{
    approver_groups: {
      id: string;
      name: string;
      description: string;
      emergency: number;
      created_at: string;
      updated_at: string;
    };
    approval_policies: {
      version: number;
      rules_json: string;
      created_at: string;
      created_by: string | null;
    };
  }>;
  await typed
    .insertInto('approver_groups')
    .values(
      seededApproverGroups.map((g) => ({
        id: randomUUID(),
        name: g.name,
        description: g.description,
        emergency: g.emergency ? 1 : 0,
        created_at: seededAt,
        updated_at: seededAt,
      })),
    )
    .execute();
  await typed
    .insertInto('approval_policies')
    .values({
      version: 1,
      rules_json: JSON.stringify(seededApprovalRules),
      created_at: seededAt,
      created_by: null,
    })
    .execute();
}
