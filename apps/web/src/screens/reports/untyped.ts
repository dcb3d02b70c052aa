/**
 * Calls to routes of issue 11 (metrics, reports, schedules, recommendations) through the app's
 * client (its CSRF header and 401 handling), keyed like `$api`'s queries (`['get', path, init]`)
 * so `invalidatePaths` refreshes them. The response types are this folder's `types.ts` (the
 * contract in HELPERS-11.md).
 */
import type { UseQueryOptions } from '@tanstack/react-query';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { invalidatePaths } from '../../api/query.ts';

type Query = Readonly<Record<string, string | number | undefined>>;
export interface Init {
  readonly path?: Readonly<Record<string, string>>;
  readonly query?: Query;
}
type Call = (
  path: string,
  init: { params: Init; body?: unknown },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
const client = api as unknown as Record<'GET' | 'POST' | 'PATCH' | 'DELETE', Call>;

/** Without the keys whose value is undefined or '' (openapi-fetch would send `key=`). */
function clean(init: Init): Init {
  if (init.query === undefined) return init;
  const query: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(init.query))
    if (value !== undefined && value !== '') query[key] = value;
  return { ...init, query };
}

export function fetchJson<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  init: Init = {},
  body?: unknown,
): Promise<T> {
  return unwrap(
    client[method](path, { params: clean(init), ...(body !== undefined && { body }) }),
  ) as Promise<T>;
}

export function useGet<T>(
  path: string,
  init: Init = {},
  options: Omit<UseQueryOptions<T, Error, T, readonly unknown[]>, 'queryKey' | 'queryFn'> = {},
) {
  const params = clean(init);
  return useQuery<T, Error, T, readonly unknown[]>({
    queryKey: ['get', path, { params }],
    queryFn: () => fetchJson<T>('GET', path, params),
    ...options,
  });
}

/** A state change, then every query under `invalidate` is asked again. */
export function useSend<T, V>(
  method: 'POST' | 'PATCH' | 'DELETE',
  request: (variables: V) => { path: string; init?: Init; body?: unknown },
  invalidate: readonly string[],
  onSuccess?: (data: T, variables: V) => void,
) {
  const queryClient = useQueryClient();
  return useMutation<T, Error, V>({
    mutationFn: (variables) => {
      const { path, init, body } = request(variables);
      return fetchJson<T>(method, path, init, body);
    },
    onSuccess: async (data, variables) => {
      await invalidatePaths(queryClient, invalidate);
      onSuccess?.(data, variables);
    },
  });
}
