/**
 * The browser's typed client of the Patchgate API: the same generated `paths` as the CLI's
 * (`@patchgate/api-client`, from apps/server/openapi.json), same origin, the session cookie sent
 * by the browser and the session's CSRF token added to every state change. The token lives in
 * this module's memory only (never in localStorage): a reload asks `GET /api/v1/session` again.
 */
import type { components, paths } from '@patchgate/api-client/schema';
import type { Middleware } from 'openapi-fetch';
import createClient from 'openapi-fetch';

export type { components, operations, paths } from '@patchgate/api-client/schema';
export type Schemas = components['schemas'];

/** An RFC 9457 problem as the server sends it (`/problems/<code>`). */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly field?: string; readonly message: string }[];
}

/** A failed call: the problem the server answered, or a network failure (status 0). */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
}

let csrfToken: string | undefined;
/** Set by the session (login, `GET /session`); cleared at logout. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Listeners told when any call answers 401 (the session ended or expired). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (!safeMethods.has(request.method) && csrfToken !== undefined)
      request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    const loggingIn =
      request.method === 'POST' && new URL(request.url).pathname === '/api/v1/session';
    if (response.status === 401 && !loggingIn)
      for (const listener of unauthorizedListeners) listener();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  credentials: 'same-origin',
  // Looked up per call (not captured once), so component tests can answer with their own.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(sessionMiddleware);

/** The result of an openapi-fetch call: its data, or a thrown ApiError (for TanStack Query). */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError({
      status: 0,
      title: 'The server could not be reached',
      detail: cause instanceof Error ? cause.message : String(cause),
    });
  }
  if (result.response.ok) return result.data as T;
  const error = result.error as Partial<Problem> | undefined;
  throw new ApiError({
    ...(typeof error === 'object' && error !== null ? error : {}),
    status: result.response.status,
    title:
      (typeof error === 'object' && error !== null ? error.title : undefined) ??
      result.response.statusText,
  });
}

/** The problem document behind anything a call threw (an ApiError or a problem body), if any. */
export function problemOf(error: unknown): Partial<Problem> | undefined {
  if (error instanceof ApiError) return error.problem;
  return typeof error === 'object' &&
    error !== null &&
    ('title' in error || 'detail' in error || 'errors' in error)
    ? (error as Partial<Problem>)
    : undefined;
}

/**
 * A message for a person from anything a call threw: an ApiError, a problem body (what
 * openapi-react-query throws for a 4xx/5xx), or a network failure.
 */
export function errorMessage(error: unknown): string {
  const problem = problemOf(error);
  if (problem !== undefined) {
    const fields = problem.errors?.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
    return [problem.detail ?? problem.title ?? 'The request failed', ...(fields ?? [])].join(' — ');
  }
  if (error instanceof TypeError) return `The server could not be reached (${error.message})`;
  return error instanceof Error ? error.message : String(error);
}
