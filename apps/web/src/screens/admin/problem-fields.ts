/** A 422's field problems, to show each beside its field (`body.rules[2].stages[0].groups`). */
import type { Problem } from '../../api/client.ts';
import { ApiError } from '../../api/client.ts';

function problemFields(error: unknown): readonly { field: string; message: string }[] {
  const problem: Partial<Problem> | null =
    error instanceof ApiError ? error.problem : (error as Partial<Problem> | null);
  return (problem?.errors ?? []).map((e) => ({ field: e.field ?? '', message: e.message }));
}

/** The messages of the fields at `path` or under it, joined; undefined when there are none. */
export function errorsAt(error: unknown, path: string): string | undefined {
  const messages = problemFields(error)
    .filter(
      (e) => e.field === path || e.field.startsWith(`${path}.`) || e.field.startsWith(`${path}[`),
    )
    .map((e) => e.message);
  return messages.length === 0 ? undefined : messages.join('; ');
}
