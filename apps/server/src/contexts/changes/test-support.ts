/**
 * Test support for this context's API tests (routes, evidence): one request as a caller,
 * checked against the status it must answer with, and the rollout and rollback plans their
 * plans documents share. Used by this context's tests only.
 */
import type { ChangePlansInput } from '@patchgate/changes';
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

/** One automatic wave over every asset with an HTTP health check, rolled back by downgrading. */
export const rolloutPlans = {
  deploymentPlan: {
    estimatedMinutes: 60,
    waves: [
      {
        name: 'all',
        concurrency: 1,
        failureThreshold: 0,
        bakeMinutes: 10,
        gate: 'auto',
        onFailure: 'rollback',
        healthChecks: [{ kind: 'http', url: 'http://localhost/healthz' }],
      },
    ],
  },
  rollbackPlan: { triggers: ['health-check-failure'], steps: [{ kind: 'downgrade' }] },
} satisfies Pick<ChangePlansInput, 'deploymentPlan' | 'rollbackPlan'>;
