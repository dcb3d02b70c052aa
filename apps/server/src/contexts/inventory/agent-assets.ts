/**
 * The asset an enrolling agent reports as (contexts/agents, docs/adr/0035-agent-protocol.md):
 * the existing asset of that name, or a new host asset created with the enrolment token's
 * attributes. Runs inside the enrolment's transaction, audited there.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Environment } from '@patchgate/model';
import { osReleaseFromFlag } from '@patchgate/inventory';
import type { Clock } from '../../clock.ts';
import { timestamp } from '../../clock.ts';
import type { Dialect } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type { RequestSource } from '../audit/index.ts';
import { appendAuditEvent } from '../audit/index.ts';
import type { AssetRow } from './repository.ts';
import * as repo from './repository.ts';

export interface HostAssetRequest {
  readonly name: string;
  /** Applied when the asset is created here. */
  readonly environment: Environment | null;
  readonly groups: readonly string[];
  /** `debian:12` from the host's os-release; kept only when Patchgate knows the release. */
  readonly osRelease?: string | undefined;
}

/** The asset named `name` (created as a host when there is none): its id and whether it is new. */
export async function ensureHostAsset(
  trx: Transaction<DatabaseSchema>,
  dialect: Dialect,
  clock: Clock,
  source: RequestSource,
  request: HostAssetRequest,
): Promise<{ assetId: string; assetName: string; created: boolean }> {
  const existing = await trx
    .selectFrom('assets')
    .select(['id', 'name'])
    .where('name', '=', request.name)
    .executeTakeFirst();
  if (existing !== undefined)
    return { assetId: existing.id, assetName: existing.name, created: false };
  const now = timestamp(clock);
  const osRelease =
    request.osRelease !== undefined && osReleaseFromFlag(request.osRelease) !== undefined
      ? request.osRelease
      : null;
  const row: AssetRow = {
    id: randomUUID(),
    name: request.name,
    kind: 'host',
    os_release: osRelease,
    environment: request.environment,
    criticality: 'medium',
    exposure: 'unknown',
    owner_team: null,
    tags_json: JSON.stringify([]),
    groups_json: JSON.stringify([...new Set(request.groups)].sort()),
    maintenance_window: null,
    created_at: now,
    updated_at: now,
    current_snapshot_id: null,
  };
  await repo.insertAssets(trx, [row]);
  await appendAuditEvent(trx, dialect, clock, {
    ...source,
    action: 'asset.created',
    subjectType: 'asset',
    subjectId: row.id,
    after: repo.assetFromRow({
      ...row,
      cs_taken_at: null,
      cs_format: null,
      cs_package_count: null,
    }),
  });
  return { assetId: row.id, assetName: row.name, created: true };
}
