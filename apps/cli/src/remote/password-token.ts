/**
 * Turning a username and password into an API token, as `patchgate login` and the demo do:
 * log in (a browser-style session), create a token with all of the user's permissions, and end
 * the session again — the token is what a command-line client keeps.
 */
import type { PatchgateClient } from '@patchgate/api-client';
import { createPatchgateClient } from '@patchgate/api-client';
import { expectOk, reachable } from './call.ts';

export interface MintedToken {
  readonly token: string;
  readonly username: string;
}

export async function tokenFromPassword(
  server: string,
  credentials: { readonly username: string; readonly password: string },
  token: { readonly name: string; readonly expiresInDays: number },
): Promise<MintedToken> {
  const client = createPatchgateClient({ baseUrl: server });
  const login = await reachable(server, () =>
    client.POST('/api/v1/session', { body: credentials }),
  );
  const session = expectOk(login, 'login');
  const cookie = (login.response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const headers = { cookie, 'x-csrf-token': session.csrfToken ?? '' };
  const created = expectOk(
    await client.POST('/api/v1/tokens', {
      headers,
      body: {
        name: token.name,
        scopes: session.user.permissions,
        expiresInDays: token.expiresInDays,
      },
    }),
    'creating an API token',
  );
  await client.DELETE('/api/v1/session', { headers });
  return { token: created.token, username: session.user.username };
}

/** Send an inventory file, as it is, as an asset's new snapshot. */
export function uploadInventory(
  client: PatchgateClient,
  assetId: string,
  upload: { readonly name: string; readonly bytes: Buffer; readonly format?: string | undefined },
) {
  return client.POST('/api/v1/assets/{id}/inventory', {
    params: {
      path: { id: assetId },
      query: { name: upload.name, ...(upload.format !== undefined && { format: upload.format }) },
    },
    // The route takes the raw file (any media type); the client must not JSON-encode it.
    body: new Blob([upload.bytes]),
    bodySerializer: (body: unknown) => body as Blob,
    headers: { 'content-type': 'application/octet-stream' },
  });
}
