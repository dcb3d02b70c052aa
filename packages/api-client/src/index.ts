/**
 * The one typed client of the Patchgate API, used by the CLI (and so by the CLI tests that drive a
 * real server). Types come from the checked-in OpenAPI document (`npm run openapi`).
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema.gen.ts';

export type { components, operations, paths } from './schema.gen.ts';

export interface ClientOptions {
  /** `http://127.0.0.1:7480` */
  readonly baseUrl: string;
  /** An API token (`pgt_…`). */
  readonly token?: string;
  /** For tests: a fetch that talks to an in-process server. */
  readonly fetch?: typeof fetch;
}

export function createPatchgateClient(options: ClientOptions) {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
    headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
  });
}

export type PatchgateClient = ReturnType<typeof createPatchgateClient>;
