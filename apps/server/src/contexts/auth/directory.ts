/**
 * A read-only directory of users for other contexts (changes: approver groups, delegations):
 * who a name or id is, and the names of a set of ids. Nothing secret leaves: no hash, no token.
 */
import type { Executor } from './repository.ts';

export interface DirectoryUser {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly disabled: boolean;
}

const columns = ['id', 'username', 'display_name', 'disabled'] as const;

function toDirectoryUser(row: {
  id: string;
  username: string;
  display_name: string;
  disabled: number;
}): DirectoryUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    disabled: Number(row.disabled) !== 0,
  };
}

/** The user a reference names: its username first, else its id; undefined when none. */
export async function resolveUserRef(
  db: Executor,
  ref: string,
): Promise<DirectoryUser | undefined> {
  const byName = await db
    .selectFrom('users')
    .select(columns)
    .where('username', '=', ref)
    .executeTakeFirst();
  if (byName !== undefined) return toDirectoryUser(byName);
  const byId = await db
    .selectFrom('users')
    .select(columns)
    .where('id', '=', ref)
    .executeTakeFirst();
  return byId === undefined ? undefined : toDirectoryUser(byId);
}

/** The users with these ids (unknown ids are simply absent from the map). */
export async function usersByIds(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, DirectoryUser>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, DirectoryUser>();
  // Chunks keep the parameter count under SQLite's limit.
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(columns)
      .where('id', 'in', unique.slice(i, i + 500))
      .execute();
    for (const row of rows) found.set(row.id, toDirectoryUser(row));
  }
  return found;
}
