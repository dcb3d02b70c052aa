/**
 * Rendering a screen or component in a component test: a fresh query client (no retries, no
 * caching between tests), a memory router at `url`, and a session for `user` — the real
 * SessionProvider fed by a real fetch, answered by `server` (a table of handlers per method and
 * path: what the API would answer). No module is mocked: the client, the query hooks and the
 * router are the ones the application runs.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { RenderResult } from '@testing-library/react';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import type { RouteObject } from 'react-router';
import { SessionProvider } from '../api/session.tsx';
import type { SessionUser } from '../api/session.tsx';

export type Handler = (request: Request, url: URL) => unknown;
/** `'GET /api/v1/findings'` → what it answers (a JSON body, or a Response). */
export type FakeApi = Record<string, Handler>;

export const adminUser: SessionUser = {
  id: '00000000-0000-4000-8000-000000000001',
  username: 'admin',
  displayName: 'Administrator',
  roles: ['admin'],
  permissions: [
    'assets:read',
    'assets:write',
    'advisories:read',
    'advisories:manage',
    'findings:read',
    'findings:triage',
    'exceptions:request',
    'exceptions:approve',
    'jobs:read',
    'jobs:manage',
    'audit:read',
    'users:manage',
    'tokens:own',
    'metrics:read',
    'changes:read',
    'changes:request',
    'changes:approve',
    'changes:implement',
    'changes:manage',
    'calendar:read',
    'calendar:manage',
    'notifications:manage',
    'agents:read',
    'agents:manage',
  ],
};

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly body: unknown;
  readonly headers: Headers;
}

/**
 * Answer the application's fetches from `api` (by `METHOD /path`, the longest matching pattern
 * with `:param` segments) and record each request. An unknown route answers 404 as the server
 * would, so a screen calling something unexpected shows its error state.
 */
export function installFakeApi(api: FakeApi, user: SessionUser | null = adminUser): Recorded[] {
  const calls: Recorded[] = [];
  const table: FakeApi = {
    'GET /api/v1/session': () =>
      user === null
        ? new Response(
            JSON.stringify({ status: 401, title: 'Unauthorized', code: 'unauthorized' }),
            {
              status: 401,
              headers: { 'content-type': 'application/problem+json' },
            },
          )
        : { user, csrfToken: 'test-csrf-token' },
    ...api,
  };
  const routes = Object.entries(table).map(([key, handler]) => {
    const [method = 'GET', pattern = '/'] = key.split(' ');
    const source = pattern
      .split('/')
      .map((segment) =>
        segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    return { method, regex: new RegExp(`^${source}$`), handler, length: pattern.length };
  });
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text =
      request.method === 'GET' || request.method === 'HEAD' ? '' : await request.clone().text();
    calls.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      headers: request.headers,
    });
    const route = routes
      .filter((r) => r.method === request.method && r.regex.test(url.pathname))
      .sort((a, b) => b.length - a.length)[0];
    if (route === undefined)
      return new Response(
        JSON.stringify({
          status: 404,
          title: 'Not Found',
          detail: `${request.method} ${url.pathname}`,
          code: 'not_found',
        }),
        { status: 404, headers: { 'content-type': 'application/problem+json' } },
      );
    const answer = await route.handler(request, url);
    if (answer instanceof Response) return answer;
    if (answer === undefined) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return calls;
}

export function renderWithApp(
  routes: RouteObject[] | ReactNode,
  { url = '/' }: { url?: string } = {},
): RenderResult & { router: ReturnType<typeof createMemoryRouter> } {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: 0 }, mutations: { retry: false } },
  });
  const table: RouteObject[] = Array.isArray(routes) ? routes : [{ path: '*', element: routes }];
  const router = createMemoryRouter(table, { initialEntries: [url] });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { ...result, router };
}
