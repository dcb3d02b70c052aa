/**
 * Test support for this context's API tests (routes, evidence): one request as a caller,
 * checked against the status it must answer with. Used by this context's tests only.
 */
import type { TestCaller } from '../../../test/auth.ts';
import type { testApp } from '../../../test/app.ts';
import type { ChangeDetail } from './schema.ts';

type Inject = Awaited<ReturnType<typeof testApp>>['app']['inject'];

/** `method url` as `caller`, expecting `status`; returns the parsed body. */
export async function call<T = ChangeDetail>(
  app: { inject: Inject },
  caller: TestCaller,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  status: number,
  payload?: unknown,
): Promise<T> {
  const response = await app.inject({
    method,
    url,
    headers: caller.headers,
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  if (response.statusCode !== status)
    throw new Error(
      `${method} ${url}: expected ${status}, got ${response.statusCode} ${response.body}`,
    );
  return response.json<T>();
}
