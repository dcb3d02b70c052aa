/**
 * Server state: TanStack Query over the typed client. `$api.useQuery('get', '/api/v1/findings',
 * { params: { query } })` is typed end to end from the OpenAPI document; its query key is
 * `['get', path, init]`, so `invalidatePaths` can refresh every query under a path prefix (after a
 * mutation, or when the live stream says something changed).
 */
import type { Query } from '@tanstack/react-query';
import { QueryClient } from '@tanstack/react-query';
import createQueryHooks from 'openapi-react-query';
import { api } from './client.ts';

export const $api = createQueryHooks(api);

/** HTTP status of whatever a query function threw (problem bodies carry `status`). */
function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = error.status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}

export function createAppQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A 4xx will not change by asking again; a network error or a 5xx may.
        retry: (failures, error) => {
          const status = statusOf(error);
          return failures < 2 && (status === undefined || status >= 500);
        },
        refetchOnWindowFocus: true,
      },
    },
  });
}

const pathOf = (query: Query): string | undefined =>
  typeof query.queryKey[1] === 'string' ? query.queryKey[1] : undefined;

/** Refetch every active query whose path starts with one of `prefixes` (`/api/v1/findings`). */
export function invalidatePaths(client: QueryClient, prefixes: readonly string[]): Promise<void> {
  return client.invalidateQueries({
    predicate: (query) => {
      const path = pathOf(query);
      return path !== undefined && prefixes.some((prefix) => path.startsWith(prefix));
    },
  });
}
