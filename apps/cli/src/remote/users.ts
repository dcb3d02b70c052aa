/** Naming a user on the command line: by login name or by id, resolved through the API. */
import type { PatchgateClient } from '@patchgate/api-client';
import { UsageError } from '../io.ts';
import { expectOk, reachable } from './call.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NamedUser {
  readonly id: string;
  readonly username: string;
}

/** The user named `nameOrId`; an unknown name is an error, never an empty answer. */
export async function findUser(
  client: PatchgateClient,
  server: string,
  nameOrId: string,
): Promise<NamedUser> {
  if (uuid.test(nameOrId)) {
    const user = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/users/{id}', { params: { path: { id: nameOrId } } }),
      ),
      'user lookup',
    );
    return user;
  }
  const wanted = nameOrId.toLowerCase();
  for (let offset = 0; ;) {
    const page = expectOk(
      await reachable(server, () =>
        client.GET('/api/v1/users', { params: { query: { limit: 500, offset } } }),
      ),
      'user lookup',
    );
    const user = page.users.find((u) => u.username === wanted);
    if (user !== undefined) return user;
    offset += page.users.length;
    if (page.users.length === 0 || offset >= page.total) break;
  }
  throw new UsageError(`no user named "${nameOrId}" (see patchgate users list)`);
}
