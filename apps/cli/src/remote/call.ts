/** One place that turns the API's problem+json answers into CLI errors (exit 2, clear message). */
import type { PatchgateClient } from '@patchgate/api-client';
import { createPatchgateClient } from '@patchgate/api-client';
import type { CliIo } from '../io.ts';
import { UsageError } from '../io.ts';
import { resolveCredentials } from './credentials.ts';
import { RemoteError } from './errors.ts';

export { RemoteError } from './errors.ts';

interface Problem {
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** The data of a successful answer, or a RemoteError naming the status and the server's words. */
export function expectOk<T>(
  result: { data?: T; error?: unknown; response: Response },
  what: string,
): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok) return undefined as T;
  const problem = (result.error ?? {}) as Problem;
  const detail = problem.detail ?? problem.title ?? result.response.statusText;
  // A field's message the detail already says is not said twice.
  const fields = (problem.errors ?? [])
    .filter((e) => !detail.includes(e.message))
    .map((e) => `\n  ${e.field}: ${e.message}`)
    .join('');
  throw new RemoteError(
    result.response.status,
    `${what} failed: ${result.response.status} ${detail}${fields}`,
  );
}

export function remoteClient(
  io: CliIo,
  flags: { server?: string | undefined },
): { client: PatchgateClient; server: string } {
  const credentials = resolveCredentials(io, flags);
  return {
    client: createPatchgateClient({ baseUrl: credentials.server, token: credentials.token }),
    server: credentials.server,
  };
}

/** Network failures (server down, wrong address) are input errors too, said plainly. */
export async function reachable<T>(server: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new UsageError(`cannot reach the Patchgate server at ${server} (${cause})`, {
      cause: error,
    });
  }
}
