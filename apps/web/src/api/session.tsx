/**
 * Who is logged in: `GET /api/v1/session` at start, login and logout, and the permissions the UI
 * shows or hides actions by (the server decides again on every call). A 401 from any call ends
 * the session in the UI too, so an expired session lands on the login page, not on errors.
 */
import type { QueryClient } from '@tanstack/react-query';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo } from 'react';
import type { paths } from './client.ts';
import { api, onUnauthorized, setCsrfToken, unwrap } from './client.ts';

type SessionBody =
  paths['/api/v1/session']['get']['responses']['200']['content']['application/json'];
export type SessionUser = SessionBody['user'];
export type Permission = SessionUser['permissions'][number];
export type Role = SessionUser['roles'][number];

export interface Session {
  /** undefined while the first `GET /session` is in flight; null when nobody is logged in. */
  readonly user: SessionUser | null | undefined;
  readonly can: (permission: Permission) => boolean;
  readonly login: (username: string, password: string) => Promise<void>;
  readonly logout: () => Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

export const sessionQueryKey = ['session'] as const;

/** Drop every cached answer but the session's own (whose observer must keep its query). */
function forgetOtherQueries(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionQueryKey[0] });
}

async function currentSession(): Promise<SessionUser | null> {
  const { data, response } = await api.GET('/api/v1/session');
  if (response.status === 401) {
    setCsrfToken(undefined);
    return null;
  }
  const body = await unwrap(Promise.resolve({ data, response }));
  setCsrfToken(body.csrfToken);
  return body.user;
}

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: sessionQueryKey,
    queryFn: currentSession,
    staleTime: Infinity,
  });

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrfToken(undefined);
        queryClient.setQueryData(sessionQueryKey, null);
      }),
    [queryClient],
  );

  const login = useCallback(
    async (username: string, password: string) => {
      const body = await unwrap(api.POST('/api/v1/session', { body: { username, password } }));
      setCsrfToken(body.csrfToken);
      // Whatever an earlier user had loaded is not this user's to see.
      forgetOtherQueries(queryClient);
      queryClient.setQueryData(sessionQueryKey, body.user);
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    await unwrap(api.DELETE('/api/v1/session')).catch(() => undefined);
    setCsrfToken(undefined);
    forgetOtherQueries(queryClient);
    queryClient.setQueryData(sessionQueryKey, null);
  }, [queryClient]);

  const user = query.isPending ? undefined : query.isError ? null : query.data;
  const value = useMemo<Session>(
    () => ({
      user,
      can: (permission) => user?.permissions.includes(permission) ?? false,
      login,
      logout,
    }),
    [user, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The logged-in user (screens behind the login only). */
export function useUser(): SessionUser {
  const { user } = useSession();
  if (user === undefined || user === null) throw new Error('useUser without a logged-in user');
  return user;
}
