/** The agents context's queries: only its own tables. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { DatabaseSchema } from '../../db/schema.ts';
import type {
  AgentEnrolmentTokenTable,
  AgentTable,
  AgentTaskEventTable,
  AgentTaskTable,
} from './tables.ts';

export type Executor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;
/** What the public read functions accept: the database, its Kysely instance or a transaction. */
export type Reader = Executor | Database;
export type EnrolmentTokenRow = Selectable<AgentEnrolmentTokenTable>;
export type AgentRow = Selectable<AgentTable>;
export type TaskRow = Selectable<AgentTaskTable>;
export type TaskEventRow = Selectable<AgentTaskEventTable>;

export function executorOf(reader: Reader): Executor {
  return 'db' in reader && 'dialect' in reader ? reader.db : reader;
}

export function findAgentById(db: Executor, id: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The asset's agent that is not revoked (the newest enrolment), if any. */
export function activeAgentOfAsset(db: Executor, assetId: string): Promise<AgentRow | undefined> {
  return db
    .selectFrom('agents')
    .selectAll()
    .where('asset_id', '=', assetId)
    .where('revoked_at', 'is', null)
    .orderBy('enrolled_at', 'desc')
    .orderBy('id')
    .executeTakeFirst();
}

export function findTask(db: Executor, taskId: string): Promise<TaskRow | undefined> {
  return db.selectFrom('agent_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
}

export function findTaskByKey(
  db: Executor,
  agentId: string,
  idempotencyKey: string,
): Promise<TaskRow | undefined> {
  return db
    .selectFrom('agent_tasks')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

export function findEnrolmentTokenByHash(
  db: Executor,
  hash: string,
): Promise<EnrolmentTokenRow | undefined> {
  return db
    .selectFrom('agent_enrolment_tokens')
    .selectAll()
    .where('token_hash', '=', hash)
    .executeTakeFirst();
}

export function findEnrolmentToken(
  db: Executor,
  id: string,
): Promise<EnrolmentTokenRow | undefined> {
  return db
    .selectFrom('agent_enrolment_tokens')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}
